package importer

import (
	"context"
	"hash/fnv"
	"strconv"

	"shkola/internal/classes"
	"shkola/internal/contingent"
	"shkola/internal/errs"
	"shkola/internal/registry"
	"shkola/internal/store"
)

// pupilsJob imports pupils with up to two guardians each, admitting every
// pupil to a class of the organisation's current year.
type pupilsJob struct {
	s       *Service
	org     int64
	classes map[string]classes.Group
	year    string
	orgErr  error
	// seen holds a hash of each pupil's key (SNILS, else name key and birth
	// date) with its row: the same pupil twice in a file is an error. It is
	// the only state that grows with the file: 8+4 bytes a row.
	seen map[uint64]int32
	// planned counts the admissions planned per class so far in this pass.
	planned map[int64]int
}

func (s *Service) pupils(ctx context.Context, q store.Querier, orgID int64) (*pupilsJob, error) {
	cl, year, err := classes.CurrentClasses(ctx, q, orgID)
	if err != nil {
		return nil, err
	}
	return &pupilsJob{s: s, org: orgID, classes: cl, year: year, orgErr: contingent.CheckOrg(ctx, q, orgID),
		seen: map[uint64]int32{}, planned: map[int64]int{}}, nil
}

// docFields names the columns of the birth certificate.
var docFields = map[string]string{"documents[0].kind": "birth_cert_series", "documents[0].series": "birth_cert_series",
	"documents[0].number": "birth_cert_number", "documents[0].issued_on": "birth_cert_issued_on", "documents[0].issuer": "birth_cert_number",
	"documents[0].issue_place": "birth_cert_number", "org_id": "class"}

// admissionFields names the columns of an admission's fields.
var admissionFields = map[string]string{"date": "admission_date", "kind": "class", "class_id": "class", "org_id": "class"}

type guardianPlan struct {
	prefix string
	kind   string
	n      registry.NewPerson
	match  *registry.Match
	id     int64
	link   bool // a link is to be written
}

type pupilPlan struct {
	line     int
	bad      []CellError
	n        registry.NewPerson
	class    classes.Group
	adm      contingent.Admission
	g        []*guardianPlan
	match    *registry.Match
	admit    bool // an admission is to be written
	slowPath bool // admitted one by one through the rules (the pupil has a history)
}

func (p *pupilPlan) fail(ce ...CellError) { p.bad = append(p.bad, ce...) }

// personFrom reads the person columns with a prefix.
func personFrom(r row, prefix string, orgID int64) registry.NewPerson {
	return registry.NewPerson{OrgID: orgID, LastName: r.get(prefix + "last_name"), FirstName: r.get(prefix + "first_name"),
		MiddleName: r.get(prefix + "middle_name"), BirthDate: r.get(prefix + "birth_date"), Sex: r.get(prefix + "sex"),
		Citizenship: r.get(prefix + "citizenship"), SNILS: r.get(prefix + "snils"), Phone: r.get(prefix + "phone"), Email: r.get(prefix + "email"),
		RegAddress: r.get("reg_address"), FactAddress: r.get("fact_address")}
}

func personKey(n *registry.NewPerson) string {
	if n.SNILS != "" {
		return "s:" + n.SNILS
	}
	return "n:" + registry.NameKey(n.LastName, n.FirstName) + "|" + n.BirthDate
}

func hashKey(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s)) // a hash.Hash never returns an error from Write
	return h.Sum64()
}

// matchErrors refuses a match that is not the same person: someone else's
// SNILS, a namesake registered with another SNILS, several namesakes.
func matchErrors(line int, prefix string, n *registry.NewPerson, m *registry.Match) []CellError {
	if m == nil {
		return nil
	}
	ref := "/api/v1/persons/" + strconv.FormatInt(m.ID, 10)
	switch {
	case m.BySNILS && !m.SameName(n):
		return []CellError{{line, prefix + "snils", "unique", "a person with this snils is already registered as " + ref + " under another name or birth date"}}
	case !m.BySNILS && m.Ambiguous > 1:
		return []CellError{{line, prefix + "last_name", "ambiguous", strconv.Itoa(m.Ambiguous) + " people are registered with this name and birth date; give the snils"}}
	}
	return nil
}

func (j *pupilsJob) parse(r row) *pupilPlan {
	p := &pupilPlan{line: r.line, n: personFrom(r, "", j.org)}
	if r.any("birth_cert_series", "birth_cert_number", "birth_cert_issued_on") {
		p.n.Documents = []registry.NewDocument{{Kind: "birth_certificate_ru", Series: r.get("birth_cert_series"), Number: r.get("birth_cert_number"),
			IssuedOn: r.get("birth_cert_issued_on")}}
	}
	trusted := registry.Trusted{P: j.s.People}
	p.fail(cellErrors(r.line, trusted.Validate(&p.n), "", docFields)...)
	name := r.get("class")
	switch g, ok := j.classes[name]; {
	case name == "":
		p.fail(CellError{r.line, "class", "required", "the class the pupil is admitted to, e.g. 5А"})
	case j.year == "":
		p.fail(CellError{r.line, "class", "exists", "the organisation has no current academic year"})
	case !ok:
		p.fail(CellError{r.line, "class", "exists", "no class " + name + " in the academic year " + j.year})
	default:
		p.class = g
	}
	if j.orgErr != nil {
		p.fail(errorCells(r.line, j.orgErr, "", admissionFields, "class")...)
	}
	p.adm = contingent.Admission{OrgID: j.org, ClassID: p.class.ID, Date: r.get("admission_date"), FormOfStudy: r.get("form_of_study"),
		BasisNumber: r.get("basis_number"), BasisDate: r.get("basis_date")}
	p.fail(cellErrors(r.line, j.s.Contingent.CheckAdmission(p.adm, p.n.BirthDate), "", admissionFields)...)
	for _, n := range []string{"1", "2"} {
		prefix := "guardian" + n + "_"
		cols := []string{prefix + "kind"}
		for _, c := range person(prefix, false) {
			cols = append(cols, c.Name)
		}
		if !r.any(cols...) {
			continue
		}
		g := &guardianPlan{prefix: prefix, kind: r.get(prefix + "kind"), n: personFrom(r, prefix, j.org)}
		g.n.RegAddress, g.n.FactAddress = "", ""
		p.fail(cellErrors(r.line, trusted.Validate(&g.n), prefix, nil)...)
		if g.kind == "" {
			p.fail(CellError{r.line, prefix + "kind", "required", "mother or father"})
		}
		p.g = append(p.g, g)
	}
	return p
}

func (j *pupilsJob) chunk(ctx context.Context, q store.Querier, tx *store.Tx, rows []row) ([]outcome, error) {
	plans := make([]*pupilPlan, len(rows))
	var people []*registry.NewPerson
	for i, r := range rows {
		p := j.parse(r)
		plans[i] = p
		if len(p.bad) > 0 {
			continue
		}
		k := hashKey(personKey(&p.n))
		if first, ok := j.seen[k]; ok {
			p.fail(CellError{r.line, "last_name", "duplicate_row", "the same pupil as row " + strconv.Itoa(int(first))})
			continue
		}
		j.seen[k] = int32(r.line) // #nosec G115 -- a line number of an upload capped by the body limit, far below 2^31 lines
		people = append(people, &p.n)
		for _, g := range p.g {
			people = append(people, &g.n)
		}
	}
	matches, err := registry.Trusted{P: j.s.People}.FindExisting(ctx, q, people)
	if err != nil {
		return nil, err
	}
	k := 0
	var existing []int64
	for _, p := range plans {
		if len(p.bad) > 0 {
			continue
		}
		p.match = matches[k]
		k++
		p.fail(matchErrors(p.line, "", &p.n, p.match)...)
		for _, g := range p.g {
			g.match = matches[k]
			k++
			p.fail(matchErrors(p.line, g.prefix, &g.n, g.match)...)
		}
		if len(p.bad) == 0 && p.match != nil {
			existing = append(existing, p.match.ID)
		}
	}
	states, err := contingent.States(ctx, q, existing)
	if err != nil {
		return nil, err
	}
	links, err := registry.Trusted{P: j.s.People}.CurrentLinks(ctx, q, existing)
	if err != nil {
		return nil, err
	}
	current := map[[2]int64]string{} // child, guardian -> kind
	parent := map[int64]map[string]int64{}
	for _, l := range links {
		current[[2]int64{l.ChildID, l.GuardianID}] = l.Kind
		if parent[l.ChildID] == nil {
			parent[l.ChildID] = map[string]int64{}
		}
		parent[l.ChildID][l.Kind] = l.GuardianID
	}
	for _, p := range plans {
		if len(p.bad) > 0 {
			continue
		}
		j.plan(p, states, current, parent)
	}
	if err := j.capacity(ctx, q, plans); err != nil {
		return nil, err
	}
	if tx != nil {
		if err := j.write(ctx, tx, plans); err != nil {
			return nil, err
		}
	}
	out := make([]outcome, len(plans))
	for i, p := range plans {
		out[i] = outcome{line: p.line, errs: p.bad, created: p.match == nil || p.admit}
		for _, g := range p.g {
			out[i].created = out[i].created || g.match == nil || g.link
		}
	}
	return out, nil
}

// plan decides what a valid row writes: the admission unless the pupil is
// enrolled here already, each guardian link unless it exists.
func (j *pupilsJob) plan(p *pupilPlan, states map[int64]contingent.State, current map[[2]int64]string, parent map[int64]map[string]int64) {
	child := registry.LinkFacts{BirthDate: p.n.BirthDate, Sex: p.n.Sex}
	if p.match != nil {
		child = registry.LinkFacts{ID: p.match.ID, BirthDate: p.match.BirthDate, Sex: p.match.Sex}
		st := states[p.match.ID]
		switch {
		case st.EnrolledAt == j.org:
			// Enrolled here already: left as it is, whatever the class.
		case st.EnrolledAt != 0:
			p.fail(errorCells(p.line, contingent.EnrolledElsewhere(st), "", admissionFields, "class")...)
			return
		default:
			p.admit = true
			p.slowPath = st.History || p.match.OrgID != j.org
		}
	} else {
		p.admit = true
	}
	kinds := map[string]bool{}
	for _, g := range p.g {
		gf := registry.LinkFacts{BirthDate: g.n.BirthDate, Sex: g.n.Sex}
		if g.match != nil {
			gf = registry.LinkFacts{ID: g.match.ID, BirthDate: g.match.BirthDate, Sex: g.match.Sex}
		}
		p.fail(cellErrors(p.line, registry.CheckLink(g.kind, gf, child, false), g.prefix, map[string]string{"guardian_id": g.prefix + "birth_date"})...)
		if kinds[g.kind] && (g.kind == "mother" || g.kind == "father") {
			p.fail(CellError{p.line, g.prefix + "kind", "one", "the child has one current " + g.kind})
		}
		kinds[g.kind] = true
		g.link = true
		if p.match != nil && g.match != nil {
			if _, ok := current[[2]int64{p.match.ID, g.match.ID}]; ok {
				g.link = false
				continue
			}
		}
		if p.match != nil {
			if other, ok := parent[p.match.ID][g.kind]; ok && (g.kind == "mother" || g.kind == "father") {
				p.fail(CellError{p.line, g.prefix + "kind", "one", "the child already has a current link of this kind (person " + strconv.FormatInt(other, 10) + "); end it first"})
			}
		}
	}
}

// capacity checks the places of each class for the admissions of the
// chunk, after those planned by earlier chunks, with the contingent's rule.
func (j *pupilsJob) capacity(ctx context.Context, q store.Querier, plans []*pupilPlan) error {
	per := map[int64][]*pupilPlan{}
	var order []int64
	for _, p := range plans {
		if len(p.bad) == 0 && p.admit {
			if per[p.class.ID] == nil {
				order = append(order, p.class.ID)
			}
			per[p.class.ID] = append(per[p.class.ID], p)
		}
	}
	for _, id := range order {
		ps := per[id]
		before := j.planned[id]
		err := contingent.CheckClass(ctx, q, id, j.org, before+len(ps)-1)
		if err == nil {
			j.planned[id] += len(ps)
			continue
		}
		if errs.CodeOf(err) == errs.Internal {
			return err
		}
		// Some rows do not fit: find the first that does not.
		for i, p := range ps {
			err := contingent.CheckClass(ctx, q, id, j.org, before+i)
			if errs.CodeOf(err) == errs.Internal {
				return err
			}
			if err != nil {
				for _, rest := range ps[i:] {
					rest.fail(errorCells(rest.line, err, "", admissionFields, "class")...)
				}
				break
			}
			j.planned[id]++
			_ = p
		}
	}
	return nil
}

// write writes the valid rows of a chunk: new people (guardians named in
// several rows once), guardian links, admissions.
func (j *pupilsJob) write(ctx context.Context, tx *store.Tx, plans []*pupilPlan) error {
	trusted := registry.Trusted{P: j.s.People}
	var fresh []registry.NewPerson
	var sinks []*int64
	byKey := map[string]int{}
	var guardianSinks []struct {
		g   *guardianPlan
		idx int
	}
	pupilIDs := make([]int64, len(plans))
	for i, p := range plans {
		if len(p.bad) > 0 {
			continue
		}
		if p.match == nil {
			fresh = append(fresh, p.n)
			sinks = append(sinks, &pupilIDs[i])
		} else {
			pupilIDs[i] = p.match.ID
		}
		for _, g := range p.g {
			if g.match != nil {
				g.id = g.match.ID
				continue
			}
			key := personKey(&g.n)
			idx, ok := byKey[key]
			if !ok {
				idx = len(fresh)
				byKey[key] = idx
				fresh = append(fresh, g.n)
				sinks = append(sinks, nil)
			}
			guardianSinks = append(guardianSinks, struct {
				g   *guardianPlan
				idx int
			}{g, idx})
		}
	}
	ids, err := trusted.InsertNew(ctx, tx, fresh)
	if err != nil {
		return err
	}
	for i, sink := range sinks {
		if sink != nil {
			*sink = ids[i]
		}
	}
	for _, gs := range guardianSinks {
		gs.g.id = ids[gs.idx]
	}
	var links []registry.NewLink
	var fast []contingent.Admission
	var slow []contingent.Admission
	for i, p := range plans {
		if len(p.bad) > 0 {
			continue
		}
		for _, g := range p.g {
			if g.link {
				links = append(links, registry.NewLink{ChildID: pupilIDs[i], GuardianID: g.id, OrgID: j.org, Kind: g.kind, StartsOn: p.n.BirthDate})
			}
		}
		if p.admit {
			a := p.adm
			a.PersonID = pupilIDs[i]
			if p.slowPath {
				slow = append(slow, a)
			} else {
				fast = append(fast, a)
			}
		}
	}
	if len(links) > 0 {
		if err := trusted.LinkNew(ctx, tx, links); err != nil {
			return err
		}
	}
	if err := j.s.Contingent.AdmitNew(ctx, tx, fast); err != nil {
		return err
	}
	return j.s.Contingent.AdmitBulk(ctx, tx, slow)
}
