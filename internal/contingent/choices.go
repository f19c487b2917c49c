package contingent

import (
	"context"

	"shkola/internal/access"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Choices for the forms of the UI: which organisations and classes a
// movement may name.

const maxChoices = 1000

func queryRefs(ctx context.Context, q store.Querier, query string, args ...any) ([]Ref, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Ref{}
	for rows.Next() {
		var r Ref
		if err := rows.Scan(&r.ID, &r.Name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

const educationalKinds = "('school', 'preschool', 'out_of_school', 'college')"

// AdmittingOrgs lists the active organisations the actor may admit pupils to.
func (g *Guard) AdmittingOrgs(ctx context.Context) ([]Ref, error) {
	sc := g.Policy.ListScope(identity.From(ctx), Resource, "create")
	if sc.Empty() {
		return []Ref{}, nil
	}
	var args store.Args
	where := "(1 = 1)"
	if !sc.All {
		where = sc.OrgSQL("o.id", &args)
	}
	return queryRefs(ctx, g.S.DB.Read(), "SELECT o.id, o.name FROM organisations o WHERE o.kind IN "+educationalKinds+
		" AND o.status = 'active' AND "+where+" ORDER BY o.name, o.id LIMIT "+args.Add(maxChoices), args.Values...)
}

// Destinations lists the organisations of the region of orgID a pupil may
// depart to (the directory of organisations is public).
func (g *Guard) Destinations(ctx context.Context, orgID int64) ([]Ref, error) {
	if !identity.From(ctx).Authenticated() {
		return nil, errs.E(errs.Unauthorized, "log in first")
	}
	return queryRefs(ctx, g.S.DB.Read(), `SELECT o.id, o.name FROM organisations o
		JOIN org_tree t ON t.descendant_id = o.id JOIN organisations r ON r.id = t.ancestor_id AND r.kind = 'region'
		WHERE o.kind IN `+educationalKinds+` AND o.status = 'active' AND o.id <> $1
		AND r.id IN (SELECT ancestor_id FROM org_tree WHERE descendant_id = $1)
		ORDER BY o.name, o.id LIMIT $2`, orgID, maxChoices)
}

// Classes lists the active classes of an organisation where the actor may
// record movements or accept transfers.
func (g *Guard) Classes(ctx context.Context, orgID int64) ([]Ref, error) {
	a := identity.From(ctx)
	ok, err := g.Policy.Allowed(ctx, a, TransferResource, "accept", orgTarget(orgID))
	if err != nil {
		return nil, err
	}
	if !ok {
		if err := g.Policy.Check(ctx, a, Resource, "create", orgTarget(orgID)); err != nil {
			return nil, err
		}
	}
	return queryRefs(ctx, g.S.DB.Read(), `SELECT id, name FROM groups WHERE org_id = $1 AND kind = 'class' AND status = 'active'
		ORDER BY parallel, name, id LIMIT $2`, orgID, maxChoices)
}

// May reports whether the actor may do action on resource at orgID, for
// showing or hiding a form (the call itself is checked again).
func (g *Guard) May(ctx context.Context, resource, action string, orgID int64) bool {
	ok, err := g.Policy.Allowed(ctx, identity.From(ctx), resource, action, orgTarget(orgID))
	return err == nil && ok
}

// MayMove reports whether the actor may record movements of a pupil.
func (g *Guard) MayMove(ctx context.Context, personID int64) bool {
	_, orgID, err := personRef(ctx, g.S.DB.Read(), personID)
	if err != nil {
		return false
	}
	ok, err := g.Policy.Allowed(ctx, identity.From(ctx), Resource, "create", access.Target{OrgIDs: []int64{orgID}, PersonID: personID})
	return err == nil && ok
}

// Office is an organisation of the actor's grants with what the actor may
// see of its contingent there.
type Office struct {
	Ref
	Transfers, Register, Whereabouts bool
}

// Offices lists the organisations of the actor's grants where it may see
// transfers, the movements register or the whereabouts list.
func (g *Guard) Offices(ctx context.Context) ([]Office, error) {
	a := identity.From(ctx)
	seen := map[int64]bool{}
	out := []Office{}
	for _, gr := range a.Grants {
		if seen[gr.OrgID] {
			continue
		}
		seen[gr.OrgID] = true
		o := Office{Transfers: g.May(ctx, TransferResource, "read", gr.OrgID), Register: g.May(ctx, Resource, "list", gr.OrgID),
			Whereabouts: g.May(ctx, WhereaboutsResource, "list", gr.OrgID)}
		if !o.Transfers && !o.Register && !o.Whereabouts {
			continue
		}
		row, ok, err := loadOrg(ctx, g.S.DB.Read(), gr.OrgID)
		if err != nil {
			return nil, err
		}
		if ok {
			o.Ref = Ref{ID: row.ID, Name: row.Name}
			out = append(out, o)
		}
	}
	return out, nil
}

// OrgRef names an organisation (the directory is public); pages about an
// organisation's contingent check access on the calls that follow.
func (g *Guard) OrgRef(ctx context.Context, id int64) (Ref, error) {
	o, ok, err := loadOrg(ctx, g.S.DB.Read(), id)
	if err == nil && !ok {
		err = errs.E(errs.NotFound, "not found")
	}
	return Ref{ID: o.ID, Name: o.Name}, err
}

// Today is the service's current date, for the forms' defaults.
func (g *Guard) Today() string { return g.S.today().Format(dateLayout) }

// Latest is the last date a movement may bear (it has begun somewhere),
// for the forms' date limits.
func (g *Guard) Latest() string { return g.S.latestDate() }
