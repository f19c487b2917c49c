package web

import (
	"bytes"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"shkola/internal/diary"
	"shkola/internal/identity"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata")

// testSite is a Site with every page registered, as the application builds
// it (the navigation is the real one); the guards are not needed to render.
func testSite(tb testing.TB) *Site {
	tb.Helper()
	s, err := NewSite(false)
	if err != nil {
		tb.Fatal(err)
	}
	mux := http.NewServeMux()
	s.RegisterOrg(mux, nil)
	s.RegisterAccount(mux, nil)
	s.RegisterAudit(mux, nil)
	s.RegisterAccountAdmin(mux, nil)
	s.RegisterPerson(mux, nil)
	s.RegisterClasses(mux, nil, nil)
	s.RegisterContingent(mux, nil)
	s.RegisterStaff(mux, nil, nil, nil)
	s.RegisterDirectory(mux, nil)
	s.RegisterLogins(mux, nil, "")
	s.RegisterNotify(mux, nil)
	s.RegisterSchedule(mux, nil, nil, nil)
	s.RegisterJournal(mux, nil, nil)
	s.RegisterPortfolio(mux, nil, nil)
	s.RegisterImports(mux, nil)
	s.RegisterDiary(mux, nil)
	s.Unread = func(*http.Request) int { return 3 }
	return s
}

// weekCase is one fixed week page: who looks, in which language, at what.
type weekCase struct {
	name      string
	lang      string
	lowVision bool
	role      identity.Role
	today     string // the diary's today; the week is 2026-11-23..29
	lesson    int64  // a notification's lesson
	children  bool   // a guardian's switcher of three children
	weekend   bool   // lessons on Saturday and an empty Friday
}

var weekCases = []weekCase{
	{name: "ru_guardian", lang: "ru", role: identity.Guardian, today: "2026-11-25", lesson: 1203, children: true},
	{name: "uk_student_lowvision", lang: "uk", lowVision: true, role: identity.Student, today: "2026-12-02"},
	{name: "en_guardian_weekend", lang: "en", role: identity.Guardian, today: "2026-11-28", children: true, weekend: true},
}

// fixtureWeek is a realistic week of a second-former: 5 days of 5-6
// lessons with marks, absences, lateness, a substitute, a cancelled lesson,
// a control work, homework with files and the homework due each day. Some
// texts carry characters the escapers must change.
func fixtureWeek(c weekCase) *diary.Week {
	w := &diary.Week{
		Pupil: diary.Pupil{ID: 12, OrgID: 3, LastName: "Петрова", FirstName: "Алиса", MiddleName: "Игоревна", ClassID: 40, Class: "2Б"},
		From:  "2026-11-23", To: "2026-11-29", Prev: "2026-11-16", Next: "2026-11-30", Today: c.today,
	}
	if c.children {
		w.Children = []diary.Child{
			{ID: 11, FirstName: "Иван", LastName: "Петров", Class: "7А"},
			{ID: 12, FirstName: "Алиса", LastName: "Петрова", Class: "2Б"},
			{ID: 13, FirstName: "Миша", LastName: "Петров"},
		}
	}
	subjects := [][2]string{{"rus", "Русский язык"}, {"math", "Математика"}, {"read", "Литературное чтение"}, {"world", "Окружающий мир"},
		{"eng", "Английский язык"}, {"pe", "Физическая культура"}, {"art", "ИЗО"}, {"music", "Музыка"}}
	times := []string{"08:30", "09:25", "10:30", "11:30", "12:30", "13:25"}
	teachers := []string{"Иванова А. П.", "Смирнова Е. В.", "Кузнецов О. Н.", "O'Brien K."}
	days := 5
	if c.weekend {
		days = 6
	}
	var hwID, fileID int64 = 500, 900
	var prev *diary.Homework
	for d := range days {
		day := diary.Day{Date: "2026-11-2" + string(rune('3'+d)), Weekday: d + 1, Lessons: []diary.Lesson{}}
		n := 5 + d%2
		if c.weekend && d == 4 {
			n = 0
		}
		if c.weekend && d == 5 {
			n = 3
		}
		for i := range n {
			sub := subjects[(d*3+i)%len(subjects)]
			l := diary.Lesson{ID: int64(1200 + d*10 + i + 1), Slot: i + 1, StartsAt: times[i], EndsAt: times[i], Subject: sub[0], SubjectName: sub[1],
				Teacher: teachers[(d+i)%len(teachers)], Room: string(rune('0'+(i+1)%10)) + "0" + string(rune('1'+d))}
			if i%3 == 0 {
				l.Topic = "Тема «Сложение & вычитание» <в пределах 100>"
			} else if i%3 == 1 {
				l.Topic = "Повторение"
			}
			if d == 3 && i == 2 {
				l.Substitute = true
			}
			if d == 2 && i == 4 {
				l.Cancelled = true
				l.Room = ""
			}
			if d == 1 && i == 1 {
				l.ControlWork = true
			}
			if i == 5 {
				l.StartsAt = ""
			}
			switch (d + i) % 4 {
			case 0:
				l.Mark = &diary.Mark{Value: "5", Kind: "oral", KindName: "Устный ответ", Weight: 1}
			case 1:
				l.Mark = &diary.Mark{Value: "4-", Kind: "test", KindName: "Контрольная работа", Weight: 2}
			}
			switch {
			case d == 0 && i == 4:
				l.Attendance = &diary.Absence{Status: "late", Minutes: 7}
			case d == 2 && i == 0:
				l.Attendance = &diary.Absence{Status: "absent", Reason: "ill", ReasonName: "болезнь"}
			case d == 3 && i == 3:
				l.Attendance = &diary.Absence{Status: "absent"}
			case d == 1 && i == 3:
				l.Attendance = &diary.Absence{Status: "late"}
			}
			if i != 2 {
				hwID++
				hw := &diary.Homework{ID: hwID, LessonID: l.ID, SetOn: day.Date, Subject: sub[0], SubjectName: sub[1],
					Text: "С. 48, упр. 125", Files: []diary.File{}}
				if i == 0 {
					hw.Text = "Выучить правило \"Безударные гласные\" & <повторить> словарные слова"
				}
				if i%2 == 0 {
					hw.DueOn = "2026-11-2" + string(rune('4'+d))
				}
				if i == 1 {
					fileID++
					hw.Files = append(hw.Files, diary.File{ID: fileID, Name: "Рабочий лист & ответы.pdf", ContentType: "application/pdf", Size: 153_402})
					fileID++
					hw.Files = append(hw.Files, diary.File{ID: fileID, Name: "схема.png", ContentType: "image/png", Size: 900})
				}
				l.Homework = hw
				if prev != nil && i == 0 {
					day.Due = append(day.Due, prev)
				}
				prev = hw
			}
			day.Lessons = append(day.Lessons, l)
		}
		if d > 0 && len(day.Due) > 0 && len(w.Days) > 0 && len(w.Days[d-1].Lessons) > 1 && w.Days[d-1].Lessons[1].Homework != nil {
			day.Due = append(day.Due, w.Days[d-1].Lessons[1].Homework)
		}
		w.Days = append(w.Days, day)
	}
	return w
}

// weekRequest is the browser's request for the week page of c.
func weekRequest(c weekCase) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/diary/12?week=2026-11-23", nil)
	r.AddCookie(&http.Cookie{Name: "lang", Value: c.lang})
	if c.lowVision {
		r.AddCookie(&http.Cookie{Name: "lv", Value: "1"})
	}
	a := &identity.Actor{AccountID: 7, PersonID: 100, Login: "petrova.m", Grants: []identity.Grant{{Role: c.role, OrgID: 3}}}
	return r.WithContext(identity.With(r.Context(), a))
}

// renderWeek renders the week page of c through the handler's code path.
func renderWeek(s *Site, c weekCase, r *http.Request, w *diary.Week) *httptest.ResponseRecorder {
	h := diaryPages{site: s}
	p := h.weekPage(r, w, c.lang, c.lesson)
	p.CSRF = "csrf-Zm9vYmFyYmF6cXV4LTEyMzQ1Njc4OTA" // the session middleware's token
	rec := httptest.NewRecorder()
	s.Render(rec, r, http.StatusOK, "diary_week", p)
	return rec
}

// The week page's HTML is pinned: a faster rendering must not change a
// byte of it. After an intended change of the page, rerun with -update and
// read the diff of testdata.
func TestDiaryWeekGolden(t *testing.T) {
	s := testSite(t)
	for _, c := range weekCases {
		t.Run(c.name, func(t *testing.T) {
			rec := renderWeek(s, c, weekRequest(c), fixtureWeek(c))
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			got := rec.Body.Bytes()
			file := filepath.Join("testdata", "diary_week", c.name+".html")
			if *updateGolden {
				if err := os.WriteFile(file, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				out := filepath.Join(t.TempDir(), c.name+".html")
				_ = os.WriteFile(out, got, 0o644)
				t.Errorf("the page differs from %s (got written to %s)", file, out)
			}
		})
	}
}
