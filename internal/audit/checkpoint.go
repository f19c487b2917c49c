package audit

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"shkola/internal/store"
)

// Checkpoint is a signed statement "the chain had Seq entries ending in
// HeadHash at At". Copies kept outside the database detect a log that was
// rewritten or cut short after the checkpoint was taken.
type Checkpoint struct {
	ID        int64     `json:"id"`
	Seq       int64     `json:"seq"`
	HeadHash  string    `json:"head_hash"`
	At        time.Time `json:"at"`
	KeyID     string    `json:"key_id"`
	Signature []byte    `json:"signature"` // base64 in JSON
}

// message is what is signed: "seq|head_hash|at".
func (c *Checkpoint) message() []byte {
	return []byte(strconv.FormatInt(c.Seq, 10) + "|" + c.HeadHash + "|" + c.At.UTC().Format(time.RFC3339Nano))
}

func (c *Checkpoint) signatureText() string { return base64.StdEncoding.EncodeToString(c.Signature) }

// Valid reports whether the signature is pub's over the checkpoint.
func (c *Checkpoint) Valid(pub ed25519.PublicKey) bool {
	return len(c.Signature) == ed25519.SignatureSize && ed25519.Verify(pub, c.message(), c.Signature)
}

// Checkpoints returns every stored checkpoint, oldest first.
func Checkpoints(ctx context.Context, q store.Querier) ([]Checkpoint, error) {
	rows, err := q.QueryContext(ctx, "SELECT id, seq, head_hash, at, key_id, signature FROM audit_checkpoints ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("audit: checkpoints: %w", err)
	}
	defer rows.Close()
	var out []Checkpoint
	for rows.Next() {
		var c Checkpoint
		var sig string
		if err := rows.Scan(&c.ID, &c.Seq, &c.HeadHash, &c.At, &c.KeyID, &sig); err != nil {
			return nil, fmt.Errorf("audit: checkpoints: %w", err)
		}
		c.At = c.At.UTC()
		// A signature that does not decode is reported by Verify as invalid.
		c.Signature, _ = base64.StdEncoding.DecodeString(sig)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: checkpoints: %w", err)
	}
	return out, nil
}

// ExportCheckpoints writes every checkpoint as one JSON object per line, to
// be kept where the database's administrators cannot change it.
func (l *Log) ExportCheckpoints(ctx context.Context, w io.Writer) (int, error) {
	cps, err := Checkpoints(ctx, l.db.Read())
	if err != nil {
		return 0, err
	}
	enc := json.NewEncoder(w)
	for i := range cps {
		if err := enc.Encode(&cps[i]); err != nil {
			return i, err
		}
	}
	return len(cps), nil
}

// ReadCheckpoints parses what ExportCheckpoints wrote.
func ReadCheckpoints(r io.Reader) ([]Checkpoint, error) {
	var out []Checkpoint
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) == 0 {
			continue
		}
		var c Checkpoint
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("checkpoints line %d: %w", line, err)
		}
		if c.HeadHash == "" {
			return nil, fmt.Errorf("checkpoints line %d: no head_hash", line)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, errors.Join(errors.New("checkpoints"), err)
	}
	return out, nil
}
