package schedule

import (
	"context"
	"io"

	"shkola/internal/access"
	"shkola/internal/audit"
	"shkola/internal/calendar"
	"shkola/internal/classes"
	"shkola/internal/errs"
	"shkola/internal/filestore"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Resources of the access matrix (matrix/schedule.csv), each with read and
// update: the study plan and its coverage report; the timetable (bells,
// weekly template, generation, dated lessons and their one-off changes);
// a lesson's content (topic, kind, control work, homework and its files).
const (
	PlanResource      = "study_plan"
	TimetableResource = "timetable"
	LessonResource    = "lesson"
)

// Guard is the schedule service as the outside world gets it: every call
// is decided by the access policy for the actor in the context (before any
// write transaction opens), and every change is audited in the
// transaction that makes it.
type Guard struct {
	S      *Service
	Policy *access.Policy
	Audit  *audit.Log
}

// Append writes an audit entry, failing closed without an audit log.
func (g *Guard) Append(ctx context.Context, tx *store.Tx, e audit.Entry) error {
	if g.Audit == nil {
		return errs.Wrap(errs.Internal, errNoAudit, "internal error")
	}
	return g.Audit.Append(ctx, tx, e)
}

func hidden(ctx context.Context, err error) error {
	if errs.CodeOf(err) == errs.NotFound && !identity.From(ctx).Authenticated() {
		return errs.E(errs.Unauthorized, "log in first")
	}
	return err
}

func groupTarget(gr classes.Group) access.Target {
	return access.Target{OrgIDs: []int64{gr.OrgID}, ClassID: gr.ID}
}

func orgTarget(org int64) access.Target { return access.Target{OrgIDs: []int64{org}} }

// LessonTarget is a lesson as the policy sees it.
func LessonTarget(l Lesson) access.Target {
	return access.Target{OrgIDs: []int64{l.OrgID}, ClassID: l.GroupID, LessonID: l.ID, Subject: l.Subject}
}

func (g *Guard) check(ctx context.Context, resource, action string, t access.Target) error {
	return g.Policy.Check(ctx, identity.From(ctx), resource, action, t)
}

func (g *Guard) allowed(ctx context.Context, resource, action string, t access.Target) bool {
	ok, err := g.Policy.Allowed(ctx, identity.From(ctx), resource, action, t)
	return err == nil && ok
}

// group loads a group and checks the actor may do action on resource for it.
func (g *Guard) group(ctx context.Context, id int64, resource, action string) (classes.Group, error) {
	gr, err := classes.Load(ctx, g.S.DB.Read(), id)
	if err != nil {
		return gr, hidden(ctx, err)
	}
	return gr, g.check(ctx, resource, action, groupTarget(gr))
}

// Group returns a class or sub-group whose timetable the actor may read.
func (g *Guard) Group(ctx context.Context, id int64) (classes.Group, error) {
	return g.group(ctx, id, TimetableResource, "read")
}

// Plan returns a class's study plan.
func (g *Guard) Plan(ctx context.Context, classID int64) ([]PlanItem, error) {
	if _, err := g.group(ctx, classID, PlanResource, "read"); err != nil {
		return nil, err
	}
	return g.S.Plan(ctx, classID)
}

// SetPlan replaces a class's plan (or its parallel's) for the year or a period.
func (g *Guard) SetPlan(ctx context.Context, classID int64, c PlanChange) ([]PlanItem, error) {
	if _, err := g.group(ctx, classID, PlanResource, "update"); err != nil {
		return nil, err
	}
	return g.S.SetPlan(ctx, classID, c, g.Append)
}

// Coverage reports the plan against assignments and the template for the
// classes of an organisation's year (or one class).
func (g *Guard) Coverage(ctx context.Context, f CoverageFilter) ([]CoverageRow, error) {
	if f.ClassID != 0 {
		gr, err := g.group(ctx, f.ClassID, PlanResource, "read")
		if err != nil {
			return nil, err
		}
		f.OrgID, f.YearID = gr.OrgID, gr.YearID
	} else if err := g.check(ctx, PlanResource, "read", orgTarget(f.OrgID)); err != nil {
		return nil, hidden(ctx, err)
	}
	return g.S.Coverage(ctx, f)
}

// CanChangePlan reports whether the actor may change the plans of orgID.
func (g *Guard) CanChangePlan(ctx context.Context, orgID int64) bool {
	return g.allowed(ctx, PlanResource, "update", orgTarget(orgID))
}

// CanChangeTimetable reports whether the actor may change the timetable of orgID.
func (g *Guard) CanChangeTimetable(ctx context.Context, orgID int64) bool {
	return g.allowed(ctx, TimetableResource, "update", orgTarget(orgID))
}

// CanReadTimetable reports whether the actor may read the timetable of orgID.
func (g *Guard) CanReadTimetable(ctx context.Context, orgID int64) bool {
	return g.allowed(ctx, TimetableResource, "read", orgTarget(orgID))
}

// CanReadPlan reports whether the actor may read the plans of orgID.
func (g *Guard) CanReadPlan(ctx context.Context, orgID int64) bool {
	return g.allowed(ctx, PlanResource, "read", orgTarget(orgID))
}

// Bells returns an organisation's bell schedule.
func (g *Guard) Bells(ctx context.Context, orgID int64) (Bells, error) {
	if err := g.check(ctx, TimetableResource, "read", orgTarget(orgID)); err != nil {
		return Bells{}, err
	}
	return g.S.Bells(ctx, orgID)
}

// SetBells replaces a variant of an organisation's bell schedule.
func (g *Guard) SetBells(ctx context.Context, orgID int64, variant string, list []Bell) (Bells, error) {
	if err := g.check(ctx, TimetableResource, "update", orgTarget(orgID)); err != nil {
		return Bells{}, err
	}
	return g.S.SetBells(ctx, orgID, variant, list, g.Append)
}

// SetShortDay marks or unmarks a shortened day.
func (g *Guard) SetShortDay(ctx context.Context, orgID int64, date string, on bool) error {
	if err := g.check(ctx, TimetableResource, "update", orgTarget(orgID)); err != nil {
		return err
	}
	return g.S.SetShortDay(ctx, orgID, date, on, g.Append)
}

// Entries lists the weekly template of a class with its sub-groups.
func (g *Guard) Entries(ctx context.Context, groupID int64, on string) ([]Entry, error) {
	if _, err := g.group(ctx, groupID, TimetableResource, "read"); err != nil {
		return nil, err
	}
	return g.S.Entries(ctx, groupID, on)
}

// AddEntry adds a template line.
func (g *Guard) AddEntry(ctx context.Context, n NewEntry) (Entry, error) {
	gr, err := classes.Load(ctx, g.S.DB.Read(), n.GroupID)
	if errs.CodeOf(err) == errs.NotFound {
		return Entry{}, errs.Field(errs.Invalid, "group_id", "exists", "no such class or sub-group")
	}
	if err != nil {
		return Entry{}, err
	}
	if err := g.check(ctx, TimetableResource, "update", groupTarget(gr)); err != nil {
		return Entry{}, err
	}
	return g.S.AddEntry(ctx, n, g.Append)
}

func (g *Guard) entry(ctx context.Context, id int64, action string) (Entry, error) {
	e, err := LoadEntry(ctx, g.S.DB.Read(), id)
	if err != nil {
		return e, hidden(ctx, err)
	}
	return e, g.check(ctx, TimetableResource, action, access.Target{OrgIDs: []int64{e.OrgID}, ClassID: e.GroupID})
}

// Entry reads one template line.
func (g *Guard) Entry(ctx context.Context, id int64) (Entry, error) { return g.entry(ctx, id, "read") }

// UpdateEntry changes a template line at the version read.
func (g *Guard) UpdateEntry(ctx context.Context, id, expected int64, p EntryPatch) (Entry, error) {
	if _, err := g.entry(ctx, id, "update"); err != nil {
		return Entry{}, err
	}
	return g.S.UpdateEntry(ctx, id, expected, p, g.Append)
}

// DeleteEntry removes a template line no lesson came from.
func (g *Guard) DeleteEntry(ctx context.Context, id int64) error {
	if _, err := g.entry(ctx, id, "update"); err != nil {
		return err
	}
	return g.S.DeleteEntry(ctx, id, g.Append)
}

// Generate makes a period's lessons agree with the template.
func (g *Guard) Generate(ctx context.Context, f GenerateFilter) (Generated, error) {
	org, err := PeriodOrg(ctx, g.S.DB.Read(), f.PeriodID)
	if errs.CodeOf(err) == errs.NotFound {
		return Generated{}, errs.Field(errs.Invalid, "period_id", "exists", "no such study period")
	}
	if err != nil {
		return Generated{}, err
	}
	t := orgTarget(org)
	if f.GroupID != 0 {
		gr, err := classes.Load(ctx, g.S.DB.Read(), f.GroupID)
		if err != nil || gr.OrgID != org {
			return Generated{}, errs.Field(errs.Invalid, "group_id", "exists", "no such class of the period's school")
		}
		t = groupTarget(gr)
	}
	if err := g.check(ctx, TimetableResource, "update", t); err != nil {
		return Generated{}, err
	}
	return g.S.Generate(ctx, f, g.Append)
}

// Lessons lists the dated lessons of an organisation (or of one of its
// groups) that the actor may read.
func (g *Guard) Lessons(ctx context.Context, f LessonFilter) ([]LessonRow, error) {
	if f.GroupID != 0 {
		gr, err := g.group(ctx, f.GroupID, TimetableResource, "read")
		if err != nil {
			return nil, err
		}
		f.OrgID = gr.OrgID
	} else if err := g.check(ctx, TimetableResource, "read", orgTarget(f.OrgID)); err != nil {
		return nil, hidden(ctx, err)
	}
	return g.S.Lessons(ctx, f)
}

// MyLessons lists the lessons the actor teaches (or was replaced on) in any
// school: one's own working day needs no other permission.
func (g *Guard) MyLessons(ctx context.Context, from, to string) ([]LessonRow, error) {
	a := identity.From(ctx)
	if !a.Authenticated() {
		return nil, errs.E(errs.Unauthorized, "log in first")
	}
	if a.PersonID == 0 {
		return []LessonRow{}, checkRange(from, to)
	}
	return g.S.Lessons(ctx, LessonFilter{TeacherID: a.PersonID, From: from, To: to})
}

func (g *Guard) lesson(ctx context.Context, id int64, resource, action string) (Lesson, error) {
	l, err := GetLesson(ctx, g.S.DB.Read(), id)
	if err != nil {
		return l, hidden(ctx, err)
	}
	if err := g.check(ctx, resource, action, LessonTarget(l)); err != nil {
		// Whoever may read the timetable sees that the lesson exists.
		if errs.CodeOf(err) == errs.NotFound && g.allowed(ctx, TimetableResource, "read", LessonTarget(l)) {
			return l, errs.E(errs.Forbidden, "you may not %s this lesson", action)
		}
		return l, err
	}
	return l, nil
}

// View reads a lesson with its homework.
func (g *Guard) View(ctx context.Context, id int64) (LessonView, error) {
	if _, err := g.lesson(ctx, id, LessonResource, "read"); err != nil {
		return LessonView{}, err
	}
	return g.S.View(ctx, id)
}

// CanWrite reports whether the actor may write the lesson's content.
func (g *Guard) CanWrite(ctx context.Context, l Lesson) bool {
	return g.allowed(ctx, LessonResource, "update", LessonTarget(l))
}

// CanReschedule reports whether the actor may change the lesson's day,
// slot, room, substitute or status.
func (g *Guard) CanReschedule(ctx context.Context, l Lesson) bool {
	return g.allowed(ctx, TimetableResource, "update", LessonTarget(l))
}

// UpdateLesson writes a lesson's topic, kind, control-work flag and homework.
func (g *Guard) UpdateLesson(ctx context.Context, id, expected int64, p LessonPatch) (Lesson, error) {
	if _, err := g.lesson(ctx, id, LessonResource, "update"); err != nil {
		return Lesson{}, err
	}
	return g.S.UpdateLesson(ctx, id, expected, p, g.Append)
}

// ChangeLesson applies a one-off change (move, room, substitute, cancel).
func (g *Guard) ChangeLesson(ctx context.Context, id, expected int64, c LessonChange) (Lesson, error) {
	if _, err := g.lesson(ctx, id, TimetableResource, "update"); err != nil {
		return Lesson{}, err
	}
	return g.S.ChangeLesson(ctx, id, expected, c, g.Append)
}

// AddLesson adds an extra lesson.
func (g *Guard) AddLesson(ctx context.Context, n NewLesson) (Lesson, error) {
	gr, err := classes.Load(ctx, g.S.DB.Read(), n.GroupID)
	if errs.CodeOf(err) == errs.NotFound {
		return Lesson{}, errs.Field(errs.Invalid, "group_id", "exists", "no such class or sub-group")
	}
	if err != nil {
		return Lesson{}, err
	}
	if err := g.check(ctx, TimetableResource, "update", groupTarget(gr)); err != nil {
		return Lesson{}, err
	}
	return g.S.AddLesson(ctx, n, g.Append)
}

// AddHomeworkFile uploads a file to a lesson's homework.
func (g *Guard) AddHomeworkFile(ctx context.Context, lessonID int64, name string, r io.Reader) (filestore.File, error) {
	if _, err := g.lesson(ctx, lessonID, LessonResource, "update"); err != nil {
		return filestore.File{}, err
	}
	return g.S.AddHomeworkFile(ctx, lessonID, name, r, g.Append)
}

// RemoveHomeworkFile detaches a file from a lesson's homework.
func (g *Guard) RemoveHomeworkFile(ctx context.Context, lessonID, fileID int64) error {
	if _, err := g.lesson(ctx, lessonID, LessonResource, "update"); err != nil {
		return err
	}
	return g.S.RemoveHomeworkFile(ctx, lessonID, fileID, g.Append)
}

// HomeworkFile opens a file of a lesson's homework the actor may read.
func (g *Guard) HomeworkFile(ctx context.Context, lessonID, fileID int64) (filestore.File, io.ReadCloser, error) {
	if _, err := g.lesson(ctx, lessonID, LessonResource, "read"); err != nil {
		return filestore.File{}, nil, err
	}
	return g.S.HomeworkFile(ctx, lessonID, fileID)
}

// CurrentYear returns the id of an organisation's current year (not found
// when it has none), for reports that default to it.
func (g *Guard) CurrentYear(ctx context.Context, orgID int64) (int64, error) {
	y, err := calendar.CurrentYear(ctx, g.S.DB.Read(), orgID)
	return y.ID, hidden(ctx, err)
}
