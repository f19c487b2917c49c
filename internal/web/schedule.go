package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"shkola/internal/calendar"
	"shkola/internal/classes"
	"shkola/internal/directory"
	"shkola/internal/errs"
	"shkola/internal/filestore"
	"shkola/internal/httpx"
	"shkola/internal/identity"
	"shkola/internal/schedule"
)

// RegisterSchedule serves the timetable pages: a teacher's week (the
// starting point of the working day), a class's week grid with its weekly
// template, a school's timetable (bells, generation), the study plan with
// its coverage, and the lesson page with topic, homework and files.
func (s *Site) RegisterSchedule(mux *http.ServeMux, g *schedule.Guard, cal *calendar.Guard, dirs *directory.Service) {
	h := schedulePages{site: s, g: g, cal: cal, dirs: dirs}
	s.Nav = append(s.Nav, NavItem{Key: "nav.my_lessons", Path: "/my/lessons", Roles: []identity.Role{identity.Teacher, identity.ClassTeacher}})
	mux.HandleFunc("GET /my/lessons", h.mine)
	mux.HandleFunc("GET /orgs/{id}/timetable", h.org)
	mux.HandleFunc("POST /orgs/{id}/bells", h.bells)
	mux.HandleFunc("POST /orgs/{id}/generate", h.generate)
	mux.HandleFunc("GET /orgs/{id}/coverage", h.coverage)
	mux.HandleFunc("GET /classes/{id}/timetable", h.class)
	mux.HandleFunc("POST /classes/{id}/timetable", h.addEntry)
	mux.HandleFunc("POST /timetable-entries/{id}/delete", h.deleteEntry)
	mux.HandleFunc("GET /classes/{id}/plan", h.plan)
	mux.HandleFunc("POST /classes/{id}/plan", h.setPlan)
	mux.HandleFunc("GET /lessons/{id}", h.lesson)
	mux.HandleFunc("POST /lessons/{id}", h.writeLesson)
	mux.HandleFunc("POST /lessons/{id}/files", h.upload)
	mux.HandleFunc("GET /lessons/{id}/files/{file_id}", h.download)
	mux.HandleFunc("POST /lessons/{id}/schedule", h.reschedule)
}

type schedulePages struct {
	site *Site
	g    *schedule.Guard
	cal  *calendar.Guard
	dirs *directory.Service
}

// schedForm is a form's values and messages: beside fields by rule
// ("schedule.rule.<rule>"), with the domain's own words for a clash (they
// name the lesson in the way).
type schedForm struct {
	Name    string // which form of the page
	Values  map[string]string
	Errors  map[string]string
	Detail  string
	Message string
	Done    string
}

var scheduleRules = []string{"required", "date", "range", "order", "unknown", "unique", "kind", "time", "overlap", "length", "closed",
	"period_closed", "teacher_busy", "room_busy", "group_busy", "not_assigned", "staff", "same", "inside_year", "size", "type", "empty",
	"name", "max_items", "cancelled", "has_lessons", "status", "exists", "enum"}

func newSchedForm(name string) *schedForm {
	return &schedForm{Name: name, Values: map[string]string{}, Errors: map[string]string{}}
}

func (f *schedForm) fail(err error) {
	var e *errs.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		for _, fe := range e.Fields {
			field := fe.Field
			if i := strings.LastIndex(field, "."); i >= 0 && strings.HasPrefix(field, "items[") {
				field = field[i+1:]
			}
			rule := "invalid"
			for _, r := range scheduleRules {
				if r == fe.Rule {
					rule = r
				}
			}
			f.Errors[field] = "schedule.rule." + rule
			if e.Code == errs.Conflict {
				f.Detail = fe.Message
			}
		}
		return
	}
	switch errs.CodeOf(err) {
	case errs.Forbidden:
		f.Message = "schedule.err.forbidden"
	case errs.Precondition:
		f.Message = "schedule.err.stale"
	default:
		f.Message = "error.internal"
	}
}

// deny answers an error that is not a form's; a refusal reads as not found.
func (h schedulePages) deny(w http.ResponseWriter, r *http.Request, err error) {
	if errs.CodeOf(err) == errs.Forbidden {
		err = errs.E(errs.NotFound, "not found")
	}
	h.site.Fail(w, r, err)
}

// subjects names the subject codes in the page's language.
func (h schedulePages) subjects(ctx context.Context, lang string) map[string]string {
	out := map[string]string{}
	if h.dirs == nil {
		return out
	}
	entries, err := h.dirs.List(ctx, schedule.SubjectDirectory, true)
	if err != nil {
		httpx.Logger(ctx).Warn("subject names", "err", err)
		return out
	}
	for _, e := range entries {
		out[e.Code] = directory.Name(e, lang)
	}
	return out
}

func (h schedulePages) kinds(ctx context.Context, lang string) []codeName {
	var out []codeName
	if h.dirs == nil {
		return []codeName{{Code: "regular", Name: "regular"}}
	}
	entries, err := h.dirs.List(ctx, schedule.LessonKindDirectory, false)
	if err != nil {
		return []codeName{{Code: "regular", Name: "regular"}}
	}
	for _, e := range entries {
		out = append(out, codeName{Code: e.Code, Name: directory.Name(e, lang)})
	}
	return out
}

func today() string { return time.Now().UTC().Format(calendar.DateLayout) }

// weekOf returns the Monday of the week holding d (or today) and the
// Mondays before and after.
func weekOf(d string) (monday, prev, next string) {
	t, ok := calendar.ParseDate(d)
	if !ok {
		t, _ = calendar.ParseDate(today())
	}
	t = t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
	return t.Format(calendar.DateLayout), t.AddDate(0, 0, -7).Format(calendar.DateLayout), t.AddDate(0, 0, 7).Format(calendar.DateLayout)
}

// dayBlock is one day of a week with its lessons.
type dayBlock struct {
	Date    string
	Weekday int
	Today   bool
	Lessons []schedule.LessonRow
}

func week(monday string, rows []schedule.LessonRow, days int) []dayBlock {
	t, _ := calendar.ParseDate(monday)
	now := today()
	out := make([]dayBlock, 0, days)
	for i := range days {
		d := t.AddDate(0, 0, i).Format(calendar.DateLayout)
		b := dayBlock{Date: d, Weekday: i + 1, Today: d == now}
		for _, r := range rows {
			if r.Date == d {
				b.Lessons = append(b.Lessons, r)
			}
		}
		if i < 5 || len(b.Lessons) > 0 {
			out = append(out, b)
		}
	}
	return out
}

type weekData struct {
	Monday, Prev, Next string
	Days               []dayBlock
	Subjects           map[string]string
}

func (h schedulePages) weekData(r *http.Request, rows []schedule.LessonRow, monday, prev, next string) weekData {
	lang, _ := h.site.Prefs(r)
	return weekData{Monday: monday, Prev: prev, Next: next, Days: week(monday, rows, 7), Subjects: h.subjects(r.Context(), lang)}
}

// mine is a teacher's week: today first thing in the morning, each lesson
// linked to its page.
func (h schedulePages) mine(w http.ResponseWriter, r *http.Request) {
	monday, prev, next := weekOf(r.URL.Query().Get("week"))
	t, _ := calendar.ParseDate(monday)
	rows, err := h.g.MyLessons(r.Context(), monday, t.AddDate(0, 0, 6).Format(calendar.DateLayout))
	if err != nil {
		h.deny(w, r, err)
		return
	}
	h.site.Render(w, r, http.StatusOK, "my_lessons", h.site.NewPage(r, "schedule.mine.title", h.weekData(r, rows, monday, prev, next)))
}

type classTimetableData struct {
	weekData
	Group    classes.Group
	Entries  []schedule.Entry
	CanEdit  bool
	Form     *schedForm
	Teachers []classes.Assignment
	Slots    []int
}

func (h schedulePages) class(w http.ResponseWriter, r *http.Request) {
	h.renderClass(w, r, http.StatusOK, newSchedForm("entry"))
}

func (h schedulePages) renderClass(w http.ResponseWriter, r *http.Request, status int, f *schedForm) {
	id, err := pathID(r)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	ctx := r.Context()
	gr, err := h.g.Group(ctx, id)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	monday, prev, next := weekOf(r.URL.Query().Get("week"))
	t, _ := calendar.ParseDate(monday)
	rows, err := h.g.Lessons(ctx, schedule.LessonFilter{GroupID: id, From: monday, To: t.AddDate(0, 0, 6).Format(calendar.DateLayout)})
	if err != nil {
		h.deny(w, r, err)
		return
	}
	d := &classTimetableData{weekData: h.weekData(r, rows, monday, prev, next), Group: gr, Form: f, CanEdit: h.g.CanChangeTimetable(ctx, gr.OrgID)}
	if d.Entries, err = h.g.Entries(ctx, id, ""); err != nil {
		h.deny(w, r, err)
		return
	}
	if d.CanEdit {
		if d.Teachers, err = h.g.S.Assignments(ctx, id); err != nil {
			h.site.Fail(w, r, err)
			return
		}
		b, err := h.g.Bells(ctx, gr.OrgID)
		if err != nil {
			h.site.Fail(w, r, err)
			return
		}
		d.Slots = b.Slots()
	}
	p := h.site.NewPage(r, "schedule.class.title", d)
	p.Title = gr.Name + " · " + p.Title
	h.site.Render(w, r, status, "timetable_class", p)
}

func (h schedulePages) addEntry(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	f := newSchedForm("entry")
	for _, k := range []string{"weekday", "slot", "assignment", "room", "valid_from", "valid_to"} {
		f.Values[k] = r.PostFormValue(k)
	}
	n := schedule.NewEntry{GroupID: id, Room: f.Values["room"], ValidFrom: f.Values["valid_from"], ValidTo: f.Values["valid_to"]}
	n.Weekday, _ = strconv.Atoi(f.Values["weekday"])
	n.Slot, _ = strconv.Atoi(f.Values["slot"])
	// The assignment select carries "teacher:subject".
	teacher, subject, _ := strings.Cut(f.Values["assignment"], ":")
	n.TeacherID, _ = strconv.ParseInt(teacher, 10, 64)
	n.Subject = subject
	if _, err := h.g.AddEntry(r.Context(), n); err != nil {
		if !formError(err) {
			h.deny(w, r, err)
			return
		}
		f.fail(err)
		if f.Errors["subject"] != "" || f.Errors["teacher_id"] != "" {
			f.Errors["assignment"] = f.Errors["teacher_id"] + f.Errors["subject"]
		}
		h.renderClass(w, r, httpStatus(err), f)
		return
	}
	http.Redirect(w, r, "/classes/"+strconv.FormatInt(id, 10)+"/timetable", http.StatusSeeOther)
}

func (h schedulePages) deleteEntry(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	e, err := h.g.Entry(r.Context(), id)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	if err := h.g.DeleteEntry(r.Context(), id); err != nil {
		if !formError(err) {
			h.deny(w, r, err)
			return
		}
		r.SetPathValue("id", strconv.FormatInt(e.GroupID, 10))
		f := newSchedForm("entries")
		f.fail(err)
		h.renderClass(w, r, httpStatus(err), f)
		return
	}
	http.Redirect(w, r, "/classes/"+strconv.FormatInt(e.GroupID, 10)+"/timetable", http.StatusSeeOther)
}

type orgTimetableData struct {
	OrgID   int64
	Year    calendar.Year
	Periods []calendar.Period
	Classes []classes.Summary
	Bells   schedule.Bells
	Rows    []schedule.Bell // the bell form: the regular day's lessons and empty rows up to 8
	CanEdit bool
	CanPlan bool
	Form    *schedForm
	Result  *schedule.Generated
}

func (h schedulePages) org(w http.ResponseWriter, r *http.Request) {
	h.renderOrg(w, r, http.StatusOK, newSchedForm(""), nil)
}

func (h schedulePages) renderOrg(w http.ResponseWriter, r *http.Request, status int, f *schedForm, res *schedule.Generated) {
	org, err := pathID(r)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	ctx := r.Context()
	d := &orgTimetableData{OrgID: org, Form: f, Result: res}
	if d.Bells, err = h.g.Bells(ctx, org); err != nil {
		h.deny(w, r, err)
		return
	}
	d.CanEdit, d.CanPlan = h.g.CanChangeTimetable(ctx, org), h.g.CanReadPlan(ctx, org)
	years, err := h.cal.Years(ctx, org)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	for _, y := range years {
		if y.Status == calendar.Current {
			d.Year = y
		}
	}
	if d.Year.ID != 0 {
		if d.Periods, err = h.cal.Periods(ctx, d.Year.ID); err != nil {
			h.site.Fail(w, r, err)
			return
		}
		if d.Classes, err = h.g.S.Groups(ctx, d.Year.ID); err != nil {
			h.site.Fail(w, r, err)
			return
		}
	}
	d.Rows = append(d.Rows, d.Bells.Regular...)
	for n := len(d.Rows); n < 8; n++ {
		d.Rows = append(d.Rows, schedule.Bell{Slot: n + 1})
	}
	h.site.Render(w, r, status, "timetable_org", h.site.NewPage(r, "schedule.org.title", d))
}

func (h schedulePages) bells(w http.ResponseWriter, r *http.Request) {
	org, err := pathID(r)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	f := newSchedForm("bells")
	var list []schedule.Bell
	for i := range 9 {
		n := strconv.Itoa(i)
		from, to := strings.TrimSpace(r.PostFormValue("starts_"+n)), strings.TrimSpace(r.PostFormValue("ends_"+n))
		f.Values["starts_"+n], f.Values["ends_"+n] = from, to
		if from == "" && to == "" {
			continue
		}
		list = append(list, schedule.Bell{Slot: i, StartsAt: from, EndsAt: to})
	}
	if _, err := h.g.SetBells(r.Context(), org, schedule.Regular, list); err != nil {
		if !formError(err) {
			h.deny(w, r, err)
			return
		}
		f.fail(err)
		h.renderOrg(w, r, httpStatus(err), f, nil)
		return
	}
	http.Redirect(w, r, "/orgs/"+strconv.FormatInt(org, 10)+"/timetable", http.StatusSeeOther)
}

func (h schedulePages) generate(w http.ResponseWriter, r *http.Request) {
	f := newSchedForm("generate")
	f.Values["period_id"] = r.PostFormValue("period_id")
	period, _ := strconv.ParseInt(f.Values["period_id"], 10, 64)
	res, err := h.g.Generate(r.Context(), schedule.GenerateFilter{PeriodID: period})
	if err != nil {
		if !formError(err) {
			h.deny(w, r, err)
			return
		}
		f.fail(err)
		h.renderOrg(w, r, httpStatus(err), f, nil)
		return
	}
	f.Done = "schedule.generate.done"
	h.renderOrg(w, r, http.StatusOK, f, &res)
}

type coverageData struct {
	OrgID    int64
	Class    *classes.Group
	Rows     []schedule.CoverageRow
	Problems bool
	Subjects map[string]string
}

func (h schedulePages) coverage(w http.ResponseWriter, r *http.Request) {
	org, err := pathID(r)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	ctx := r.Context()
	year, err := h.g.CurrentYear(ctx, org)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	lang, _ := h.site.Prefs(r)
	d := coverageData{OrgID: org, Problems: r.URL.Query().Get("problems") == "1", Subjects: h.subjects(ctx, lang)}
	if d.Rows, err = h.g.Coverage(ctx, schedule.CoverageFilter{OrgID: org, YearID: year, OnlyProblems: d.Problems}); err != nil {
		h.deny(w, r, err)
		return
	}
	h.site.Render(w, r, http.StatusOK, "coverage", h.site.NewPage(r, "schedule.coverage.title", d))
}

type planData struct {
	Group    classes.Group
	Plan     map[string]int
	Rows     []schedule.CoverageRow
	Subjects []codeName
	Names    map[string]string
	CanEdit  bool
	Form     *schedForm
}

func (h schedulePages) plan(w http.ResponseWriter, r *http.Request) {
	h.renderPlan(w, r, http.StatusOK, newSchedForm("plan"))
}

func (h schedulePages) renderPlan(w http.ResponseWriter, r *http.Request, status int, f *schedForm) {
	id, err := pathID(r)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	ctx := r.Context()
	items, err := h.g.Plan(ctx, id)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	gr, err := h.g.S.Group(ctx, id)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	lang, _ := h.site.Prefs(r)
	d := &planData{Group: gr, Plan: map[string]int{}, Form: f, CanEdit: h.g.CanChangePlan(ctx, gr.OrgID), Names: h.subjects(ctx, lang)}
	for _, it := range items {
		if it.PeriodID == nil {
			d.Plan[it.Subject] = it.Hours
		}
	}
	if d.Rows, err = h.g.Coverage(ctx, schedule.CoverageFilter{ClassID: id}); err != nil {
		h.site.Fail(w, r, err)
		return
	}
	if h.dirs != nil {
		entries, err := h.dirs.List(ctx, schedule.SubjectDirectory, false)
		if err != nil {
			h.site.Fail(w, r, err)
			return
		}
		for _, e := range entries {
			d.Subjects = append(d.Subjects, codeName{Code: e.Code, Name: directory.Name(e, lang)})
		}
	}
	p := h.site.NewPage(r, "schedule.plan.title", d)
	p.Title = gr.Name + " · " + p.Title
	h.site.Render(w, r, status, "plan", p)
}

func (h schedulePages) setPlan(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.deny(w, r, errs.E(errs.Invalid, "bad form"))
		return
	}
	f := newSchedForm("plan")
	c := schedule.PlanChange{Items: []schedule.PlanHour{}, ApplyToParallel: r.PostFormValue("apply_to_parallel") == "1"}
	for k, v := range r.PostForm {
		subject, ok := strings.CutPrefix(k, "hours_")
		if !ok || len(v) != 1 || strings.TrimSpace(v[0]) == "" {
			continue
		}
		f.Values[k] = v[0]
		n, err := strconv.Atoi(strings.TrimSpace(v[0]))
		if err != nil {
			n = -1
		}
		c.Items = append(c.Items, schedule.PlanHour{Subject: subject, Hours: n})
	}
	if _, err := h.g.SetPlan(r.Context(), id, c); err != nil {
		if !formError(err) {
			h.deny(w, r, err)
			return
		}
		f.fail(err)
		h.renderPlan(w, r, httpStatus(err), f)
		return
	}
	http.Redirect(w, r, "/classes/"+strconv.FormatInt(id, 10)+"/plan", http.StatusSeeOther)
}

type lessonData struct {
	L          schedule.LessonView
	Subjects   map[string]string
	Kinds      []codeName
	CanWrite   bool
	CanMove    bool
	Form       *schedForm
	Move       *schedForm
	Upload     *schedForm
	Staff      []schedule.StaffMember
	Slots      []int
	MaxFileMiB int64
}

func (h schedulePages) lesson(w http.ResponseWriter, r *http.Request) {
	h.renderLesson(w, r, http.StatusOK, nil)
}

func (h schedulePages) renderLesson(w http.ResponseWriter, r *http.Request, status int, failed *schedForm) {
	id, err := pathID(r)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	ctx := r.Context()
	v, err := h.g.View(ctx, id)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	lang, _ := h.site.Prefs(r)
	d := &lessonData{L: v, Subjects: h.subjects(ctx, lang), Kinds: h.kinds(ctx, lang), CanWrite: h.g.CanWrite(ctx, v.Lesson) && !v.PeriodClosed,
		CanMove: h.g.CanReschedule(ctx, v.Lesson) && !v.PeriodClosed, Form: newSchedForm("lesson"), Move: newSchedForm("move"),
		Upload: newSchedForm("upload"), MaxFileMiB: schedule.HomeworkFiles.MaxSize >> 20}
	d.Form.Values["topic"], d.Form.Values["kind"] = v.Topic, v.Kind
	if v.ControlWork {
		d.Form.Values["control_work"] = "1"
	}
	if v.Homework != nil {
		d.Form.Values["homework"], d.Form.Values["due_on"] = v.Homework.Text, v.Homework.DueOn
	}
	d.Move.Values["date"], d.Move.Values["slot"], d.Move.Values["room"] = v.Date, strconv.Itoa(v.Slot), v.Room
	if v.SubstituteID != nil {
		d.Move.Values["substitute_id"] = strconv.FormatInt(*v.SubstituteID, 10)
	}
	if failed != nil {
		switch failed.Name {
		case "move":
			d.Move = failed
		case "upload":
			d.Upload = failed
		default:
			d.Form = failed
		}
	}
	if d.CanMove {
		if d.Staff, err = h.g.S.Staff(ctx, v.OrgID); err != nil {
			h.site.Fail(w, r, err)
			return
		}
		b, err := h.g.Bells(ctx, v.OrgID)
		if err != nil {
			h.site.Fail(w, r, err)
			return
		}
		d.Slots = b.Slots()
	}
	p := h.site.NewPage(r, "schedule.lesson.title", d)
	p.Title = v.GroupName + " · " + d.Subjects[v.Subject] + " · " + v.Date
	h.site.Render(w, r, status, "lesson", p)
}

func (h schedulePages) writeLesson(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	f := newSchedForm("lesson")
	for _, k := range []string{"topic", "kind", "control_work", "homework", "due_on"} {
		f.Values[k] = r.PostFormValue(k)
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	cw := f.Values["control_work"] == "1"
	topic, kind, text, due := f.Values["topic"], f.Values["kind"], f.Values["homework"], f.Values["due_on"]
	p := schedule.LessonPatch{Topic: &topic, ControlWork: &cw, Homework: &schedule.HomeworkPatch{Text: &text, DueOn: &due}}
	if kind != "" {
		p.Kind = &kind
	}
	if _, err := h.g.UpdateLesson(r.Context(), id, version, p); err != nil {
		if !formError(err) {
			h.deny(w, r, err)
			return
		}
		f.fail(err)
		if m, ok := f.Errors["homework.text"]; ok {
			f.Errors["homework"] = m
		}
		if m, ok := f.Errors["homework.due_on"]; ok {
			f.Errors["due_on"] = m
		}
		h.renderLesson(w, r, httpStatus(err), f)
		return
	}
	http.Redirect(w, r, "/lessons/"+strconv.FormatInt(id, 10)+"?saved=1", http.StatusSeeOther)
}

func (h schedulePages) upload(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	f := newSchedForm("upload")
	file, hdr, err := r.FormFile("file")
	if err != nil {
		f.Errors["file"] = "schedule.rule.required"
		h.renderLesson(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	defer file.Close()
	if _, err := h.g.AddHomeworkFile(r.Context(), id, hdr.Filename, file); err != nil {
		if !formError(err) {
			h.deny(w, r, err)
			return
		}
		f.fail(err)
		h.renderLesson(w, r, httpStatus(err), f)
		return
	}
	http.Redirect(w, r, "/lessons/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (h schedulePages) download(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	fileID, err := strconv.ParseInt(r.PathValue("file_id"), 10, 64)
	if err != nil {
		h.deny(w, r, errs.E(errs.NotFound, "not found"))
		return
	}
	f, rc, err := h.g.HomeworkFile(r.Context(), id, fileID)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	if err := filestore.Serve(w, f, rc); err != nil {
		httpx.Logger(r.Context()).Debug("serve file", "err", err)
	}
}

func (h schedulePages) reschedule(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.deny(w, r, err)
		return
	}
	f := newSchedForm("move")
	for _, k := range []string{"date", "slot", "room", "substitute_id", "status"} {
		f.Values[k] = r.PostFormValue(k)
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	c := schedule.LessonChange{Date: ptrTo(f.Values["date"]), Room: ptrTo(f.Values["room"])}
	if n, err := strconv.Atoi(f.Values["slot"]); err == nil {
		c.Slot = &n
	}
	sub, _ := strconv.ParseInt(f.Values["substitute_id"], 10, 64)
	c.SubstituteID = &sub
	if s := f.Values["status"]; s != "" {
		c.Status = &s
	}
	if _, err := h.g.ChangeLesson(r.Context(), id, version, c); err != nil {
		if !formError(err) {
			h.deny(w, r, err)
			return
		}
		f.fail(err)
		h.renderLesson(w, r, httpStatus(err), f)
		return
	}
	http.Redirect(w, r, "/lessons/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func ptrTo(s string) *string { return &s }
