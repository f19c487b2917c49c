package notify

import (
	"context"
	"database/sql"
	"time"

	"shkola/internal/errs"
	"shkola/internal/store"
)

// Notification is one entry of a person's list.
type Notification struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Link      string     `json:"link"`
	PupilID   *int64     `json:"pupil_id,omitempty"`   // the pupil it is about, so a guardian of several sees whose
	PupilName string     `json:"pupil_name,omitempty"` // that pupil's first name
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
	AccountID int64      `json:"-"`
}

const notificationSelect = `SELECT n.id, n.account_id, n.kind, n.title, n.body, n.link, n.person_id, COALESCE(p.first_name, ''), n.created_at, n.read_at
	FROM notifications n LEFT JOIN persons p ON p.id = n.person_id`

func scanNotification(row interface{ Scan(...any) error }) (Notification, error) {
	var n Notification
	var pupil int64
	var read sql.NullTime
	err := row.Scan(&n.ID, &n.AccountID, &n.Kind, &n.Title, &n.Body, &n.Link, &pupil, &n.PupilName, &n.CreatedAt, &read)
	if pupil != 0 {
		n.PupilID = &pupil
	}
	if read.Valid {
		n.ReadAt = &read.Time
	}
	return n, err
}

// notification returns one notification, whoever's it is.
func (s *Service) notification(ctx context.Context, id int64) (Notification, error) {
	n, err := scanNotification(s.DB.Read().QueryRowContext(ctx, notificationSelect+" WHERE n.id = $1", id))
	if store.IsNoRows(err) {
		return n, errs.E(errs.NotFound, "not found")
	}
	return n, err
}

// Filter picks a page of one account's notifications, newest first.
type Filter struct {
	UnreadOnly bool
	Before     int64 // the id of the last one of the previous page
	Limit      int
}

func (s *Service) list(ctx context.Context, account int64, f Filter) ([]Notification, error) {
	var args store.Args
	q := notificationSelect + " WHERE n.account_id = " + args.Add(account)
	if f.UnreadOnly {
		q += " AND n.read_at IS NULL"
	}
	if f.Before > 0 {
		q += " AND n.id < " + args.Add(f.Before)
	}
	q += " ORDER BY n.id DESC LIMIT " + args.Add(f.Limit)
	rows, err := s.DB.Read().QueryContext(ctx, q, args.Values...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// UnreadName and UnreadSQL are the badge's number as a session count
// (account.SessionCount): read with the session, it costs a page no query.
const (
	UnreadName = "unread"
	UnreadSQL  = "(SELECT COUNT(*) FROM notifications n WHERE n.account_id = a.id AND n.read_at IS NULL)"
)

// UnreadCount is the number on the badge: one indexed COUNT.
func (s *Service) UnreadCount(ctx context.Context, account int64) (int, error) {
	if account == 0 {
		return 0, nil
	}
	var n int
	err := s.DB.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM notifications WHERE account_id = $1 AND read_at IS NULL", account).Scan(&n)
	return n, err
}

// Marking read changes only the reader's own view of a message, not a
// record of the school: it is neither audited nor in the change log.
func (s *Service) markRead(ctx context.Context, account, id int64) error {
	_, err := s.DB.W.ExecContext(ctx, "UPDATE notifications SET read_at = $1 WHERE id = $2 AND account_id = $3 AND read_at IS NULL", s.now(), id, account)
	return err
}

func (s *Service) markAllRead(ctx context.Context, account int64) (int64, error) {
	res, err := s.DB.W.ExecContext(ctx, "UPDATE notifications SET read_at = $1 WHERE account_id = $2 AND read_at IS NULL", s.now(), account)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
