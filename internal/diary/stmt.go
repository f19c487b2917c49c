package diary

import (
	"context"
	"database/sql"
	"sync"
)

// stmts keeps the diary's long statements prepared. SQLite (modernc) parses
// every statement anew, and parsing the week's UNION took more time than
// running it; database/sql prepares a Stmt once per pooled connection. The
// texts vary only with the caller's kind (relationships, guardian or not)
// and the language, so few are kept; past maxStmts a text is run unprepared.
type stmts struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

const maxStmts = 64

// query runs text on db through its prepared statement.
func (c *stmts) query(ctx context.Context, db *sql.DB, text string, args ...any) (*sql.Rows, error) {
	c.mu.Lock()
	st, ok := c.m[text]
	if !ok && len(c.m) < maxStmts {
		var err error
		if st, err = db.PrepareContext(ctx, text); err != nil {
			c.mu.Unlock()
			return nil, err
		}
		if c.m == nil {
			c.m = map[string]*sql.Stmt{}
		}
		c.m[text], ok = st, true
	}
	c.mu.Unlock()
	if !ok {
		return db.QueryContext(ctx, text, args...)
	}
	return st.QueryContext(ctx, args...)
}
