package app_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"shkola/internal/access"
	"shkola/internal/staff"
	"shkola/internal/store"
)

// staffFixture makes the matrix's teacher a current teacher of school 1
// (once), so the staff probes have an employment in school 1 to find.
func staffFixture(t *testing.T, e *matrixEnv) {
	t.Helper()
	var n int
	if err := e.s.App.DB.R.QueryRow("SELECT COUNT(*) FROM employments WHERE person_id = $1 AND org_id = $2 AND position = 'teacher'",
		e.teacher, e.s1.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n > 0 {
		return
	}
	if err := e.s.App.DB.WithTx(context.Background(), func(tx *store.Tx) error {
		_, err := e.s.App.Staff.S.Hire(context.Background(), tx, staff.NewEmployment{PersonID: e.teacher, OrgID: e.s1.ID,
			Position: "teacher", StartsOn: "2010-09-01"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func staffProbes() map[[2]string]probe {
	onS1 := func(e *matrixEnv) int64 { return e.s1.ID }
	onS2 := func(e *matrixEnv) int64 { return e.s2.ID }
	scope := []access.Relationship{access.InScope}
	person := func(e *matrixEnv, rest string) string {
		return "/api/v1/persons/" + strconv.FormatInt(e.teacher, 10) + rest
	}
	return map[[2]string]probe{
		// Listing is allowed when the staff list of school 1 is served and
		// names the teacher.
		{"staff", "list"}: {target: onS1, unrelated: onS2, supports: scope,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				staffFixture(t, e)
				st, _, body := e.call(t, tok, "GET", "/api/v1/organisations/"+strconv.FormatInt(e.s1.ID, 10)+"/staff", "")
				return verdict(t, "staff list", st, body) && strings.Contains(body, `"last_name":"Соколов"`)
			}},
		{"staff", "read"}: {target: onS1, unrelated: onS2, supports: scope,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				staffFixture(t, e)
				st, _, body := e.call(t, tok, "GET", person(e, "/employments"), "")
				return verdict(t, "staff read", st, body) && strings.Contains(body, `"position":"teacher"`)
			}},
		// Each allowed hire is a closed one-day employment on a day of its
		// own, so hires never overlap one another or the fixture's.
		{"staff", "create"}: {target: onS1, unrelated: onS2, supports: scope,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				e.n++
				day := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, e.n).Format("2006-01-02")
				st, _, body := e.call(t, tok, "POST", "/api/v1/employments", fmt.Sprintf(
					`{"person_id":%d,"org_id":%d,"position":"tutor","rate":0.25,"starts_on":%q,"ends_on":%q}`, e.teacher, e.s1.ID, day, day))
				return verdict(t, "staff create", st, body)
			}},
		{"staff", "update"}: {target: onS1, unrelated: onS2, supports: scope,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				staffFixture(t, e)
				st, _, body := e.call(t, tok, "PUT", person(e, "/subjects"), `{"subjects":["math","inf"]}`)
				return verdict(t, "staff update", st, body)
			}},
	}
}
