package diary

import (
	"context"
	"database/sql"
	"sort"
	"time"

	"shkola/internal/access"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/schedule"
	"shkola/internal/store"
)

// Week is everything of one pupil's week in one answer, as a phone shows
// it (and a mobile app asks for it: one request).
type Week struct {
	Pupil Pupil `json:"pupil"`
	// Children are the caller's own children, for a guardian's switcher.
	Children []Child `json:"children,omitempty"`
	From     string  `json:"from"` // Monday
	To       string  `json:"to"`   // Sunday
	Prev     string  `json:"prev"` // the Monday before
	Next     string  `json:"next"`
	Today    string  `json:"today"`
	Days     []Day   `json:"days"`
}

// Day is one school day of the week.
type Day struct {
	Date    string   `json:"date"`
	Weekday int      `json:"weekday"` // 1 Monday … 7 Sunday
	Lessons []Lesson `json:"lessons"`
	// Due is the homework to be done for this day (set at earlier lessons).
	Due []*Homework `json:"due,omitempty"`
}

// Lesson is a lesson of the pupil with the pupil's own mark and absence.
type Lesson struct {
	ID          int64  `json:"id"`
	Slot        int    `json:"slot"`
	StartsAt    string `json:"starts_at,omitempty"`
	EndsAt      string `json:"ends_at,omitempty"`
	Subject     string `json:"subject"`
	SubjectName string `json:"subject_name"`
	Topic       string `json:"topic,omitempty"`
	Teacher     string `json:"teacher"`
	Substitute  bool   `json:"substitute"` // the teacher named is replacing the usual one
	Room        string `json:"room,omitempty"`
	Cancelled   bool   `json:"cancelled"`
	ControlWork bool   `json:"control_work"`
	// Homework is what was set at this lesson.
	Homework   *Homework `json:"homework,omitempty"`
	Mark       *Mark     `json:"mark,omitempty"`
	Attendance *Absence  `json:"attendance,omitempty"`
}

// Homework is what was set at a lesson, with its files.
type Homework struct {
	ID          int64  `json:"id"`
	LessonID    int64  `json:"lesson_id"`
	SetOn       string `json:"set_on"`
	Subject     string `json:"subject"`
	SubjectName string `json:"subject_name"`
	Text        string `json:"text"`
	DueOn       string `json:"due_on,omitempty"`
	Files       []File `json:"files"`
}

// File is a homework file the family may download.
type File struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

// Mark is the pupil's mark at a lesson.
type Mark struct {
	Value    string   `json:"value"`
	Score    *float64 `json:"score,omitempty"`
	Kind     string   `json:"kind"`
	KindName string   `json:"kind_name"`
	Weight   int      `json:"weight"`
	Comment  string   `json:"comment,omitempty"`
}

// Absence is the pupil's absence or lateness at a lesson.
type Absence struct {
	Status     string `json:"status"` // absent, late
	Reason     string `json:"reason,omitempty"`
	ReasonName string `json:"reason_name,omitempty"`
	Minutes    int    `json:"minutes,omitempty"`
}

// homeworkLookback: homework due in the week is found among lessons up to
// this many days before it (it is usually due at the next lesson).
const homeworkLookback = 14

// row is one typed row of the week query (UNION ALL of every kind).
type row struct {
	t       string
	id, ref sql.NullInt64
	d       sql.NullString
	n       sql.NullInt64
	x       sql.NullFloat64
	s       [8]sql.NullString
}

func (r *row) scan(rows *sql.Rows) error {
	return rows.Scan(&r.t, &r.id, &r.ref, &r.d, &r.n, &r.x, &r.s[0], &r.s[1], &r.s[2], &r.s[3], &r.s[4], &r.s[5], &r.s[6], &r.s[7])
}

// headSQL selects the pupil's row ('p'), the relationship flags ('r') and
// the caller's children ('c'), as typed rows; the class is the one the
// pupil is in between from and to, taken from the CTE named cls (columns
// id, name) when the statement has one, else looked up.
func (g *Guard) headSQL(a *identity.Actor, args *store.Args, pupil, from, to, cls string) string {
	classOf := func(person, col string) string {
		return `(SELECT ` + col + ` FROM group_members m JOIN groups gg ON gg.id = m.group_id AND gg.kind = 'class'
			WHERE m.person_id = ` + person + ` AND m.starts_on <= ` + to + ` AND (m.ends_on IS NULL OR m.ends_on > ` + from + `)
			ORDER BY m.starts_on DESC LIMIT 1)`
	}
	var q string
	if cls != "" {
		q = `SELECT 'p', p.id, p.org_id, p.birth_date, COALESCE(c.id, 0), NULL,
		p.last_name, p.first_name, p.middle_name, COALESCE(c.name, ''), NULL, NULL, NULL, NULL
		FROM persons p LEFT JOIN ` + cls + ` c ON 1 = 1 WHERE p.id = ` + pupil + ` AND p.merged_into IS NULL`
	} else {
		q = `SELECT 'p', p.id, p.org_id, p.birth_date, COALESCE(` + classOf("p.id", "gg.id") + `, 0), NULL,
		p.last_name, p.first_name, p.middle_name, COALESCE(` + classOf("p.id", "gg.name") + `, ''), NULL, NULL, NULL, NULL
		FROM persons p WHERE p.id = ` + pupil + ` AND p.merged_into IS NULL`
	}
	known := g.Policy.KnownSQL(a, Resource, "read", "p.id", args)
	rels := make([]string, 0, len(known))
	for rel := range known {
		rels = append(rels, string(rel))
	}
	sort.Strings(rels)
	for _, rel := range rels {
		q += `
		UNION ALL SELECT 'r', p.id, NULL, NULL, CASE WHEN ` + known[access.Relationship(rel)] + ` THEN 1 ELSE 0 END, NULL,
		'` + rel + `', NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM persons p WHERE p.id = ` + pupil
	}
	if a.Has(identity.Guardian) && a.PersonID != 0 {
		me := args.Add(a.PersonID)
		q += `
		UNION ALL SELECT 'c', p.id, NULL, p.birth_date, 0, NULL, p.last_name, p.first_name, p.middle_name,
		COALESCE(` + classOf("p.id", "gg.name") + `, ''), NULL, NULL, NULL, NULL
		FROM guardianships gd JOIN persons p ON p.id = gd.child_id
		WHERE gd.guardian_id = ` + me + ` AND gd.ends_on IS NULL AND p.merged_into IS NULL`
	}
	return q
}

// head is what headSQL's rows say.
type head struct {
	found    bool
	pupil    Pupil
	known    map[access.Relationship]bool
	children []Child
	born     map[int64]string
}

func (h *head) take(r *row) bool {
	switch r.t {
	case "p":
		h.found = true
		h.pupil = Pupil{ID: r.id.Int64, OrgID: r.ref.Int64, ClassID: r.n.Int64, LastName: r.s[0].String, FirstName: r.s[1].String,
			MiddleName: r.s[2].String, Class: r.s[3].String}
	case "r":
		h.known[access.Relationship(r.s[0].String)] = r.n.Int64 == 1
	case "c":
		h.children = append(h.children, Child{ID: r.id.Int64, LastName: r.s[0].String, FirstName: r.s[1].String, Class: r.s[3].String})
		h.born[r.id.Int64] = r.d.String
	default:
		return false
	}
	return true
}

func (h *head) sortChildren() {
	sort.SliceStable(h.children, func(i, j int) bool {
		a, b := h.children[i], h.children[j]
		if h.born[a.ID] != h.born[b.ID] {
			return h.born[a.ID] < h.born[b.ID]
		}
		return a.ID < b.ID
	})
}

// weekSQL selects the week's lessons ('l'), homework set at them or due in
// the week ('h') with their files ('f'), the pupil's marks ('m') and
// absences ('a'), the bells ('b') and short days ('s') of the schools of
// those lessons, and the directory names ('n') the page shows. A lesson is
// the pupil's when the pupil was a member of its group (class or
// sub-group) on its day. The pupil's memberships are read once (mm) and
// every branch starts from them or from the week's lessons: SQLite, which
// has no statistics here, otherwise scanned every class for the pupil's
// class and every mark of the year for the week's (CROSS JOIN keeps its
// join order; PostgreSQL plans it as any join).
func weekSQL(args *store.Args, pupil, from, to, back, lang string) string {
	name := nameColumn(lang)
	return `WITH mm AS MATERIALIZED (SELECT m.group_id, m.starts_on, m.ends_on FROM group_members m
		WHERE m.person_id = ` + pupil + ` AND m.starts_on <= ` + to + ` AND (m.ends_on IS NULL OR m.ends_on > ` + back + `)),
	ll AS MATERIALIZED (
		SELECT l.id, l.org_id, l.group_id, l.subject, l.teacher_id, l.substitute_id, l.on_date, l.slot, l.room, l.status, l.topic, l.control_work
		FROM mm JOIN lessons l ON l.group_id = mm.group_id AND l.on_date >= ` + back + ` AND l.on_date <= ` + to + `
			AND l.on_date >= mm.starts_on AND (mm.ends_on IS NULL OR l.on_date < mm.ends_on)),
	cls AS MATERIALIZED (SELECT mm.group_id AS id, (SELECT gg.name FROM groups gg WHERE gg.id = mm.group_id) AS name FROM mm
		WHERE mm.starts_on <= ` + to + ` AND (mm.ends_on IS NULL OR mm.ends_on > ` + from + `)
		AND EXISTS (SELECT 1 FROM groups gg WHERE gg.id = mm.group_id AND gg.kind = 'class') ORDER BY mm.starts_on DESC LIMIT 1),
	wl AS MATERIALIZED (SELECT * FROM ll WHERE on_date >= ` + from + `),
	hw AS MATERIALIZED (SELECT h.id, h.lesson_id, h.text, h.due_on, l.on_date, l.subject FROM homework h JOIN ll l ON l.id = h.lesson_id
		WHERE l.on_date >= ` + from + ` OR (h.due_on >= ` + from + ` AND h.due_on <= ` + to + `))
	SELECT 'l', l.id, l.org_id, l.on_date, l.slot, CASE WHEN l.control_work THEN 1.0 ELSE 0.0 END,
		l.subject, l.topic, l.room, l.status, t.last_name, t.first_name, t.middle_name,
		CASE WHEN l.substitute_id IS NULL THEN '' ELSE 's' END
		FROM wl l JOIN persons t ON t.id = COALESCE(l.substitute_id, l.teacher_id)
	UNION ALL SELECT 'h', h.id, h.lesson_id, h.on_date, 0, NULL, h.subject, h.text, COALESCE(h.due_on, ''), NULL, NULL, NULL, NULL, NULL FROM hw h
	UNION ALL SELECT 'f', f.id, hf.homework_id, NULL, f.size, NULL, f.name, f.content_type, NULL, NULL, NULL, NULL, NULL, NULL
		FROM homework_files hf JOIN files f ON f.id = hf.file_id WHERE hf.homework_id IN (SELECT id FROM hw)
	UNION ALL SELECT 'm', x.id, x.lesson_id, NULL, x.weight, x.score, x.value, x.work_kind, x.comment, NULL, NULL, NULL, NULL, NULL
		FROM wl l CROSS JOIN marks x WHERE x.lesson_id = l.id AND x.person_id = ` + pupil + `
	UNION ALL SELECT 'a', a.id, a.lesson_id, NULL, COALESCE(a.late_minutes, 0), NULL, a.status, a.reason, NULL, NULL, NULL, NULL, NULL, NULL
		FROM wl l CROSS JOIN attendance a WHERE a.lesson_id = l.id AND a.person_id = ` + pupil + `
	UNION ALL SELECT 'b', 0, b.org_id, NULL, b.slot, NULL, b.variant, b.starts_at, b.ends_at, NULL, NULL, NULL, NULL, NULL
		FROM bells b WHERE b.org_id IN (SELECT org_id FROM wl)
	UNION ALL SELECT 's', 0, sd.org_id, sd.on_date, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
		FROM short_days sd WHERE sd.org_id IN (SELECT org_id FROM wl) AND sd.on_date >= ` + from + ` AND sd.on_date <= ` + to + `
	UNION ALL SELECT 'n', 0, NULL, NULL, 0, NULL, directory, code, ` + name + `, NULL, NULL, NULL, NULL, NULL
		FROM ref_entries WHERE (directory = 'subject' AND code IN (SELECT subject FROM wl UNION SELECT subject FROM hw))
		OR directory IN ('work_kind', 'absence_reason')`
}

// Week returns the week of pupil that contains date (YYYY-MM-DD; "" for
// this week), in one query that also answers who may read it; directory
// names are in lang.
func (g *Guard) Week(ctx context.Context, pupil int64, date, lang string) (Week, error) {
	mon, err := g.S.Monday(date)
	if err != nil {
		return Week{}, err
	}
	a := identity.From(ctx)
	from, to := mon.Format(dateLayout), mon.AddDate(0, 0, 6).Format(dateLayout)
	args := store.Args{}
	P, F, T := args.Add(pupil), args.Add(from), args.Add(to)
	B := args.Add(mon.AddDate(0, 0, -homeworkLookback).Format(dateLayout))
	query := weekSQL(&args, P, F, T, B, lang)
	// The head goes after the CTEs' body: one statement, one round trip.
	query += "\n\tUNION ALL " + g.headSQL(a, &args, P, F, T, "cls")
	rows, err := g.S.DB.R.QueryContext(ctx, query, args.Values...)
	if err != nil {
		return Week{}, err
	}
	h := head{known: map[access.Relationship]bool{}, born: map[int64]string{}}
	b := newBuilder()
	for rows.Next() {
		var r row
		if err := r.scan(rows); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return Week{}, err
		}
		if !h.take(&r) {
			b.take(&r)
		}
	}
	if err := rows.Close(); err != nil {
		return Week{}, err
	}
	if !h.found {
		return Week{}, hidden(ctx, errs.E(errs.NotFound, "not found"))
	}
	if err := g.decide(ctx, h.pupil, h.known, "diary week "+from); err != nil {
		return Week{}, err
	}
	h.sortChildren()
	w := Week{Pupil: h.pupil, Children: h.children, From: from, To: to, Today: g.S.Today(),
		Prev: mon.AddDate(0, 0, -7).Format(dateLayout), Next: mon.AddDate(0, 0, 7).Format(dateLayout)}
	w.Days = b.days(mon)
	return w, nil
}

// builder assembles the week from its typed rows.
type builder struct {
	lessons  map[int64]*Lesson
	dateOf   map[int64]string
	orgOf    map[int64]int64
	homework map[int64]*Homework
	files    map[int64][]File
	marks    map[int64]*Mark
	absences map[int64]*Absence
	bells    map[int64]*schedule.Bells
	names    map[string]map[string]string
}

func newBuilder() *builder {
	return &builder{lessons: map[int64]*Lesson{}, dateOf: map[int64]string{}, orgOf: map[int64]int64{}, homework: map[int64]*Homework{},
		files: map[int64][]File{}, marks: map[int64]*Mark{}, absences: map[int64]*Absence{}, bells: map[int64]*schedule.Bells{},
		names: map[string]map[string]string{}}
}

func (b *builder) bellsOf(org int64) *schedule.Bells {
	bl, ok := b.bells[org]
	if !ok {
		bl = &schedule.Bells{OrgID: org}
		b.bells[org] = bl
	}
	return bl
}

func (b *builder) take(r *row) {
	s := func(i int) string { return r.s[i].String }
	switch r.t {
	case "l":
		b.lessons[r.id.Int64] = &Lesson{ID: r.id.Int64, Slot: int(r.n.Int64), ControlWork: r.x.Float64 == 1, Subject: s(0), Topic: s(1),
			Room: s(2), Cancelled: s(3) == schedule.Cancelled, Teacher: schedule.ShortName(s(4), s(5), s(6)), Substitute: s(7) == "s"}
		b.dateOf[r.id.Int64], b.orgOf[r.id.Int64] = r.d.String, r.ref.Int64
	case "h":
		b.homework[r.id.Int64] = &Homework{ID: r.id.Int64, LessonID: r.ref.Int64, SetOn: r.d.String, Subject: s(0), Text: s(1), DueOn: s(2), Files: []File{}}
	case "f":
		b.files[r.ref.Int64] = append(b.files[r.ref.Int64], File{ID: r.id.Int64, Name: s(0), ContentType: s(1), Size: r.n.Int64})
	case "m":
		m := &Mark{Value: s(0), Kind: s(1), Weight: int(r.n.Int64), Comment: s(2)}
		if r.x.Valid {
			v := r.x.Float64
			m.Score = &v
		}
		b.marks[r.ref.Int64] = m
	case "a":
		b.absences[r.ref.Int64] = &Absence{Status: s(0), Reason: s(1), Minutes: int(r.n.Int64)}
	case "b":
		bl := b.bellsOf(r.ref.Int64)
		bell := schedule.Bell{Slot: int(r.n.Int64), StartsAt: s(1), EndsAt: s(2)}
		if s(0) == schedule.Short {
			bl.Short = append(bl.Short, bell)
		} else {
			bl.Regular = append(bl.Regular, bell)
		}
	case "s":
		bl := b.bellsOf(r.ref.Int64)
		bl.ShortDays = append(bl.ShortDays, r.d.String)
	case "n":
		if b.names[s(0)] == nil {
			b.names[s(0)] = map[string]string{}
		}
		b.names[s(0)][s(1)] = s(2)
	}
}

func (b *builder) name(dir, code string) string {
	if n, ok := b.names[dir][code]; ok && n != "" {
		return n
	}
	return code
}

// days lays the lessons out Monday to Friday, and Saturday and Sunday
// when there are lessons then.
func (b *builder) days(mon time.Time) []Day {
	out := make([]Day, 7)
	for i := range out {
		out[i] = Day{Date: mon.AddDate(0, 0, i).Format(dateLayout), Weekday: i + 1, Lessons: []Lesson{}}
	}
	index := func(date string) int {
		d, err := time.Parse(dateLayout, date)
		if err != nil {
			return -1
		}
		return int(d.Sub(mon).Hours() / 24)
	}
	for _, hw := range b.homework {
		hw.SubjectName = b.name("subject", hw.Subject)
		if f := b.files[hw.ID]; f != nil {
			sort.Slice(f, func(i, j int) bool { return f[i].ID < f[j].ID })
			hw.Files = f
		}
		if l, ok := b.lessons[hw.LessonID]; ok {
			l.Homework = hw
		}
		if i := index(hw.DueOn); i >= 0 && i < 7 && hw.SetOn < hw.DueOn {
			out[i].Due = append(out[i].Due, hw)
		}
	}
	for id, l := range b.lessons {
		date := b.dateOf[id]
		l.SubjectName = b.name("subject", l.Subject)
		if bl, ok := b.bells[b.orgOf[id]]; ok {
			if t, ok := bl.Times(date)[l.Slot]; ok {
				l.StartsAt, l.EndsAt = t.StartsAt, t.EndsAt
			}
		}
		if m := b.marks[id]; m != nil {
			m.KindName = b.name("work_kind", m.Kind)
			l.Mark = m
		}
		if a := b.absences[id]; a != nil {
			if a.Reason != "" {
				a.ReasonName = b.name("absence_reason", a.Reason)
			}
			l.Attendance = a
		}
		if i := index(date); i >= 0 && i < 7 {
			out[i].Lessons = append(out[i].Lessons, *l)
		}
	}
	for i := range out {
		ls := out[i].Lessons
		sort.Slice(ls, func(x, y int) bool {
			if ls[x].Slot != ls[y].Slot {
				return ls[x].Slot < ls[y].Slot
			}
			return ls[x].ID < ls[y].ID
		})
		due := out[i].Due
		sort.Slice(due, func(x, y int) bool { return due[x].ID < due[y].ID })
	}
	for len(out) > 5 && len(out[len(out)-1].Lessons) == 0 && len(out[len(out)-1].Due) == 0 {
		out = out[:len(out)-1]
	}
	return out
}
