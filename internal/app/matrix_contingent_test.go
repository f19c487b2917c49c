package app_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"shkola/internal/access"
	"shkola/internal/contingent"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/registry"
	"shkola/internal/store"
)

// contingentFixture is what the contingent probes share: a pupil who left
// school 1 for nobody knows where two months ago (so school 1 has a
// register, an outgoing transfer and a lost pupil to show).
type contingentFixture struct {
	lost int64
}

func daysAgo(n int) string { return time.Now().UTC().AddDate(0, 0, -n).Format("2006-01-02") }

// pupil creates a pupil of org through the registry, as the region would.
func (e *matrixEnv) pupil(t *testing.T, orgID int64) int64 {
	t.Helper()
	officer := identity.With(context.Background(), &identity.Actor{AccountID: -1, Login: "setup",
		Grants: []identity.Grant{{Role: identity.RegionalOfficer, OrgID: e.region.ID}}})
	p, err := e.s.App.People.Create(officer, registry.NewPerson{OrgID: orgID, LastName: "Новиков", FirstName: "Лев", BirthDate: "2015-03-01", Sex: "m"})
	if err != nil {
		t.Fatalf("%v: %s", err, problemFields(err))
	}
	return p.ID
}

// history admits a pupil and departs it, through the trusted bulk calls.
func (e *matrixEnv) history(t *testing.T, a contingent.Admission, d contingent.Departure) {
	t.Helper()
	err := e.s.App.DB.WithTx(context.Background(), func(tx *store.Tx) error {
		if err := e.s.App.Contingent.S.AdmitBulk(context.Background(), tx, []contingent.Admission{a}); err != nil {
			return err
		}
		return e.s.App.Contingent.S.DepartBulk(context.Background(), tx, []contingent.Departure{d})
	})
	if err != nil {
		t.Fatalf("%v: %s", err, problemFields(err))
	}
}

// problemFields lists the fields and rules of a domain error.
func problemFields(err error) string {
	var e *errs.Error
	if !errors.As(err, &e) {
		return ""
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field+"/"+f.Rule+": "+f.Message)
	}
	return strings.Join(out, "; ")
}

func (fx *contingentFixture) setUp(t *testing.T, e *matrixEnv) {
	if fx.lost != 0 {
		return
	}
	fx.lost = e.pupil(t, e.s1.ID)
	e.history(t, contingent.Admission{PersonID: fx.lost, OrgID: e.s1.ID, ClassID: e.class1, Date: daysAgo(90), BasisNumber: "12-к", BasisDate: daysAgo(90)},
		contingent.Departure{PersonID: fx.lost, Date: daysAgo(60), BasisNumber: "40-к", BasisDate: daysAgo(60)})
}

func contingentProbes() map[[2]string]probe {
	onS1 := func(e *matrixEnv) int64 { return e.s1.ID }
	onS2 := func(e *matrixEnv) int64 { return e.s2.ID }
	scope := []access.Relationship{access.InScope}
	fx := &contingentFixture{}
	org := func(e *matrixEnv, rest string) string {
		return "/api/v1/organisations/" + strconv.FormatInt(e.s1.ID, 10) + rest
	}
	return map[[2]string]probe{
		// Recording is allowed when a fresh pupil of school 1 is admitted
		// to its class 5А.
		{"movement", "create"}: {target: onS1, unrelated: onS2, supports: scope,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				id := e.pupil(t, e.s1.ID)
				st, _, body := e.call(t, tok, "POST", "/api/v1/persons/"+strconv.FormatInt(id, 10)+"/movements",
					fmt.Sprintf(`{"kind":"admission","date":%q,"org_id":%d,"class_id":%d,"basis_number":"1-к","basis_date":%q}`,
						daysAgo(1), e.s1.ID, e.class1, daysAgo(1)))
				return verdict(t, "movement create", st, body)
			}},
		// The trajectory of the matrix's pupil: its school's staff and
		// authorities, its mother and its class teacher.
		{"movement", "read"}: {target: onS1, unrelated: onS2,
			supports: []access.Relationship{access.InScope, access.GuardianOf, access.ClassTeacherOf, access.Teaches, access.Self},
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "GET", "/api/v1/persons/"+strconv.FormatInt(e.person, 10)+"/movements", "")
				return verdict(t, "movement read", st, body) && strings.Contains(body, `"items":[`)
			}},
		{"movement", "list"}: {target: onS1, unrelated: onS2, supports: scope,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				fx.setUp(t, e)
				st, _, body := e.call(t, tok, "GET", org(e, "/movements?from="+daysAgo(100)+"&kind=departure"), "")
				return verdict(t, "movement list", st, body) && strings.Contains(body, fmt.Sprintf(`"person_id":%d,"person"`, fx.lost))
			}},
		{"transfer", "read"}: {target: onS1, unrelated: onS2, supports: scope,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				fx.setUp(t, e)
				st, _, body := e.call(t, tok, "GET", org(e, "/transfers?direction=out"), "")
				return verdict(t, "transfer read", st, body) && strings.Contains(body, fmt.Sprintf(`"person":{"id":%d,`, fx.lost))
			}},
		// Accepting is allowed when a pupil who left school 2 for school 1
		// is enrolled in school 1's class.
		{"transfer", "accept"}: {target: onS1, unrelated: onS2, supports: scope,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				id := e.pupil(t, e.s2.ID)
				e.history(t, contingent.Admission{PersonID: id, OrgID: e.s2.ID, ClassID: e.class2, Date: daysAgo(20), BasisNumber: "3-к", BasisDate: daysAgo(20)},
					contingent.Departure{PersonID: id, Date: daysAgo(10), ToOrgID: e.s1.ID, BasisNumber: "9-к", BasisDate: daysAgo(10)})
				var transfer int64
				if err := e.s.App.DB.R.QueryRow("SELECT id FROM transfers WHERE person_id = $1", id).Scan(&transfer); err != nil {
					t.Fatal(err)
				}
				st, _, body := e.call(t, tok, "POST", "/api/v1/transfers/"+strconv.FormatInt(transfer, 10)+"/accept",
					fmt.Sprintf(`{"class_id":%d,"date":%q,"basis_number":"5-к","basis_date":%q}`, e.class1, daysAgo(5), daysAgo(5)))
				return verdict(t, "transfer accept", st, body) && strings.Contains(body, `"status":"arrived"`)
			}},
		{"whereabouts", "list"}: {target: onS1, unrelated: onS2, supports: scope,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				fx.setUp(t, e)
				st, _, body := e.call(t, tok, "GET", org(e, "/whereabouts-unknown"), "")
				return verdict(t, "whereabouts list", st, body) && strings.Contains(body, fmt.Sprintf(`"person":{"id":%d,`, fx.lost))
			}},
	}
}
