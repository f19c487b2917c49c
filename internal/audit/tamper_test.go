package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"strings"
	"testing"

	"shkola/internal/store"
)

// tampered is a log of 120 entries with checkpoints at 50 and 100, whose
// checkpoints were exported before someone edited the tables directly.
type tampered struct {
	l        *Log
	db       *store.DB
	exported []Checkpoint
}

func newTampered(t *testing.T) *tampered {
	t.Helper()
	l, db := newLog(t)
	l.CheckpointEvery = 50
	fill(t, l, 120)
	var buf bytes.Buffer
	if n, err := l.ExportCheckpoints(context.Background(), &buf); err != nil || n != 2 {
		t.Fatalf("export checkpoints: %d, %v", n, err)
	}
	cps, err := ReadCheckpoints(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return &tampered{l: l, db: db, exported: cps}
}

func (s *tampered) exec(t *testing.T, stmts ...string) {
	t.Helper()
	for _, q := range stmts {
		if _, err := s.db.W.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// rechain rewrites entries from..120 as an attacker who knows the hash
// format would: detail changed at from, every later hash recomputed, head
// moved along.
func (s *tampered) rechain(t *testing.T, from int64, onlyOne bool) {
	t.Helper()
	ctx := context.Background()
	var prev string
	if err := s.db.W.QueryRow("SELECT hash FROM audit_log WHERE seq = $1", from-1).Scan(&prev); err != nil {
		t.Fatal(err)
	}
	for seq := from; seq <= 120; seq++ {
		r, err := scanRecord(s.db.W.QueryRowContext(ctx, "SELECT "+columns+" FROM audit_log WHERE seq = $1", seq))
		if err != nil {
			t.Fatal(err)
		}
		if seq == from {
			r.Detail = "nothing happened"
		}
		r.PrevHash = prev
		r.Hash = r.ComputeHash()
		if _, err := s.db.W.Exec("UPDATE audit_log SET detail = $1, prev_hash = $2, hash = $3 WHERE seq = $4", r.Detail, r.PrevHash, r.Hash, seq); err != nil {
			t.Fatal(err)
		}
		prev = r.Hash
		if onlyOne {
			return
		}
	}
	if _, err := s.db.W.Exec("UPDATE audit_head SET hash = $1 WHERE id = 1", prev); err != nil {
		t.Fatal(err)
	}
}

func (s *tampered) verify(t *testing.T, opt VerifyOptions) *Report {
	t.Helper()
	rep, err := s.l.Verify(context.Background(), opt)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return rep
}

func wantProblems(t *testing.T, rep *Report, want ...string) {
	t.Helper()
	got := rep.String()
	if len(rep.Problems) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(rep.Problems), len(want), got)
	}
	for _, w := range want {
		if !strings.Contains(got, w+"\n") {
			t.Errorf("report lacks %q; it says:\n%s", w, got)
		}
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(t *testing.T, s *tampered)
		want   []string
	}{
		{"edited entry", func(t *testing.T, s *tampered) {
			s.exec(t, "UPDATE audit_log SET changes = '[{\"field\":\"value\",\"old\":\"2\",\"new\":\"5\"}]' WHERE seq = 17")
		}, []string{"entry 17 was edited (hash mismatch)"}},
		{"edited time", func(t *testing.T, s *tampered) {
			s.exec(t, "UPDATE audit_log SET login = 'someone' WHERE seq = 64")
		}, []string{"entry 64 was edited (hash mismatch)"}},
		{"deleted entry", func(t *testing.T, s *tampered) {
			s.exec(t, "DELETE FROM audit_log WHERE seq = 18")
		}, []string{"entry 18 missing (gap 17 -> 19)"}},
		{"deleted entries", func(t *testing.T, s *tampered) {
			s.exec(t, "DELETE FROM audit_log WHERE seq BETWEEN 18 AND 20")
		}, []string{"entries 18..20 missing (gap 17 -> 21)"}},
		{"deleted first entry", func(t *testing.T, s *tampered) {
			s.exec(t, "DELETE FROM audit_log WHERE seq = 1")
		}, []string{"entry 1 missing (gap 0 -> 2)"}},
		{"deleted checkpointed entry", func(t *testing.T, s *tampered) {
			s.exec(t, "DELETE FROM audit_log WHERE seq = 50")
		}, []string{"entry 50 missing (gap 49 -> 51)",
			"checkpoint 1 (at entry 50) cannot be checked: entry 50 is missing",
			"exported checkpoint 1 (at entry 50) cannot be checked: entry 50 is missing"}},
		{"reordered entries", func(t *testing.T, s *tampered) {
			s.exec(t, "UPDATE audit_log SET seq = -1 WHERE seq = 30",
				"UPDATE audit_log SET seq = 30 WHERE seq = 31",
				"UPDATE audit_log SET seq = 31 WHERE seq = -1")
		}, []string{"entries out of order at 30: it holds entry 31", "entries out of order at 31: it holds entry 30"}},
		{"truncated tail", func(t *testing.T, s *tampered) {
			s.exec(t, "DELETE FROM audit_log WHERE seq > 100")
		}, []string{"log truncated: head says 120, last entry is 100"}},
		{"truncated tail and head", func(t *testing.T, s *tampered) {
			s.exec(t, "DELETE FROM audit_log WHERE seq > 90",
				"UPDATE audit_head SET seq = 90, hash = (SELECT hash FROM audit_log WHERE seq = 90) WHERE id = 1")
		}, []string{"log truncated: checkpoint 2 (at entry 100) is beyond the last entry 90",
			"log truncated: exported checkpoint 2 (at entry 100) is beyond the last entry 90"}},
		{"truncated tail, head and checkpoints", func(t *testing.T, s *tampered) {
			s.exec(t, "DELETE FROM audit_log WHERE seq > 90",
				"UPDATE audit_head SET seq = 90, hash = (SELECT hash FROM audit_log WHERE seq = 90) WHERE id = 1",
				"DELETE FROM audit_checkpoints WHERE seq > 90")
		}, []string{"exported checkpoint 2 (at entry 100) is missing from the database",
			"log truncated: exported checkpoint 2 (at entry 100) is beyond the last entry 90"}},
		{"head rolled back", func(t *testing.T, s *tampered) {
			s.exec(t, "UPDATE audit_head SET seq = 110 WHERE id = 1")
		}, []string{"head says 110 but entries run to 120 (head rolled back)"}},
		{"entry replaced with its hash recomputed", func(t *testing.T, s *tampered) {
			s.rechain(t, 17, true)
		}, []string{"entry 17 or 18 was replaced (entry 18 does not link to entry 17)"}},
		{"chain rewritten", func(t *testing.T, s *tampered) {
			s.rechain(t, 17, false)
		}, []string{"checkpoint 1 (at entry 50) does not match the chain: entry 50 has another hash (log rewritten)",
			"checkpoint 2 (at entry 100) does not match the chain: entry 100 has another hash (log rewritten)",
			"exported checkpoint 1 (at entry 50) does not match the chain: entry 50 has another hash (log rewritten)",
			"exported checkpoint 2 (at entry 100) does not match the chain: entry 100 has another hash (log rewritten)"}},
		{"chain rewritten and checkpoints re-pointed", func(t *testing.T, s *tampered) {
			s.rechain(t, 17, false)
			s.exec(t, "UPDATE audit_checkpoints SET head_hash = (SELECT hash FROM audit_log WHERE seq = audit_checkpoints.seq)")
		}, []string{"checkpoint 1 (at entry 50) signature invalid",
			"checkpoint 2 (at entry 100) signature invalid",
			"exported checkpoint 1 (at entry 50) differs from checkpoint 1 in the database",
			"exported checkpoint 2 (at entry 100) differs from checkpoint 2 in the database",
			"exported checkpoint 1 (at entry 50) does not match the chain: entry 50 has another hash (log rewritten)",
			"exported checkpoint 2 (at entry 100) does not match the chain: entry 100 has another hash (log rewritten)"}},
		{"checkpoint signature swapped", func(t *testing.T, s *tampered) {
			s.exec(t, "UPDATE audit_checkpoints SET signature = (SELECT signature FROM audit_checkpoints WHERE id = 2) WHERE id = 1")
		}, []string{"checkpoint 1 (at entry 50) signature invalid",
			"exported checkpoint 1 (at entry 50) differs from checkpoint 1 in the database"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTampered(t)
			verifyOK(t, s.l, VerifyOptions{Exported: s.exported})
			tc.tamper(t, s)
			wantProblems(t, s.verify(t, VerifyOptions{Exported: s.exported}), tc.want...)
		})
	}
}

// Without an exported copy, a tail cut off together with the head and the
// checkpoints leaves a consistent shorter log: this is why checkpoints must
// be exported.
func TestTruncationNeedsExportedCheckpoints(t *testing.T) {
	s := newTampered(t)
	s.exec(t, "DELETE FROM audit_log WHERE seq > 90",
		"UPDATE audit_head SET seq = 90, hash = (SELECT hash FROM audit_log WHERE seq = 90) WHERE id = 1",
		"DELETE FROM audit_checkpoints WHERE seq > 90")
	if rep := s.verify(t, VerifyOptions{}); !rep.OK() {
		t.Errorf("expected no finding without the exported copy, got:\n%s", rep)
	}
	if rep := s.verify(t, VerifyOptions{Exported: s.exported}); rep.OK() {
		t.Error("exported checkpoints did not reveal the truncation")
	}
}

func TestVerifyWithAnotherKey(t *testing.T) {
	s := newTampered(t)
	other, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rep := s.verify(t, VerifyOptions{PublicKey: other})
	want := "checkpoint 1 (at entry 50) was signed by key " + s.l.signer.KeyID() + ", not the verifying key " + KeyID(other)
	if !strings.Contains(rep.String(), want) {
		t.Errorf("report lacks %q:\n%s", want, rep)
	}
}
