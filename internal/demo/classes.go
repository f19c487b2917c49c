package demo

import (
	"context"

	"shkola/internal/calendar"
	"shkola/internal/classes"
	"shkola/internal/store"
)

// Demo academic year: the current one at Epoch.
const (
	demoYearStart = "2026-09-01"
	demoYearEnd   = "2027-05-31"
)

var (
	classLetters = []string{"А", "Б", "В"}
	clubNames    = []string{"Робототехника", "Шахматы", "Хор «Звонкие голоса»", "Футбол", "Юный эколог", "Театральная студия",
		"Программирование на Python", "Волейбол", "Юные журналисты", "Краеведение"}
)

// genClasses gives every school its current academic year 2026/2027 (in
// quarters, with the usual holidays) and classes 1 to 11 with one to three
// letters by the school's size (fewer in the senior parallels), plus a few
// clubs. Class teachers and pupils come from later steps.
func genClasses(ctx context.Context, g *Gen, tx *store.Tx) error {
	cal := &calendar.Service{Now: Epoch}
	svc := &classes.Service{Now: Epoch, Calendar: cal}
	for _, school := range g.Schools {
		y, err := cal.CreateYearTx(ctx, tx, school.ID, calendar.NewYear{StartsOn: demoYearStart, EndsOn: demoYearEnd,
			PeriodKind: calendar.Quarter, Status: calendar.Current}, nil)
		if err != nil {
			return err
		}
		g.Sum.Counts["academic years"]++
		letters := 1 + g.R.IntN(len(classLetters)) // the school's size
		for parallel := 1; parallel <= classes.MaxParallel; parallel++ {
			n := letters
			if parallel >= 10 {
				n = max(1, letters-1) // many pupils leave after the 9th grade
			}
			for _, letter := range classLetters[:n] {
				capacity := 25 + g.R.IntN(6)
				p := parallel
				if _, err := svc.CreateTx(ctx, tx, classes.NewGroup{YearID: y.ID, Kind: classes.Class, Parallel: &p, Letter: letter,
					Capacity: &capacity}, nil); err != nil {
					return err
				}
				g.Sum.Counts["classes"]++
			}
		}
		for _, i := range g.R.Perm(len(clubNames))[:2+g.R.IntN(3)] {
			capacity := 15 + g.R.IntN(6)
			if _, err := svc.CreateTx(ctx, tx, classes.NewGroup{YearID: y.ID, Kind: classes.Club, Name: clubNames[i], Capacity: &capacity}, nil); err != nil {
				return err
			}
			g.Sum.Counts["clubs"]++
		}
	}
	return nil
}
