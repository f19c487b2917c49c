package directory

import (
	"context"
	"fmt"
	"io"

	"shkola/internal/access"
	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Resource is the name of the directories in the access matrix.
const Resource = "directory"

// Guard is the directory service as the HTTP edge gets it: every call is
// decided by the access policy and every change is audited in the
// transaction that makes it.
type Guard struct {
	S      *Service
	Policy *access.Policy
	Audit  *audit.Log
}

// region is the target of a change. A directory belongs to no organisation
// but serves the whole database, so a change is "in scope" for a grant that
// covers every root of the organisation tree: the region (or regions) this
// installation serves. A database with no organisation yet has no target
// anybody covers, so nobody changes its directories.
func (g *Guard) region(ctx context.Context) (access.Target, error) {
	rows, err := g.S.DB.Read().QueryContext(ctx, `SELECT id FROM organisations WHERE parent_id IS NULL ORDER BY id`)
	if err != nil {
		return access.Target{}, err
	}
	defer rows.Close()
	var t access.Target
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return t, err
		}
		t.OrgIDs = append(t.OrgIDs, id)
	}
	return t, rows.Err()
}

// check asks the policy. Directories are public, so the policy would answer
// a visitor's attempt to change one with "forbidden"; a visitor who is not
// logged in is told to log in instead, as a login may change the answer.
func (g *Guard) check(ctx context.Context, action string) error {
	t := access.Target{}
	if action != "read" {
		var err error
		if t, err = g.region(ctx); err != nil {
			return err
		}
	}
	a := identity.From(ctx)
	err := g.Policy.Check(ctx, a, Resource, action, t)
	if err != nil && !a.Authenticated() && errs.CodeOf(err) == errs.Forbidden {
		return errs.E(errs.Unauthorized, "log in first")
	}
	return err
}

// CanChange reports whether the actor may create and update entries, so a
// page offers its forms only to those who can use them.
func (g *Guard) CanChange(ctx context.Context) bool {
	t, err := g.region(ctx)
	if err != nil {
		return false
	}
	a := identity.From(ctx)
	for _, action := range []string{"create", "update"} {
		if ok, err := g.Policy.Allowed(ctx, a, Resource, action, t); err != nil || !ok {
			return false
		}
	}
	return true
}

// Directories lists the directories with their sizes.
func (g *Guard) Directories(ctx context.Context) ([]Summary, error) {
	if err := g.check(ctx, "read"); err != nil {
		return nil, err
	}
	return g.S.Directories(ctx)
}

// List returns the entries of a directory.
func (g *Guard) List(ctx context.Context, directory string, includeInactive bool) ([]Entry, error) {
	if err := g.check(ctx, "read"); err != nil {
		return nil, err
	}
	return g.S.List(ctx, directory, includeInactive)
}

// Get returns one entry.
func (g *Guard) Get(ctx context.Context, directory, code string) (Entry, error) {
	if err := g.check(ctx, "read"); err != nil {
		return Entry{}, err
	}
	return g.S.Get(ctx, directory, code)
}

// History returns every version of an entry.
func (g *Guard) History(ctx context.Context, directory, code string) ([]Version, error) {
	if err := g.check(ctx, "read"); err != nil {
		return nil, err
	}
	return g.S.History(ctx, directory, code)
}

// Create adds an entry.
func (g *Guard) Create(ctx context.Context, directory string, n New) (Entry, error) {
	if err := g.check(ctx, "create"); err != nil {
		return Entry{}, err
	}
	return g.S.create(ctx, directory, n, g.audit)
}

// Update changes an entry (or retires it, with Active false).
func (g *Guard) Update(ctx context.Context, directory, code string, expected int64, p Patch) (Entry, error) {
	if err := g.check(ctx, "update"); err != nil {
		return Entry{}, err
	}
	return g.S.update(ctx, directory, code, expected, p, g.audit)
}

// Import creates and updates entries from a CSV file; it needs both rights.
// A dry run changes nothing and is not audited.
func (g *Guard) Import(ctx context.Context, directory string, r io.Reader, dryRun bool) (ImportReport, error) {
	for _, action := range []string{"create", "update"} {
		if err := g.check(ctx, action); err != nil {
			return ImportReport{}, err
		}
	}
	return g.S.importCSV(ctx, directory, r, dryRun, importHooks{after: g.audit, done: g.auditImport})
}

func (g *Guard) audit(ctx context.Context, tx *store.Tx, op string, e Entry, changes []audit.FieldChange) error {
	if g.Audit == nil {
		return errs.Wrap(errs.Internal, fmt.Errorf("directory change without an audit log"), "internal error")
	}
	action := audit.RecordUpdate
	if op == store.OpCreate {
		action = audit.RecordCreate
	}
	return g.Audit.Append(ctx, tx, audit.Entry{Action: action, Outcome: audit.Success, ObjectType: "directory_entry",
		ObjectID: e.Directory + "/" + e.Code, Changes: changes, Detail: fmt.Sprintf("version %d", e.Version)})
}

func (g *Guard) auditImport(ctx context.Context, tx *store.Tx, r ImportReport) error {
	if g.Audit == nil {
		return errs.Wrap(errs.Internal, fmt.Errorf("directory import without an audit log"), "internal error")
	}
	return g.Audit.Append(ctx, tx, audit.Entry{Action: audit.Import, Outcome: audit.Success, ObjectType: "directory", ObjectID: r.Directory,
		Detail: fmt.Sprintf("%d rows: %d created, %d updated, %d unchanged", r.Rows, r.Created, r.Updated, r.Unchanged)})
}
