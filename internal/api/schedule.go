package api

import (
	"net/http"
	"strconv"

	"shkola/internal/calendar"
	"shkola/internal/errs"
	"shkola/internal/filestore"
	"shkola/internal/httpx"
	"shkola/internal/schedule"
)

// RegisterSchedule serves the study plan and its coverage report, bell
// schedules, the weekly template, generation of dated lessons, the lessons
// with their one-off changes, and lesson content with homework files.
func RegisterSchedule(rt *Router, g *schedule.Guard) {
	h := scheduleHandlers{g: g}
	rt.Handle("GET", "/classes/{id}/plan", ByID(http.StatusOK, func(r *http.Request, id int64) (List[schedule.PlanItem], error) {
		items, err := g.Plan(r.Context(), id)
		return List[schedule.PlanItem]{Items: items}, err
	}))
	rt.Handle("PUT", "/classes/{id}/plan", h.setPlan)
	rt.Handle("GET", "/organisations/{id}/coverage", h.coverage)
	rt.Handle("GET", "/organisations/{id}/bells", ByID(http.StatusOK, func(r *http.Request, id int64) (schedule.Bells, error) {
		return g.Bells(r.Context(), id)
	}))
	rt.Handle("PUT", "/organisations/{id}/bells/{variant}", h.setBells)
	rt.Handle("PUT", "/organisations/{id}/short-days/{date}", h.shortDay(true))
	rt.Handle("DELETE", "/organisations/{id}/short-days/{date}", h.shortDay(false))
	rt.Handle("GET", "/classes/{id}/timetable", h.entries)
	rt.Handle("POST", "/timetable-entries", h.addEntry)
	rt.Handle("GET", "/timetable-entries/{id}", h.entry)
	rt.Handle("PATCH", "/timetable-entries/{id}", h.updateEntry)
	rt.Handle("DELETE", "/timetable-entries/{id}", h.deleteEntry)
	rt.Handle("POST", "/periods/{id}/generate", h.generate)
	rt.Handle("GET", "/organisations/{id}/lessons", h.orgLessons)
	rt.Handle("GET", "/classes/{id}/lessons", h.classLessons)
	rt.Handle("GET", "/me/lessons", h.myLessons)
	rt.Handle("POST", "/lessons", h.addLesson)
	rt.Handle("GET", "/lessons/{id}", h.lesson)
	rt.Handle("PATCH", "/lessons/{id}", h.updateLesson)
	rt.Handle("PATCH", "/lessons/{id}/schedule", h.changeLesson)
	rt.Handle("POST", "/lessons/{id}/files", h.upload)
	rt.Handle("GET", "/lessons/{id}/files/{file_id}", h.download)
	rt.Handle("DELETE", "/lessons/{id}/files/{file_id}", h.removeFile)
}

type scheduleHandlers struct{ g *schedule.Guard }

func (h scheduleHandlers) setPlan(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var c schedule.PlanChange
	if err := Decode(r, &c); err != nil {
		Fail(w, r, err)
		return
	}
	items, err := h.g.SetPlan(r.Context(), id, c)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, List[schedule.PlanItem]{Items: items})
}

func (h scheduleHandlers) coverage(w http.ResponseWriter, r *http.Request) {
	org, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	f, err := Filters(r.URL.Query(), map[string]func(string) bool{"year": positiveID, "period": positiveID, "class": positiveID,
		"on": calendar.ValidDate, "problems": func(s string) bool { return s == "true" || s == "false" }})
	if err != nil {
		Fail(w, r, err)
		return
	}
	cf := schedule.CoverageFilter{OrgID: org, On: f["on"], OnlyProblems: f["problems"] == "true"}
	cf.YearID, _ = strconv.ParseInt(f["year"], 10, 64)
	cf.PeriodID, _ = strconv.ParseInt(f["period"], 10, 64)
	cf.ClassID, _ = strconv.ParseInt(f["class"], 10, 64)
	if cf.YearID == 0 && cf.ClassID == 0 {
		if cf.YearID, err = h.g.CurrentYear(r.Context(), org); err != nil {
			Fail(w, r, err)
			return
		}
	}
	items, err := h.g.Coverage(r.Context(), cf)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, List[schedule.CoverageRow]{Items: items})
}

func (h scheduleHandlers) setBells(w http.ResponseWriter, r *http.Request) {
	org, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var body struct {
		Slots []schedule.Bell `json:"slots"`
	}
	if err := Decode(r, &body); err != nil {
		Fail(w, r, err)
		return
	}
	b, err := h.g.SetBells(r.Context(), org, r.PathValue("variant"), body.Slots)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, b)
}

func (h scheduleHandlers) shortDay(on bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		org, err := PathID(r, "id")
		if err != nil {
			Fail(w, r, err)
			return
		}
		if err := h.g.SetShortDay(r.Context(), org, r.PathValue("date"), on); err != nil {
			Fail(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (h scheduleHandlers) entries(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	f, err := Filters(r.URL.Query(), map[string]func(string) bool{"on": calendar.ValidDate})
	if err != nil {
		Fail(w, r, err)
		return
	}
	items, err := h.g.Entries(r.Context(), id, f["on"])
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, List[schedule.Entry]{Items: items})
}

func (h scheduleHandlers) addEntry(w http.ResponseWriter, r *http.Request) {
	var n schedule.NewEntry
	if err := Decode(r, &n); err != nil {
		Fail(w, r, err)
		return
	}
	e, err := h.g.AddEntry(r.Context(), n)
	if err != nil {
		Fail(w, r, err)
		return
	}
	SetVersion(w, e.Version)
	w.Header().Set("Location", Prefix+"/timetable-entries/"+strconv.FormatInt(e.ID, 10))
	Write(w, r, http.StatusCreated, e)
}

func (h scheduleHandlers) entry(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	e, err := h.g.Entry(r.Context(), id)
	writeVersioned(w, r, e, e.Version, err)
}

func (h scheduleHandlers) updateEntry(w http.ResponseWriter, r *http.Request) {
	var p schedule.EntryPatch
	id, version, err := DecodeUpdate(r, &p)
	if err != nil {
		Fail(w, r, err)
		return
	}
	e, err := h.g.UpdateEntry(r.Context(), id, version, p)
	writeVersioned(w, r, e, e.Version, err)
}

func (h scheduleHandlers) deleteEntry(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	if err := h.g.DeleteEntry(r.Context(), id); err != nil {
		Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h scheduleHandlers) generate(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var body struct {
		GroupID int64 `json:"group_id"`
	}
	if r.ContentLength != 0 {
		if err := Decode(r, &body); err != nil {
			Fail(w, r, err)
			return
		}
	}
	res, err := h.g.Generate(r.Context(), schedule.GenerateFilter{PeriodID: id, GroupID: body.GroupID})
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, res)
}

// lessonRange reads ?from=&to= (both required) and the extra filters.
func lessonRange(r *http.Request, extra map[string]func(string) bool) (map[string]string, error) {
	allowed := map[string]func(string) bool{"from": calendar.ValidDate, "to": calendar.ValidDate}
	for k, v := range extra {
		allowed[k] = v
	}
	f, err := Filters(r.URL.Query(), allowed)
	if err != nil {
		return nil, err
	}
	var v errs.Validation
	for _, k := range []string{"from", "to"} {
		if f[k] == "" {
			v.Add(k, "required", "a date (YYYY-MM-DD) is required")
		}
	}
	return f, v.Err()
}

func (h scheduleHandlers) orgLessons(w http.ResponseWriter, r *http.Request) {
	org, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	f, err := lessonRange(r, map[string]func(string) bool{"teacher": positiveID})
	if err != nil {
		Fail(w, r, err)
		return
	}
	teacher, _ := strconv.ParseInt(f["teacher"], 10, 64)
	h.writeLessons(w, r, schedule.LessonFilter{OrgID: org, TeacherID: teacher, From: f["from"], To: f["to"]})
}

func (h scheduleHandlers) classLessons(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	f, err := lessonRange(r, nil)
	if err != nil {
		Fail(w, r, err)
		return
	}
	h.writeLessons(w, r, schedule.LessonFilter{GroupID: id, From: f["from"], To: f["to"]})
}

func (h scheduleHandlers) writeLessons(w http.ResponseWriter, r *http.Request, f schedule.LessonFilter) {
	items, err := h.g.Lessons(r.Context(), f)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, List[schedule.LessonRow]{Items: items})
}

func (h scheduleHandlers) myLessons(w http.ResponseWriter, r *http.Request) {
	f, err := lessonRange(r, nil)
	if err != nil {
		Fail(w, r, err)
		return
	}
	items, err := h.g.MyLessons(r.Context(), f["from"], f["to"])
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, List[schedule.LessonRow]{Items: items})
}

func (h scheduleHandlers) addLesson(w http.ResponseWriter, r *http.Request) {
	var n schedule.NewLesson
	if err := Decode(r, &n); err != nil {
		Fail(w, r, err)
		return
	}
	l, err := h.g.AddLesson(r.Context(), n)
	if err != nil {
		Fail(w, r, err)
		return
	}
	SetVersion(w, l.Version)
	w.Header().Set("Location", Prefix+"/lessons/"+strconv.FormatInt(l.ID, 10))
	Write(w, r, http.StatusCreated, l)
}

func (h scheduleHandlers) lesson(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	v, err := h.g.View(r.Context(), id)
	writeVersioned(w, r, v, v.Version, err)
}

func (h scheduleHandlers) updateLesson(w http.ResponseWriter, r *http.Request) {
	var p schedule.LessonPatch
	id, version, err := DecodeUpdate(r, &p)
	if err != nil {
		Fail(w, r, err)
		return
	}
	if _, err := h.g.UpdateLesson(r.Context(), id, version, p); err != nil {
		Fail(w, r, err)
		return
	}
	v, err := h.g.View(r.Context(), id)
	writeVersioned(w, r, v, v.Version, err)
}

func (h scheduleHandlers) changeLesson(w http.ResponseWriter, r *http.Request) {
	var c schedule.LessonChange
	id, version, err := DecodeUpdate(r, &c)
	if err != nil {
		Fail(w, r, err)
		return
	}
	l, err := h.g.ChangeLesson(r.Context(), id, version, c)
	writeVersioned(w, r, l, l.Version, err)
}

// upload takes one file in the multipart field "file".
func (h scheduleHandlers) upload(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		Fail(w, r, errs.Field(errs.Invalid, "file", "required", "send the file as multipart/form-data in the field \"file\""))
		return
	}
	defer file.Close()
	f, err := h.g.AddHomeworkFile(r.Context(), id, hdr.Filename, file)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusCreated, f)
}

func (h scheduleHandlers) fileIDs(r *http.Request) (int64, int64, error) {
	id, err := PathID(r, "id")
	if err != nil {
		return 0, 0, err
	}
	file, err := PathID(r, "file_id")
	return id, file, err
}

func (h scheduleHandlers) download(w http.ResponseWriter, r *http.Request) {
	id, fileID, err := h.fileIDs(r)
	if err != nil {
		Fail(w, r, err)
		return
	}
	f, rc, err := h.g.HomeworkFile(r.Context(), id, fileID)
	if err != nil {
		Fail(w, r, err)
		return
	}
	if err := filestore.Serve(w, f, rc); err != nil {
		httpx.Logger(r.Context()).Debug("serve file", "err", err)
	}
}

func (h scheduleHandlers) removeFile(w http.ResponseWriter, r *http.Request) {
	id, fileID, err := h.fileIDs(r)
	if err != nil {
		Fail(w, r, err)
		return
	}
	if err := h.g.RemoveHomeworkFile(r.Context(), id, fileID); err != nil {
		Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
