package demo

import (
	"context"
	"fmt"
	"time"

	"shkola/internal/contingent"
	"shkola/internal/identity"
	"shkola/internal/natid"
	"shkola/internal/registry"
	"shkola/internal/store"
)

// family is one household: the parents (1 + their index in the school's
// batch, 0 for none) and where they live.
type family struct {
	mother, father int
	surname        Person
	address        string
	phone          string
}

// snils draws a SNILS no one generated so far holds (the registry refuses
// a second holder; pupils, parents and staff draw from the same set).
func (g *Gen) snils() string {
	for {
		s := natid.GenSNILS(g.R)
		if !g.usedSNILS[s] {
			g.usedSNILS[s] = true
			return s
		}
	}
}

// schoolPeople is one school's pupils and guardians, collected and then
// written in bulk (registry, guardian links, admissions) by flush. People
// are referred to by their index in persons until they have ids.
type schoolPeople struct {
	persons    []registry.NewPerson
	links      []pendingLink
	admissions []contingent.Admission // PersonID is the pupil's index
	births     []string               // of each admission's pupil
}

// pendingLink is a guardian link between two people of a schoolPeople.
type pendingLink struct {
	child, guardian int
	kind, since     string
}

// add validates a generated person and returns 1 + its index.
func (sp *schoolPeople) add(trusted registry.Trusted, n registry.NewPerson) (int, error) {
	if errs := trusted.Validate(&n); len(errs) > 0 {
		return 0, fmt.Errorf("generated person %s %s: %s %s", n.LastName, n.FirstName, errs[0].Field, errs[0].Message)
	}
	sp.persons = append(sp.persons, n)
	return len(sp.persons), nil
}

// flush writes the school's people and returns the pupils' ids in order.
func (sp *schoolPeople) flush(ctx context.Context, g *Gen, tx *store.Tx, trusted registry.Trusted) ([]int64, error) {
	if len(sp.persons) == 0 {
		return nil, nil
	}
	// The bulk paths name their author from the context: links and
	// movements are the system's, as the demo's one-by-one writes were.
	ctx = identity.With(ctx, &identity.Actor{Login: "system"})
	ids, err := trusted.InsertNew(ctx, tx, sp.persons)
	if err != nil {
		return nil, err
	}
	links := make([]registry.NewLink, len(sp.links))
	for i, l := range sp.links {
		links[i] = registry.NewLink{ChildID: ids[l.child], GuardianID: ids[l.guardian], OrgID: sp.persons[l.child].OrgID, Kind: l.kind, StartsOn: l.since}
	}
	if err := trusted.LinkNew(ctx, tx, links); err != nil {
		return nil, err
	}
	pupils := make([]int64, len(sp.admissions))
	for i := range sp.admissions {
		a := &sp.admissions[i]
		if fe := g.Contingent.CheckAdmission(*a, sp.births[i]); len(fe) > 0 {
			return nil, fmt.Errorf("generated admission of %s %s: %s %s", sp.persons[a.PersonID].LastName, sp.persons[a.PersonID].FirstName,
				fe[0].Field, fe[0].Message)
		}
		a.PersonID = ids[a.PersonID]
		pupils[i] = a.PersonID
	}
	if err := g.Contingent.AdmitNew(ctx, tx, sp.admissions); err != nil {
		return nil, err
	}
	g.Sum.Counts["enrolments"] += len(sp.admissions)
	*sp = schoolPeople{}
	return pupils, nil
}

// genPeople fills every class with pupils of the right age, each admitted
// on 1 September (or earlier for older pupils), with guardians: most have a
// mother and a father, some families have several children at the school,
// some children have parents in two households. A few pupils then left:
// moved to another school of the region (pending or arrived), left the
// region, or departed with no destination and are now "whereabouts unknown".
// A school's people go in in bulk (the registry's, the guardian links' and
// the contingent's bulk paths, each row with its change record).
// Skipped when the generator has no registry (a demo without keys).
func genPeople(ctx context.Context, g *Gen, tx *store.Tx) error {
	if g.People == nil || g.Contingent == nil {
		return nil
	}
	trusted := registry.Trusted{P: g.People}
	rows, err := tx.QueryContext(ctx, `SELECT g.id, g.org_id, g.parallel, g.capacity, g.name FROM groups g
		WHERE g.kind = 'class' AND g.status = 'active' ORDER BY g.org_id, g.parallel, g.letter`)
	if err != nil {
		return err
	}
	type class struct {
		id, org        int64
		parallel, capa int
		name           string
	}
	var all []class
	for rows.Next() {
		var c class
		if err := rows.Scan(&c.id, &c.org, &c.parallel, &c.capa, &c.name); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return err
		}
		all = append(all, c)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	streets := []string{"ул. Ленина", "ул. Гагарина", "ул. Мира", "ул. Садовая", "ул. Школьная", "пр. Победы", "ул. Молодёжная", "ул. Лесная"}
	var families []family
	var pupils []int64
	schoolOf := map[int64]int64{}
	var school int64
	var sp schoolPeople
	flush := func() error {
		ids, err := sp.flush(ctx, g, tx, trusted)
		for _, id := range ids {
			schoolOf[id] = school
		}
		pupils = append(pupils, ids...)
		return err
	}
	for _, c := range all {
		if c.org != school { // brothers and sisters are met within one school
			if err := flush(); err != nil {
				return err
			}
			school, families = c.org, families[:0]
		}
		n := c.capa - 4 + g.R.IntN(5)
		for range n {
			var fam family
			switch {
			case len(families) > 3 && g.R.IntN(100) < 12: // a brother or sister of a pupil met before
				fam = families[g.R.IntN(len(families))]
			default:
				fam = family{surname: g.Names.Person(true),
					address: fmt.Sprintf("%s, д. %d, кв. %d", streets[g.R.IntN(len(streets))], 1+g.R.IntN(80), 1+g.R.IntN(200)),
					phone:   fmt.Sprintf("+7 9%02d %03d-%02d-%02d", g.R.IntN(100), g.R.IntN(1000), g.R.IntN(100), g.R.IntN(100))}
			}
			male := g.R.IntN(2) == 0
			kid := g.Names.Person(male)
			// Born so that the pupil is 6-7 on 1 September of the first grade.
			born := time.Date(2018-(c.parallel-1), 9, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.R.IntN(365))
			kidAt, err := sp.add(trusted, registry.NewPerson{OrgID: c.org, LastName: Surname(fam.surname, male), FirstName: kid.First,
				MiddleName: kid.Middle, BirthDate: born.Format("2006-01-02"), Sex: sexOf(male), SNILS: g.snils(), FactAddress: fam.address,
				RegAddress: fam.address, HealthGroup: []string{"I", "II", "II", "II", "III"}[g.R.IntN(5)],
				Documents: []registry.NewDocument{{Kind: "birth_certificate_ru", Series: fmt.Sprintf("%s-МЮ", []string{"I", "II", "III", "IV", "V"}[g.R.IntN(5)]),
					Number: fmt.Sprintf("%06d", g.R.IntN(1000000)), IssuedOn: born.AddDate(0, 0, 10+g.R.IntN(30)).Format("2006-01-02")}}})
			if err != nil {
				return err
			}
			g.Sum.Counts["pupils"]++
			if fam.mother == 0 {
				mum := g.Names.Person(false)
				mumBorn := born.AddDate(-(22 + g.R.IntN(18)), 0, -g.R.IntN(300))
				if fam.mother, err = sp.add(trusted, registry.NewPerson{OrgID: c.org, LastName: Surname(fam.surname, false), FirstName: mum.First,
					MiddleName: mum.Middle, BirthDate: mumBorn.Format("2006-01-02"), Sex: "f", SNILS: g.snils(), Phone: fam.phone,
					FactAddress: fam.address, RegAddress: fam.address}); err != nil {
					return err
				}
				g.Sum.Counts["guardians"]++
				if g.R.IntN(100) < 80 {
					dad := g.Names.Person(true)
					addr := fam.address
					if g.R.IntN(100) < 15 { // parents living apart: the child has two households
						addr = fmt.Sprintf("%s, д. %d, кв. %d", streets[g.R.IntN(len(streets))], 1+g.R.IntN(80), 1+g.R.IntN(200))
					}
					if fam.father, err = sp.add(trusted, registry.NewPerson{OrgID: c.org, LastName: Surname(fam.surname, true), FirstName: dad.First,
						MiddleName: dad.Middle, BirthDate: mumBorn.AddDate(-g.R.IntN(6), 0, -g.R.IntN(300)).Format("2006-01-02"), Sex: "m",
						SNILS: g.snils(), FactAddress: addr, RegAddress: addr}); err != nil {
						return err
					}
					g.Sum.Counts["guardians"]++
				}
				families = append(families, fam)
			} else {
				g.Sum.Counts["siblings"]++
			}
			since := born.Format("2006-01-02")
			sp.links = append(sp.links, pendingLink{kidAt - 1, fam.mother - 1, "mother", since})
			if fam.father != 0 {
				sp.links = append(sp.links, pendingLink{kidAt - 1, fam.father - 1, "father", since})
			}
			admitted := demoYearStart
			if c.parallel > 1 && g.R.IntN(3) > 0 { // most older pupils came in first grade
				admitted = fmt.Sprintf("%d-09-01", 2026-(c.parallel-1))
			}
			sp.admissions = append(sp.admissions, contingent.Admission{PersonID: int64(kidAt - 1), OrgID: c.org, ClassID: c.id, Date: admitted,
				BasisNumber: fmt.Sprintf("%d-у", 1+g.R.IntN(300)), BasisDate: admitted})
			sp.births = append(sp.births, since)
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return departures(ctx, g, tx, pupils, schoolOf)
}

// departures: about 2% of pupils left this autumn: some to another school of
// the region (waiting for it to confirm), some out of the region, and some
// with no destination, long enough ago to be "whereabouts unknown".
func departures(ctx context.Context, g *Gen, tx *store.Tx, pupils []int64, schoolOf map[int64]int64) error {
	if len(g.Schools) < 2 {
		return nil
	}
	var rows []contingent.Departure
	for _, p := range pupils {
		if g.R.IntN(100) >= 2 {
			continue
		}
		day := time.Date(2026, 9, 10, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.R.IntN(60)).Format("2006-01-02")
		d := contingent.Departure{PersonID: p, Date: day, BasisNumber: fmt.Sprintf("%d-в", 1+g.R.IntN(300)), BasisDate: day,
			Reason: "заявление родителей"}
		switch g.R.IntN(3) {
		case 0:
			to := g.Schools[g.R.IntN(len(g.Schools))].ID
			if to == schoolOf[p] {
				continue
			}
			d.ToOrgID = to
			g.Sum.Counts["transfers pending"]++
		case 1:
			d.Place = "другой регион"
			g.Sum.Counts["left the region"]++
		default:
			g.Sum.Counts["departed, destination unknown"]++
		}
		rows = append(rows, d)
	}
	return g.Contingent.DepartBulk(ctx, tx, rows)
}

func sexOf(male bool) string {
	if male {
		return "m"
	}
	return "f"
}
