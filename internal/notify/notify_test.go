package notify

import (
	"encoding/json"
	"testing"
	"time"

	"shkola/internal/store"
)

func TestQuietUntil(t *testing.T) {
	msk, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	at := func(h, m int) time.Time { return time.Date(2026, 10, 6, h, m, 0, 0, msk) }
	for _, c := range []struct {
		now      time.Time
		from, to string
		want     time.Time
	}{
		{at(10, 0), "", "", at(10, 0)},
		{at(10, 0), "21:00", "07:00", at(10, 0)},
		{at(22, 30), "21:00", "07:00", time.Date(2026, 10, 7, 7, 0, 0, 0, msk)},
		{at(6, 59), "21:00", "07:00", at(7, 0)},
		{at(7, 0), "21:00", "07:00", at(7, 0)},
		{at(12, 0), "09:00", "18:00", at(18, 0)},
		{at(18, 0), "09:00", "18:00", at(18, 0)},
	} {
		if got := quietUntil(c.now.UTC(), msk, c.from, c.to); !got.Equal(c.want) {
			t.Errorf("%s in %s–%s: %s, want %s", c.now.Format("15:04"), c.from, c.to, got.In(msk), c.want)
		}
	}
}

func TestParseEvent(t *testing.T) {
	ch := func(entity, op, data string) store.Change {
		return store.Change{Entity: entity, Op: op, EntityID: "9", Data: json.RawMessage(data)}
	}
	for _, c := range []struct {
		c    store.Change
		ok   bool
		msg  string
		link string
	}{
		{ch("mark", "update", `{"person_id":3,"lesson_id":5,"subject":"math"}`), true, "mark.update", "/diary/3?lesson=5#lesson-5"},
		{ch("attendance", "create", `{"person_id":3,"lesson_id":5,"status":"absent"}`), true, "absent", "/diary/3?lesson=5#lesson-5"},
		{ch("attendance", "update", `{"person_id":3,"lesson_id":5,"status":"present"}`), false, "", ""},
		{ch("period_mark", "create", `{"person_id":3,"period_id":2}`), true, "period_mark.create", "/diary/3/period?period=2"},
		{ch("homework", "create", `{"lesson_id":5,"group_id":4,"due_on":"2026-12-01"}`), true, "homework.create", "/diary/3?lesson=5#lesson-5"},
		{ch("period_mark", "update", `{"person_id":3}`), true, "period_mark.update", "/diary/3/period"},
		{ch("homework", "delete", `{"lesson_id":5,"group_id":4}`), false, "", ""},
		{ch("announcement", "create", `{"audience":"school"}`), true, "announcement", "/announcements/9"},
		{ch("person", "create", ``), false, "", ""},
		{ch("mark", "create", `{"subject":"math"}`), false, "", ""},
		{ch("mark", "create", `not json`), false, "", ""},
	} {
		e, ok := parseEvent(c.c)
		if ok != c.ok || (ok && (e.msg != c.msg || e.link(3) != c.link)) {
			t.Errorf("%s.%s %s: ok=%v msg=%q link=%q", c.c.Entity, c.c.Op, c.c.Data, ok, e.msg, e.link(3))
		}
	}
}

func TestCheckURL(t *testing.T) {
	for _, c := range []struct {
		url          string
		allowPrivate bool
		ok           bool
	}{
		{"https://hooks.example.org/in?token=1", false, true},
		{"http://hooks.example.org/in", false, false},
		{"https://127.0.0.1/in", false, false},
		{"https://10.1.2.3/in", false, false},
		{"https://[::1]/in", false, false},
		{"https://localhost/in", false, false},
		{"https://169.254.169.254/latest", false, false},
		{"http://127.0.0.1:8080/in", true, true},
		{"https://u:p@hooks.example.org/", true, false},
		{"ftp://hooks.example.org/", true, false},
		{"", true, false},
	} {
		if _, err := checkURL(c.url, c.allowPrivate); (err == nil) != c.ok {
			t.Errorf("%q (private allowed: %v): %v", c.url, c.allowPrivate, err)
		}
	}
}

func TestSignIsHMACOverTimeAndBody(t *testing.T) {
	got := Sign("whsec_test", time.Unix(1700000000, 0), []byte(`{"a":1}`))
	// echo -n '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
	const want = "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
	if got != want {
		t.Errorf("signature header %q", got)
	}
}
