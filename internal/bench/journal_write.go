package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"shkola/internal/store"
)

// journalWrite: a teacher saves the marks and attendance of a lesson for
// 30 pupils, PUT /api/v1/lessons/{id}/journal with an idempotency key, as
// the phone sends it. Every operation changes every cell (the marks
// alternate), so each is 30 marks durably written with their history,
// change log and one audit entry. Baseline: the same marks upserted in
// one multi-row statement with their history rows, in one transaction.
type journalWrite struct {
	env *Env
	jc  *journalClass
}

func (*journalWrite) Name() string { return "journal-lesson-write" }

func (s *journalWrite) Setup(ctx context.Context, env *Env) error {
	s.env = env
	var err error
	s.jc, err = newJournalClass(ctx, env)
	return err
}

// markFor is the mark of pupil j in operation i: it changes from one
// round over the lessons to the next.
func (s *journalWrite) markFor(i, j int) int { return 2 + (i/len(s.jc.lessons)+j)%4 }

func (s *journalWrite) Op(ctx context.Context, c *Client, i int) error {
	lesson := s.jc.lessons[i%len(s.jc.lessons)]
	var b bytes.Buffer
	b.WriteString(`{"cells":[`)
	for j, p := range s.jc.pupils {
		if j > 0 {
			b.WriteByte(',')
		}
		att := `"present"`
		if j%10 == i%10 {
			att = `"absent","reason":"illness"`
		}
		fmt.Fprintf(&b, `{"person_id":%d,"mark":{"value":"%d"},"attendance":{"status":%s}}`, p, s.markFor(i, j), att)
	}
	b.WriteString(`]}`)
	path := "/api/v1/lessons/" + strconv.FormatInt(lesson, 10) + "/journal"
	code, body, err := c.DoWith(ctx, "PUT", path, s.jc.token, b.Bytes(), "Idempotency-Key", fmt.Sprintf("bench-%d-%d", s.env.Unique(), i))
	if err != nil {
		return err
	}
	if code != 200 || bytes.Contains(body, []byte(`"status":"error"`)) {
		return fmt.Errorf("PUT %s: %d %.300s", path, code, body)
	}
	return nil
}

func (s *journalWrite) Baseline(ctx context.Context, db *store.DB, i int) error {
	lesson := s.jc.lessons[i%len(s.jc.lessons)]
	now := time.Now().UTC()
	return db.WithTx(ctx, func(tx *store.Tx) error {
		var args store.Args
		var b, h strings.Builder
		b.WriteString(`INSERT INTO marks (org_id, lesson_id, person_id, scale, value, score, work_kind, weight, comment, author, created_at, updated_at) VALUES `)
		for j, p := range s.jc.pupils {
			if j > 0 {
				b.WriteString(", ")
			}
			v := s.markFor(i, j) + 1 // another value than the scenario's, so the rows change here too
			if v > 5 {
				v = 2
			}
			fmt.Fprintf(&b, "(%s, %s, %s, 'ru5', %s, %s, 'oral', 1, '', 'baseline', %s, %s)", args.Add(s.env.School), args.Add(lesson), args.Add(p),
				args.Add(strconv.Itoa(v)), args.Add(float64(v)), args.Add(now), args.Add(now))
		}
		b.WriteString(` ON CONFLICT (lesson_id, person_id) DO UPDATE SET value = excluded.value, score = excluded.score,
			version = marks.version + 1, updated_at = excluded.updated_at`)
		if _, err := tx.ExecContext(ctx, b.String(), args.Values...); err != nil {
			return err
		}
		var hargs store.Args
		h.WriteString("INSERT INTO journal_history (lesson_id, person_id, what, old_value, new_value, author, at) VALUES ")
		for j, p := range s.jc.pupils {
			if j > 0 {
				h.WriteString(", ")
			}
			fmt.Fprintf(&h, "(%s, %s, 'mark', '', 'x', 'baseline', %s)", hargs.Add(lesson), hargs.Add(p), hargs.Add(now))
		}
		_, err := tx.ExecContext(ctx, h.String(), hargs.Values...)
		return err
	})
}

// DoWith is Do with extra request headers given as name, value pairs.
func (c *Client) DoWith(ctx context.Context, method, path, token string, body []byte, header ...string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}
