package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"

	"shkola/internal/access"
	"shkola/internal/audit"
	"shkola/internal/classes"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/registry"
	"shkola/internal/staff"
	"shkola/internal/store"
)

func asErr(err error, target **errs.Error) bool { return errors.As(err, target) }

// outcome is what became of one row.
type outcome struct {
	line    int
	created bool
	errs    []CellError
}

// job checks (tx nil) or checks and writes (tx set) one chunk of rows.
type job interface {
	chunk(ctx context.Context, q store.Querier, tx *store.Tx, rows []row) ([]outcome, error)
}

// domainResource is the matrix resource whose "create" a kind needs
// besides the import itself.
func domainResource(k Kind) string {
	switch k {
	case Staff:
		return staff.Resource
	case Classes:
		return classes.Resource
	}
	return registry.Resource
}

// Check decides whether the actor may import kind into org: the import
// resource and the kind's own resource, both "create" on the organisation.
// It answers as the policy does (404 out of scope, 403 seen but not allowed).
func (s *Service) Check(ctx context.Context, k Kind, orgID int64) error {
	a := identity.From(ctx)
	t := access.Target{OrgIDs: []int64{orgID}}
	if err := s.Policy.Check(ctx, a, Resource, "create", t); err != nil {
		return err
	}
	return s.Policy.Check(ctx, a, domainResource(k), "create", t)
}

// Run imports the file read from r. Access is decided first, once; the
// file is spooled to a temporary file (hashing it), checked whole, and only
// then written. A report is returned whenever the file could be read; the
// error is for a refusal or a failure of the system.
func (s *Service) Run(ctx context.Context, o Options, r io.Reader) (Report, error) {
	rep := Report{Kind: o.Kind, OrgID: o.OrgID, File: filepath.Base(o.FileName), DryRun: o.DryRun, Mode: "all_or_nothing", Errors: []CellError{}}
	if o.FileName == "" {
		rep.File = ""
	}
	if o.ValidOnly {
		rep.Mode = "valid_only"
	}
	var v errs.Validation
	if !o.Kind.Valid() {
		v.Add("kind", "enum", "one of pupils, guardians, staff, classes")
	}
	if o.OrgID <= 0 {
		v.Add("org_id", "required", "the organisation to import into")
	}
	if err := v.Err(); err != nil {
		return rep, err
	}
	if err := s.Check(ctx, o.Kind, o.OrgID); err != nil {
		return rep, err
	}
	path, sum, err := s.spool(r)
	if err != nil {
		return rep, err
	}
	defer os.Remove(path)
	rep.SHA256 = sum
	if o.ExpectSHA256 != "" && o.ExpectSHA256 != sum {
		return rep, errs.Field(errs.Invalid, "file", "changed", "this is not the file that was checked; check it again")
	}
	head := make([]byte, 4)
	if f, err := os.Open(path); err == nil { // #nosec G304 -- the server's own spool file (os.CreateTemp in spool), never a name from the request
		n, _ := io.ReadFull(f, head)
		head = head[:n]
		_ = f.Close() // read-only: Close cannot lose anything
	}
	rep.Format = Sniff(head)
	if o.Kind == Staff || o.Kind == Classes {
		err = s.runInTx(ctx, o, path, &rep)
	} else {
		err = s.runTwoPass(ctx, o, path, &rep)
	}
	if err != nil {
		return rep, err
	}
	return rep, s.auditOutside(ctx, o, &rep)
}

// spool copies the upload to a private temporary file, hashing it.
func (s *Service) spool(r io.Reader) (string, string, error) {
	f, err := os.CreateTemp(s.TempDir, "shkola-import-*")
	if err != nil {
		return "", "", err
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(f, h), r); err != nil {
		_ = f.Close()           // the error returned below is the one to report
		_ = os.Remove(f.Name()) // best effort: the copy error is the one to report
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return "", "", errs.E(errs.Invalid, "the file is larger than the upload limit")
		}
		return "", "", fmt.Errorf("spool import: %w", err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(f.Name()) // best effort: the copy error is the one to report
		return "", "", err
	}
	return f.Name(), hex.EncodeToString(h.Sum(nil)), nil
}

func (s *Service) newJob(ctx context.Context, q store.Querier, o Options) (job, error) {
	switch o.Kind {
	case Pupils:
		return s.pupils(ctx, q, o.OrgID)
	case Guardians:
		return &guardiansJob{s: s, org: o.OrgID}, nil
	case Staff:
		return &staffJob{s: s, org: o.OrgID}, nil
	case Classes:
		return &classesJob{s: s, org: o.OrgID}, nil
	}
	return nil, errs.E(errs.Invalid, "unknown kind")
}

// pass reads the file once, handing chunks of rows to j. skip leaves out
// rows (those that failed the check, in a valid-only write).
func (s *Service) pass(ctx context.Context, o Options, path, format string, q store.Querier, tx *store.Tx, j job, skip map[int]bool, rep *Report) error {
	names, rr, err := openFile(path, format)
	if err != nil {
		return s.fileFailed(err, rep)
	}
	defer rr.Close()
	h, bad := readHeader(o.Kind, names)
	if len(bad) > 0 {
		rep.addErrors(bad)
		return errStop
	}
	var chunk []row
	var stats statsRefresh
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		outs, err := j.chunk(ctx, q, tx, chunk)
		if err != nil {
			return err
		}
		if err := stats.wrote(ctx, tx, len(chunk)); err != nil {
			return err
		}
		for _, oc := range outs {
			rep.count(oc)
		}
		chunk = chunk[:0]
		return nil
	}
	for {
		line, rec, err := rr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return s.fileFailed(err, rep)
		}
		if skip[line] {
			rep.Rows++
			rep.Failed++
			continue
		}
		// The reader reuses its slice; a chunk keeps its own copies.
		chunk = append(chunk, row{line: line, h: h, rec: append([]string(nil), rec...)})
		if len(chunk) >= s.batch() {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// errStop ends a pass whose file cannot be read on; the report says why.
var errStop = errors.New("import stopped")

// errRollback rolls back a transaction that only checked.
var errRollback = errors.New("rolled back")

func (s *Service) fileFailed(err error, rep *Report) error {
	var fe *fileError
	if errors.As(err, &fe) {
		rep.addErrors([]CellError{{fe.Row, "", fe.Rule, fe.Message}})
		return errStop
	}
	return err
}

func (rep *Report) addErrors(ce []CellError) {
	for _, e := range ce {
		rep.ErrorCount++
		if len(rep.Errors) < MaxErrors {
			rep.Errors = append(rep.Errors, e)
		}
	}
}

func (rep *Report) count(oc outcome) {
	rep.Rows++
	switch {
	case len(oc.errs) > 0:
		rep.Failed++
		rep.addErrors(oc.errs)
	case oc.created:
		rep.Created++
	default:
		rep.Unchanged++
	}
}

func (rep *Report) reset() {
	rep.Rows, rep.Created, rep.Unchanged, rep.Failed = 0, 0, 0, 0
}

// runTwoPass checks the whole file on the read pool, then (unless a dry
// run, or a row failed and only all or nothing may be written) reads it
// again and writes it in one transaction that re-checks every row.
func (s *Service) runTwoPass(ctx context.Context, o Options, path string, rep *Report) error {
	j, err := s.newJob(ctx, s.DB.Read(), o)
	if err != nil {
		return err
	}
	err = s.pass(ctx, o, path, rep.Format, s.DB.Read(), nil, j, nil, rep)
	if errors.Is(err, errStop) {
		return nil
	}
	if err != nil || o.DryRun || rep.Created == 0 || (rep.Failed > 0 && !o.ValidOnly) {
		// Nothing to write: a dry run, a refused file, or every row
		// already registered (the same file again).
		return err
	}
	skip := map[int]bool{}
	for _, e := range rep.Errors {
		skip[e.Row] = true
	}
	if rep.ErrorCount > len(rep.Errors) {
		// Not every failed row is listed: writing "the valid ones" would
		// write some that failed.
		return errs.E(errs.Invalid, "too many errors to write the valid rows; fix the file")
	}
	checked := *rep
	rep.reset()
	var late []CellError
	err = s.DB.WithTx(ctx, func(tx *store.Tx) error {
		j, err := s.newJob(ctx, tx, o)
		if err != nil {
			return err
		}
		w := Report{Errors: []CellError{}}
		if err := s.pass(ctx, o, path, rep.Format, tx, tx, j, skip, &w); err != nil {
			if errors.Is(err, errStop) {
				return errs.E(errs.Conflict, "the file changed while it was imported")
			}
			return err
		}
		// Rows that passed the check but not the write: the data changed
		// meanwhile. Nothing is written; the report names them.
		if w.Failed > len(skip) {
			for _, e := range w.Errors {
				if !skip[e.Row] {
					late = append(late, e)
				}
			}
			return errRollback
		}
		rep.Rows, rep.Created, rep.Unchanged, rep.Failed = w.Rows, w.Created, w.Unchanged, w.Failed
		rep.Written = true
		return s.auditImport(ctx, tx, o, rep)
	})
	if errors.Is(err, errRollback) {
		*rep = checked
		rep.addErrors(late)
		rep.Failed += len(late)
		rep.Written = false
		return nil
	}
	return err
}

// runInTx imports kinds whose rules the domains check inside a write
// transaction (staff, classes: small files): one pass, each row under a
// savepoint so that a failed row leaves the others; the transaction
// commits only when the import is to write.
func (s *Service) runInTx(ctx context.Context, o Options, path string, rep *Report) error {
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		j, err := s.newJob(ctx, tx, o)
		if err != nil {
			return err
		}
		if err := s.pass(ctx, o, path, rep.Format, tx, tx, j, nil, rep); err != nil {
			return err
		}
		if o.DryRun || rep.Rows == 0 || (rep.Failed > 0 && !o.ValidOnly) || rep.Created == 0 {
			return errRollback
		}
		rep.Written = true
		return s.auditImport(ctx, tx, o, rep)
	})
	if errors.Is(err, errRollback) || errors.Is(err, errStop) {
		rep.Written = false
		return nil
	}
	return err
}

// savepoint runs f under a savepoint of tx: a row that failed, or that
// wrote nothing, is undone alone (on PostgreSQL a failed statement would
// otherwise abort the whole transaction).
func savepoint(ctx context.Context, tx *store.Tx, f func() (bool, []CellError, error)) ([]CellError, error) {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT import_row"); err != nil {
		return nil, err
	}
	keep, bad, err := f()
	if err != nil || len(bad) > 0 || !keep {
		if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT import_row"); rerr != nil {
			return nil, errors.Join(err, rerr)
		}
	}
	if _, rerr := tx.ExecContext(ctx, "RELEASE SAVEPOINT import_row"); rerr != nil {
		return nil, errors.Join(err, rerr)
	}
	return bad, err
}

func (s *Service) entry(o Options, rep *Report, outcome audit.Outcome) audit.Entry {
	org := o.OrgID
	detail := string(o.Kind) + " " + rep.Mode
	if o.DryRun {
		detail += " dry_run"
	}
	return audit.Entry{Action: audit.Import, Outcome: outcome, ObjectType: Resource, ObjectID: rep.SHA256, OrgID: &org, Detail: detail,
		Changes: []audit.FieldChange{{Field: "file", New: rep.File}, {Field: "format", New: rep.Format}, {Field: "rows", New: strconv.Itoa(rep.Rows)},
			{Field: "created", New: strconv.Itoa(rep.Created)}, {Field: "unchanged", New: strconv.Itoa(rep.Unchanged)},
			{Field: "failed", New: strconv.Itoa(rep.Failed)}}}
}

// auditImport is the one audit entry of a written import, in its transaction.
func (s *Service) auditImport(ctx context.Context, tx *store.Tx, o Options, rep *Report) error {
	return s.Audit.Append(ctx, tx, s.entry(o, rep, audit.Success))
}

// auditOutside records a dry run or an import that wrote nothing: both
// read the registry to compare the file with it.
func (s *Service) auditOutside(ctx context.Context, o Options, rep *Report) error {
	if rep.Written {
		return nil
	}
	outcome := audit.Failure
	if o.DryRun || rep.ErrorCount == 0 {
		outcome = audit.Success
	}
	return s.Audit.Write(ctx, s.entry(o, rep, outcome))
}
