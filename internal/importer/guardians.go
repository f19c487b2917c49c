package importer

import (
	"context"
	"strings"

	"shkola/internal/registry"
	"shkola/internal/store"
)

// guardiansJob links guardians (found or created) to pupils registered in
// the organisation, found by SNILS or by name and birth date.
type guardiansJob struct {
	s   *Service
	org int64
}

type guardianRow struct {
	line  int
	bad   []CellError
	child registry.NewPerson // only the fields that find the child
	g     guardianPlan
	cm    *registry.Match
}

func (j *guardiansJob) chunk(ctx context.Context, q store.Querier, tx *store.Tx, rows []row) ([]outcome, error) {
	trusted := registry.Trusted{P: j.s.People}
	plans := make([]*guardianRow, len(rows))
	var children, guardians []*registry.NewPerson
	for i, r := range rows {
		p := &guardianRow{line: r.line, g: guardianPlan{kind: r.get("kind"), n: personFrom(r, "", j.org)}}
		plans[i] = p
		p.child = registry.NewPerson{SNILS: r.get("child_snils"), LastName: r.get("child_last_name"), FirstName: r.get("child_first_name"), BirthDate: r.get("child_birth_date")}
		if p.child.SNILS == "" && (p.child.LastName == "" || p.child.FirstName == "" || p.child.BirthDate == "") {
			p.bad = append(p.bad, CellError{r.line, "child_snils", "required", "the pupil's snils, or child_last_name, child_first_name and child_birth_date"})
		}
		p.bad = append(p.bad, cellErrors(r.line, trusted.Validate(&p.g.n), "", nil)...)
		if len(p.bad) == 0 {
			children = append(children, &p.child)
			guardians = append(guardians, &p.g.n)
		}
	}
	cms, err := trusted.FindExisting(ctx, q, children)
	if err != nil {
		return nil, err
	}
	gms, err := trusted.FindExisting(ctx, q, guardians)
	if err != nil {
		return nil, err
	}
	var found []int64
	k := 0
	for _, p := range plans {
		if len(p.bad) > 0 {
			continue
		}
		p.cm, p.g.match = cms[k], gms[k]
		k++
		if p.cm != nil {
			found = append(found, p.cm.OrgID)
		}
	}
	within, err := orgsWithin(ctx, q, j.org, found)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, p := range plans {
		if len(p.bad) > 0 {
			continue
		}
		switch {
		case p.cm == nil || !within[p.cm.OrgID] || (p.child.SNILS == "" && p.cm.Ambiguous > 1):
			col := "child_snils"
			if p.child.SNILS == "" {
				col = "child_last_name"
			}
			p.bad = append(p.bad, CellError{p.line, col, "exists", "no pupil of the organisation with this snils, or this name and birth date"})
			continue
		}
		p.bad = append(p.bad, matchErrors(p.line, "", &p.g.n, p.g.match)...)
		if len(p.bad) == 0 {
			ids = append(ids, p.cm.ID)
		}
	}
	links, err := trusted.CurrentLinks(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	current := map[[2]int64]bool{}
	parent := map[[2]int64]bool{} // child, kind of parent held by someone
	kindOf := map[string]int64{"mother": 1, "father": 2}
	for _, l := range links {
		current[[2]int64{l.ChildID, l.GuardianID}] = true
		parent[[2]int64{l.ChildID, kindOf[l.Kind]}] = true
	}
	seenKind := map[[2]int64]bool{}
	for _, p := range plans {
		if len(p.bad) > 0 {
			continue
		}
		gf := registry.LinkFacts{BirthDate: p.g.n.BirthDate, Sex: p.g.n.Sex}
		if p.g.match != nil {
			gf = registry.LinkFacts{ID: p.g.match.ID, BirthDate: p.g.match.BirthDate, Sex: p.g.match.Sex}
		}
		child := registry.LinkFacts{ID: p.cm.ID, BirthDate: p.cm.BirthDate, Sex: p.cm.Sex}
		p.bad = append(p.bad, cellErrors(p.line, registry.CheckLink(p.g.kind, gf, child, false), "", map[string]string{"guardian_id": "birth_date"})...)
		if len(p.bad) > 0 {
			continue
		}
		if p.g.match != nil && current[[2]int64{p.cm.ID, p.g.match.ID}] {
			continue
		}
		pk := [2]int64{p.cm.ID, kindOf[p.g.kind]}
		if parent[pk] || seenKind[pk] {
			p.bad = append(p.bad, CellError{p.line, "kind", "one", "the child already has a current " + p.g.kind + "; end that link first"})
			continue
		}
		seenKind[pk] = true
		p.g.link = true
	}
	if tx != nil {
		if err := j.write(ctx, tx, plans); err != nil {
			return nil, err
		}
	}
	out := make([]outcome, len(plans))
	for i, p := range plans {
		out[i] = outcome{line: p.line, errs: p.bad, created: p.g.link}
	}
	return out, nil
}

func (j *guardiansJob) write(ctx context.Context, tx *store.Tx, plans []*guardianRow) error {
	trusted := registry.Trusted{P: j.s.People}
	var fresh []registry.NewPerson
	byKey := map[string]int{}
	var waiting []*guardianRow
	for _, p := range plans {
		if len(p.bad) > 0 || !p.g.link {
			continue
		}
		if p.g.match != nil {
			p.g.id = p.g.match.ID
			continue
		}
		key := personKey(&p.g.n)
		if _, ok := byKey[key]; !ok {
			byKey[key] = len(fresh)
			fresh = append(fresh, p.g.n)
		}
		waiting = append(waiting, p)
	}
	ids, err := trusted.InsertNew(ctx, tx, fresh)
	if err != nil {
		return err
	}
	for _, p := range waiting {
		p.g.id = ids[byKey[personKey(&p.g.n)]]
	}
	var links []registry.NewLink
	for _, p := range plans {
		if len(p.bad) == 0 && p.g.link {
			links = append(links, registry.NewLink{ChildID: p.cm.ID, GuardianID: p.g.id, OrgID: p.cm.OrgID, Kind: p.g.kind, StartsOn: p.cm.BirthDate})
		}
	}
	if len(links) == 0 {
		return nil
	}
	return trusted.LinkNew(ctx, tx, links)
}

// orgsWithin reports which of the organisations lie in org's subtree.
func orgsWithin(ctx context.Context, q store.Querier, org int64, ids []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	var args store.Args
	root := args.Add(org)
	marks := make([]string, len(ids))
	for i, id := range ids {
		marks[i] = args.Add(id)
	}
	rows, err := q.QueryContext(ctx, "SELECT descendant_id FROM org_tree WHERE ancestor_id = "+root+" AND descendant_id IN ("+strings.Join(marks, ",")+")", args.Values...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}
