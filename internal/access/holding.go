package access

import (
	"context"

	"shkola/internal/errs"
	"shkola/internal/identity"
)

// Holding lists the relationships through which the actor's grants allow
// action on resource for t, each once. A domain uses it to add a condition
// the matrix cannot state to one of them: the journal lets "teaches" write
// only in the subject of the teacher's assignment, while a school
// administrator's "scope" needs no subject.
func (p *Policy) Holding(ctx context.Context, a *identity.Actor, resource, action string, t Target) ([]Relationship, error) {
	var out []Relationship
	seen := map[Relationship]bool{}
	for _, g := range roles(a) {
		for _, rel := range p.Matrix.Relationships(g.Role, resource, action) {
			if seen[rel] {
				continue
			}
			if known, ok := t.Known[rel]; ok {
				if known {
					seen[rel] = true
					out = append(out, rel)
				}
				continue
			}
			f, ok := p.relations[rel]
			if !ok {
				continue
			}
			ok, err := f(ctx, p.DB.Read(), a, g, t)
			if err != nil {
				return nil, err
			}
			if ok {
				seen[rel] = true
				out = append(out, rel)
			}
		}
	}
	return out, nil
}

// Deny records a denial decided by a domain's own condition (after
// Holding) and answers as Check would: not found when the actor may not
// read the object either, forbidden when it may.
func (p *Policy) Deny(ctx context.Context, a *identity.Actor, resource, action string, t Target, mayRead bool) error {
	if p.OnDeny != nil {
		p.OnDeny(ctx, resource, action, t)
	}
	return denial(a, resource, action, mayRead)
}

func denial(a *identity.Actor, resource, action string, mayRead bool) error {
	switch {
	case !a.Authenticated():
		return errs.E(errs.Unauthorized, "log in first")
	case mayRead && action != "read":
		return errs.E(errs.Forbidden, "you may not %s this %s", action, resource)
	}
	return errs.E(errs.NotFound, "not found")
}
