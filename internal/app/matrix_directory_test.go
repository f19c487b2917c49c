package app_test

import (
	"context"
	"fmt"
	"testing"

	"shkola/internal/access"
)

// directoryProbes walk the reference directories. A change targets the
// root of the organisation tree, so "in scope" is a grant on the region and
// "unrelated" one on a school; reading is open to everyone.
func directoryProbes() map[[2]string]probe {
	onRegion := func(e *matrixEnv) int64 { return e.region.ID }
	onS2 := func(e *matrixEnv) int64 { return e.s2.ID }
	both := []access.Relationship{access.Anyone, access.InScope}
	return map[[2]string]probe{
		{"directory", "read"}: {target: onRegion, unrelated: onS2, supports: both,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "GET", "/api/v1/directories/subject", "")
				return verdict(t, "directory read", st, body)
			}},
		{"directory", "create"}: {target: onRegion, unrelated: onS2, supports: both,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				e.n++
				st, _, body := e.call(t, tok, "POST", "/api/v1/directories/subject",
					fmt.Sprintf(`{"code":"probe%d","name_ru":"Предмет %d"}`, e.n, e.n))
				return verdict(t, "directory create", st, body)
			}},
		{"directory", "update"}: {target: onRegion, unrelated: onS2, supports: both,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				cur, err := e.s.App.Dirs.S.Get(context.Background(), "subject", "astr")
				if err != nil {
					t.Fatal(err)
				}
				e.n++
				st, _, body := e.call(t, tok, "PUT", "/api/v1/directories/subject/astr",
					fmt.Sprintf(`{"name_en":"Astronomy %d"}`, e.n), "If-Match", fmt.Sprintf(`W/"%d"`, cur.Version))
				return verdict(t, "directory update", st, body)
			}},
	}
}
