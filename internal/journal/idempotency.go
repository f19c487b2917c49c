package journal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"

	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// idemKey is an Idempotency-Key of one caller with the hash of the request
// it came with. The answer is stored in the transaction of the write, so a
// retry either finds it (and gets it back, nothing written twice) or finds
// nothing and nothing was written.
type idemKey struct {
	actor, key, hash string
}

// Replay is a stored answer given back to a retried request.
type Replay struct {
	Status int
	Body   []byte
}

func newIdemKey(ctx context.Context, key string, what string, body any) (*idemKey, error) {
	if key == "" {
		return nil, nil
	}
	if len(key) > maxKeyLen {
		return nil, errs.Field(errs.Invalid, "Idempotency-Key", "length", "at most 100 characters")
	}
	for _, r := range key {
		if r < 0x21 || r > 0x7e {
			return nil, errs.Field(errs.Invalid, "Idempotency-Key", "format", "printable ASCII characters without spaces")
		}
	}
	a := identity.From(ctx)
	actor := "client:" + a.ClientID
	if a.AccountID != 0 {
		actor = "account:" + strconv.FormatInt(a.AccountID, 10)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(append([]byte(what+"\n"), b...))
	return &idemKey{actor: actor, key: key, hash: hex.EncodeToString(sum[:])}, nil
}

// lookup returns the stored answer for the key: nil when there is none, a
// conflict when the key came with another request.
func (k *idemKey) lookup(ctx context.Context, q store.Querier) (*Replay, error) {
	if k == nil {
		return nil, nil
	}
	var hash, resp string
	var status int
	err := q.QueryRowContext(ctx, "SELECT request_hash, status, response FROM journal_requests WHERE actor = $1 AND idem_key = $2",
		k.actor, k.key).Scan(&hash, &status, &resp)
	if store.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return k.answer(&storedAnswer{hash: hash, status: status, response: resp})
}

// answer judges a stored row found for the key (nil: none): its answer
// when it was stored for the same request, a conflict when not.
func (k *idemKey) answer(st *storedAnswer) (*Replay, error) {
	if k == nil || st == nil {
		return nil, nil
	}
	if st.hash != k.hash {
		return nil, errs.Field(errs.Conflict, "Idempotency-Key", "reused", "this key was already used for a different request; use a new key")
	}
	return &Replay{Status: st.status, Body: []byte(st.response)}, nil
}

func (k *idemKey) store(ctx context.Context, tx *store.Tx, status int, answer any, now time.Time) error {
	b, err := json.Marshal(answer)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO journal_requests (actor, idem_key, request_hash, status, response, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, k.actor, k.key, k.hash, status, string(b), now)
	return err
}
