package notify

import (
	"context"
	"database/sql"

	"shkola/internal/store"
)

// recipient is one account to tell, about one pupil (0 for announcements,
// which are told once per account), with its preferences.
type recipient struct {
	account   int64
	pupil     int64
	pupilName string
	prefs     prefsRow
}

// Pupils of an audience, as SQL selecting person_id. Recipients are only
// ever the pupils themselves and their current guardians, found from the
// pupil's own links: no event reaches another family.
const (
	// groupPupils: current members of a group and of its sub-groups ($1).
	groupPupils = `SELECT m.person_id FROM group_members m WHERE m.ends_on IS NULL
		AND (m.group_id = $1 OR m.group_id IN (SELECT id FROM groups WHERE parent_id = $1))`
	// parallelPupils: current pupils of the active classes of parallel $2 of school $1.
	parallelPupils = `SELECT m.person_id FROM group_members m JOIN groups g ON g.id = m.group_id
		WHERE m.ends_on IS NULL AND g.org_id = $1 AND g.kind = 'class' AND g.status = 'active' AND g.parallel = $2`
	// schoolPupils: current pupils of the active classes of school $1.
	schoolPupils = `SELECT m.person_id FROM group_members m JOIN groups g ON g.id = m.group_id
		WHERE m.ends_on IS NULL AND g.org_id = $1 AND g.kind = 'class' AND g.status = 'active'`
)

// pairsOf returns (holder, pupil) pairs as SQL: each pupil with itself and
// with its current guardians.
func pairsOf(pupils string) string {
	return `SELECT x.person_id AS holder, x.person_id AS pupil FROM (` + pupils + `) x
		UNION SELECT gd.guardian_id, gd.child_id FROM guardianships gd WHERE gd.ends_on IS NULL AND gd.child_id IN (` + pupils + `)`
}

const onePupil = `SELECT p.id AS person_id FROM persons p WHERE p.id = $1`

// recipients resolves who hears about e, with their preferences, in one
// query on q (the dispatcher's transaction).
func (s *Service) recipients(ctx context.Context, q store.Querier, e event) ([]recipient, error) {
	var pupils string
	var args []any
	switch {
	case e.ann != nil:
		switch e.ann.Audience {
		case AudienceClass:
			pupils, args = groupPupils, []any{derefID(e.ann.GroupID)}
		case AudienceParallel:
			pupils, args = parallelPupils, []any{e.ann.OrgID, derefInt(e.ann.Parallel)}
		default:
			pupils, args = schoolPupils, []any{e.ann.OrgID}
		}
	case e.kind == KindHomework:
		pupils, args = groupPupils, []any{e.data.GroupID}
	default:
		pupils, args = onePupil, []any{e.data.PersonID}
	}
	rows, err := q.QueryContext(ctx, `SELECT a.id, x.pupil, COALESCE(pp.first_name, ''),
		np.inapp, np.email, np.quiet_from, np.quiet_to, COALESCE(np.lang, a.lang), COALESCE(ap.email, '')
		FROM (`+pairsOf(pupils)+`) x
		JOIN accounts a ON a.person_id = x.holder AND a.disabled_at IS NULL
		LEFT JOIN notify_prefs np ON np.account_id = a.id
		LEFT JOIN persons ap ON ap.id = a.person_id
		LEFT JOIN persons pp ON pp.id = x.pupil
		ORDER BY a.id, x.pupil`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []recipient
	seen := map[int64]bool{}
	for rows.Next() {
		var r recipient
		var inapp, email, from, to sql.NullString
		var lang string
		if err := rows.Scan(&r.account, &r.pupil, &r.pupilName, &inapp, &email, &from, &to, &lang, &r.prefs.address); err != nil {
			return nil, err
		}
		r.prefs.fill(inapp, email, from, to, lang)
		if e.ann != nil {
			// An announcement is told once per account, whatever the
			// number of children in its audience.
			if seen[r.account] {
				continue
			}
			seen[r.account] = true
			r.pupil, r.pupilName = 0, ""
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func derefID(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
