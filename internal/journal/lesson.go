package journal

import (
	"context"
	"database/sql"

	"shkola/internal/access"
	"shkola/internal/errs"
	"shkola/internal/schedule"
	"shkola/internal/store"
)

// lessonInfo is a lesson with what writing to it depends on: its class
// (the sub-group's parent, or the group itself), its year, the study
// period its date falls in and whether that is closed, and the scale code
// of its organisation; and, from the same query, the access answers, the
// version of the journal's directories and a stored answer to the
// request's idempotency key. One query reads it all.
type lessonInfo struct {
	schedule.Lesson
	GroupKind    string
	ClassID      int64
	YearID       int64
	YearClosed   bool
	PeriodID     int64 // 0: the date lies in no study period
	PeriodName   string
	PeriodClosed bool
	ScaleCode    string
	Country      string
	dirVersion   int64
	obj          object
	stored       *storedAnswer
}

// storedAnswer is a row of journal_requests found for the request's key.
type storedAnswer struct {
	hash     string
	status   int
	response string
}

// loadLesson reads lesson id and answers, in the same query, the access
// questions for actions and, with a key, whether the request was answered
// before.
func (g *Guard) loadLesson(ctx context.Context, id int64, actions []string, key *idemKey) (lessonInfo, error) {
	var li lessonInfo
	var args store.Args
	lid := args.Add(id)
	q := g.ask(ctx, actions, access.Columns{Org: "l.org_id", Class: "COALESCE(g.parent_id, g.id)", Lesson: "l.id"}, "l.group_id", "l.subject", "", &args)
	var keyCols, keyJoin string
	var hash, response sql.NullString
	var status sql.NullInt64
	if key != nil {
		keyCols = ", r.request_hash, r.status, r.response"
		keyJoin = " LEFT JOIN journal_requests r ON r.actor = " + args.Add(key.actor) + " AND r.idem_key = " + args.Add(key.key)
	}
	var yearClosed, periodClosed int
	var sub *int64
	dest := []any{&li.ID, &li.OrgID, &li.GroupID, &li.Subject, &li.TeacherID, &sub,
		&li.Date, &li.Slot, &li.Room, &li.Kind, &li.Status, &li.Topic, &li.ControlWork, &li.Version,
		&li.GroupKind, &li.ClassID, &li.YearID, &yearClosed, &li.PeriodID, &li.PeriodName, &periodClosed, &li.ScaleCode, &li.Country,
		&li.dirVersion}
	dest = append(dest, q.dest()...)
	if key != nil {
		dest = append(dest, &hash, &status, &response)
	}
	err := g.S.read().QueryRowContext(ctx, `SELECT `+schedule.LessonColumns+`, g.kind, COALESCE(g.parent_id, g.id), g.year_id,
	CASE WHEN y.status = 'closed' THEN 1 ELSE 0 END, COALESCE(p.id, 0), COALESCE(p.name, ''),
	CASE WHEN p.closed_at IS NULL THEN 0 ELSE 1 END,
	COALESCE((SELECT js.scale FROM journal_scales js JOIN org_tree t ON t.ancestor_id = js.org_id
		WHERE t.descendant_id = l.org_id ORDER BY t.depth LIMIT 1), ''), o.country, `+dirVersionSQL()+q.columns()+keyCols+`
	FROM lessons l JOIN groups g ON g.id = l.group_id JOIN academic_years y ON y.id = g.year_id
	JOIN organisations o ON o.id = l.org_id
	LEFT JOIN study_periods p ON p.year_id = g.year_id AND p.starts_on <= l.on_date AND p.ends_on >= l.on_date`+keyJoin+`
	WHERE l.id = `+lid, args.Values...).Scan(dest...)
	if store.IsNoRows(err) {
		return li, errs.E(errs.NotFound, "no such lesson")
	}
	if err != nil {
		return li, err
	}
	li.SubstituteID = sub
	li.YearClosed, li.PeriodClosed = yearClosed == 1, periodClosed == 1
	if li.ScaleCode == "" {
		li.ScaleCode = DefaultScale(li.Country)
	}
	li.obj = object{t: access.Target{OrgIDs: []int64{li.OrgID}, ClassID: li.ClassID, LessonID: li.ID, Subject: li.Subject}, group: li.GroupID}
	q.apply(&li.obj)
	if hash.Valid {
		li.stored = &storedAnswer{hash: hash.String, status: int(status.Int64), response: response.String}
	}
	return li, nil
}

// locked reports whether the lesson's marks are locked by a closed period.
func (li lessonInfo) locked() bool { return li.PeriodClosed || li.YearClosed }
