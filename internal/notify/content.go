package notify

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"shkola/internal/store"
)

// changeData is the data of the change-log entities this package reads:
// identifiers and codes only, never names or mark values (the contract the
// journal, schedule and announcements write to).
type changeData struct {
	PersonID int64  `json:"person_id"`
	LessonID int64  `json:"lesson_id"`
	GroupID  int64  `json:"group_id"`
	PeriodID int64  `json:"period_id"`
	Subject  string `json:"subject"`
	Status   string `json:"status"`
	DueOn    string `json:"due_on"`
	Audience string `json:"audience"`
	Parallel int    `json:"parallel"`
}

// event is one change the dispatcher acts on.
type event struct {
	c    store.Change
	kind string
	msg  string // message key under notify.msg.
	data changeData
	ann  *Announcement // for announcements, the stored row
}

// parseEvent decides whether a change is something people are told about,
// and which message says it. Anything else (other entities, an attendance
// mark of "present", a malformed row) is skipped.
func parseEvent(c store.Change) (event, bool) {
	e := event{c: c, kind: kindOf(c.Entity)}
	if e.kind == "" {
		return e, false
	}
	if len(c.Data) > 0 && json.Unmarshal(c.Data, &e.data) != nil {
		return e, false
	}
	switch c.Entity {
	case EntityMark, EntityPeriodMark:
		e.msg = c.Entity + "." + c.Op
		return e, e.data.PersonID > 0
	case EntityAttendance:
		if c.Op == store.OpDelete || (e.data.Status != "absent" && e.data.Status != "late") {
			return e, false
		}
		e.msg = e.data.Status
		return e, e.data.PersonID > 0
	case EntityHomework:
		if c.Op == store.OpDelete {
			return e, false
		}
		e.msg = "homework." + c.Op
		return e, e.data.GroupID > 0
	case EntityAnnouncement:
		e.msg = "announcement"
		return e, c.Op == store.OpCreate
	}
	return e, false
}

// link is where a notification leads for the family of pupil: the lesson
// in the pupil's diary for marks, absences and homework (the diary shows
// the week of that lesson), the diary's study period for period marks, the
// announcement's page. Never a staff page: families cannot open those.
func (e event) link(pupil int64) string {
	p := strconv.FormatInt(pupil, 10)
	switch {
	case e.kind == KindAnnouncement:
		return "/announcements/" + e.c.EntityID
	case e.kind == KindPeriodMark && e.data.PeriodID != 0:
		return "/diary/" + p + "/period?period=" + strconv.FormatInt(e.data.PeriodID, 10)
	case e.kind == KindPeriodMark || e.data.LessonID == 0:
		return "/diary/" + p + "/period"
	}
	l := strconv.FormatInt(e.data.LessonID, 10)
	return "/diary/" + p + "?lesson=" + l + "#lesson-" + l
}

// texts renders the title and body of e for one recipient in lang. The
// pupil's first name is the recipient's own family's (recipients come only
// from the pupil's own links).
func (s *Service) texts(e event, lang, pupil, subject string) (title, body string) {
	if e.ann != nil {
		kind := s.text(lang, "notify.kind."+e.ann.Kind, nil)
		return s.text(lang, "notify.msg.announcement.title", map[string]any{"Kind": kind, "Title": e.ann.Title}), e.ann.Body
	}
	data := map[string]any{"Pupil": pupil, "Subject": subject, "Due": formatDate(e.data.DueOn, lang)}
	return s.text(lang, "notify.msg."+e.msg+".title", data), s.text(lang, "notify.msg."+e.msg+".body", data)
}

func formatDate(iso, lang string) string {
	d, err := time.Parse("2006-01-02", iso)
	if err != nil {
		return iso
	}
	if lang == "en" {
		return d.Format("2 Jan 2006")
	}
	return d.Format("02.01.2006")
}

// subjects names subject codes in each language from the reference
// directory, remembering what it looked up during one batch.
type subjects struct {
	q     store.Querier
	names map[string][3]string
}

func (s *subjects) name(ctx context.Context, code, lang string) (string, error) {
	if code == "" {
		return "", nil
	}
	n, ok := s.names[code]
	if !ok {
		var ru, uk, en string
		err := s.q.QueryRowContext(ctx, "SELECT name_ru, name_uk, name_en FROM ref_entries WHERE directory = 'subject' AND code = $1", code).Scan(&ru, &uk, &en)
		switch {
		case err == nil:
			n = [3]string{ru, uk, en}
		case store.IsNoRows(err):
			n = [3]string{code, code, code}
		default:
			return "", err
		}
		s.names[code] = n
	}
	switch lang {
	case "uk":
		if n[1] != "" {
			return n[1], nil
		}
	case "en":
		if n[2] != "" {
			return n[2], nil
		}
	}
	return n[0], nil
}
