package api

import (
	"net/http"
	"strconv"

	"shkola/internal/calendar"
)

// RegisterCalendar serves academic years, study periods and holidays. The
// year rollover is served with the classes (RegisterClasses), which it
// promotes.
func RegisterCalendar(rt *Router, g *calendar.Guard) {
	h := calendarHandlers{g: g}
	rt.Handle("GET", "/organisations/{id}/years", h.years)
	rt.Handle("POST", "/organisations/{id}/years", h.createYear)
	rt.Handle("GET", "/years/{id}", h.year)
	rt.Handle("PATCH", "/years/{id}", h.updateYear)
	rt.Handle("GET", "/years/{id}/periods", h.periods)
	rt.Handle("POST", "/years/{id}/periods", h.addPeriod)
	rt.Handle("GET", "/periods/{id}", h.period)
	rt.Handle("PATCH", "/periods/{id}", h.updatePeriod)
	rt.Handle("GET", "/years/{id}/holidays", h.holidays)
	rt.Handle("POST", "/years/{id}/holidays", h.addHoliday)
	rt.Handle("DELETE", "/holidays/{id}", h.deleteHoliday)
}

type calendarHandlers struct{ g *calendar.Guard }

func (h calendarHandlers) years(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	if _, err := Filters(r.URL.Query(), nil); err != nil {
		Fail(w, r, err)
		return
	}
	items, err := h.g.Years(r.Context(), id)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, List[calendar.Year]{Items: items})
}

func (h calendarHandlers) createYear(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var n calendar.NewYear
	if err := Decode(r, &n); err != nil {
		Fail(w, r, err)
		return
	}
	y, err := h.g.CreateYear(r.Context(), id, n)
	if err != nil {
		Fail(w, r, err)
		return
	}
	SetVersion(w, y.Version)
	w.Header().Set("Location", Prefix+"/years/"+strconv.FormatInt(y.ID, 10))
	Write(w, r, http.StatusCreated, y)
}

func (h calendarHandlers) year(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	y, err := h.g.Year(r.Context(), id)
	writeVersioned(w, r, y, y.Version, err)
}

func (h calendarHandlers) updateYear(w http.ResponseWriter, r *http.Request) {
	var p calendar.YearPatch
	id, version, err := DecodeUpdate(r, &p)
	if err != nil {
		Fail(w, r, err)
		return
	}
	y, err := h.g.UpdateYear(r.Context(), id, version, p)
	writeVersioned(w, r, y, y.Version, err)
}

func (h calendarHandlers) periods(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	items, err := h.g.Periods(r.Context(), id)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, List[calendar.Period]{Items: items})
}

func (h calendarHandlers) addPeriod(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var n calendar.NewPeriod
	if err := Decode(r, &n); err != nil {
		Fail(w, r, err)
		return
	}
	p, err := h.g.AddPeriod(r.Context(), id, n)
	if err != nil {
		Fail(w, r, err)
		return
	}
	SetVersion(w, p.Version)
	w.Header().Set("Location", Prefix+"/periods/"+strconv.FormatInt(p.ID, 10))
	Write(w, r, http.StatusCreated, p)
}

func (h calendarHandlers) period(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	p, err := h.g.Period(r.Context(), id)
	writeVersioned(w, r, p, p.Version, err)
}

func (h calendarHandlers) updatePeriod(w http.ResponseWriter, r *http.Request) {
	var patch calendar.PeriodPatch
	id, version, err := DecodeUpdate(r, &patch)
	if err != nil {
		Fail(w, r, err)
		return
	}
	p, err := h.g.UpdatePeriod(r.Context(), id, version, patch)
	writeVersioned(w, r, p, p.Version, err)
}

func (h calendarHandlers) holidays(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	items, err := h.g.Holidays(r.Context(), id)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, List[calendar.Holiday]{Items: items})
}

func (h calendarHandlers) addHoliday(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var n calendar.NewHoliday
	if err := Decode(r, &n); err != nil {
		Fail(w, r, err)
		return
	}
	hd, err := h.g.AddHoliday(r.Context(), id, n)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusCreated, hd)
}

func (h calendarHandlers) deleteHoliday(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	if err := h.g.DeleteHoliday(r.Context(), id); err != nil {
		Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
