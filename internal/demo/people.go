package demo

import (
	"context"
	"fmt"
	"time"

	"shkola/internal/contingent"
	"shkola/internal/natid"
	"shkola/internal/registry"
	"shkola/internal/store"
)

// family is one household: the parents and where they live.
type family struct {
	mother, father int64
	surname        Person
	address        string
	phone          string
}

// genPeople fills every class with pupils of the right age, each admitted
// on 1 September (or earlier for older pupils), with guardians: most have a
// mother and a father, some families have several children at the school,
// some children have parents in two households. A few pupils then left:
// moved to another school of the region (pending or arrived), left the
// region, or departed with no destination and are now "whereabouts unknown".
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
	usedSNILS := map[string]bool{}
	snils := func() string {
		for {
			s := natid.GenSNILS(g.R)
			if !usedSNILS[s] {
				usedSNILS[s] = true
				return s
			}
		}
	}
	insert := func(n registry.NewPerson) (int64, error) {
		if errs := trusted.Validate(&n); len(errs) > 0 {
			return 0, fmt.Errorf("generated person %s %s: %s %s", n.LastName, n.FirstName, errs[0].Field, errs[0].Message)
		}
		return trusted.Insert(ctx, tx, n)
	}
	streets := []string{"ул. Ленина", "ул. Гагарина", "ул. Мира", "ул. Садовая", "ул. Школьная", "пр. Победы", "ул. Молодёжная", "ул. Лесная"}
	var families []family
	var admissions []contingent.Admission
	var pupils []int64
	schoolOf := map[int64]int64{}
	var school int64
	for _, c := range all {
		if c.org != school { // brothers and sisters are met within one school
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
			kidID, err := insert(registry.NewPerson{OrgID: c.org, LastName: Surname(fam.surname, male), FirstName: kid.First,
				MiddleName: kid.Middle, BirthDate: born.Format("2006-01-02"), Sex: sexOf(male), SNILS: snils(), FactAddress: fam.address,
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
				if fam.mother, err = insert(registry.NewPerson{OrgID: c.org, LastName: Surname(fam.surname, false), FirstName: mum.First,
					MiddleName: mum.Middle, BirthDate: mumBorn.Format("2006-01-02"), Sex: "f", SNILS: snils(), Phone: fam.phone,
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
					if fam.father, err = insert(registry.NewPerson{OrgID: c.org, LastName: Surname(fam.surname, true), FirstName: dad.First,
						MiddleName: dad.Middle, BirthDate: mumBorn.AddDate(-g.R.IntN(6), 0, -g.R.IntN(300)).Format("2006-01-02"), Sex: "m",
						SNILS: snils(), FactAddress: addr, RegAddress: addr}); err != nil {
						return err
					}
					g.Sum.Counts["guardians"]++
				}
				families = append(families, fam)
			} else {
				g.Sum.Counts["siblings"]++
			}
			if err := trusted.Link(ctx, tx, kidID, fam.mother, "mother", born.Format("2006-01-02")); err != nil {
				return err
			}
			if fam.father != 0 {
				if err := trusted.Link(ctx, tx, kidID, fam.father, "father", born.Format("2006-01-02")); err != nil {
					return err
				}
			}
			admitted := demoYearStart
			if c.parallel > 1 && g.R.IntN(3) > 0 { // most older pupils came in first grade
				admitted = fmt.Sprintf("%d-09-01", 2026-(c.parallel-1))
			}
			admissions = append(admissions, contingent.Admission{PersonID: kidID, OrgID: c.org, ClassID: c.id, Date: admitted,
				BasisNumber: fmt.Sprintf("%d-у", 1+g.R.IntN(300)), BasisDate: admitted})
			pupils = append(pupils, kidID)
			schoolOf[kidID] = c.org
		}
	}
	if err := g.Contingent.AdmitBulk(ctx, tx, admissions); err != nil {
		return err
	}
	g.Sum.Counts["enrolments"] += len(admissions)
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
