package journal

import (
	"context"

	"shkola/internal/access"
	"shkola/internal/errs"
	"shkola/internal/schedule"
	"shkola/internal/store"
)

// lessonInfo is a lesson with what writing to it depends on: its class
// (the sub-group's parent, or the group itself), its year, the study
// period its date falls in and whether that is closed, and the scale code
// of its organisation. One query reads it all.
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
}

const lessonInfoQuery = `SELECT ` + schedule.LessonColumns + `, g.kind, COALESCE(g.parent_id, g.id), g.year_id,
	CASE WHEN y.status = 'closed' THEN 1 ELSE 0 END, COALESCE(p.id, 0), COALESCE(p.name, ''),
	CASE WHEN p.closed_at IS NULL THEN 0 ELSE 1 END,
	COALESCE((SELECT js.scale FROM journal_scales js JOIN org_tree t ON t.ancestor_id = js.org_id
		WHERE t.descendant_id = l.org_id ORDER BY t.depth LIMIT 1), ''), o.country
	FROM lessons l JOIN groups g ON g.id = l.group_id JOIN academic_years y ON y.id = g.year_id
	JOIN organisations o ON o.id = l.org_id
	LEFT JOIN study_periods p ON p.year_id = g.year_id AND p.starts_on <= l.on_date AND p.ends_on >= l.on_date
	WHERE l.id = $1`

func loadLesson(ctx context.Context, q store.Querier, id int64) (lessonInfo, error) {
	var li lessonInfo
	var yearClosed, periodClosed int
	var sub *int64
	err := q.QueryRowContext(ctx, lessonInfoQuery, id).Scan(&li.ID, &li.OrgID, &li.GroupID, &li.Subject, &li.TeacherID, &sub,
		&li.Date, &li.Slot, &li.Room, &li.Kind, &li.Status, &li.Topic, &li.ControlWork, &li.Version,
		&li.GroupKind, &li.ClassID, &li.YearID, &yearClosed, &li.PeriodID, &li.PeriodName, &periodClosed, &li.ScaleCode, &li.Country)
	if store.IsNoRows(err) {
		return li, errs.E(errs.NotFound, "no such lesson")
	}
	li.SubstituteID = sub
	li.YearClosed, li.PeriodClosed = yearClosed == 1, periodClosed == 1
	if li.ScaleCode == "" {
		li.ScaleCode = DefaultScale(li.Country)
	}
	return li, err
}

// target is the lesson as the access policy sees it: its school, its
// class (teaches and class_teacher_of answer for the class and its
// sub-groups), the lesson itself (takes_lesson) and its subject.
func (li lessonInfo) target() access.Target {
	return access.Target{OrgIDs: []int64{li.OrgID}, ClassID: li.ClassID, LessonID: li.ID, Subject: li.Subject}
}

// locked reports whether the lesson's marks are locked by a closed period.
func (li lessonInfo) locked() bool { return li.PeriodClosed || li.YearClosed }
