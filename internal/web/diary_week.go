package web

import (
	"strconv"
	"strings"

	"shkola/internal/diary"
)

// The week page is the busiest page of the system. html/template runs every
// action by reflection, its escapers included, so the page is printed from
// a flat view made here: labels translated once per language, dates
// formatted, links made and the texts that are plain text in the page
// (a lesson's details line, an absence, the homework due) joined, so that
// each lesson costs a few field prints. The template still makes all the
// markup and escapes every value.

// weekText is the week page's labels in one language.
type weekText struct {
	Switch     string    `msg:"diary.switch"`
	Title      string    `msg:"diary.title"`
	Weeks      string    `msg:"diary.weeks"`
	Prev       string    `msg:"diary.prev"`
	Next       string    `msg:"diary.next"`
	Period     string    `msg:"diary.period.link"`
	Portfolio  string    `msg:"diary.portfolio"`
	ThisWeek   string    `msg:"diary.this_week"`
	Today      string    `msg:"diary.today"`
	Due        string    `msg:"diary.due"`
	Cancelled  string    `msg:"diary.cancelled"`
	Control    string    `msg:"diary.control"`
	Late       string    `msg:"diary.late"`
	Min        string    `msg:"diary.min"`
	Absent     string    `msg:"diary.absent"`
	Substitute string    `msg:"diary.substitute"`
	Room       string    `msg:"diary.room"`
	Homework   string    `msg:"diary.homework"`
	DueOn      string    `msg:"diary.due_on"`
	NoLessons  string    `msg:"diary.no_lessons"`
	Print      string    `msg:"diary.print"`
	Weekdays   [7]string `msg:"diary.wd.%d"`
}

// weekView is the week page ready to print.
type weekView struct {
	L        *weekText
	Children []childLink // the switcher, when the guardian has more than one child
	Heading  string      // "Дневник: Алиса Петрова, 2Б"
	Range    string      // "23.11 – 29.11"
	// Links of the week's navigation; ThisWeek is "" when the week shown
	// holds today.
	Prev, Next, Period, Portfolio, ThisWeek string
	Days                                    []dayView
}

type childLink struct {
	Href, Name string
	Current    bool
}

type dayView struct {
	Date    string // ISO: the heading's id
	Heading string // "Понедельник, 23.11"
	Today   bool
	Due     string // the homework due this day: "Математика — упр. 5; …"
	Lessons []lessonView
}

type lessonView struct {
	ID          int64
	Slot        int
	Highlight   bool // the lesson a notification pointed at
	StartsAt    string
	Subject     string
	Cancelled   bool
	ControlWork bool
	HasMark     bool
	Mark        string // the value
	MarkKind    string // the work kind, with the weight when above 1
	Absence     string // "" when the pupil was there
	Details     string // topic · teacher (substitute) · room
	HasHomework bool
	HomeworkDue string // "к 24.11"; "" without a due date
	Homework    string
	Files       []fileLink
}

type fileLink struct {
	Href, Name string
	KB         int64
}

// newWeekView prepares w for the page in d's language.
func newWeekView(l *weekText, d diaryData) *weekView {
	w := d.W
	p := w.Pupil
	pupil := "/diary/" + strconv.FormatInt(p.ID, 10)
	v := &weekView{L: l,
		Heading:   l.Title + ": " + personName(p.FirstName, p.LastName, p.Class),
		Range:     d.Date(w.From) + " – " + d.Date(w.To),
		Prev:      pupil + "?week=" + w.Prev,
		Next:      pupil + "?week=" + w.Next,
		Period:    pupil + "/period",
		Portfolio: "/portfolio?person=" + strconv.FormatInt(p.ID, 10),
	}
	if w.From > w.Today || w.To < w.Today {
		v.ThisWeek = pupil
	}
	if len(w.Children) > 1 {
		v.Children = make([]childLink, len(w.Children))
		for i, c := range w.Children {
			v.Children[i] = childLink{Href: "/diary/" + strconv.FormatInt(c.ID, 10) + "?week=" + w.From,
				Name: personName(c.FirstName, c.LastName, c.Class), Current: c.ID == p.ID}
		}
	}
	n := 0
	for _, day := range w.Days {
		n += len(day.Lessons)
	}
	lessons := make([]lessonView, n) // one allocation for the week's lessons
	v.Days = make([]dayView, len(w.Days))
	for i, day := range w.Days {
		dv := &v.Days[i]
		*dv = dayView{Date: day.Date, Heading: d.Date(day.Date), Today: day.Date == w.Today, Due: dueText(day.Due)}
		if day.Weekday >= 1 && day.Weekday <= len(l.Weekdays) {
			dv.Heading = l.Weekdays[day.Weekday-1] + ", " + dv.Heading
		}
		dv.Lessons, lessons = lessons[:len(day.Lessons):len(day.Lessons)], lessons[len(day.Lessons):]
		for j := range day.Lessons {
			dv.Lessons[j] = newLessonView(l, d, pupil, &day.Lessons[j])
		}
	}
	return v
}

func newLessonView(l *weekText, d diaryData, pupil string, x *diary.Lesson) lessonView {
	v := lessonView{ID: x.ID, Slot: x.Slot, Highlight: x.ID == d.Lesson, StartsAt: x.StartsAt, Subject: x.SubjectName,
		Cancelled: x.Cancelled, ControlWork: x.ControlWork, Details: x.Teacher}
	if m := x.Mark; m != nil {
		v.HasMark, v.Mark, v.MarkKind = true, m.Value, m.KindName
		if m.Weight > 1 {
			v.MarkKind += " ×" + strconv.Itoa(m.Weight)
		}
	}
	if a := x.Attendance; a != nil {
		switch {
		case a.Status == "late" && a.Minutes != 0:
			v.Absence = l.Late + " " + strconv.Itoa(a.Minutes) + " " + l.Min
		case a.Status == "late":
			v.Absence = l.Late
		case a.ReasonName != "":
			v.Absence = l.Absent + " (" + a.ReasonName + ")"
		default:
			v.Absence = l.Absent
		}
	}
	if x.Topic != "" {
		v.Details = x.Topic + " · " + v.Details
	}
	if x.Substitute {
		v.Details += " (" + l.Substitute + ")"
	}
	if x.Room != "" {
		v.Details += " · " + l.Room + " " + x.Room
	}
	if h := x.Homework; h != nil {
		v.HasHomework, v.Homework = true, h.Text
		if h.DueOn != "" {
			v.HomeworkDue = l.DueOn + " " + d.Date(h.DueOn)
		}
		if len(h.Files) > 0 {
			base := pupil + "/homework/" + strconv.FormatInt(h.ID, 10) + "/files/"
			v.Files = make([]fileLink, len(h.Files))
			for i, f := range h.Files {
				v.Files[i] = fileLink{Href: base + strconv.FormatInt(f.ID, 10), Name: f.Name, KB: d.KB(f.Size)}
			}
		}
	}
	return v
}

// personName is "First Last, class" as the diary names a pupil.
func personName(first, last, class string) string {
	s := first + " " + last
	if class != "" {
		s += ", " + class
	}
	return s
}

// dueText lists the homework due on a day: "subject — text; …".
func dueText(due []*diary.Homework) string {
	if len(due) == 0 {
		return ""
	}
	var b strings.Builder
	for i, h := range due {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(h.SubjectName)
		b.WriteString(" — ")
		b.WriteString(h.Text)
	}
	return b.String()
}
