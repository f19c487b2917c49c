package audit

import (
	"context"
	"io"

	"shkola/internal/access"
	"shkola/internal/identity"
)

// Resource is the audit log's name in the access matrix.
const Resource = "audit"

// Reader is the audit log as people and clients search it: limited to the
// organisations the reader may see (in SQL), and every search is itself an
// audit entry, written before anything is returned (fail closed).
type Reader struct {
	Log    *Log
	Policy *access.Policy
}

func (r *Reader) scope(ctx context.Context, f *Filter) error {
	a := identity.From(ctx)
	sc := r.Policy.ListScope(a, Resource, "read")
	if sc.Empty() {
		return r.Policy.Check(ctx, a, Resource, "read", access.Target{}) // records the denial, answers 401/404
	}
	if !sc.All {
		f.Subtrees = append([]int64{}, sc.OrgRoots...)
	}
	detail := "search"
	if f.ObjectType != "" {
		detail += " " + f.ObjectType + ":" + f.ObjectID
	}
	return r.Log.Write(ctx, Entry{Action: AuditRead, Outcome: Success, ObjectType: "audit_log", Detail: detail})
}

// Search is Log.Search within the reader's scope.
func (r *Reader) Search(ctx context.Context, f Filter, before int64, limit int) ([]Record, int64, error) {
	if err := r.scope(ctx, &f); err != nil {
		return nil, 0, err
	}
	return r.Log.Search(ctx, f, before, limit)
}

// Export is Log.ExportCSV within the reader's scope; an export is a bulk
// read and is recorded as one.
func (r *Reader) Export(ctx context.Context, w io.Writer, f Filter) (int, error) {
	if err := r.scope(ctx, &f); err != nil {
		return 0, err
	}
	if err := r.Log.Write(ctx, Entry{Action: Export, Outcome: Success, ObjectType: "audit_log", Detail: "csv"}); err != nil {
		return 0, err
	}
	return r.Log.ExportCSV(ctx, w, f)
}
