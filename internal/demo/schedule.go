package demo

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"shkola/internal/calendar"
	"shkola/internal/schedule"
	"shkola/internal/store"
)

// Today is the demo's "today" for the journal: lessons before it have been
// held (topics, homework; marks and attendance where the journal adds
// them), later ones are planned. Fixed, so the same seed gives the same
// rows; it lies in the second quarter of the demo year.
func Today() string { return "2026-11-30" }

// weekHours are the weekly hours of a subject in a parallel, after the
// Russian federal basic plan (FGOS, five-day week), rounded to whole hours.
func weekHours(parallel int, subject string) int {
	table := map[string][11]int{
		//          1  2  3  4  5  6  7  8  9 10 11
		"rus":    {5, 5, 5, 5, 5, 6, 4, 3, 3, 2, 2},
		"lit":    {4, 4, 4, 3, 3, 3, 2, 2, 3, 3, 3},
		"math":   {4, 4, 4, 4, 5, 5, 0, 0, 0, 0, 0},
		"alg":    {0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3},
		"geom":   {0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2},
		"prob":   {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1},
		"inf":    {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1},
		"world":  {2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0},
		"eng":    {0, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3},
		"hist":   {0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2},
		"soc":    {0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2},
		"geo":    {0, 0, 0, 0, 1, 1, 2, 2, 2, 1, 1},
		"bio":    {0, 0, 0, 0, 1, 1, 1, 2, 2, 1, 1},
		"phys":   {0, 0, 0, 0, 0, 0, 2, 2, 3, 2, 2},
		"chem":   {0, 0, 0, 0, 0, 0, 0, 2, 2, 1, 1},
		"art":    {1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0},
		"music":  {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0},
		"tech":   {1, 1, 1, 1, 2, 2, 2, 1, 0, 0, 0},
		"pe":     {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2},
		"obzr":   {0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1},
		"odnknr": {0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0},
	}
	if parallel < 1 || parallel > 11 {
		return 0
	}
	return table[subject][parallel-1]
}

// planSubjects are the subjects with hours in a parallel, in directory order.
func planSubjects(parallel int) []string {
	var out []string
	for _, s := range []string{"rus", "lit", "math", "alg", "geom", "prob", "inf", "world", "eng", "hist", "soc", "geo", "bio", "phys", "chem",
		"art", "music", "tech", "pe", "obzr", "odnknr"} {
		if weekHours(parallel, s) > 0 {
			out = append(out, s)
		}
	}
	return out
}

func demoBells() (regular, short []schedule.Bell) {
	for i, t := range [][2]string{{"08:30", "09:15"}, {"09:25", "10:10"}, {"10:30", "11:15"}, {"11:35", "12:20"}, {"12:30", "13:15"},
		{"13:25", "14:10"}, {"14:20", "15:05"}} {
		regular = append(regular, schedule.Bell{Slot: i + 1, StartsAt: t[0], EndsAt: t[1]})
	}
	for i, t := range [][2]string{{"08:30", "09:00"}, {"09:10", "09:40"}, {"09:55", "10:25"}, {"10:40", "11:10"}, {"11:20", "11:50"},
		{"12:00", "12:30"}, {"12:40", "13:10"}} {
		short = append(short, schedule.Bell{Slot: i + 1, StartsAt: t[0], EndsAt: t[1]})
	}
	return regular, short
}

type demoClass struct {
	id       int64
	parallel int
}

// ttGen builds one school's weekly template greedily: each class's hours
// are spread over the five days, lowest free slot first, with a teacher
// assigned to the subject in the class who is free then; where none is, a
// teacher of the school who may teach the subject and is free is assigned
// (the demo's assignments give one teacher per class and subject, so busy
// teachers get help). An hour no one can take stays out of the template,
// and the coverage report shows it.
type ttGen struct {
	assigned  map[[2]string][]int64 // class id, subject -> teachers
	qualified map[string][]int64    // subject -> teachers of the school
	busy      map[string]bool       // "t<id>/day/slot", "c<id>/day/slot"
	load      map[int64]int
	rooms     map[int64]string
}

func (tg *ttGen) key(kind string, id int64, day, slot int) string {
	return kind + strconv.FormatInt(id, 10) + "/" + strconv.Itoa(day) + "/" + strconv.Itoa(slot)
}

func (tg *ttGen) free(teacher int64, day, slot int) bool {
	return !tg.busy[tg.key("t", teacher, day, slot)]
}

type ttLine struct {
	class, teacher int64
	subject, room  string
	day, slot      int
}

func (tg *ttGen) place(c demoClass, subject string, k, hours int, newAssign func(class, teacher int64, subject string) error) (*ttLine, error) {
	maxSlot := 5
	if c.parallel >= 5 {
		maxSlot = 7
	}
	// Spread a subject's hours over the week: the k-th hour starts on its own day.
	first := (k*5)/max(hours, 1) + int(c.id%5)
	ck := strconv.FormatInt(c.id, 10)
	for slot := 1; slot <= maxSlot; slot++ {
		for d := range 5 {
			day := (first+d)%5 + 1
			if tg.busy[tg.key("c", c.id, day, slot)] || tg.busy["s"+ck+subject+strconv.Itoa(day)] && d < 4 {
				continue
			}
			for _, t := range tg.assigned[[2]string{ck, subject}] {
				if tg.free(t, day, slot) {
					return tg.take(c, t, subject, day, slot), nil
				}
			}
		}
	}
	// Nobody assigned is free: bring in a qualified colleague with the least load.
	cands := append([]int64(nil), tg.qualified[subject]...)
	sort.SliceStable(cands, func(i, j int) bool { return tg.load[cands[i]] < tg.load[cands[j]] })
	for slot := 1; slot <= maxSlot; slot++ {
		for d := range 5 {
			day := (first+d)%5 + 1
			if tg.busy[tg.key("c", c.id, day, slot)] {
				continue
			}
			for _, t := range cands {
				if tg.load[t] < 27 && tg.free(t, day, slot) {
					if err := newAssign(c.id, t, subject); err != nil {
						return nil, err
					}
					tg.assigned[[2]string{ck, subject}] = append(tg.assigned[[2]string{ck, subject}], t)
					return tg.take(c, t, subject, day, slot), nil
				}
			}
		}
	}
	return nil, nil
}

func (tg *ttGen) take(c demoClass, t int64, subject string, day, slot int) *ttLine {
	tg.busy[tg.key("c", c.id, day, slot)] = true
	tg.busy[tg.key("t", t, day, slot)] = true
	tg.busy["s"+strconv.FormatInt(c.id, 10)+subject+strconv.Itoa(day)] = true
	tg.load[t]++
	room, ok := tg.rooms[t]
	if !ok {
		switch subject {
		case "pe":
			room = fmt.Sprintf("Спортзал %d", len(tg.rooms)%2+1)
		default:
			room = strconv.Itoa(100*(1+len(tg.rooms)/15) + 1 + len(tg.rooms)%15)
		}
		tg.rooms[t] = room
	}
	return &ttLine{class: c.id, teacher: t, subject: subject, room: room, day: day, slot: slot}
}

// genSchedule gives every school a bell schedule (with a shortened day
// before the winter holidays), a study plan for each class by parallel, a
// weekly template without clashes, the dated lessons of the whole year
// (through the real generation, period by period), and on the lessons
// before Today their topics, some control works and homework.
func genSchedule(ctx context.Context, g *Gen, tx *store.Tx) error {
	svc := &schedule.Service{Now: Epoch}
	regular, short := demoBells()
	for _, school := range g.Schools {
		if err := schedule.SetBellsTx(ctx, tx, school.ID, schedule.Regular, regular); err != nil {
			return err
		}
		if err := schedule.SetBellsTx(ctx, tx, school.ID, schedule.Short, short); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO short_days (org_id, on_date) VALUES ($1, '2026-12-28')", school.ID); err != nil {
			return err
		}
		y, err := calendar.CurrentYear(ctx, tx, school.ID)
		if err != nil {
			return err
		}
		var cls []demoClass
		rows, err := tx.QueryContext(ctx, "SELECT id, parallel FROM groups WHERE year_id = $1 AND kind = 'class' ORDER BY parallel, letter", y.ID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c demoClass
			if err := rows.Scan(&c.id, &c.parallel); err != nil {
				_ = rows.Close() // the error returned below is the one to report
				return err
			}
			cls = append(cls, c)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, c := range cls {
			var items []schedule.PlanHour
			for _, s := range planSubjects(c.parallel) {
				items = append(items, schedule.PlanHour{Subject: s, Hours: weekHours(c.parallel, s)})
			}
			if err := svc.SetPlanTx(ctx, tx, c.id, school.ID, nil, items, nil); err != nil {
				return err
			}
			g.Sum.Counts["study plans"]++
		}
		if g.People == nil {
			continue // no teachers without the registry
		}
		if err := schoolTimetable(ctx, g, tx, svc, y, cls); err != nil {
			return fmt.Errorf("%s: %w", school.Name, err)
		}
	}
	return nil
}

func schoolTimetable(ctx context.Context, g *Gen, tx *store.Tx, svc *schedule.Service, y calendar.Year, cls []demoClass) error {
	tg := &ttGen{assigned: map[[2]string][]int64{}, qualified: map[string][]int64{}, busy: map[string]bool{}, load: map[int64]int{}, rooms: map[int64]string{}}
	rows, err := tx.QueryContext(ctx, `SELECT a.group_id, a.subject, a.teacher_id FROM assignments a JOIN groups g ON g.id = a.group_id
		WHERE g.year_id = $1 AND a.ends_on IS NULL ORDER BY a.id`, y.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var gid, t int64
		var s string
		if err := rows.Scan(&gid, &s, &t); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return err
		}
		k := [2]string{strconv.FormatInt(gid, 10), s}
		tg.assigned[k] = append(tg.assigned[k], t)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	rows, err = tx.QueryContext(ctx, `SELECT s.subject, s.person_id FROM staff_subjects s JOIN employments e ON e.person_id = s.person_id
		AND e.org_id = $1 AND e.position = 'teacher' AND e.ends_on IS NULL ORDER BY s.subject, s.person_id`, y.OrgID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var s string
		var p int64
		if err := rows.Scan(&s, &p); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return err
		}
		tg.qualified[s] = append(tg.qualified[s], p)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	// Colleagues brought in are assigned in bulk once the week is placed.
	var extra []assignment
	newAssign := func(class, teacher int64, subject string) error {
		extra = append(extra, assignment{class, teacher, subject})
		return nil
	}
	var lines []ttLine
	for _, c := range cls {
		// Subjects with more hours are placed first, while the week is open.
		subjects := planSubjects(c.parallel)
		sort.SliceStable(subjects, func(i, j int) bool { return weekHours(c.parallel, subjects[i]) > weekHours(c.parallel, subjects[j]) })
		for _, s := range subjects {
			h := weekHours(c.parallel, s)
			for k := range h {
				l, err := tg.place(c, s, k, h, newAssign)
				if err != nil {
					return err
				}
				if l == nil {
					g.Sum.Counts["template hours without a teacher"]++
					continue
				}
				lines = append(lines, *l)
			}
		}
	}
	if err := insertAssignments(ctx, g, tx, extra); err != nil {
		return err
	}
	// The template goes in in bulk: the greedy placement above already kept
	// teachers, rooms and classes apart.
	now := Epoch()
	if err := store.CopyRows(ctx, tx, "timetable_entries", []string{"org_id", "group_id", "weekday", "slot", "subject", "teacher_id", "room",
		"valid_from", "valid_to", "version", "created_at", "updated_at"}, len(lines), func(i int, a []any) error {
		l := &lines[i]
		a[0], a[1], a[2], a[3], a[4], a[5], a[6] = y.OrgID, l.class, l.day, l.slot, l.subject, l.teacher, l.room
		a[7], a[8], a[9], a[10], a[11] = y.StartsOn, y.EndsOn, 1, now, now
		return nil
	}); err != nil {
		return err
	}
	g.Sum.Counts["timetable entries"] += len(lines)
	periods, err := calendar.Periods(ctx, tx, y.ID)
	if err != nil {
		return err
	}
	topics := &topicsByGroup{held: map[string]int{}}
	for _, p := range periods {
		res, err := svc.GenerateHistoryTx(ctx, tx, schedule.GenerateFilter{PeriodID: p.ID}, nil, topics.fill)
		if err != nil {
			return err
		}
		g.Sum.Counts["lessons"] += res.Created
	}
	return heldLessons(ctx, g, tx, y.OrgID)
}
