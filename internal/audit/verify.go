package audit

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"shkola/internal/store"
)

// maxProblems bounds the report: one renumbering can break every later
// entry, and the first problems are the ones that matter.
const maxProblems = 200

// moveWindow is how far away the verifier looks for the place an entry with
// a wrong number belongs.
const moveWindow = 64

// Problem is one finding of Verify; Seq is the entry it concerns (0 when none).
type Problem struct {
	Seq     int64
	Message string
}

// Report is the outcome of Verify.
type Report struct {
	Entries     int64 // rows in the log
	Checkpoints int   // checkpoints in the database
	Exported    int   // exported checkpoints compared
	Problems    []Problem
	Omitted     int // problems beyond maxProblems, not listed
}

// OK reports whether nothing was found.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) add(seq int64, format string, args ...any) {
	if len(r.Problems) >= maxProblems {
		r.Omitted++
		return
	}
	r.Problems = append(r.Problems, Problem{Seq: seq, Message: fmt.Sprintf(format, args...)})
}

// VerifyOptions says what to check against.
type VerifyOptions struct {
	// PublicKey checks checkpoint signatures; nil means the log's signer.
	PublicKey ed25519.PublicKey
	// Exported are checkpoints kept outside the database (ExportCheckpoints).
	// Without them a rewritten chain with its checkpoints removed, or a tail
	// cut off together with the head row, cannot be told from a short log.
	Exported []Checkpoint
}

// cpRef is a checkpoint to compare with the chain, and what to call it.
type cpRef struct {
	cp    Checkpoint
	label string
}

// Verify walks the whole chain in one snapshot and reports every edited,
// missing, moved or cut-off entry and every checkpoint that does not match.
func (l *Log) Verify(ctx context.Context, opt VerifyOptions) (*Report, error) {
	pub := opt.PublicKey
	if pub == nil && l.signer != nil {
		pub = l.signer.PublicKey()
	}
	txOpt := &sql.TxOptions{ReadOnly: true}
	if l.db.Engine == store.Postgres {
		txOpt.Isolation = sql.LevelRepeatableRead // one snapshot for head, entries and checkpoints
	}
	tx, err := l.db.R.BeginTx(ctx, txOpt)
	if err != nil {
		return nil, fmt.Errorf("audit verify: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only

	rep := &Report{}
	var headSeq int64
	var headHash string
	if err := tx.QueryRowContext(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&headSeq, &headHash); err != nil {
		if err == sql.ErrNoRows {
			rep.add(0, "the head of the log is missing")
			headSeq = -1
		} else {
			return nil, fmt.Errorf("audit verify: head: %w", err)
		}
	}
	cps, err := Checkpoints(ctx, tx)
	if err != nil {
		return nil, err
	}
	rep.Checkpoints = len(cps)
	rep.Exported = len(opt.Exported)

	// Without a public key the chain is still checked; checkpoints then
	// count as unverified, which is a finding, so a log with checkpoints
	// never passes unchecked.
	keyID := ""
	if pub != nil {
		keyID = KeyID(pub)
	}
	bySeq := map[int64][]cpRef{}
	checkSig := func(c Checkpoint, label string) {
		switch {
		case pub == nil:
			rep.add(c.Seq, "%s cannot be checked: no public key given", label)
		case c.KeyID != keyID:
			rep.add(c.Seq, "%s was signed by key %s, not the verifying key %s", label, c.KeyID, keyID)
		case !c.Valid(pub):
			rep.add(c.Seq, "%s signature invalid", label)
		}
	}
	stored := map[int64]Checkpoint{}
	for _, c := range cps {
		label := fmt.Sprintf("checkpoint %d (at entry %d)", c.ID, c.Seq)
		checkSig(c, label)
		bySeq[c.Seq] = append(bySeq[c.Seq], cpRef{c, label})
		stored[c.ID] = c
	}
	for _, c := range opt.Exported {
		label := fmt.Sprintf("exported checkpoint %d (at entry %d)", c.ID, c.Seq)
		checkSig(c, label)
		s, ok := stored[c.ID]
		switch {
		case !ok:
			rep.add(c.Seq, "%s is missing from the database", label)
		case s.Seq != c.Seq || s.HeadHash != c.HeadHash || !s.At.Equal(c.At) || s.KeyID != c.KeyID || string(s.Signature) != string(c.Signature):
			rep.add(c.Seq, "%s differs from checkpoint %d in the database", label, s.ID)
		}
		bySeq[c.Seq] = append(bySeq[c.Seq], cpRef{c, label})
	}
	for _, ref := range bySeq[0] {
		if ref.cp.HeadHash != genesis {
			rep.add(0, "%s does not match the empty log", ref.label)
		}
	}

	rows, err := tx.QueryContext(ctx, "SELECT "+columns+" FROM audit_log ORDER BY seq")
	if err != nil {
		return nil, fmt.Errorf("audit verify: %w", err)
	}
	defer rows.Close()
	var last int64
	prevHash := genesis
	prevMoved := false // the previous row holds another entry, so this link cannot match
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("audit verify: entry after %d: %w", last, err)
		}
		rep.Entries++
		gap := r.Seq != last+1
		if gap {
			rep.add(last+1, "%s missing (gap %d -> %d)", span(last+1, r.Seq-1), last, r.Seq)
			for s := last + 1; s < r.Seq; s++ {
				for _, ref := range bySeq[s] {
					rep.add(s, "%s cannot be checked: entry %d is missing", ref.label, s)
				}
			}
		}
		moved := false
		switch {
		case r.ComputeHash() != r.Hash:
			if from := r.movedFrom(); from != 0 {
				moved = true
				rep.add(r.Seq, "entries out of order at %d: it holds entry %d", r.Seq, from)
			} else {
				rep.add(r.Seq, "entry %d was edited (hash mismatch)", r.Seq)
			}
		case !gap && !prevMoved && r.PrevHash != prevHash:
			// Each entry hashes correctly on its own, so one of them was
			// rewritten with a freshly computed hash.
			rep.add(r.Seq, "entry %d or %d was replaced (entry %d does not link to entry %d)", r.Seq-1, r.Seq, r.Seq, r.Seq-1)
		}
		for _, ref := range bySeq[r.Seq] {
			if ref.cp.HeadHash != r.Hash {
				rep.add(r.Seq, "%s does not match the chain: entry %d has another hash (log rewritten)", ref.label, r.Seq)
			}
		}
		prevHash, last, prevMoved = r.Hash, r.Seq, moved
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit verify: %w", err)
	}
	switch {
	case headSeq > last:
		rep.add(last, "log truncated: head says %d, last entry is %d", headSeq, last)
	case headSeq >= 0 && headSeq < last:
		rep.add(headSeq, "head says %d but entries run to %d (head rolled back)", headSeq, last)
	case headSeq == last && headHash != prevHash:
		rep.add(last, "head hash does not match entry %d", last)
	}
	var beyond []int64
	for seq := range bySeq {
		if seq > last {
			beyond = append(beyond, seq)
		}
	}
	slices.Sort(beyond)
	for _, seq := range beyond {
		for _, ref := range bySeq[seq] {
			rep.add(seq, "log truncated: %s is beyond the last entry %d", ref.label, last)
		}
	}
	return rep, nil
}

// movedFrom finds the number an entry was hashed under when that is not its
// own: the row was moved (its number changed). 0 when it was not.
func (r *Record) movedFrom() int64 {
	for d := int64(1); d <= moveWindow; d++ {
		for _, s := range []int64{r.Seq - d, r.Seq + d} {
			if s > 0 && r.hashAs(s) == r.Hash {
				return s
			}
		}
	}
	return 0
}

func span(from, to int64) string {
	if from == to {
		return fmt.Sprintf("entry %d", from)
	}
	return fmt.Sprintf("entries %d..%d", from, to)
}

// String lists the problems one per line.
func (r *Report) String() string {
	var b strings.Builder
	for _, p := range r.Problems {
		b.WriteString(p.Message)
		b.WriteByte('\n')
	}
	if r.Omitted > 0 {
		fmt.Fprintf(&b, "%d more problems not listed\n", r.Omitted)
	}
	return b.String()
}
