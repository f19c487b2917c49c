package access

import (
	"strings"

	"shkola/internal/identity"
	"shkola/internal/store"
)

// Scope is what a list may contain for an actor: rows in the subtrees of
// OrgRoots, or rows related to the actor by one of Rels. Domains turn it into
// SQL (OrgSQL), so lists are filtered in the database, never after fetching.
type Scope struct {
	All      bool           // a relationship "any" applies: no filter
	OrgRoots []int64        // organisations whose subtree is visible
	Rels     []Relationship // other relationships that may grant rows (self, guardian_of…)
}

// Empty reports whether nothing at all is visible.
func (s Scope) Empty() bool { return !s.All && len(s.OrgRoots) == 0 && len(s.Rels) == 0 }

// ListScope computes the scope of action on resource for the actor.
func (p *Policy) ListScope(a *identity.Actor, resource, action string) Scope {
	var s Scope
	seenRel := map[Relationship]bool{}
	for _, g := range roles(a) {
		for _, rel := range p.Matrix.Relationships(g.Role, resource, action) {
			switch rel {
			case Anyone:
				s.All = true
			case InScope:
				s.OrgRoots = append(s.OrgRoots, g.OrgID)
			default:
				if !seenRel[rel] {
					seenRel[rel] = true
					s.Rels = append(s.Rels, rel)
				}
			}
		}
	}
	return s
}

// OrgSQL returns a condition that holds when column (an organisation id) lies
// within one of the scope's subtrees, adding its arguments to args. With no
// roots it is a condition that never holds.
func (s Scope) OrgSQL(column string, args *store.Args) string {
	if len(s.OrgRoots) == 0 {
		return "(1 = 0)"
	}
	ph := make([]string, len(s.OrgRoots))
	for i, id := range s.OrgRoots {
		ph[i] = args.Add(id)
	}
	return "(EXISTS (SELECT 1 FROM org_tree st WHERE st.descendant_id = " + column + " AND st.ancestor_id IN (" + strings.Join(ph, ", ") + ")))"
}

// GrantsWithin reports whether the actor holds role with a scope covering org,
// answered from the grants already loaded (used when choosing grantable orgs).
func GrantsWithin(a *identity.Actor, role identity.Role) []int64 {
	var out []int64
	for _, g := range a.Grants {
		if g.Role == role {
			out = append(out, g.OrgID)
		}
	}
	return out
}
