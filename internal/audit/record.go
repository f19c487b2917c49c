package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"time"
)

// genesis is the prev_hash of entry 1.
const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Record is one stored entry, as search and export return it.
type Record struct {
	Seq        int64     `json:"seq"`
	At         time.Time `json:"at"`
	Action     Action    `json:"action"`
	Outcome    Outcome   `json:"outcome"`
	AccountID  int64     `json:"account_id,omitempty"`
	Login      string    `json:"login,omitempty"`
	Roles      string    `json:"roles,omitempty"` // "role@org,..." as held at the time
	SessionID  string    `json:"session_id,omitempty"`
	ClientID   string    `json:"client_id,omitempty"`
	Addr       string    `json:"addr,omitempty"`
	UserAgent  string    `json:"user_agent,omitempty"`
	RequestID  string    `json:"request_id,omitempty"`
	ObjectType string    `json:"object_type,omitempty"`
	ObjectID   string    `json:"object_id,omitempty"`
	OrgID      *int64    `json:"org_id,omitempty"`
	PersonID   int64     `json:"person_id,omitempty"`
	Changes    string    `json:"changes,omitempty"` // JSON array of FieldChange
	Detail     string    `json:"detail,omitempty"`
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
}

// columns lists the stored columns in the order every query selects them.
const columns = `seq, at, action, outcome, account_id, login, roles, session_id, client_id,
	addr, user_agent, request_id, object_type, object_id, org_id, person_id, changes, detail, prev_hash, hash`

// columnCount is the number of columns.
const columnCount = 20

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanRecord(s scanner) (Record, error) {
	var r Record
	err := s.Scan(&r.Seq, &r.At, &r.Action, &r.Outcome, &r.AccountID, &r.Login, &r.Roles, &r.SessionID,
		&r.ClientID, &r.Addr, &r.UserAgent, &r.RequestID, &r.ObjectType, &r.ObjectID, &r.OrgID,
		&r.PersonID, &r.Changes, &r.Detail, &r.PrevHash, &r.Hash)
	r.At = r.At.UTC()
	return r, err
}

// values returns the columns in the order of columns.
func (r *Record) values() []any {
	return []any{r.Seq, r.At, string(r.Action), string(r.Outcome), r.AccountID, r.Login, r.Roles, r.SessionID,
		r.ClientID, r.Addr, r.UserAgent, r.RequestID, r.ObjectType, r.ObjectID, r.OrgID,
		r.PersonID, r.Changes, r.Detail, r.PrevHash, r.Hash}
}

// ComputeHash is SHA-256 over every column but hash itself, each written as
// an 8-byte length followed by its bytes, so no two different entries encode
// alike however their texts are chosen. The version tag lets a later format
// coexist with this one.
func (r *Record) ComputeHash() string { return r.hashAs(r.Seq) }

// hashAs hashes the entry as if it were numbered seq; the verifier uses it
// to recognise an entry moved to another place.
func (r *Record) hashAs(seq int64) string {
	h := sha256.New()
	var n [8]byte
	put := func(s string) {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	org := ""
	if r.OrgID != nil {
		org = strconv.FormatInt(*r.OrgID, 10)
	}
	for _, s := range []string{
		"shkola-audit-v1",
		strconv.FormatInt(seq, 10),
		r.At.UTC().Format(time.RFC3339Nano),
		string(r.Action), string(r.Outcome),
		strconv.FormatInt(r.AccountID, 10), r.Login, r.Roles, r.SessionID, r.ClientID,
		r.Addr, r.UserAgent, r.RequestID,
		r.ObjectType, r.ObjectID, org, strconv.FormatInt(r.PersonID, 10),
		r.Changes, r.Detail,
		r.PrevHash,
	} {
		put(s)
	}
	return hex.EncodeToString(h.Sum(nil))
}
