package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"shkola/internal/access"
	"shkola/internal/identity"
	"shkola/internal/notify"
	"shkola/internal/store"
)

// notifyProbes try notifications, preferences, announcements and webhooks.
func notifyProbes() map[[2]string]probe {
	onS1 := func(e *matrixEnv) int64 { return e.s1.ID }
	onS2 := func(e *matrixEnv) int64 { return e.s2.ID }
	// A notification of the account the pupil's person holds: the caller's
	// own in the "self" scenario, somebody else's in every other one.
	var owner int64
	ownNotification := func(t *testing.T, e *matrixEnv) int64 {
		var acc int64
		err := e.s.App.DB.R.QueryRow("SELECT id FROM accounts WHERE person_id = $1", e.person).Scan(&acc)
		if store.IsNoRows(err) {
			if owner == 0 {
				a, _, err := e.s.App.Accounts.Create(context.Background(), "notify-owner", []identity.Grant{{Role: identity.Student, OrgID: e.s1.ID}})
				if err != nil {
					t.Fatal(err)
				}
				owner = a.ID
			}
			acc = owner
		} else if err != nil {
			t.Fatal(err)
		}
		e.n++
		return e.insert(t, `INSERT INTO notifications (account_id, change_seq, person_id, kind, title, body, link, created_at)
			VALUES ($1, $2, 0, 'mark', 'probe', 'probe', '/', $3)`, acc, 1_000_000+e.n, time.Now().UTC())
	}
	var announcement int64
	classAnnouncement := func(t *testing.T, e *matrixEnv) int64 {
		if announcement == 0 {
			err := e.s.App.DB.WithTx(context.Background(), func(tx *store.Tx) error {
				var err error
				announcement, err = e.s.App.Notify.S.CreateAnnouncementTx(context.Background(), tx, notify.NewAnnouncement{Audience: notify.AudienceClass,
					GroupID: e.class1, Kind: notify.Meeting, Title: "Собрание", Body: "В пятницу"}, 0)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		return announcement
	}
	endpoint := func(t *testing.T, e *matrixEnv) int64 {
		return e.insert(t, `INSERT INTO webhook_endpoints (org_id, url, secret_enc, kinds, active, created_at, created_by)
			VALUES ($1, 'https://hooks.example.org/in', '', 'mark', TRUE, $2, 'matrix')`, e.s1.ID, time.Now().UTC())
	}
	own := []access.Relationship{access.Self, access.InScope}
	audience := []access.Relationship{access.InScope, access.Self, access.GuardianOf, access.ClassTeacherOf, access.Teaches}
	scope := []access.Relationship{access.InScope}
	return map[[2]string]probe{
		{"notification", "read"}: {target: onS1, unrelated: onS2, supports: own,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				id := ownNotification(t, e)
				st, _, body := e.call(t, tok, "GET", "/api/v1/me/notifications/"+strconv.FormatInt(id, 10), "")
				ok := verdict(t, "notification read", st, body)
				// The list agrees with the card: only one's own.
				st, _, list := e.call(t, tok, "GET", "/api/v1/me/notifications?limit=500", "")
				if listed := st == http.StatusOK && strings.Contains(list, fmt.Sprintf(`"id":%d,`, id)); listed != ok {
					t.Errorf("notification listed: %v (status %d), readable: %v", listed, st, ok)
				}
				return ok
			}},
		{"notification", "update"}: {target: onS1, unrelated: onS2, supports: own,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				id := ownNotification(t, e)
				st, _, body := e.call(t, tok, "POST", "/api/v1/me/notifications/"+strconv.FormatInt(id, 10)+"/read", "")
				ok := verdict(t, "notification mark read", st, body)
				var read bool
				if err := e.s.App.DB.R.QueryRow("SELECT read_at IS NOT NULL FROM notifications WHERE id = $1", id).Scan(&read); err != nil {
					t.Fatal(err)
				}
				if read != ok {
					t.Errorf("notification read_at set: %v, answer allowed: %v", read, ok)
				}
				return ok
			}},
		{"notification_prefs", "read"}: {target: onS1, unrelated: onS2, supports: []access.Relationship{access.Anyone},
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "GET", "/api/v1/me/notification-preferences", "")
				return verdict(t, "prefs read", st, body)
			}},
		{"notification_prefs", "update"}: {target: onS1, unrelated: onS2, supports: []access.Relationship{access.Anyone},
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "PUT", "/api/v1/me/notification-preferences", `{"inapp":["mark","absence"],"email":[],"quiet_from":"","quiet_to":"","lang":"ru"}`)
				return verdict(t, "prefs update", st, body)
			}},
		{"announcement", "read"}: {target: onS1, unrelated: onS2, supports: audience,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				id := classAnnouncement(t, e)
				st, _, body := e.call(t, tok, "GET", "/api/v1/announcements/"+strconv.FormatInt(id, 10), "")
				ok := verdict(t, "announcement read", st, body)
				st, _, list := e.call(t, tok, "GET", "/api/v1/announcements?limit=500", "")
				if listed := st == http.StatusOK && strings.Contains(list, fmt.Sprintf(`"id":%d,`, id)); listed != ok {
					t.Errorf("announcement listed: %v (status %d), readable: %v", listed, st, ok)
				}
				return ok
			}},
		{"announcement", "create"}: {target: onS1, unrelated: onS2, supports: audience,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "POST", "/api/v1/announcements",
					fmt.Sprintf(`{"audience":"class","group_id":%d,"kind":"excursion","title":"Экскурсия","text":"В музей"}`, e.class1))
				return verdict(t, "announcement create", st, body)
			}},
		{"webhook", "read"}: {target: onS1, unrelated: onS2, supports: scope,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				id := endpoint(t, e)
				st, _, body := e.call(t, tok, "GET", "/api/v1/webhooks/"+strconv.FormatInt(id, 10), "")
				ok := verdict(t, "webhook read", st, body)
				st, _, list := e.call(t, tok, "GET", fmt.Sprintf("/api/v1/organisations/%d/webhooks", e.s1.ID), "")
				if listed := st == http.StatusOK && strings.Contains(list, fmt.Sprintf(`"id":%d,`, id)); listed != ok {
					t.Errorf("webhook listed: %v (status %d), readable: %v", listed, st, ok)
				}
				st, _, log := e.call(t, tok, "GET", fmt.Sprintf("/api/v1/organisations/%d/webhook-deliveries", e.s1.ID), "")
				if logged := st == http.StatusOK; logged != ok {
					t.Errorf("delivery log readable: %v (status %d: %s), endpoint readable: %v", logged, st, log, ok)
				}
				return ok
			}},
		{"webhook", "create"}: {target: onS1, unrelated: onS2, supports: scope,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "POST", fmt.Sprintf("/api/v1/organisations/%d/webhooks", e.s1.ID),
					`{"url":"https://hooks.example.org/school","kinds":["mark","announcement"]}`)
				return verdict(t, "webhook create", st, body)
			}},
		{"webhook", "update"}: {target: onS1, unrelated: onS2, supports: scope,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				id := endpoint(t, e)
				st, _, body := e.call(t, tok, "DELETE", "/api/v1/webhooks/"+strconv.FormatInt(id, 10), "")
				return verdict(t, "webhook remove", st, body)
			}},
	}
}
