package audit

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"shkola/internal/store"
)

// Filter selects entries; zero fields do not restrict.
type Filter struct {
	AccountID  int64
	Login      string
	ObjectType string
	ObjectID   string
	PersonID   int64
	Action     Action
	From, To   time.Time // From inclusive, To exclusive
	// OrgIDs, when not nil, limits the result to entries of these
	// organisations: access control passes the subtree the reader may see.
	// An empty non-nil slice matches nothing.
	OrgIDs []int64
	// Subtrees, when not nil, limits the result to entries whose
	// organisation lies under one of these (the reader's scope, in SQL).
	// An empty non-nil slice matches nothing.
	Subtrees []int64
}

// MaxPage is the largest page Search returns.
const MaxPage = 500

// where builds the WHERE clause with placeholders only.
func (f *Filter) where(a *store.Args) string {
	var cond []string
	if f.AccountID != 0 {
		cond = append(cond, "account_id = "+a.Add(f.AccountID))
	}
	if f.Login != "" {
		cond = append(cond, "login = "+a.Add(f.Login))
	}
	if f.ObjectType != "" {
		cond = append(cond, "object_type = "+a.Add(f.ObjectType))
	}
	if f.ObjectID != "" {
		cond = append(cond, "object_id = "+a.Add(f.ObjectID))
	}
	if f.PersonID != 0 {
		cond = append(cond, "person_id = "+a.Add(f.PersonID))
	}
	if f.Action != "" {
		cond = append(cond, "action = "+a.Add(string(f.Action)))
	}
	if !f.From.IsZero() {
		cond = append(cond, "at >= "+a.Add(f.From.UTC()))
	}
	if !f.To.IsZero() {
		cond = append(cond, "at < "+a.Add(f.To.UTC()))
	}
	if f.OrgIDs != nil {
		if len(f.OrgIDs) == 0 {
			cond = append(cond, "1 = 0")
		} else {
			ph := make([]string, len(f.OrgIDs))
			for i, id := range f.OrgIDs {
				ph[i] = a.Add(id)
			}
			cond = append(cond, "org_id IN ("+strings.Join(ph, ", ")+")")
		}
	}
	if f.Subtrees != nil {
		if len(f.Subtrees) == 0 {
			cond = append(cond, "1 = 0")
		} else {
			ph := make([]string, len(f.Subtrees))
			for i, id := range f.Subtrees {
				ph[i] = a.Add(id)
			}
			cond = append(cond, "EXISTS (SELECT 1 FROM org_tree t WHERE t.descendant_id = org_id AND t.ancestor_id IN ("+strings.Join(ph, ", ")+"))")
		}
	}
	if len(cond) == 0 {
		return "1 = 1"
	}
	return strings.Join(cond, " AND ")
}

// Search returns up to limit entries matching f, newest first, with seq
// below before (0: from the newest). next is the cursor for the following
// page, 0 when there is none.
func (l *Log) Search(ctx context.Context, f Filter, before int64, limit int) (recs []Record, next int64, err error) {
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	var a store.Args
	q := "SELECT " + columns + " FROM audit_log WHERE " + f.where(&a)
	if before > 0 {
		q += " AND seq < " + a.Add(before)
	}
	q += " ORDER BY seq DESC LIMIT " + a.Add(limit+1)
	rows, err := l.db.Read().QueryContext(ctx, q, a.Values...)
	if err != nil {
		return nil, 0, fmt.Errorf("audit search: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("audit search: %w", err)
		}
		recs = append(recs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("audit search: %w", err)
	}
	if len(recs) > limit {
		recs = recs[:limit]
		next = recs[limit-1].Seq
	}
	return recs, next, nil
}

// csvHeader names the exported columns.
var csvHeader = []string{"seq", "at", "action", "outcome", "account_id", "login", "roles", "session_id", "client_id",
	"addr", "user_agent", "request_id", "object_type", "object_id", "org_id", "person_id", "changes", "detail", "prev_hash", "hash"}

// ExportCSV writes every entry matching f, oldest first, as CSV with the
// hashes, so an exported range can be checked against the chain. It returns
// the number of entries written.
func (l *Log) ExportCSV(ctx context.Context, w io.Writer, f Filter) (int, error) {
	var a store.Args
	rows, err := l.db.Read().QueryContext(ctx, "SELECT "+columns+" FROM audit_log WHERE "+f.where(&a)+" ORDER BY seq", a.Values...)
	if err != nil {
		return 0, fmt.Errorf("audit export: %w", err)
	}
	defer rows.Close()
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return 0, err
	}
	n := 0
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return n, fmt.Errorf("audit export: %w", err)
		}
		org := ""
		if r.OrgID != nil {
			org = strconv.FormatInt(*r.OrgID, 10)
		}
		rec := []string{strconv.FormatInt(r.Seq, 10), r.At.Format(time.RFC3339Nano), string(r.Action), string(r.Outcome),
			strconv.FormatInt(r.AccountID, 10), r.Login, r.Roles, r.SessionID, r.ClientID, r.Addr, r.UserAgent,
			r.RequestID, r.ObjectType, r.ObjectID, org, strconv.FormatInt(r.PersonID, 10), r.Changes, r.Detail,
			r.PrevHash, r.Hash}
		for i := range rec {
			rec[i] = cellSafe(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("audit export: %w", err)
	}
	cw.Flush()
	return n, cw.Error()
}

// cellSafe keeps a spreadsheet from running a cell as a formula: logins and
// user agents are attacker-chosen text.
func cellSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
