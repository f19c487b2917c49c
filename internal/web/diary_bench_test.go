package web

import (
	"net/http"
	"testing"
)

// BenchmarkDiaryWeekRender renders the guardian's week page (layout
// included) as the handler does, without the database: the share of the
// hottest page that is the web layer's.
func BenchmarkDiaryWeekRender(b *testing.B) {
	s := testSite(b)
	c := weekCases[0]
	r, w := weekRequest(c), fixtureWeek(c)
	rec := renderWeek(s, c, r, w)
	if rec.Code != http.StatusOK {
		b.Fatalf("status %d", rec.Code)
	}
	b.SetBytes(int64(rec.Body.Len()))
	b.ReportAllocs()
	for b.Loop() {
		renderWeek(s, c, r, w)
	}
}
