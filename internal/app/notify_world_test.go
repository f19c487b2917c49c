package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"shkola/internal/apptest"
	"shkola/internal/config"
	"shkola/internal/identity"
	"shkola/internal/org"
	"shkola/internal/registry"
	"shkola/internal/store"
)

// family is the notification tests' region: school 1 with class 5А (pupil
// Аня with her mother, father and own account; pupil Борис with his
// mother) and class 6Б (pupil Вера with her mother), led by class teachers;
// school 2 with class 7В and the pupil Канареечная, whose mother is in
// another family. Accounts have tokens for the API.
type family struct {
	s                    *apptest.Server
	s1, s2               org.Organisation
	class5, class6, cls7 int64
	anya, boris, vera    int64
	canary               int64
	tok                  map[string]string // login -> bearer token
	acc                  map[string]int64  // login -> account id
	mail                 *mailbox
	clock                *testClock
	seq                  int
}

// testClock is the notification service's clock, moved by tests.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newFamily starts a server with e-mail through an in-process SMTP
// listener and webhooks allowed to loopback addresses.
func newFamily(t *testing.T) *family {
	mb := startMailbox(t)
	s := apptest.Start(t, func(c *config.Config) {
		c.Notify.SMTPHost, c.Notify.SMTPPort, c.Notify.SMTPFrom, c.Notify.SMTPTLS = "127.0.0.1", mb.port, "school@example.org", "none"
		c.Notify.WebhookAllowPrivate = true
		c.Notify.TimeZone = "Europe/Moscow"
	})
	// 10:00 in Moscow on a school day.
	clock := &testClock{t: time.Date(2026, 10, 6, 7, 0, 0, 0, time.UTC)}
	s.App.Notify.S.Now = clock.Now
	f := &family{s: s, tok: map[string]string{}, acc: map[string]int64{}, mail: mb, clock: clock}
	ctx := context.Background()
	mk := func(parent *int64, kind org.Kind, name string) org.Organisation {
		o, err := s.App.Orgs.Create(ctx, org.New{ParentID: parent, Kind: kind, Name: name, Country: org.RU})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	region := mk(nil, org.Region, "Регион")
	mun := mk(&region.ID, org.Municipality, "Округ")
	f.s1, f.s2 = mk(&mun.ID, org.School, "Школа 1"), mk(&mun.ID, org.School, "Школа 2")
	officer := identity.With(ctx, &identity.Actor{AccountID: -1, Login: "setup", Grants: []identity.Grant{{Role: identity.RegionalOfficer, OrgID: region.ID}}})
	person := func(orgID int64, last, first, born, sex, email string) int64 {
		p, err := s.App.People.Create(officer, registry.NewPerson{OrgID: orgID, LastName: last, FirstName: first, BirthDate: born, Sex: sex, Email: email})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	now := time.Now().UTC()
	exec := func(q string, args ...any) int64 {
		var id int64
		if err := s.App.DB.W.QueryRow(q+" RETURNING id", args...).Scan(&id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	year := func(o int64) int64 {
		return exec(`INSERT INTO academic_years (org_id, name, starts_on, ends_on, period_kind, status, created_at, updated_at)
			VALUES ($1, '2026/2027', '2026-09-01', '2027-05-31', 'quarter', 'current', $2, $2)`, o, now)
	}
	y1, y2 := year(f.s1.ID), year(f.s2.ID)
	teacher5 := person(f.s1.ID, "Лебедева", "Ольга", "1981-06-15", "f", "")
	teacher6 := person(f.s1.ID, "Орлов", "Пётр", "1980-02-02", "m", "")
	class := func(o, y int64, parallel int, letter string, teacher any) int64 {
		return exec(`INSERT INTO groups (org_id, year_id, kind, parallel, letter, name, level, class_teacher_id, capacity, created_at, updated_at)
			VALUES ($1, $2, 'class', $3, $4, $5, 'ru_basic', $6, 30, $7, $7)`, o, y, parallel, letter, strconv.Itoa(parallel)+letter, teacher, now)
	}
	f.class5, f.class6, f.cls7 = class(f.s1.ID, y1, 5, "А", teacher5), class(f.s1.ID, y1, 6, "Б", teacher6), class(f.s2.ID, y2, 7, "В", nil)
	member := func(group, p int64) {
		exec("INSERT INTO group_members (group_id, person_id, starts_on, created_at) VALUES ($1, $2, '2026-09-01', $3)", group, p, now)
	}
	guardian := func(child, g int64, kind string) {
		exec(`INSERT INTO guardianships (child_id, guardian_id, kind, starts_on, created_at, created_by) VALUES ($1, $2, $3, '2014-05-02', $4, 'test')`, child, g, kind, now)
	}
	f.anya = person(f.s1.ID, "Иванова", "Аня", "2015-03-01", "f", "anya@example.org")
	f.boris = person(f.s1.ID, "Борисов", "Борис", "2015-04-01", "m", "")
	f.vera = person(f.s1.ID, "Верина", "Вера", "2014-04-01", "f", "")
	f.canary = person(f.s2.ID, "Канареечная", "Скрытая", "2013-01-01", "f", "")
	member(f.class5, f.anya)
	member(f.class5, f.boris)
	member(f.class6, f.vera)
	member(f.cls7, f.canary)
	mother := person(f.s1.ID, "Иванова", "Мария", "1985-01-20", "f", "mother@example.org")
	father := person(f.s1.ID, "Иванов", "Сергей", "1983-01-20", "m", "father@example.org")
	borisMother := person(f.s1.ID, "Борисова", "Нина", "1986-01-20", "f", "")
	veraMother := person(f.s1.ID, "Верина", "Анна", "1984-01-20", "f", "vera.mother@example.org")
	canaryMother := person(f.s2.ID, "Канареечная", "Мать", "1980-01-01", "f", "canary@example.org")
	guardian(f.anya, mother, "mother")
	guardian(f.anya, father, "father")
	guardian(f.boris, borisMother, "mother")
	guardian(f.vera, veraMother, "mother")
	guardian(f.canary, canaryMother, "mother")
	for _, a := range []struct {
		login  string
		role   identity.Role
		orgID  int64
		person int64
	}{
		{"anya", identity.Student, f.s1.ID, f.anya}, {"mother", identity.Guardian, f.s1.ID, mother}, {"father", identity.Guardian, f.s1.ID, father},
		{"boris.mother", identity.Guardian, f.s1.ID, borisMother}, {"vera.mother", identity.Guardian, f.s1.ID, veraMother},
		{"canary.mother", identity.Guardian, f.s2.ID, canaryMother},
		{"teacher5", identity.ClassTeacher, f.s1.ID, teacher5}, {"teacher6", identity.Teacher, f.s1.ID, teacher6},
		{"director1", identity.SchoolAdmin, f.s1.ID, 0}, {"director2", identity.SchoolAdmin, f.s2.ID, 0},
	} {
		acc, _, err := s.App.Accounts.Create(ctx, a.login, []identity.Grant{{Role: a.role, OrgID: a.orgID}})
		if err != nil {
			t.Fatal(err)
		}
		if a.person != 0 {
			if _, err := s.App.DB.W.Exec("UPDATE accounts SET person_id = $1 WHERE id = $2", a.person, acc.ID); err != nil {
				t.Fatal(err)
			}
		}
		tok, err := s.App.Accounts.IssueToken(ctx, acc.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		f.tok[a.login], f.acc[a.login] = tok, acc.ID
	}
	return f
}

// record writes a change the way the journal does: tx.Record in the
// writing transaction, ids and codes only.
func (f *family) record(t *testing.T, entity, op string, orgID int64, data map[string]any) {
	t.Helper()
	f.seq++
	js, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	err = f.s.App.DB.WithTx(context.Background(), func(tx *store.Tx) error {
		err = tx.Record(context.Background(), store.Change{Entity: entity, EntityID: strconv.Itoa(1000 + f.seq), Op: op, OrgID: &orgID, Actor: "journal", Data: js})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// dispatch runs the dispatcher until the log is consumed.
func (f *family) dispatch(t *testing.T) {
	t.Helper()
	for range 100 {
		n, err := f.s.App.Notifier.Dispatch.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("the dispatcher does not finish")
}

// send runs the sender until nothing is due on the test clock.
func (f *family) send(t *testing.T) {
	t.Helper()
	for range 100 {
		n, err := f.s.App.Notifier.Send.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("the sender does not finish")
}

func (f *family) api(t *testing.T, login, method, path, body string) (int, string) {
	t.Helper()
	h := []string{}
	if login != "" {
		h = append(h, "Authorization", "Bearer "+f.tok[login])
	}
	var r *strings.Reader
	if body != "" {
		h = append(h, "Content-Type", "application/json")
		r = strings.NewReader(body)
	}
	var st int
	var out string
	if r == nil {
		st, _, out = apptest.Do(t, f.s.Client(), method, f.s.URL+path, nil, h...)
	} else {
		st, _, out = apptest.Do(t, f.s.Client(), method, f.s.URL+path, r, h...)
	}
	return st, out
}

type notificationJSON struct {
	ID        int64   `json:"id"`
	Kind      string  `json:"kind"`
	Title     string  `json:"title"`
	Body      string  `json:"body"`
	Link      string  `json:"link"`
	PupilID   int64   `json:"pupil_id"`
	PupilName string  `json:"pupil_name"`
	ReadAt    *string `json:"read_at"`
}

// inbox returns a person's notifications through the API.
func (f *family) inbox(t *testing.T, login string) ([]notificationJSON, string) {
	t.Helper()
	st, body := f.api(t, login, "GET", "/api/v1/me/notifications?limit=500", "")
	if st != http.StatusOK {
		t.Fatalf("%s inbox: %d %s", login, st, body)
	}
	var out struct{ Items []notificationJSON }
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	return out.Items, body
}

// mailbox is a tiny SMTP server that keeps what it is sent.
type mailbox struct {
	port int
	mu   sync.Mutex
	msgs []mailMsg
}

type mailMsg struct{ to, data string }

func (m *mailbox) all() []mailMsg {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]mailMsg(nil), m.msgs...)
}

func startMailbox(t *testing.T) *mailbox {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	m := &mailbox{port: ln.Addr().(*net.TCPAddr).Port}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go m.serve(c)
		}
	}()
	return m
}

func (m *mailbox) serve(c net.Conn) {
	defer c.Close()
	tp := textproto.NewConn(c)
	reply := func(code int, msg string) { _ = tp.PrintfLine("%d %s", code, msg) }
	reply(220, "mailbox ready")
	var to string
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch cmd {
		case "EHLO", "HELO":
			_ = tp.PrintfLine("250-mailbox")
			reply(250, "8BITMIME")
		case "MAIL":
			reply(250, "ok")
		case "RCPT":
			to = strings.Trim(strings.TrimPrefix(strings.TrimPrefix(line, "RCPT TO:"), "rcpt to:"), "<> ")
			reply(250, "ok")
		case "DATA":
			reply(354, "go on")
			r := bufio.NewReader(tp.DotReader())
			var b strings.Builder
			if _, err := r.WriteTo(&b); err != nil {
				return
			}
			m.mu.Lock()
			m.msgs = append(m.msgs, mailMsg{to: to, data: b.String()})
			m.mu.Unlock()
			reply(250, "queued")
		case "QUIT":
			reply(221, "bye")
			return
		default:
			reply(502, fmt.Sprintf("%s not implemented", cmd))
		}
	}
}

// notifyHiddenPupil gives the canary test's hidden pupil an account and six
// mark notifications (ids 1…6 or so, which the callers' paths try).
func notifyHiddenPupil(t *testing.T, s *apptest.Server, school, pupil int64) {
	ctx := context.Background()
	acc, _, err := s.App.Accounts.Create(ctx, "hidden-pupil", []identity.Grant{{Role: identity.Student, OrgID: school}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.DB.W.Exec("UPDATE accounts SET person_id = $1 WHERE id = $2", pupil, acc.ID); err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		err := s.App.DB.WithTx(ctx, func(tx *store.Tx) error {
			err := tx.Record(ctx, store.Change{Entity: "mark", EntityID: strconv.Itoa(i + 1), Op: "create", OrgID: &school,
				Data: json.RawMessage(fmt.Sprintf(`{"person_id":%d,"lesson_id":%d,"group_id":0,"subject":"math"}`, pupil, i+1))})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for {
		n, err := s.App.Notifier.Dispatch.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	var n int
	if err := s.App.DB.R.QueryRow("SELECT COUNT(*) FROM notifications WHERE account_id = $1 AND body LIKE '%Скрытая%'", acc.ID).Scan(&n); err != nil || n != 6 {
		t.Fatalf("the hidden pupil has %d notifications naming her (%v)", n, err)
	}
}
