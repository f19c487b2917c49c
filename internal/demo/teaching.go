package demo

import (
	"context"

	"shkola/internal/store"
)

// genTeaching makes each class's class teacher one of the school's teachers
// and assigns teachers to the subjects they teach in each class, so that
// the relationships "class teacher of" and "teaches" hold in the demo. The
// rows are written directly: the classes service has no in-transaction
// form of these changes, and the demo audits nothing per row.
func genTeaching(ctx context.Context, g *Gen, tx *store.Tx) error {
	if g.People == nil {
		return nil
	}
	for _, school := range g.Schools {
		teachers, err := ids(ctx, tx, `SELECT DISTINCT e.person_id FROM employments e WHERE e.org_id = $1 AND e.position = 'teacher'
			AND e.ends_on IS NULL ORDER BY e.person_id`, school.ID)
		if err != nil || len(teachers) == 0 {
			return err
		}
		classes, err := ids(ctx, tx, "SELECT id FROM groups WHERE org_id = $1 AND kind = 'class' ORDER BY parallel, letter", school.ID)
		if err != nil {
			return err
		}
		parallels, err := ids(ctx, tx, "SELECT parallel FROM groups WHERE org_id = $1 AND kind = 'class' ORDER BY parallel, letter", school.ID)
		if err != nil {
			return err
		}
		for i, c := range classes {
			if _, err := tx.ExecContext(ctx, "UPDATE groups SET class_teacher_id = $1 WHERE id = $2", teachers[i%len(teachers)], c); err != nil {
				return err
			}
		}
		// Each subject a teacher of the school may teach goes to one teacher per class.
		rows, err := tx.QueryContext(ctx, `SELECT s.subject, s.person_id FROM staff_subjects s
			JOIN employments e ON e.person_id = s.person_id AND e.org_id = $1 AND e.position = 'teacher' AND e.ends_on IS NULL
			ORDER BY s.subject, s.person_id`, school.ID)
		if err != nil {
			return err
		}
		bySubject := map[string][]int64{}
		for rows.Next() {
			var subj string
			var p int64
			if err := rows.Scan(&subj, &p); err != nil {
				_ = rows.Close() // the error returned below is the one to report
				return err
			}
			bySubject[subj] = append(bySubject[subj], p)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		var as []assignment
		for i, c := range classes {
			for _, subj := range curriculum(int(parallels[i])) {
				if who := bySubject[subj]; len(who) > 0 {
					as = append(as, assignment{c, who[i%len(who)], subj})
				}
			}
		}
		if err := insertAssignments(ctx, g, tx, as); err != nil {
			return err
		}
	}
	return nil
}

// assignment is a teacher teaching a subject in a class.
type assignment struct {
	class, teacher int64
	subject        string
}

// insertAssignments writes a school's assignments from the demo year's
// start in bulk.
func insertAssignments(ctx context.Context, g *Gen, tx *store.Tx, as []assignment) error {
	g.Sum.Counts["teaching assignments"] += len(as)
	return store.CopyRows(ctx, tx, "assignments", []string{"group_id", "teacher_id", "subject", "starts_on", "created_at"}, len(as),
		func(i int, a []any) error {
			a[0], a[1], a[2], a[3], a[4] = as[i].class, as[i].teacher, as[i].subject, demoYearStart, Epoch()
			return nil
		})
}

func ids(ctx context.Context, tx *store.Tx, query string, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// curriculum is the subjects of a parallel in the Russian federal plan, roughly.
func curriculum(parallel int) []string {
	switch {
	case parallel <= 4:
		return []string{"rus", "lit", "math", "world", "eng", "art", "music", "tech", "pe"}
	case parallel <= 6:
		return []string{"rus", "lit", "math", "hist", "geo", "bio", "eng", "art", "music", "tech", "pe", "odnknr"}
	case parallel <= 9:
		out := []string{"rus", "lit", "alg", "geom", "prob", "inf", "hist", "soc", "geo", "bio", "phys", "eng", "pe"}
		if parallel >= 8 {
			out = append(out, "chem", "obzr")
		}
		return out
	}
	return []string{"rus", "lit", "alg", "geom", "prob", "inf", "hist", "soc", "geo", "bio", "phys", "chem", "eng", "pe", "obzr"}
}
