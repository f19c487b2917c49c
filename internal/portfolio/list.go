package portfolio

import (
	"context"

	"shkola/internal/access"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Proposal is an achievement waiting for review, with its pupil's name.
type Proposal struct {
	Achievement
	PersonName string `json:"person_name"`
}

// MaxProposals bounds one page of the review list.
const MaxProposals = 200

// Proposals lists the proposals the caller may review (oldest first, after
// id), filtered in SQL by the review scope: a school's administration its
// schools, a class teacher the pupils of the class led.
func (g *Guard) Proposals(ctx context.Context, after int64, limit int) ([]Proposal, error) {
	a := identity.From(ctx)
	sc := g.Policy.ListScope(a, AchievementResource, "review")
	if sc.Empty() {
		if !a.Authenticated() {
			return nil, errs.E(errs.Unauthorized, "log in first")
		}
		return []Proposal{}, nil
	}
	if limit <= 0 || limit > MaxProposals {
		limit = MaxProposals
	}
	var args store.Args
	cond := g.Policy.PersonsSQL(a, sc, "p.org_id", "a.person_id", &args)
	query := `SELECT a.id, a.person_id, a.org_id, a.kind, a.title, a.subject, a.level, a.result, a.on_date, a.organiser,
		a.file_id, f.name, f.content_type, f.size, a.status, a.proposed_by, a.reviewed_by, a.reviewed_at, a.reason, a.version, a.created_at,
		p.last_name, p.first_name, p.middle_name
		FROM achievements a JOIN persons p ON p.id = a.person_id LEFT JOIN files f ON f.id = a.file_id
		WHERE a.status = 'proposed' AND a.id > ` + args.Add(after) + ` AND ` + cond + ` ORDER BY a.id LIMIT ` + args.Add(limit)
	rows, err := g.S.DB.Read().QueryContext(ctx, query, args.Values...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Proposal{}
	for rows.Next() {
		var pr Proposal
		var last, first, middle string
		var scan scanFunc = func(dest ...any) error { return rows.Scan(append(dest, &last, &first, &middle)...) }
		if pr.Achievement, err = scanAchievement(scan); err != nil {
			return nil, err
		}
		pr.PersonName = Pupil{LastName: last, FirstName: first, MiddleName: middle}.Name()
		out = append(out, pr)
	}
	return out, rows.Err()
}

type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// Summary is one pupil of "my portfolio": the caller itself or a child.
type Summary struct {
	Person Pupil `json:"person"`
	Gifted bool  `json:"gifted"`
	Own    bool  `json:"own"` // the caller's own portfolio
}

// Mine lists the portfolios that are the caller's own business: its own as
// a pupil and those of its current children, each only if readable.
func (g *Guard) Mine(ctx context.Context) ([]Summary, error) {
	a := identity.From(ctx)
	if !a.Authenticated() {
		return nil, errs.E(errs.Unauthorized, "log in first")
	}
	out := []Summary{}
	if a.PersonID == 0 {
		return out, nil
	}
	ids := []int64{a.PersonID}
	rows, err := g.S.DB.Read().QueryContext(ctx, `SELECT child_id FROM guardianships WHERE guardian_id = $1 AND ends_on IS NULL ORDER BY child_id`, a.PersonID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	for _, id := range ids {
		p, err := LoadPupil(ctx, g.S.DB.Read(), id)
		if errs.CodeOf(err) == errs.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		// Allowed, not Check: a guardian's own record is no portfolio and
		// not being able to read it is no denial worth an audit entry.
		ok, err := g.Policy.Allowed(ctx, a, Resource, "read", access.Target{OrgIDs: []int64{p.OrgID}, PersonID: p.ID})
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		gf, err := g.S.gifted(ctx, g.S.DB.Read(), p.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, Summary{Person: p, Gifted: gf.Gifted, Own: id == a.PersonID})
	}
	return out, nil
}
