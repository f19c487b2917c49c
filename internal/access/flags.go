package access

import (
	"strconv"

	"shkola/internal/identity"
	"shkola/internal/store"
)

// Columns names the SQL expressions that hold an object's ids in a
// domain's query ("" where the object has none), for Policy.Flags.
type Columns struct {
	Org    string // the one organisation of the target's OrgIDs (scope)
	Class  string // the class (teaches, class_teacher_of)
	Lesson string // the dated lesson (takes_lesson)
}

// ObjectSQLFunc returns a condition that holds when a relationship holds
// between the actor and the object whose ids c names, adding its
// arguments to args: the SQL form of a RelationFunc for a Target with
// ClassID or LessonID. It returns "" when c lacks the ids it needs (the
// policy then asks the RelationFunc). The owning domain provides it
// (RelateObject); its own table aliases must not clash with the caller's.
type ObjectSQLFunc func(a *identity.Actor, c Columns, args *store.Args) string

// RelateObject registers the SQL form of rel for one object.
func (p *Policy) RelateObject(rel Relationship, f ObjectSQLFunc) {
	p.objectSQL[rel] = f
}

// Flags are the relationship questions about one object that a domain
// answers as columns of the query that reads the object, so deciding
// costs no query of its own (the diary does the same for a person with
// KnownSQL). They hold, for each relationship with an SQL form through
// which one of the actor's grants may do one of the actions, whether it
// holds, and for scope, whether the object lies in each such grant's
// organisation subtree. Relationships without an SQL form are left to the
// policy to ask.
type Flags struct {
	list  []flag
	asked map[Relationship]bool
}

type flag struct {
	rel  Relationship
	org  int64 // scope: the grant's organisation
	cond string
	val  int64
}

// Flags builds the questions for the actor doing any of actions on
// resource, on the object whose ids c names.
func (p *Policy) Flags(a *identity.Actor, resource string, actions []string, c Columns, args *store.Args) *Flags {
	f := &Flags{asked: map[Relationship]bool{}}
	seenRel := map[Relationship]bool{}
	seenOrg := map[int64]bool{}
	for _, g := range roles(a) {
		for _, action := range actions {
			for _, rel := range p.Matrix.Relationships(g.Role, resource, action) {
				f.asked[rel] = true
				switch {
				case rel == InScope:
					if c.Org == "" || seenOrg[g.OrgID] {
						continue
					}
					seenOrg[g.OrgID] = true
					f.list = append(f.list, flag{rel: rel, org: g.OrgID,
						cond: "EXISTS (SELECT 1 FROM org_tree flag_ot WHERE flag_ot.ancestor_id = " + args.Add(g.OrgID) +
							" AND flag_ot.descendant_id = " + c.Org + ")"})
				case !seenRel[rel] && a.PersonID != 0:
					sqlf, ok := p.objectSQL[rel]
					if !ok {
						continue
					}
					seenRel[rel] = true
					if cond := sqlf(a, c, args); cond != "" {
						f.list = append(f.list, flag{rel: rel, cond: cond})
					}
				}
			}
		}
	}
	return f
}

// Asks reports whether one of the actor's grants may do one of the actions
// through rel, that is whether the decision may turn on it (a domain adds
// its own condition on such a relationship to the same query).
func (f *Flags) Asks(rel Relationship) bool { return f.asked[rel] }

// Select returns the flags as select-list items, each 1 or 0, every one
// preceded by ", " so it follows the caller's own columns.
func (f *Flags) Select() string {
	s := ""
	for i, fl := range f.list {
		s += ", CASE WHEN " + fl.cond + " THEN 1 ELSE 0 END AS access_" + strconv.Itoa(i)
	}
	return s
}

// Dest returns the scan destinations of Select's columns, in order.
func (f *Flags) Dest() []any {
	out := make([]any, len(f.list))
	for i := range f.list {
		out[i] = &f.list[i].val
	}
	return out
}

// Apply hands the scanned answers to t: Known for relationships,
// InScopeOf for grant organisations. It replaces what t knew.
func (f *Flags) Apply(t *Target) {
	t.Known, t.InScopeOf = nil, nil
	for _, fl := range f.list {
		if fl.rel == InScope {
			if t.InScopeOf == nil {
				t.InScopeOf = map[int64]bool{}
			}
			t.InScopeOf[fl.org] = fl.val == 1
			continue
		}
		if t.Known == nil {
			t.Known = map[Relationship]bool{}
		}
		t.Known[fl.rel] = fl.val == 1
	}
}
