package api

import (
	"net/http"
	"strconv"

	"shkola/internal/diary"
	"shkola/internal/filestore"
	"shkola/internal/httpx"
)

// RegisterDiary serves a pupil's diary in the shape a mobile app uses: the
// whole week of one child in one request (with the caller's children for a
// switcher), the study period with averages, trends and the class median,
// and the homework files. Directory names come in the language asked
// (lang=ru|uk|en, ru by default).
func RegisterDiary(rt *Router, g *diary.Guard) {
	langOK := func(v string) bool { return v == "ru" || v == "uk" || v == "en" }
	dateOK := func(v string) bool { return len(v) == 10 }
	rt.Handle("GET", "/persons/{id}/diary", ByID(http.StatusOK, func(r *http.Request, id int64) (diary.Week, error) {
		f, err := Filters(r.URL.Query(), map[string]func(string) bool{"week": dateOK, "lang": langOK})
		if err != nil {
			return diary.Week{}, err
		}
		return g.Week(r.Context(), id, f["week"], f["lang"])
	}))
	rt.Handle("GET", "/persons/{id}/diary/period", ByID(http.StatusOK, func(r *http.Request, id int64) (diary.PeriodView, error) {
		f, err := Filters(r.URL.Query(), map[string]func(string) bool{"period": func(v string) bool {
			n, err := strconv.ParseInt(v, 10, 64)
			return err == nil && n > 0
		}, "lang": langOK})
		if err != nil {
			return diary.PeriodView{}, err
		}
		period, _ := strconv.ParseInt(f["period"], 10, 64)
		return g.Period(r.Context(), id, period, f["lang"])
	}))
	rt.Handle("GET", "/persons/{id}/diary/homework/{hw}/files/{file}", func(w http.ResponseWriter, r *http.Request) {
		ids := make([]int64, 3)
		for i, name := range []string{"id", "hw", "file"} {
			var err error
			if ids[i], err = PathID(r, name); err != nil {
				Fail(w, r, err)
				return
			}
		}
		f, rc, err := g.HomeworkFile(r.Context(), ids[0], ids[1], ids[2])
		if err != nil {
			Fail(w, r, err)
			return
		}
		if err := filestore.Serve(w, f, rc); err != nil {
			httpx.Logger(r.Context()).Debug("serve homework file", "err", err)
		}
	})
}
