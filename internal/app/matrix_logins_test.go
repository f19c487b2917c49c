package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"shkola/internal/access"
	"shkola/internal/account"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// childAccount returns the account of the matrix pupil, making one when
// the pupil has none (the scenarios move the pupil between accounts), with
// no password and a fresh activation code.
func (e *matrixEnv) childAccount(t *testing.T) (int64, string) {
	t.Helper()
	ctx := context.Background()
	id, err := account.AccountOf(ctx, e.s.App.DB.R, e.person)
	if err != nil {
		t.Fatal(err)
	}
	if id == 0 {
		e.n++
		acc, _, err := e.s.App.Accounts.Create(ctx, fmt.Sprintf("child%d", e.n), []identity.Grant{{Role: identity.Student, OrgID: e.s1.ID}})
		if err != nil {
			t.Fatal(err)
		}
		id = acc.ID
		e.exec(t, "UPDATE accounts SET person_id = $1 WHERE id = $2", e.person, id)
	}
	e.exec(t, "UPDATE accounts SET password_hash = NULL WHERE id = $1", id)
	var code string
	if err := e.s.App.DB.WithTx(ctx, func(tx *store.Tx) error {
		code, err = e.s.App.Accounts.ReissueTx(ctx, tx, id, time.Hour)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return id, code
}

// loginsProbes try the logins of class1 (whose pupil, guardian, teacher and
// class teacher the environment made) and the matrix pupil's account as
// its family sees it.
func loginsProbes() map[[2]string]probe {
	onS1 := func(e *matrixEnv) int64 { return e.s1.ID }
	onS2 := func(e *matrixEnv) int64 { return e.s2.ID }
	all := []access.Relationship{access.InScope, access.Self, access.GuardianOf, access.Teaches, access.ClassTeacherOf}
	return map[[2]string]probe{
		{"logins", "issue"}: {target: onS1, unrelated: onS2, supports: all,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				path := "/api/v1/classes/" + strconv.FormatInt(e.class1, 10) + "/logins"
				st, _, body := e.call(t, tok, "POST", path, `{"reissue":true}`)
				ok := verdict(t, "logins issue", st, body)
				if ok && !strings.Contains(body, fmt.Sprintf(`"person_id":%d,`, e.person)) {
					t.Errorf("issued logins do not list the class's pupil: %s", body)
				}
				// The roster follows the same rule.
				st, _, roster := e.call(t, tok, "GET", path, "")
				if seen := verdict(t, "logins roster", st, roster); seen != ok {
					t.Errorf("logins roster readable: %v, issue allowed: %v", seen, ok)
				}
				return ok
			}},
		{"child_account", "read"}: {target: onS1, unrelated: onS2, supports: all,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "GET", "/api/v1/me/children", "")
				return verdict(t, "my children", st, body) && strings.Contains(body, fmt.Sprintf(`"person_id":%d,`, e.person))
			}},
		{"child_account", "link"}: {target: onS1, unrelated: onS2, supports: all,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				_, code := e.childAccount(t)
				st, _, body := e.call(t, tok, "POST", "/api/v1/me/children/link", fmt.Sprintf(`{"code":%q}`, code))
				if st == 422 { // the one refusal that never says whose code it was
					if !strings.Contains(body, `"field":"code"`) {
						t.Errorf("link refusal without the field: %s", body)
					}
					return false
				}
				return verdict(t, "link", st, body) && strings.Contains(body, `"linked":true`)
			}},
		// A password change for the pupil made under 14 for the try, with the
		// caller's account linked to the pupil's: the policy alone decides.
		{"child_account", "update"}: {target: onS1, unrelated: onS2, supports: all,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				var born string
				if err := e.s.App.DB.R.QueryRow("SELECT birth_date FROM persons WHERE id = $1", e.person).Scan(&born); err != nil {
					t.Fatal(err)
				}
				e.exec(t, "UPDATE persons SET birth_date = $1 WHERE id = $2", time.Now().AddDate(-10, 0, 0).Format("2006-01-02"), e.person)
				defer e.exec(t, "UPDATE persons SET birth_date = $1 WHERE id = $2", born, e.person)
				child, _ := e.childAccount(t)
				if tok != "" {
					st, _, me := e.call(t, tok, "GET", "/api/v1/me", "")
					var acc struct{ ID int64 }
					if st != 200 || json.Unmarshal([]byte(me), &acc) != nil {
						t.Fatalf("me: %d %s", st, me)
					}
					e.exec(t, "DELETE FROM account_links WHERE guardian_account_id = $1 AND child_account_id = $2", acc.ID, child)
					e.exec(t, "INSERT INTO account_links (guardian_account_id, child_account_id, linked_at) VALUES ($1, $2, $3)", acc.ID, child, time.Now().UTC())
				}
				st, _, body := e.call(t, tok, "POST", fmt.Sprintf("/api/v1/me/children/%d/password", e.person), `{"password":"a-probe-password-2026"}`)
				return verdict(t, "child password", st, body)
			}},
	}
}
