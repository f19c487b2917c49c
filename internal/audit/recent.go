package audit

import (
	"context"
	"time"
)

// Recent counts the successful entries of an action by an account (or, for
// an API client, by client id) since a time: the basis of per-account rate
// limits that hold across every application server, since the log is the
// database's.
func (l *Log) Recent(ctx context.Context, accountID int64, clientID string, action Action, since time.Time) (int, error) {
	var n int
	err := l.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log
		WHERE account_id = $1 AND client_id = $2 AND action = $3 AND outcome = 'success' AND at >= $4`,
		accountID, clientID, string(action), since.UTC()).Scan(&n)
	return n, err
}
