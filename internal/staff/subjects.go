package staff

import (
	"context"
	"fmt"
	"slices"

	"shkola/internal/errs"
	"shkola/internal/store"
)

// maxSubjects bounds a list; the directory has fewer subjects than this.
const maxSubjects = 60

// SetSubjects replaces the list of subjects a person may teach inside tx and
// returns the lists before and after. A code twice counts once; a code the
// directory does not know is refused naming its place in the list.
func (s *Service) SetSubjects(ctx context.Context, tx *store.Tx, personID int64, codes []string) (before, after []string, err error) {
	var v errs.Validation
	if len(codes) > maxSubjects {
		v.Add("subjects", "max_items", fmt.Sprintf("at most %d subjects", maxSubjects))
		return nil, nil, v.Err()
	}
	var want []string
	for i, c := range codes {
		c = normCode(c)
		ok, err := s.known(ctx, SubjectDirectory, c)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			v.Add(fmt.Sprintf("subjects[%d]", i), "enum", "not a subject of the directory")
			continue
		}
		if !slices.Contains(want, c) {
			want = append(want, c)
		}
	}
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	p, err := loadPerson(ctx, tx, personID, tx.Engine.ForUpdate())
	if err != nil {
		return nil, nil, err
	}
	if before, err = subjectsOf(ctx, tx, personID); err != nil {
		return nil, nil, err
	}
	after = sortSubjects(want)
	if slices.Equal(before, after) {
		return before, after, nil
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM staff_subjects WHERE person_id = $1", personID); err != nil {
		return nil, nil, err
	}
	for _, c := range after {
		if _, err := tx.ExecContext(ctx, "INSERT INTO staff_subjects (person_id, subject) VALUES ($1, $2)", personID, c); err != nil {
			return nil, nil, err
		}
	}
	return before, after, s.record(ctx, tx, entitySubjects, personID, p.OrgID, store.OpUpdate, map[string]any{"person_id": personID})
}
