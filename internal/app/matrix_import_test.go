package app_test

import (
	"fmt"
	"testing"

	"shkola/internal/access"
)

// importProbes try a dry run of a pupils file into school 1: the import
// is decided once, on the organisation, before the file is read.
func importProbes() map[[2]string]probe {
	return map[[2]string]probe{
		{"import", "create"}: {target: func(e *matrixEnv) int64 { return e.s1.ID }, unrelated: func(e *matrixEnv) int64 { return e.s2.ID },
			supports: []access.Relationship{access.InScope},
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				file := "last_name,first_name,birth_date,sex,class,admission_date,basis_number,basis_date\n" +
					"Зайцев,Пётр,2015-03-04,m,5А,2026-09-01,12-у,2026-08-30\n"
				st, _, body := e.call(t, tok, "POST", fmt.Sprintf("/api/v1/imports?kind=pupils&org_id=%d&dry_run=true", e.s1.ID), file)
				return verdict(t, "import dry run", st, body)
			}},
	}
}
