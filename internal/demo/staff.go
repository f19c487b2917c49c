package demo

import (
	"context"
	"fmt"
	"time"

	"shkola/internal/identity"
	"shkola/internal/registry"
	"shkola/internal/staff"
	"shkola/internal/store"
)

// teacherProfile is what a teacher may teach, with how common such a
// teacher is in a school (weights add up to about 100).
type teacherProfile struct {
	subjects   []string
	weight     int
	speciality string
}

func teacherProfiles() []teacherProfile {
	return []teacherProfile{
		{[]string{"rus", "lit", "math", "world", "art", "tech"}, 24, "Педагогика и методика начального образования"},
		{[]string{"rus", "lit"}, 12, "Русский язык и литература"},
		{[]string{"math", "alg", "geom", "prob"}, 12, "Математика"},
		{[]string{"eng"}, 9, "Иностранный язык (английский)"},
		{[]string{"deu", "eng"}, 2, "Иностранный язык (немецкий, английский)"},
		{[]string{"hist", "soc", "odnknr"}, 6, "История"},
		{[]string{"pe"}, 6, "Физическая культура"},
		{[]string{"obzr", "pe"}, 2, "Безопасность жизнедеятельности"},
		{[]string{"inf", "math"}, 3, "Информатика"},
		{[]string{"phys", "astr"}, 3, "Физика"},
		{[]string{"chem", "bio"}, 2, "Химия"},
		{[]string{"bio", "geo"}, 3, "Биология"},
		{[]string{"geo"}, 2, "География"},
		{[]string{"music"}, 2, "Музыкальное образование"},
		{[]string{"art", "tech"}, 2, "Изобразительное искусство"},
		{[]string{"tech"}, 3, "Технология"},
		{[]string{"native", "rus", "lit"}, 1, "Родной язык и литература"},
	}
}

var (
	universities = []string{"ФГБОУ ВО «Калужский государственный университет им. К. Э. Циолковского»",
		"Калужский государственный педагогический университет им. К. Э. Циолковского",
		"ФГБОУ ВО «Тульский государственный педагогический университет им. Л. Н. Толстого»",
		"ФГБОУ ВО «Московский педагогический государственный университет»",
		"ГБПОУ КО «Калужский педагогический колледж»"}
	courses = []string{"Обновлённые ФГОС: содержание и технологии обучения", "Функциональная грамотность школьников",
		"Цифровая образовательная среда в работе учителя", "Подготовка обучающихся к ГИА", "Инклюзивное образование детей с ОВЗ",
		"Классное руководство в современной школе", "Оказание первой помощи"}
)

const (
	courseProvider   = "ГАОУ ДПО «Калужский государственный институт развития образования»"
	categoryProvider = "Министерство образования и науки Калужской области"
)

// genStaff gives every school its staff: a director (appointed by the
// municipality, and teaching a few hours), one or two deputies who also
// teach, about two teachers per class of the classes step (25 if there are
// no classes) with the subjects they may teach, a psychologist, a
// social pedagogue, a librarian and a secretary; some teachers work
// part-time at a second school of the municipality, some came from another
// school (an ended employment), and everyone has a diploma, many a
// category and recent courses. People go through the registry's trusted
// bulk path, so the step is skipped without a registry (a demo without
// keys). It runs after the pupils and guardians, whose SNILS it avoids.
func genStaff(ctx context.Context, g *Gen, tx *store.Tx) error {
	if g.People == nil || len(g.Schools) == 0 {
		return nil
	}
	sg := &staffGen{g: g, tx: tx, trusted: registry.Trusted{P: g.People}, svc: &staff.Service{Now: Epoch}, profiles: teacherProfiles()}
	classes, err := classesPerSchool(ctx, tx)
	if err != nil {
		return err
	}
	byMunicipality := map[int64][]int64{} // teachers of the municipality met so far, for part-time posts
	for _, school := range g.Schools {
		muni := *school.ParentID
		n := 2 * classes[school.ID]
		if n == 0 {
			n = 25
		}
		n += g.R.IntN(n/10+1) - n/20 // about two per class, give or take
		if err := sg.leaders(school.ID, classes[school.ID] > 20); err != nil {
			return err
		}
		var teachers []int64
		for range n {
			id, err := sg.teacher(school.ID)
			if err != nil {
				return err
			}
			teachers = append(teachers, id)
		}
		for _, pos := range []string{"psychologist", "social_pedagogue", "librarian", "secretary"} {
			if _, err := sg.employee(school.ID, pos, "1", nil); err != nil {
				return err
			}
		}
		// A teacher of an earlier school of the municipality also teaches here.
		if others := byMunicipality[muni]; len(others) > 0 {
			p := others[g.R.IntN(len(others))]
			sg.hire(staff.NewEmployment{PersonID: p, OrgID: school.ID, Position: "teacher", Rate: "0.25",
				StartsOn: "2026-09-01", Basis: sg.order("2026-08-31")})
		}
		if err := sg.flush(ctx); err != nil {
			return fmt.Errorf("staff of %s: %w", school.Name, err)
		}
		byMunicipality[muni] = append(byMunicipality[muni], teachers...)
	}
	return nil
}

// classesPerSchool counts the active classes of each school.
func classesPerSchool(ctx context.Context, tx *store.Tx) (map[int64]int, error) {
	rows, err := tx.QueryContext(ctx, "SELECT org_id, COUNT(*) FROM groups WHERE kind = 'class' AND status = 'active' GROUP BY org_id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var org int64
		var n int
		if err := rows.Scan(&org, &n); err != nil {
			return nil, err
		}
		out[org] = n
	}
	return out, rows.Err()
}

// staffGen draws a school's staff and writes it in bulk when the school is
// done (flush). Until then people are referred to by a number: their
// place in ids once written, so a teacher of an earlier school keeps
// hers.
type staffGen struct {
	g        *Gen
	tx       *store.Tx
	trusted  registry.Trusted
	svc      *staff.Service
	profiles []teacherProfile
	ids      []int64              // of the staff written so far, by number
	people   []registry.NewPerson // of this school, numbered from len(ids)
	bulk     staff.Bulk           // of this school, PersonID the number
}

// flush writes the school's new people, then their employments, subjects
// and qualifications.
func (sg *staffGen) flush(ctx context.Context) error {
	ctx = identity.With(ctx, &identity.Actor{Login: "system"})
	ids, err := sg.trusted.InsertNew(ctx, sg.tx, sg.people)
	if err != nil {
		return err
	}
	sg.ids = append(sg.ids, ids...)
	for i := range sg.bulk.Employments {
		sg.bulk.Employments[i].PersonID = sg.ids[sg.bulk.Employments[i].PersonID]
	}
	for i := range sg.bulk.Subjects {
		sg.bulk.Subjects[i].PersonID = sg.ids[sg.bulk.Subjects[i].PersonID]
	}
	for i := range sg.bulk.Qualifications {
		sg.bulk.Qualifications[i].PersonID = sg.ids[sg.bulk.Qualifications[i].PersonID]
	}
	if err := sg.svc.WriteBulk(ctx, sg.tx, sg.bulk); err != nil {
		return err
	}
	sg.people, sg.bulk = sg.people[:0], staff.Bulk{}
	return nil
}

// hiringDay is a date between from and to years (inclusive), in the season a
// school hires: the last week of August.
func (sg *staffGen) hiringDay(from, to int) string {
	if to < from {
		to = from
	}
	y := from + sg.g.R.IntN(to-from+1)
	return fmt.Sprintf("%d-08-%02d", y, 25+sg.g.R.IntN(7))
}

func (sg *staffGen) order(day string) string {
	d, _ := time.Parse("2006-01-02", day)
	return fmt.Sprintf("Приказ № %d-к от %s", 1+sg.g.R.IntN(150), d.Format("02.01.2006"))
}

// person draws a staff member of the given age range, female with the
// profession's usual share, and returns the number and the birth year.
func (sg *staffGen) person(school int64, minAge, maxAge int) (int64, int, error) {
	g := sg.g
	male := g.R.IntN(100) < 18
	name := g.Names.Person(male)
	year := Epoch().Year() - minAge - g.R.IntN(maxAge-minAge+1)
	born := time.Date(year, time.Month(1+g.R.IntN(12)), 1+g.R.IntN(28), 0, 0, 0, 0, time.UTC).Format("2006-01-02")
	n := registry.NewPerson{OrgID: school, LastName: name.Last, FirstName: name.First, MiddleName: name.Middle, BirthDate: born,
		Sex: sexOf(male), Phone: fmt.Sprintf("+7 9%02d %03d-%02d-%02d", g.R.IntN(100), g.R.IntN(1000), g.R.IntN(100), g.R.IntN(100))}
	// A SNILS already held (by a pupil, a parent) is drawn again, as the
	// registry refuses a second holder.
	n.SNILS = g.snils()
	if fe := sg.trusted.Validate(&n); len(fe) > 0 {
		return 0, 0, fmt.Errorf("generated staff member %s %s: %s %s", n.LastName, n.FirstName, fe[0].Field, fe[0].Message)
	}
	sg.people = append(sg.people, n)
	g.Sum.Counts["staff"]++
	return int64(len(sg.ids) + len(sg.people) - 1), year, nil
}

func (sg *staffGen) hire(n staff.NewEmployment) {
	sg.bulk.Employments = append(sg.bulk.Employments, n)
	sg.g.Sum.Counts["employments"]++
}

// hired is a staff member just employed: who, born in which year, since when.
type hired struct {
	id    int64
	born  int
	start string
}

// employee registers a person and employs them at school in position; a
// teacher profile also sets the subjects.
func (sg *staffGen) employee(school int64, position string, rate staff.Rate, prof *teacherProfile) (hired, error) {
	minAge, maxAge := 23, 63
	leader := position == "director" || position == "deputy_director"
	if leader {
		minAge = 35
	}
	id, born, err := sg.person(school, minAge, maxAge)
	if err != nil {
		return hired{}, err
	}
	graduated := born + 22
	start := sg.hiringDay(max(graduated, 1990), Epoch().Year())
	if leader {
		start = sg.hiringDay(max(graduated+10, 2000), Epoch().Year())
	}
	n := staff.NewEmployment{PersonID: id, OrgID: school, Position: position, Rate: rate, StartsOn: start, Basis: sg.order(start)}
	if position == "director" { // directors are appointed by the municipality
		n.Basis = fmt.Sprintf("Распоряжение управления образования № %d от %s", 1+sg.g.R.IntN(300), n.Basis[len(n.Basis)-10:])
	}
	sg.hire(n)
	sg.education(id, graduated, prof)
	return hired{id: id, born: born, start: start}, nil
}

// leaders: the director and the deputies, who also teach a few hours.
func (sg *staffGen) leaders(school int64, large bool) error {
	deputies := 1
	if large {
		deputies = 2
	}
	for i := range 1 + deputies {
		position, teaching := "director", staff.Rate("0.25")
		if i > 0 {
			position, teaching = "deputy_director", "0.5"
		}
		prof := sg.pick()
		h, err := sg.employee(school, position, "1", &prof)
		if err != nil {
			return err
		}
		sg.hire(staff.NewEmployment{PersonID: h.id, OrgID: school, Position: "teacher", Rate: teaching,
			StartsOn: h.start, Basis: sg.order(h.start)})
	}
	return nil
}

// teacher registers a teacher of a drawn profile; one in ten came from
// another school of the region, where the earlier employment ended.
func (sg *staffGen) teacher(school int64) (int64, error) {
	g := sg.g
	prof := sg.pick()
	rate := []staff.Rate{"1", "1", "1", "1", "1", "1.25", "1.5", "0.5", "0.75"}[g.R.IntN(9)]
	h, err := sg.employee(school, "teacher", rate, &prof)
	if err != nil {
		return 0, err
	}
	began, _ := time.Parse("2006-01-02", h.start)
	if first := h.born + 22; g.R.IntN(10) == 0 && began.Year()-first >= 4 {
		if prev := g.Schools[g.R.IntN(len(g.Schools))].ID; prev != school {
			from := sg.hiringDay(first, began.Year()-2)
			sg.hire(staff.NewEmployment{PersonID: h.id, OrgID: prev, Position: "teacher", StartsOn: from,
				EndsOn: began.AddDate(0, 0, -5).Format("2006-01-02"), Basis: sg.order(from)})
		}
	}
	return h.id, nil
}

func (sg *staffGen) pick() teacherProfile {
	total := 0
	for _, p := range sg.profiles {
		total += p.weight
	}
	n := sg.g.R.IntN(total)
	for _, p := range sg.profiles {
		if n < p.weight {
			return p
		}
		n -= p.weight
	}
	return sg.profiles[0]
}

// education sets the subjects of a teaching profile and adds the diploma,
// and for most a category and recent courses.
func (sg *staffGen) education(person int64, graduated int, prof *teacherProfile) {
	g := sg.g
	speciality := "Педагогическое образование"
	if prof != nil {
		speciality = prof.speciality
		sg.bulk.Subjects = append(sg.bulk.Subjects, staff.PersonSubjects{PersonID: person, Codes: prof.subjects})
	}
	add := func(q staff.NewQualification) {
		sg.bulk.Qualifications = append(sg.bulk.Qualifications, staff.PersonQualification{PersonID: person, New: q})
		g.Sum.Counts["qualifications"]++
	}
	uni := universities[g.R.IntN(len(universities))]
	level := "Высшее"
	if uni == universities[len(universities)-1] {
		level = "Среднее профессиональное"
	}
	add(staff.NewQualification{Kind: "education", Title: level + " образование, специальность «" + speciality + "»", Issuer: uni,
		IssuedOn: fmt.Sprintf("%d-06-%02d", graduated, 20+g.R.IntN(10)), Document: fmt.Sprintf("Диплом %d %07d", 100000+g.R.IntN(900000), g.R.IntN(10000000))})
	if g.R.IntN(100) < 60 && graduated+3 < Epoch().Year() {
		issued := time.Date(Epoch().Year()-g.R.IntN(5), time.Month(1+g.R.IntN(6)), 1+g.R.IntN(28), 0, 0, 0, 0, time.UTC)
		title := "Первая квалификационная категория"
		if g.R.IntN(2) == 0 {
			title = "Высшая квалификационная категория"
		}
		add(staff.NewQualification{Kind: "category", Title: title, Issuer: categoryProvider, IssuedOn: issued.Format("2006-01-02"),
			ValidUntil: issued.AddDate(5, 0, -1).Format("2006-01-02"), Document: fmt.Sprintf("Приказ № %d", 100+g.R.IntN(900))})
	}
	if g.R.IntN(100) < 50 {
		issued := time.Date(Epoch().Year()-g.R.IntN(3), time.Month(1+g.R.IntN(7)), 1+g.R.IntN(28), 0, 0, 0, 0, time.UTC)
		add(staff.NewQualification{Kind: "course", Title: courses[g.R.IntN(len(courses))] + " (72 ч)", Issuer: courseProvider,
			IssuedOn: issued.Format("2006-01-02"), Document: fmt.Sprintf("Удостоверение № %d", 10000+g.R.IntN(90000))})
	}
}
