package app_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"shkola/internal/access"
	"shkola/internal/calendar"
	"shkola/internal/org"
)

// calendarProbes try the calendar of school 1 (year1). A calendar has no
// personal data: every signed-in role reads it; changes are scoped.
func calendarProbes() map[[2]string]probe {
	onS1 := func(e *matrixEnv) int64 { return e.s1.ID }
	onS2 := func(e *matrixEnv) int64 { return e.s2.ID }
	anyScope := []access.Relationship{access.Anyone, access.InScope}
	return map[[2]string]probe{
		{"calendar", "read"}: {target: onS1, unrelated: onS2, supports: anyScope,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "GET", fmt.Sprintf("/api/v1/years/%d", e.year1), "")
				ok := verdict(t, "year read", st, body)
				// The organisation's list of years agrees with the card.
				st, _, body = e.call(t, tok, "GET", fmt.Sprintf("/api/v1/organisations/%d/years", e.s1.ID), "")
				listed := verdict(t, "years list", st, body) && strings.Contains(body, fmt.Sprintf(`"id":%d,`, e.year1))
				if listed != ok {
					t.Errorf("years list shows year1: %v, card readable: %v", listed, ok)
				}
				return ok
			}},
		{"calendar", "update"}: {target: onS1, unrelated: onS2, supports: anyScope,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				e.n++
				st, _, body := e.call(t, tok, "POST", fmt.Sprintf("/api/v1/years/%d/holidays", e.year1),
					fmt.Sprintf(`{"name":"День школы %d","starts_on":"2026-10-05","ends_on":"2026-10-05"}`, e.n))
				return verdict(t, "holiday add", st, body)
			}},
		// A rollover closes the year it is run on, so each try gets a fresh
		// school of municipality 1 with a current year; the grant is placed on
		// municipality 1 (in scope) or 2 (unrelated).
		{"calendar", "rollover"}: {target: func(e *matrixEnv) int64 { return e.m1.ID }, unrelated: func(e *matrixEnv) int64 { return e.m2.ID },
			supports: []access.Relationship{access.Anyone, access.InScope},
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				ctx := context.Background()
				e.n++
				school, err := e.s.App.Orgs.Create(ctx, org.New{ParentID: &e.m1.ID, Kind: org.School, Name: fmt.Sprintf("Школа для перевода %d", e.n), Country: org.RU})
				if err != nil {
					t.Fatal(err)
				}
				y, err := e.s.App.Calendar.S.CreateYear(ctx, school.ID, calendar.NewYear{StartsOn: "2026-09-01", EndsOn: "2027-05-31",
					PeriodKind: calendar.Quarter, Status: calendar.Current})
				if err != nil {
					t.Fatal(err)
				}
				st, _, body := e.call(t, tok, "POST", fmt.Sprintf("/api/v1/years/%d/rollover", y.ID), `{"last_parallel":11}`)
				return verdict(t, "rollover", st, body)
			}},
	}
}

// classesProbes try class1 of school 1, which has a pupil, a teacher
// assigned for maths and a class teacher, so every relationship a class
// rule uses can be tried.
func classesProbes() map[[2]string]probe {
	onS1 := func(e *matrixEnv) int64 { return e.s1.ID }
	onS2 := func(e *matrixEnv) int64 { return e.s2.ID }
	related := []access.Relationship{access.InScope, access.Teaches, access.ClassTeacherOf}
	path := func(e *matrixEnv) string { return "/api/v1/classes/" + strconv.FormatInt(e.class1, 10) }
	return map[[2]string]probe{
		{"class", "read"}: {target: onS1, unrelated: onS2, supports: related,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "GET", path(e), "")
				ok := verdict(t, "class read", st, body)
				// Members and assignments follow the card.
				st, _, members := e.call(t, tok, "GET", path(e)+"/members", "")
				if withMembers := verdict(t, "class members", st, members) && strings.Contains(members, fmt.Sprintf(`"person_id":%d,`, e.person)); withMembers != ok {
					t.Errorf("class members readable: %v, card readable: %v", withMembers, ok)
				}
				// The organisation's list agrees with the card: filtered in SQL.
				st, _, list := e.call(t, tok, "GET", fmt.Sprintf("/api/v1/organisations/%d/classes?year=%d", e.s1.ID, e.year1), "")
				if listed := st == 200 && strings.Contains(list, fmt.Sprintf(`"id":%d,`, e.class1)); listed != ok {
					t.Errorf("class list shows class1: %v (status %d), card readable: %v", listed, st, ok)
				}
				return ok
			}},
		{"class", "create"}: {target: onS1, unrelated: onS2, supports: related,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				e.n++
				st, _, body := e.call(t, tok, "POST", "/api/v1/classes", fmt.Sprintf(`{"year_id":%d,"kind":"club","name":"Кружок %d","capacity":20}`, e.year1, e.n))
				return verdict(t, "class create", st, body)
			}},
		{"class", "update"}: {target: onS1, unrelated: onS2, supports: related,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				var version int64
				if err := e.s.App.DB.R.QueryRow("SELECT version FROM groups WHERE id = $1", e.class1).Scan(&version); err != nil {
					t.Fatal(err)
				}
				e.n++
				st, _, body := e.call(t, tok, "PATCH", path(e), fmt.Sprintf(`{"capacity":%d}`, 30+e.n%10), "If-Match", fmt.Sprintf(`W/"%d"`, version))
				return verdict(t, "class update", st, body)
			}},
	}
}
