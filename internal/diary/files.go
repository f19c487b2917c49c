package diary

import (
	"context"
	"io"

	"shkola/internal/access"
	"shkola/internal/errs"
	"shkola/internal/filestore"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// FileOpener opens a stored file by id.
type FileOpener interface {
	Open(ctx context.Context, id int64) (filestore.File, io.ReadCloser, error)
}

// HomeworkFile opens a file of homework hw for the family of pupil: the
// caller must read the pupil's diary, the homework must have been set at a
// lesson of a group the pupil was in on that day, and the file must belong
// to it. Anything else is "not found", whatever exists.
func (g *Guard) HomeworkFile(ctx context.Context, pupil, hw, file int64) (filestore.File, io.ReadCloser, error) {
	a := identity.From(ctx)
	args := store.Args{}
	P, H, F, D := args.Add(pupil), args.Add(hw), args.Add(file), args.Add(g.S.Today())
	query := `SELECT 'x', hf.file_id, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
		FROM homework_files hf JOIN homework h ON h.id = hf.homework_id JOIN lessons l ON l.id = h.lesson_id
		WHERE hf.homework_id = ` + H + ` AND hf.file_id = ` + F + ` AND EXISTS (SELECT 1 FROM group_members m
			WHERE m.person_id = ` + P + ` AND m.group_id = l.group_id AND m.starts_on <= l.on_date AND (m.ends_on IS NULL OR m.ends_on > l.on_date))
		UNION ALL ` + g.headSQL(a, &args, P, D, D, "")
	rows, err := g.S.DB.Read().QueryContext(ctx, query, args.Values...)
	if err != nil {
		return filestore.File{}, nil, err
	}
	h := head{known: map[access.Relationship]bool{}, born: map[int64]string{}}
	belongs := false
	for rows.Next() {
		var r row
		if err := r.scan(rows); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return filestore.File{}, nil, err
		}
		if !h.take(&r) && r.t == "x" {
			belongs = true
		}
	}
	if err := rows.Close(); err != nil {
		return filestore.File{}, nil, err
	}
	if !h.found {
		return filestore.File{}, nil, hidden(ctx, errs.E(errs.NotFound, "not found"))
	}
	if err := g.decide(ctx, h.pupil, h.known, "homework file"); err != nil {
		return filestore.File{}, nil, err
	}
	if !belongs || g.Files == nil {
		return filestore.File{}, nil, errs.E(errs.NotFound, "no such file in this pupil's homework")
	}
	return g.Files.Open(ctx, file)
}
