package app_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"shkola/internal/access"
	"shkola/internal/identity"
	"shkola/internal/registry"
)

// personProbes try the registry's resources on the pupil of school 1, who
// has a class, a guardian, a teacher and a class teacher, so every
// relationship can be tried.
func personProbes() map[[2]string]probe {
	onS1 := func(e *matrixEnv) int64 { return e.s1.ID }
	onS2 := func(e *matrixEnv) int64 { return e.s2.ID }
	scope := []access.Relationship{access.InScope}
	related := []access.Relationship{access.InScope, access.Self, access.GuardianOf, access.Teaches, access.ClassTeacherOf}
	path := func(e *matrixEnv) string { return "/api/v1/persons/" + strconv.FormatInt(e.person, 10) }
	read := func(t *testing.T, e *matrixEnv, tok string) (bool, string) {
		st, _, body := e.call(t, tok, "GET", path(e), "")
		return verdict(t, "person read", st, body), body
	}
	patch := func(t *testing.T, e *matrixEnv, tok, what, body string) bool {
		var version int64
		if err := e.s.App.DB.R.QueryRow("SELECT version FROM persons WHERE id = $1", e.person).Scan(&version); err != nil {
			t.Fatal(err)
		}
		st, _, out := e.call(t, tok, "PATCH", path(e), body, "If-Match", fmt.Sprintf(`W/"%d"`, version))
		return verdict(t, what, st, out)
	}
	return map[[2]string]probe{
		{"person", "read"}: {target: onS1, unrelated: onS2, supports: related,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				ok, _ := read(t, e, tok)
				// The list must agree with the card: the pupil is listed exactly when readable.
				st, _, body := e.call(t, tok, "GET", "/api/v1/persons?q=Петров+Илья", "")
				listed := verdict(t, "person list", st, body) && strings.Contains(body, fmt.Sprintf(`"id":%d,`, e.person))
				if listed != ok {
					t.Errorf("person list shows the pupil: %v, card readable: %v", listed, ok)
				}
				return ok
			}},
		{"person", "create"}: {target: onS1, unrelated: onS2, supports: scope,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "POST", "/api/v1/persons",
					fmt.Sprintf(`{"org_id":%d,"last_name":"Иванова","first_name":"Анна","birth_date":"2015-03-01","sex":"f"}`, e.s1.ID))
				return verdict(t, "person create", st, body)
			}},
		{"person", "update"}: {target: onS1, unrelated: onS2, supports: related,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				return patch(t, e, tok, "person update", `{"middle_name":"Сергеевич"}`)
			}},
		{"person", "merge"}: {target: onS1, unrelated: onS2, supports: scope,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				officer := identity.With(context.Background(), &identity.Actor{AccountID: -1, Login: "setup", Grants: []identity.Grant{{Role: identity.RegionalOfficer, OrgID: e.region.ID}}})
				var ids [2]int64
				for i := range ids {
					p, err := e.s.App.People.Create(officer, registry.NewPerson{OrgID: e.s1.ID, LastName: "Дубль", FirstName: "Дарья", BirthDate: "2016-02-02", Sex: "f"})
					if err != nil {
						t.Fatal(err)
					}
					ids[i] = p.ID
				}
				st, _, body := e.call(t, tok, "POST", fmt.Sprintf("/api/v1/persons/%d/merge", ids[0]), fmt.Sprintf(`{"from":%d}`, ids[1]))
				return verdict(t, "person merge", st, body)
			}},
		// A field category is "read" when its fields are in the answer.
		{"person.contact", "read"}: {target: onS1, unrelated: onS2, supports: related,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				ok, body := read(t, e, tok)
				return ok && strings.Contains(body, `"phone":`)
			}},
		{"person.contact", "update"}: {target: onS1, unrelated: onS2, supports: related,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				e.n++
				return patch(t, e, tok, "contact update", fmt.Sprintf(`{"email":"p%d@example.ru"}`, e.n))
			}},
		{"person.identity", "read"}: {target: onS1, unrelated: onS2, supports: related,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				ok, body := read(t, e, tok)
				return ok && strings.Contains(body, `"snils":`) && strings.Contains(body, `"documents":`)
			}},
		{"person.identity", "update"}: {target: onS1, unrelated: onS2, supports: related,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "POST", path(e)+"/documents", `{"kind":"passport_ru","series":"4510","number":"123456"}`)
				return verdict(t, "document add", st, body)
			}},
		{"person.special", "read"}: {target: onS1, unrelated: onS2, supports: related,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				ok, body := read(t, e, tok)
				return ok && strings.Contains(body, `"health_group":`) && strings.Contains(body, `"disability":`)
			}},
		{"person.special", "update"}: {target: onS1, unrelated: onS2, supports: related,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				return patch(t, e, tok, "special update", `{"pe_group":"main"}`)
			}},
		{"guardianship", "read"}: {target: onS1, unrelated: onS2, supports: related,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "GET", path(e)+"/guardians", "")
				return verdict(t, "guardians", st, body) && strings.Contains(body, `"kind":"mother"`)
			}},
		{"guardianship", "create"}: {target: onS1, unrelated: onS2, supports: related,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				officer := identity.With(context.Background(), &identity.Actor{AccountID: -1, Login: "setup", Grants: []identity.Grant{{Role: identity.RegionalOfficer, OrgID: e.region.ID}}})
				g, err := e.s.App.People.Create(officer, registry.NewPerson{OrgID: e.s1.ID, LastName: "Попечитель", FirstName: "Павел", BirthDate: "1970-01-01", Sex: "m"})
				if err != nil {
					t.Fatal(err)
				}
				st, _, body := e.call(t, tok, "POST", path(e)+"/guardians",
					fmt.Sprintf(`{"guardian_id":%d,"kind":"trustee","doc_kind":"trusteeship_order","doc_number":"77-%d"}`, g.ID, g.ID))
				return verdict(t, "guardian link", st, body)
			}},
	}
}
