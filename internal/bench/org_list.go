package bench

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"time"

	"shkola/internal/store"
)

// orgList: an anonymous visitor's page of the public directory of schools,
// GET /api/v1/organisations?limit=50. Baseline: the same page in one SELECT.
type orgList struct{}

func (*orgList) Name() string { return "org-list" }

func (*orgList) Setup(context.Context, *Env) error { return nil }

func (*orgList) Op(ctx context.Context, c *Client, _ int) error {
	b, err := c.Expect(ctx, 200, "GET", "/api/v1/organisations?limit=50", "", nil)
	if err == nil && !bytes.Contains(b, []byte(`"kind":"school"`)) {
		err = fmt.Errorf("the directory shows no school: %.300s", b)
	}
	return err
}

func (*orgList) Baseline(ctx context.Context, db *store.DB, _ int) error {
	rows, err := db.Read().QueryContext(ctx, `SELECT id, parent_id, kind, name, short_name, country, inn, ogrn, edrpou, address,
		status, version, created_at, updated_at FROM organisations WHERE id > $1 ORDER BY id LIMIT $2`, 0, 50)
	if err != nil {
		return err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, version int64
		var parent sql.NullInt64
		var t [9]sql.NullString
		var created, updated time.Time
		if err := rows.Scan(&id, &parent, &t[0], &t[1], &t[2], &t[3], &t[4], &t[5], &t[6], &t[7], &t[8], &version, &created, &updated); err != nil {
			return err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("no organisations")
	}
	return nil
}
