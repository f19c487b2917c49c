package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"shkola/internal/account"
	"shkola/internal/demo"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// diaryWeek: guardians with a browser session (the cookie, as a browser
// sends it) read their child's diary week page, GET /diary/{child}?week=
// (the demo's today). Each operation is a different family in turn. The
// page's target is at most three round trips: the session with its grants,
// the notification badge, and the week with the access answer.
// Baseline: the week's lessons with the pupil's marks, absences and
// homework in one query.
type diaryWeek struct {
	families []diaryFamily
	cookie   string
	week     string
}

type diaryFamily struct {
	child   int64
	session string
	path    string
}

func (*diaryWeek) Name() string { return "diary-week" }

func (s *diaryWeek) Setup(ctx context.Context, env *Env) error {
	app := env.App
	n := 200
	if env.Quick {
		n = 20
	}
	s.week, s.cookie = demo.Today(), app.Sessions.SessionCookie()
	rows, err := app.DB.Read().QueryContext(ctx, `SELECT gd.guardian_id, MIN(gd.child_id) FROM guardianships gd
		JOIN group_members m ON m.person_id = gd.child_id AND m.ends_on IS NULL JOIN groups g ON g.id = m.group_id AND g.kind = 'class'
		WHERE gd.ends_on IS NULL AND gd.guardian_id NOT IN (SELECT person_id FROM accounts WHERE person_id IS NOT NULL)
		GROUP BY gd.guardian_id ORDER BY gd.guardian_id LIMIT $1`, n)
	if err != nil {
		return err
	}
	var pairs [][2]int64
	for rows.Next() {
		var p [2]int64
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return err
		}
		pairs = append(pairs, p)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if len(pairs) == 0 {
		return fmt.Errorf("the demo region has no guardians of pupils in classes")
	}
	// Accounts and logins with cheap password hashing: the login is not
	// what is measured.
	real := app.Accounts.Hasher
	app.Accounts.Hasher = account.NewHasher(account.Argon2{MemoryKiB: 64, Time: 1, Threads: 1}, 4)
	defer func() { app.Accounts.Hasher = real }()
	const pw = "bench-diary-2026"
	for _, p := range pairs {
		login := fmt.Sprintf("bench.parent%d", env.Unique())
		err := app.DB.WithTx(ctx, func(tx *store.Tx) error {
			id, err := app.Accounts.Seed(ctx, tx, login, pw, []identity.Grant{{Role: identity.Guardian, OrgID: env.School}})
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, "UPDATE accounts SET person_id = $1 WHERE id = $2", p[0], id)
			return err
		})
		if err != nil {
			return err
		}
		secret, _, err := app.Accounts.Login(ctx, login, pw, "127.0.0.1", "shkola-bench")
		if err != nil {
			return fmt.Errorf("log %s in: %w", login, err)
		}
		s.families = append(s.families, diaryFamily{child: p[1], session: secret, path: fmt.Sprintf("/diary/%d?week=%s", p[1], s.week)})
	}
	return nil
}

func (s *diaryWeek) Op(ctx context.Context, c *Client, i int) error {
	f := s.families[i%len(s.families)]
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+f.path, nil)
	if err != nil {
		return err
	}
	req.AddCookie(&http.Cookie{Name: s.cookie, Value: f.session}) // #nosec G124 -- a cookie the bench client sends in a request: attributes belong to Set-Cookie, not to a request
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !bytes.Contains(b, []byte(`id="lesson-`)) {
		return fmt.Errorf("%s: %d, a week without lessons: %.300s", f.path, resp.StatusCode, b)
	}
	return nil
}

func (s *diaryWeek) Baseline(ctx context.Context, db *store.DB, i int) error {
	f := s.families[i%len(s.families)]
	mon, err := time.Parse("2006-01-02", s.week)
	if err != nil {
		return err
	}
	mon = mon.AddDate(0, 0, -((int(mon.Weekday()) + 6) % 7))
	rows, err := db.Read().QueryContext(ctx, `SELECT l.id, l.on_date, l.slot, l.subject, l.topic, l.room, t.last_name, b.starts_at,
		x.value, x.work_kind, a.status, h.text, h.due_on
		FROM lessons l JOIN persons t ON t.id = l.teacher_id
		LEFT JOIN bells b ON b.org_id = l.org_id AND b.variant = 'regular' AND b.slot = l.slot
		LEFT JOIN marks x ON x.lesson_id = l.id AND x.person_id = $1
		LEFT JOIN attendance a ON a.lesson_id = l.id AND a.person_id = $1
		LEFT JOIN homework h ON h.lesson_id = l.id
		WHERE l.group_id IN (SELECT group_id FROM group_members WHERE person_id = $1 AND ends_on IS NULL)
		AND l.on_date >= $2 AND l.on_date <= $3`, f.child, mon.Format("2006-01-02"), mon.AddDate(0, 0, 6).Format("2006-01-02"))
	if err != nil {
		return err
	}
	n := 0
	for rows.Next() {
		var id int64
		var slot int
		var date, subject, topic, room, teacher string
		var starts, value, kind, status, text, due *string
		if err := rows.Scan(&id, &date, &slot, &subject, &topic, &room, &teacher, &starts, &value, &kind, &status, &text, &due); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return err
		}
		n++
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("no lessons in the week of %d", f.child)
	}
	return nil
}
