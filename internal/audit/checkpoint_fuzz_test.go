package audit

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzReadCheckpoints: `shkola audit verify --checkpoints FILE` reads a file
// kept outside the database, which may be damaged or forged. It never
// panics, and what it accepts writes back and reads back the same.
func FuzzReadCheckpoints(f *testing.F) {
	f.Add([]byte(`{"id":1,"seq":10,"head_hash":"ab12","at":"2026-09-01T00:00:00Z","key_id":"k1","signature":"AAEC"}` + "\n\n"))
	f.Add([]byte(`{"seq":1}`))
	f.Add([]byte(`{"head_hash":"x","signature":"not base64"}`))
	f.Add([]byte("\x00\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cps, err := ReadCheckpoints(bytes.NewReader(b))
		if err != nil {
			return
		}
		var out bytes.Buffer
		enc := json.NewEncoder(&out)
		for i := range cps {
			if cps[i].HeadHash == "" {
				t.Fatalf("checkpoint %d accepted without a head hash", i)
			}
			if err := enc.Encode(&cps[i]); err != nil {
				t.Fatal(err)
			}
		}
		again, err := ReadCheckpoints(&out)
		if err != nil || len(again) != len(cps) {
			t.Fatalf("written back, read as %d checkpoints, %v (was %d)", len(again), err, len(cps))
		}
		for i := range cps {
			if again[i].Seq != cps[i].Seq || again[i].HeadHash != cps[i].HeadHash || !again[i].At.Equal(cps[i].At) || !bytes.Equal(again[i].Signature, cps[i].Signature) {
				t.Fatalf("checkpoint %d: %+v became %+v", i, cps[i], again[i])
			}
		}
	})
}
