package app_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"shkola/internal/apptest"
	"shkola/internal/notify"
)

// A mark recorded by the journal reaches the pupil and both parents in
// their own language, once, and nobody of another family; reading and
// marking read works on one's own notifications only.
func TestNotifyMarkReachesTheFamilyOnly(t *testing.T) {
	f := newFamily(t)
	if st, body := f.api(t, "father", "PUT", "/api/v1/me/notification-preferences",
		`{"inapp":["mark","absence","homework","period_mark","announcement"],"email":[],"quiet_from":"","quiet_to":"","lang":"en"}`); st != http.StatusOK {
		t.Fatalf("father's prefs: %d %s", st, body)
	}
	f.record(t, "mark", "create", f.s1.ID, map[string]any{"person_id": f.anya, "lesson_id": 77, "group_id": f.class5, "subject": "math"})
	f.record(t, "mark", "create", f.s2.ID, map[string]any{"person_id": f.canary, "lesson_id": 78, "group_id": f.cls7, "subject": "math"})
	f.record(t, "attendance", "create", f.s1.ID, map[string]any{"person_id": f.anya, "lesson_id": 79, "group_id": f.class5, "subject": "math", "status": "present"})
	f.dispatch(t)
	f.dispatch(t) // a second run finds nothing new and repeats nothing

	for login, want := range map[string]string{"anya": "Новая отметка: Математика", "mother": "Новая отметка: Математика", "father": "New mark: Mathematics"} {
		items, body := f.inbox(t, login)
		if len(items) != 1 {
			t.Fatalf("%s has %d notifications, want 1: %s", login, len(items), body)
		}
		n := items[0]
		if n.Title != want || n.Kind != "mark" || n.Link != fmt.Sprintf("/diary/%d?lesson=77#lesson-77", f.anya) || n.PupilID != f.anya || n.PupilName != "Аня" || n.ReadAt != nil {
			t.Errorf("%s got %+v", login, n)
		}
		if strings.Contains(body, "Канареечная") || strings.Contains(body, "Скрытая") || strings.Contains(body, "lesson=78") || strings.Contains(body, fmt.Sprintf("/diary/%d", f.canary)) {
			t.Errorf("%s sees another family's event: %s", login, body)
		}
	}
	// The other family hears about its own child only.
	items, _ := f.inbox(t, "canary.mother")
	if len(items) != 1 || items[0].PupilID != f.canary {
		t.Fatalf("canary mother: %+v", items)
	}
	canaryNote := items[0].ID
	for _, login := range []string{"boris.mother", "vera.mother", "teacher5", "director1"} {
		if items, body := f.inbox(t, login); len(items) != 0 {
			t.Errorf("%s was told about somebody else's child: %s", login, body)
		}
	}
	// Another family's notification is not found, neither read nor marked.
	for _, p := range []string{"/api/v1/me/notifications/" + strconv.FormatInt(canaryNote, 10)} {
		if st, body := f.api(t, "mother", "GET", p, ""); st != http.StatusNotFound {
			t.Errorf("mother reads the other family's notification: %d %s", st, body)
		}
		if st, _ := f.api(t, "mother", "POST", p+"/read", ""); st != http.StatusNotFound {
			t.Errorf("mother marks the other family's notification: %d", st)
		}
	}
	// Unread count, mark read, mark all read.
	count := func(login string) string {
		_, body := f.api(t, login, "GET", "/api/v1/me/notifications/unread-count", "")
		return strings.TrimSpace(body)
	}
	if c := count("mother"); c != `{"unread":1}` {
		t.Errorf("mother's unread count: %s", c)
	}
	items, _ = f.inbox(t, "mother")
	if st, body := f.api(t, "mother", "POST", fmt.Sprintf("/api/v1/me/notifications/%d/read", items[0].ID), ""); st != http.StatusOK || !strings.Contains(body, `"read_at":`) {
		t.Errorf("mark read: %d %s", st, body)
	}
	if c := count("mother"); c != `{"unread":0}` {
		t.Errorf("after reading: %s", c)
	}
	if _, body := f.api(t, "mother", "GET", "/api/v1/me/notifications?unread=1", ""); strings.Contains(body, `"id":`) {
		t.Errorf("unread filter shows a read one: %s", body)
	}
	if st, body := f.api(t, "father", "POST", "/api/v1/me/notifications/read-all", ""); st != http.StatusOK || strings.TrimSpace(body) != `{"marked":1}` {
		t.Errorf("read all: %d %s", st, body)
	}
	if c := count("canary.mother"); c != `{"unread":1}` {
		t.Errorf("somebody else's read-all touched the canary family: %s", c)
	}
	if st, body := f.api(t, "", "GET", "/api/v1/me/notifications", ""); st != http.StatusUnauthorized {
		t.Errorf("anonymous list: %d %s", st, body)
	}
	if st, body := f.api(t, "mother", "GET", "/api/v1/me/notifications?kind=mark", ""); st != http.StatusUnprocessableEntity || !strings.Contains(body, `"field":"kind"`) {
		t.Errorf("unknown filter: %d %s", st, body)
	}
}

// Homework goes to the members of the class and their guardians; an
// absence to the pupil's family. Switching a channel off stops it; e-mail
// goes to the address in the record, and waits for the end of quiet hours.
func TestNotifyPreferencesEmailAndQuietHours(t *testing.T) {
	f := newFamily(t)
	// Father: no homework in the list. Mother: homework and absences by
	// e-mail, quiet from 09:00 to 18:00 Moscow time (it is 10:00 there).
	if st, body := f.api(t, "father", "PUT", "/api/v1/me/notification-preferences",
		`{"inapp":["mark","absence"],"email":[],"quiet_from":"","quiet_to":"","lang":"ru"}`); st != http.StatusOK {
		t.Fatalf("father: %d %s", st, body)
	}
	st, body := f.api(t, "mother", "PUT", "/api/v1/me/notification-preferences",
		`{"inapp":["homework","absence"],"email":["homework","absence"],"quiet_from":"09:00","quiet_to":"18:00","lang":"ru"}`)
	if st != http.StatusOK || !strings.Contains(body, `"email_available":true`) || !strings.Contains(body, `"quiet_from":"09:00"`) {
		t.Fatalf("mother: %d %s", st, body)
	}
	// Refusals name the field and change nothing.
	for _, c := range []struct{ login, body, field string }{
		{"boris.mother", `{"inapp":[],"email":["mark"],"quiet_from":"","quiet_to":"","lang":"ru"}`, `"field":"email","rule":"unavailable"`},
		{"mother", `{"inapp":["marks"],"email":[],"quiet_from":"","quiet_to":"","lang":"ru"}`, `"field":"inapp","rule":"kind"`},
		{"mother", `{"inapp":[],"email":[],"quiet_from":"21:00","quiet_to":"","lang":"ru"}`, `"field":"quiet_to","rule":"both"`},
		{"mother", `{"inapp":[],"email":[],"quiet_from":"25:00","quiet_to":"07:00","lang":"ru"}`, `"field":"quiet_from","rule":"format"`},
		{"mother", `{"inapp":[],"email":[],"quiet_from":"","quiet_to":"","lang":"de"}`, `"field":"lang","rule":"lang"`},
		{"mother", `{"inapp":[],"email":[],"quiet_from":"","quiet_to":"","lang":"ru","admin":true}`, `"field":"admin"`},
	} {
		if st, body := f.api(t, c.login, "PUT", "/api/v1/me/notification-preferences", c.body); st != http.StatusUnprocessableEntity || !strings.Contains(body, c.field) {
			t.Errorf("%s %s: %d %s", c.login, c.body, st, body)
		}
	}
	if _, body := f.api(t, "mother", "GET", "/api/v1/me/notification-preferences", ""); !strings.Contains(body, `"inapp":["homework","absence"]`) {
		t.Errorf("a refused change was stored: %s", body)
	}

	f.record(t, "homework", "create", f.s1.ID, map[string]any{"lesson_id": 90, "group_id": f.class5, "subject": "math", "due_on": "2026-10-08"})
	f.record(t, "attendance", "create", f.s1.ID, map[string]any{"person_id": f.anya, "lesson_id": 91, "group_id": f.class5, "subject": "rus", "status": "absent"})
	f.dispatch(t)

	titles := func(login string) []string {
		items, _ := f.inbox(t, login)
		var out []string
		for _, n := range items {
			out = append(out, n.Title)
		}
		return out
	}
	if got := strings.Join(titles("mother"), " | "); got != "Пропуск урока: Русский язык | Домашнее задание: Математика" {
		t.Errorf("mother's list: %s", got)
	}
	if got := strings.Join(titles("father"), " | "); got != "Пропуск урока: Русский язык" {
		t.Errorf("father switched homework off, his list: %s", got)
	}
	// Homework reaches the whole class: Борис's mother (defaults) too, not
	// 6Б's family.
	if got := strings.Join(titles("boris.mother"), " | "); got != "Домашнее задание: Математика" {
		t.Errorf("Boris's mother: %s", got)
	}
	if got := titles("vera.mother"); len(got) != 0 {
		t.Errorf("another class's family got: %v", got)
	}
	items, _ := f.inbox(t, "boris.mother")
	if !strings.Contains(items[0].Body, "Борис") || !strings.Contains(items[0].Body, "08.10.2026") {
		t.Errorf("homework text: %q", items[0].Body)
	}

	// E-mail: Аня's own address gets the absence (the defaults), the
	// father chose none, the mother's wait for the end of her quiet hours.
	f.send(t)
	got := f.mail.all()
	if len(got) != 1 || got[0].to != "anya@example.org" {
		t.Fatalf("mails before the quiet hours end: %+v", got)
	}
	if !strings.Contains(got[0].data, "Subject: =?utf-8?") || !strings.Contains(got[0].data, "X-Shkola-Delivery: ") ||
		!strings.Contains(got[0].data, fmt.Sprintf("http://127.0.0.1/diary/%d?lesson=3D91#lesson-91", f.anya)) { // quoted-printable "="
		t.Errorf("mail: %s", got[0].data)
	}
	f.clock.Add(7*time.Hour + 59*time.Minute) // 17:59 in Moscow
	f.send(t)
	if n := len(f.mail.all()); n != 1 {
		t.Errorf("%d mails during quiet hours", n)
	}
	f.clock.Add(time.Minute)
	f.send(t)
	var toMother []string
	for _, m := range f.mail.all() {
		if m.to == "mother@example.org" {
			toMother = append(toMother, m.data)
		}
	}
	if len(toMother) != 2 {
		t.Fatalf("mother got %d mails after her quiet hours", len(toMother))
	}
	for _, m := range f.mail.all() {
		if strings.Contains(m.data, "Канареечная") || m.to == "canary@example.org" || m.to == "vera.mother@example.org" {
			t.Errorf("mail to the wrong family: %s", m.to)
		}
	}
}

// A school's webhook is signed with its secret, retried with backoff after
// a 500 with the same delivery id, and gets nothing of another school.
func TestNotifyWebhookSignedAndRetried(t *testing.T) {
	f := newFamily(t)
	var mu sync.Mutex
	var secret string
	type call struct{ id, event, sig string }
	var calls []call
	var bodies []string
	fail := 1
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		body, _ := io.ReadAll(r.Body)
		sig := r.Header.Get("Shkola-Signature")
		ts, mac, _ := strings.Cut(strings.TrimPrefix(sig, "t="), ",v1=")
		h := hmac.New(sha256.New, []byte(secret))
		h.Write([]byte(ts + "." + string(body)))
		if !hmac.Equal([]byte(hex.EncodeToString(h.Sum(nil))), []byte(mac)) {
			t.Errorf("bad signature %q", sig)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		calls = append(calls, call{r.Header.Get("Shkola-Delivery"), r.Header.Get("Shkola-Event"), sig})
		bodies = append(bodies, string(body))
		if fail > 0 {
			fail--
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()

	st, body := f.api(t, "director1", "POST", fmt.Sprintf("/api/v1/organisations/%d/webhooks", f.s1.ID), `{"url":"`+recv.URL+`/hook","kinds":["mark"]}`)
	if st != http.StatusCreated {
		t.Fatalf("create: %d %s", st, body)
	}
	var ep struct {
		ID     int64  `json:"id"`
		Secret string `json:"secret"`
	}
	if err := json.Unmarshal([]byte(body), &ep); err != nil || !strings.HasPrefix(ep.Secret, "whsec_") {
		t.Fatalf("no secret in %s", body)
	}
	mu.Lock()
	secret = ep.Secret
	mu.Unlock()
	if _, body := f.api(t, "director1", "GET", fmt.Sprintf("/api/v1/webhooks/%d", ep.ID), ""); strings.Contains(body, "whsec_") {
		t.Errorf("the secret is shown again: %s", body)
	}
	var stored string
	if err := f.s.App.DB.R.QueryRow("SELECT secret_enc FROM webhook_endpoints WHERE id = $1", ep.ID).Scan(&stored); err != nil || strings.Contains(stored, ep.Secret) || !strings.HasPrefix(stored, "v1.") {
		t.Errorf("secret stored as %q (%v)", stored, err)
	}
	// The other school's administration neither sees nor removes it.
	if st, _ := f.api(t, "director2", "GET", fmt.Sprintf("/api/v1/webhooks/%d", ep.ID), ""); st != http.StatusNotFound {
		t.Errorf("director2 reads school 1's webhook: %d", st)
	}
	if st, _ := f.api(t, "director2", "DELETE", fmt.Sprintf("/api/v1/webhooks/%d", ep.ID), ""); st != http.StatusNotFound {
		t.Errorf("director2 removes school 1's webhook: %d", st)
	}
	for _, c := range []struct{ body, field string }{
		{`{"url":"ftp://x.example.org/","kinds":["mark"]}`, `"field":"url","rule":"format"`},
		{`{"url":"https://user:pw@x.example.org/","kinds":["mark"]}`, `"field":"url","rule":"credentials"`},
		{`{"url":"https://x.example.org/","kinds":[]}`, `"field":"kinds","rule":"required"`},
		{`{"url":"https://x.example.org/","kinds":["marks"]}`, `"field":"kinds","rule":"kind"`},
	} {
		if st, body := f.api(t, "director1", "POST", fmt.Sprintf("/api/v1/organisations/%d/webhooks", f.s1.ID), c.body); st != http.StatusUnprocessableEntity || !strings.Contains(body, c.field) {
			t.Errorf("%s: %d %s", c.body, st, body)
		}
	}

	f.record(t, "mark", "update", f.s1.ID, map[string]any{"person_id": f.anya, "lesson_id": 77, "group_id": f.class5, "subject": "math"})
	f.record(t, "homework", "create", f.s1.ID, map[string]any{"lesson_id": 77, "group_id": f.class5, "subject": "math", "due_on": "2026-10-08"})
	f.record(t, "mark", "create", f.s2.ID, map[string]any{"person_id": f.canary, "lesson_id": 78, "group_id": f.cls7, "subject": "math"})
	f.dispatch(t)
	f.send(t)
	mu.Lock()
	if len(calls) != 1 || calls[0].event != "mark.update" {
		t.Fatalf("first attempt: %+v", calls)
	}
	if !strings.Contains(bodies[0], fmt.Sprintf(`"person_id":%d`, f.anya)) || strings.Contains(bodies[0], "Аня") {
		t.Errorf("payload: %s", bodies[0])
	}
	mu.Unlock()
	type logJSON struct {
		Items []struct {
			DeliveryID string  `json:"delivery_id"`
			Status     string  `json:"status"`
			Attempts   int     `json:"attempts"`
			LastError  string  `json:"last_error"`
			Next       *string `json:"next_attempt_at"`
		}
	}
	deliveryLog := func() logJSON {
		st, body := f.api(t, "director1", "GET", fmt.Sprintf("/api/v1/organisations/%d/webhook-deliveries", f.s1.ID), "")
		var l logJSON
		if st != http.StatusOK || json.Unmarshal([]byte(body), &l) != nil || len(l.Items) != 1 {
			t.Fatalf("delivery log: %d %s", st, body)
		}
		return l
	}
	l := deliveryLog()
	want := f.clock.Now().Add(30 * time.Second).Format(time.RFC3339)
	if d := l.Items[0]; d.Status != "pending" || d.Attempts != 1 || d.LastError != "HTTP 500" || d.Next == nil || !strings.HasPrefix(*d.Next, want[:19]) {
		t.Errorf("after a 500: %+v (next attempt due %s)", d, want)
	}
	// Not yet due: nothing is sent; once the backoff has passed, it is.
	f.clock.Add(29 * time.Second)
	f.send(t)
	mu.Lock()
	if len(calls) != 1 {
		t.Errorf("sent before the backoff passed: %d calls", len(calls))
	}
	mu.Unlock()
	f.clock.Add(time.Second)
	f.send(t)
	mu.Lock()
	if len(calls) != 2 || calls[1].id != calls[0].id || calls[0].id != l.Items[0].DeliveryID {
		t.Errorf("the retry carries another id: %+v", calls)
	}
	mu.Unlock()
	if d := deliveryLog().Items[0]; d.Status != "sent" || d.Attempts != 2 {
		t.Errorf("after the retry: %+v", d)
	}
	// Backoff doubles up to its cap.
	b := notify.DefaultBackoff()
	if b.Delay(1) != 30*time.Second || b.Delay(2) != time.Minute || b.Delay(4) != 4*time.Minute || b.Delay(12) != time.Hour {
		t.Errorf("backoff: %v %v %v %v", b.Delay(1), b.Delay(2), b.Delay(4), b.Delay(12))
	}
	// Removed: no further deliveries.
	if st, _ := f.api(t, "director1", "DELETE", fmt.Sprintf("/api/v1/webhooks/%d", ep.ID), ""); st != http.StatusNoContent {
		t.Fatalf("remove: %d", st)
	}
	f.record(t, "mark", "create", f.s1.ID, map[string]any{"person_id": f.anya, "lesson_id": 80, "group_id": f.class5, "subject": "math"})
	f.dispatch(t)
	f.send(t)
	mu.Lock()
	if len(calls) != 2 {
		t.Errorf("a removed endpoint was called: %d calls", len(calls))
	}
	mu.Unlock()
}

// The dispatcher and the sender are stopped in the middle of a batch; after
// a restart every event is in each inbox exactly once, and every webhook
// delivery id reached the receiver (the one in flight possibly twice, with
// the same id).
func TestNotifyCrashMidBatch(t *testing.T) {
	f := newFamily(t)
	var mu sync.Mutex
	seen := map[string]int{}
	var stopSender context.CancelFunc
	calls := 0
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		seen[r.Header.Get("Shkola-Delivery")]++
		calls++
		if calls == 4 && stopSender != nil {
			stopSender() // the sender dies after this call arrived, before it records it
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer recv.Close()
	if st, body := f.api(t, "director1", "POST", fmt.Sprintf("/api/v1/organisations/%d/webhooks", f.s1.ID), `{"url":"`+recv.URL+`","kinds":["mark","absence"]}`); st != http.StatusCreated {
		t.Fatalf("create: %d %s", st, body)
	}
	f.dispatch(t) // the setup's own changes (people, the endpoint) are behind us
	const events = 12
	for i := range events {
		f.record(t, "mark", "create", f.s1.ID, map[string]any{"person_id": f.anya, "lesson_id": 100 + i, "group_id": f.class5, "subject": "math"})
	}
	// The dispatcher dies on the third change of its second batch.
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	d := &notify.Dispatcher{S: f.s.App.Notify.S, Batch: 5, Trace: func(context.Context, int64) {
		n++
		if n == 8 {
			cancel()
		}
	}}
	if _, err := d.RunOnce(ctx); err != nil {
		t.Fatalf("first batch: %v", err)
	}
	if _, err := d.RunOnce(ctx); err == nil {
		t.Fatal("the stopped batch reported success")
	}
	count := func(q string, args ...any) int {
		var c int
		if err := f.s.App.DB.R.QueryRow(q, args...).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := count("SELECT COUNT(*) FROM notifications WHERE account_id = $1", f.acc["mother"]); c != 5 {
		t.Fatalf("after the crash the mother has %d notifications, want the first batch's 5", c)
	}
	// Restarted (twice over, as two servers would): everything, once.
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := &notify.Dispatcher{S: f.s.App.Notify.S, Batch: 5}
			for {
				n, err := d.RunOnce(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, login := range []string{"anya", "mother", "father"} {
		if c := count("SELECT COUNT(*) FROM notifications WHERE account_id = $1", f.acc[login]); c != events {
			t.Errorf("%s has %d notifications, want %d", login, c, events)
		}
		if c := count("SELECT COUNT(DISTINCT change_seq) FROM notifications WHERE account_id = $1", f.acc[login]); c != events {
			t.Errorf("%s has %d distinct events, want %d", login, c, events)
		}
	}
	if c := count("SELECT COUNT(*) FROM deliveries WHERE channel = 'webhook'"); c != events {
		t.Fatalf("%d webhook deliveries, want %d", c, events)
	}

	// The sender dies after the fourth call reached the receiver.
	sctx, scancel := context.WithCancel(context.Background())
	mu.Lock()
	stopSender = scancel
	mu.Unlock()
	s := f.s.App.Notifier.Send
	_, _ = s.RunOnce(sctx)
	mu.Lock()
	stopSender = nil
	mu.Unlock()
	if c := count("SELECT COUNT(*) FROM deliveries WHERE channel = 'webhook' AND status = 'sent'"); c >= events {
		t.Fatalf("all %d sent although the sender was stopped", c)
	}
	// Restarted after the leases ran out.
	f.clock.Add(3 * time.Minute)
	f.send(t)
	if c := count("SELECT COUNT(*) FROM deliveries WHERE channel = 'webhook' AND status = 'sent'"); c != events {
		t.Errorf("%d of %d webhook deliveries sent after the restart", c, events)
	}
	rows, err := f.s.App.DB.R.Query("SELECT delivery_key FROM deliveries WHERE channel = 'webhook'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	mu.Lock()
	defer mu.Unlock()
	twice := 0
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			t.Fatal(err)
		}
		switch seen[key] {
		case 0:
			t.Errorf("delivery %s never reached the receiver", key)
		case 1:
		case 2:
			twice++
		default:
			t.Errorf("delivery %s arrived %d times", key, seen[key])
		}
	}
	if twice > 1 {
		t.Errorf("%d deliveries arrived twice; only the one in flight may", twice)
	}
	if len(seen) != events {
		t.Errorf("the receiver saw %d ids, want %d", len(seen), events)
	}
}

// Announcements: a class teacher writes to the class led only, the school's
// administration to a class, a parallel or the school; others are refused.
// The audience reads and is told; nobody else.
func TestAnnouncements(t *testing.T) {
	f := newFamily(t)
	f.dispatch(t)
	post := func(login, body string) (int, string) {
		return f.api(t, login, "POST", "/api/v1/announcements", body)
	}
	class := func(g int64) string {
		return fmt.Sprintf(`{"audience":"class","group_id":%d,"kind":"meeting","title":"Родительское собрание","text":"В пятницу в 18:00, кабинет 12.","event_on":"2026-10-09"}`, g)
	}
	st, body := post("teacher5", class(f.class5))
	if st != http.StatusCreated || !strings.Contains(body, `"author":"Лебедева Ольга"`) || !strings.Contains(body, `"group_name":"5А"`) {
		t.Fatalf("class teacher to own class: %d %s", st, body)
	}
	var meeting struct{ ID int64 }
	_ = json.Unmarshal([]byte(body), &meeting)
	school := fmt.Sprintf(`{"audience":"school","org_id":%d,"kind":"olympiad","title":"Школьный тур олимпиады","text":"Запись у классных руководителей."}`, f.s1.ID)
	parallel := fmt.Sprintf(`{"audience":"parallel","org_id":%d,"parallel":6,"kind":"excursion","title":"Экскурсия в музей","text":"Для шестых классов."}`, f.s1.ID)
	for _, c := range []struct {
		login, body string
		status      int
	}{
		{"teacher5", class(f.class6), http.StatusNotFound}, // another class of the same school
		{"teacher5", school, http.StatusNotFound},          // the class teacher addresses the class led only
		{"teacher6", class(f.class6), http.StatusNotFound}, // a teacher without the class_teacher role
		{"mother", class(f.class5), http.StatusNotFound},
		{"anya", class(f.class5), http.StatusNotFound},
		{"director2", class(f.class5), http.StatusNotFound}, // another school's administration
		{"director2", school, http.StatusNotFound},
		{"", class(f.class5), http.StatusUnauthorized},
		{"director1", school, http.StatusCreated},
		{"director1", parallel, http.StatusCreated},
	} {
		if st, body := post(c.login, c.body); st != c.status {
			t.Errorf("%s posts %s: %d %s", c.login, c.body, st, body)
		}
	}
	// Bad input names the field; nothing is stored.
	for _, c := range []struct{ body, field string }{
		{fmt.Sprintf(`{"audience":"class","group_id":%d,"kind":"meeting","title":"","text":"x"}`, f.class5), `"field":"title","rule":"required"`},
		{fmt.Sprintf(`{"audience":"class","group_id":%d,"kind":"party","title":"x","text":"x"}`, f.class5), `"field":"kind","rule":"one_of"`},
		{fmt.Sprintf(`{"audience":"class","group_id":%d,"kind":"meeting","title":"x","text":"x","event_on":"09.10.2026"}`, f.class5), `"field":"event_on","rule":"date"`},
		{fmt.Sprintf(`{"audience":"parallel","org_id":%d,"parallel":12,"kind":"meeting","title":"x","text":"x"}`, f.s1.ID), `"field":"parallel","rule":"range"`},
		{`{"audience":"class","group_id":999999,"kind":"meeting","title":"x","text":"x"}`, `"field":"group_id","rule":"class"`},
		{`{"audience":"everyone","kind":"meeting","title":"x","text":"x"}`, `"field":"audience","rule":"one_of"`},
	} {
		if st, body := post("director1", c.body); st != http.StatusUnprocessableEntity || !strings.Contains(body, c.field) {
			t.Errorf("%s: %d %s", c.body, st, body)
		}
	}
	var stored int
	if err := f.s.App.DB.R.QueryRow("SELECT COUNT(*) FROM announcements").Scan(&stored); err != nil || stored != 3 {
		t.Errorf("%d announcements stored, want 3 (%v)", stored, err)
	}

	f.dispatch(t)
	titles := func(login string) string {
		items, _ := f.inbox(t, login)
		var out []string
		for _, n := range items {
			out = append(out, n.Title)
		}
		return strings.Join(out, " | ")
	}
	for login, want := range map[string]string{
		"mother":        "Олимпиада: Школьный тур олимпиады | Родительское собрание: Родительское собрание",
		"anya":          "Олимпиада: Школьный тур олимпиады | Родительское собрание: Родительское собрание",
		"boris.mother":  "Олимпиада: Школьный тур олимпиады | Родительское собрание: Родительское собрание",
		"vera.mother":   "Экскурсия: Экскурсия в музей | Олимпиада: Школьный тур олимпиады",
		"canary.mother": "",
		"teacher5":      "",
	} {
		if got := titles(login); got != want {
			t.Errorf("%s was told %q, want %q", login, got, want)
		}
	}
	// Reading: the audience, the class teacher of an addressed class, the
	// school's administration; not another class's family or school.
	read := func(login string) int {
		st, _ := f.api(t, login, "GET", fmt.Sprintf("/api/v1/announcements/%d", meeting.ID), "")
		return st
	}
	for login, want := range map[string]int{"mother": 200, "anya": 200, "teacher5": 200, "director1": 200,
		"vera.mother": 404, "teacher6": 404, "canary.mother": 404, "director2": 404, "": 401} {
		if got := read(login); got != want {
			t.Errorf("%s reads the 5А meeting: %d, want %d", login, got, want)
		}
	}
	list := func(login string) string {
		st, body := f.api(t, login, "GET", "/api/v1/announcements", "")
		if st != http.StatusOK {
			t.Fatalf("%s list: %d %s", login, st, body)
		}
		return body
	}
	if body := list("vera.mother"); strings.Contains(body, "Родительское собрание") || !strings.Contains(body, "Экскурсия в музей") {
		t.Errorf("6Б's mother lists: %s", body)
	}
	if body := list("canary.mother"); strings.Contains(body, `"id":`) {
		t.Errorf("another school's family lists: %s", body)
	}
	if body := list("teacher5"); !strings.Contains(body, "Родительское собрание") || !strings.Contains(body, "Школьный тур") || strings.Contains(body, "Экскурсия") {
		t.Errorf("5А's class teacher lists: %s", body)
	}
}

// The pages: the unread badge in the layout, the list, marking all read,
// the settings form with a message beside a refused field, an
// announcement's page.
func TestNotifyPages(t *testing.T) {
	f := newFamily(t)
	ctx := context.Background()
	_, code, err := f.s.App.Accounts.Create(ctx, "mother.web", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.App.Accounts.Activate(ctx, code, pw); err != nil {
		t.Fatal(err)
	}
	// The web login takes over the mother's person and guardian grant.
	var mother int64
	if err := f.s.App.DB.R.QueryRow("SELECT person_id FROM accounts WHERE login = 'mother'").Scan(&mother); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"UPDATE accounts SET person_id = NULL WHERE login = 'mother'", "UPDATE accounts SET person_id = $1 WHERE login = 'mother.web'"} {
		args := []any{}
		if strings.Contains(q, "$1") {
			args = append(args, mother)
		}
		if _, err := f.s.App.DB.W.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.s.App.DB.W.Exec(`INSERT INTO account_grants (account_id, role, org_id, granted_at) SELECT id, 'guardian', $1, $2 FROM accounts WHERE login = 'mother.web'`, f.s1.ID, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	f.dispatch(t)
	f.record(t, "mark", "create", f.s1.ID, map[string]any{"person_id": f.anya, "lesson_id": 77, "group_id": f.class5, "subject": "math"})
	f.record(t, "period_mark", "create", f.s1.ID, map[string]any{"person_id": f.anya, "period_id": 3, "group_id": f.class5, "subject": "math"})
	f.dispatch(t)
	c := f.s.Client()
	if st, body := login(t, f.s, c, "mother.web", pw); st != http.StatusSeeOther {
		t.Fatalf("login: %d %s", st, body)
	}
	_, _, home := apptest.Do(t, c, "GET", f.s.URL+"/", nil)
	if !strings.Contains(home, `<span class="badge">2<span class="sr">`) {
		t.Errorf("no unread badge of 2 on the home page")
	}
	_, _, page := apptest.Do(t, c, "GET", f.s.URL+"/notifications", nil)
	for _, want := range []string{"Новая отметка: Математика", "Отметка за период: Математика", "Ученик: Аня", `class="unread"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the list lacks %q", want)
		}
	}
	if st, _, _ := f.s.PostForm(t, c, "/notifications", "/notifications/read-all"); st != http.StatusSeeOther {
		t.Errorf("read all: %d", st)
	}
	if _, _, home := apptest.Do(t, c, "GET", f.s.URL+"/", nil); strings.Contains(home, `class="badge"`) {
		t.Errorf("badge still shown after reading all")
	}
	st, _, body := f.s.PostForm(t, c, "/notifications/settings", "/notifications/settings", "inapp", "mark", "quiet_from", "21:00", "lang", "ru")
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, "Укажите и начало, и конец") {
		t.Errorf("refused settings: %d", st)
	}
	if st, hdr, _ := f.s.PostForm(t, c, "/notifications/settings", "/notifications/settings", "inapp", "mark", "email", "absence",
		"quiet_from", "21:00", "quiet_to", "07:00", "lang", "uk"); st != http.StatusSeeOther || hdr.Get("Location") != "/notifications/settings?saved=1" {
		t.Errorf("settings: %d %s", st, hdr.Get("Location"))
	}
	_, _, settings := apptest.Do(t, c, "GET", f.s.URL+"/notifications/settings?saved=1", nil)
	if !strings.Contains(settings, `value="21:00"`) || !strings.Contains(settings, `value="uk" selected`) {
		t.Errorf("settings page does not show what was saved")
	}
	st, body = f.api(t, "teacher5", "POST", "/api/v1/announcements", fmt.Sprintf(`{"audience":"class","group_id":%d,"kind":"excursion","title":"Экскурсия","text":"Сбор у школы."}`, f.class5))
	if st != http.StatusCreated {
		t.Fatalf("announce: %d %s", st, body)
	}
	var a struct{ ID int64 }
	_ = json.Unmarshal([]byte(body), &a)
	if _, _, page := apptest.Do(t, c, "GET", f.s.URL+fmt.Sprintf("/announcements/%d", a.ID), nil); !strings.Contains(page, "Сбор у школы.") || !strings.Contains(page, "Класс 5А") {
		t.Errorf("announcement page: %s", page)
	}
	if _, _, page := apptest.Do(t, c, "GET", f.s.URL+"/announcements", nil); !strings.Contains(page, "Экскурсия") || strings.Contains(page, `action="/announcements"`) {
		t.Errorf("announcements page for a parent (no form)")
	}
}
