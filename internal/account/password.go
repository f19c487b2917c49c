package account

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"shkola/internal/errs"
)

// Argon2 are argon2id parameters. DefaultArgon2 meets security.md
// (m >= 19 MiB, t >= 2, p = 1).
type Argon2 struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultArgon2 is what production uses.
func DefaultArgon2() Argon2 { return Argon2{MemoryKiB: 19456, Time: 2, Threads: 1} }

func (p Argon2) phc(salt, key []byte) string {
	b := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads, b.EncodeToString(salt), b.EncodeToString(key))
}

// parsePHC reads a stored hash; it returns the parameters it was made with.
func parsePHC(s string) (Argon2, []byte, []byte, error) {
	var p Argon2
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return p, nil, nil, fmt.Errorf("not an argon2id PHC string")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("argon2id parameters: %w", err)
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, err
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return p, nil, nil, err
	}
	if len(key) < 16 || len(key) > 64 {
		// Verify derives a key of this length: keep it to what Hash writes.
		return p, nil, nil, fmt.Errorf("argon2id key of %d bytes", len(key))
	}
	return p, salt, key, nil
}

// Hasher hashes passwords with a bound on how many run at once, so a burst
// of logins cannot take all memory (each hash holds MemoryKiB).
type Hasher struct {
	Params Argon2
	sem    chan struct{}
	// Count is incremented per hash computed; tests read it to prove that
	// throttled attempts cost no hashing.
	Count func()
}

// NewHasher allows at most concurrent hashes at a time.
func NewHasher(p Argon2, concurrent int) *Hasher {
	return &Hasher{Params: p, sem: make(chan struct{}, max(1, concurrent))}
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		if h.Count != nil {
			h.Count()
		}
		return nil
	case <-ctx.Done():
		return errs.E(errs.Unavailable, "the server is busy; try again")
	}
}

// Hash returns the PHC string of password under the current parameters.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer func() { <-h.sem }()
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, h.Params.Time, h.Params.MemoryKiB, h.Params.Threads, 32)
	return h.Params.phc(salt, key), nil
}

// Verify reports whether password matches stored, and whether stored was
// made with other parameters and should be rehashed.
func (h *Hasher) Verify(ctx context.Context, stored, password string) (ok, rehash bool, err error) {
	p, salt, key, err := parsePHC(stored)
	if err != nil {
		return false, false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	defer func() { <-h.sem }()
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(key))) // #nosec G115 -- parsePHC keeps len(key) within 16..64
	return subtle.ConstantTimeCompare(got, key) == 1, p != h.Params, nil
}

//go:embed common_passwords.txt
var commonPasswordsText string

// CheckPassword applies security.md's rules: 8 to 128 characters and not a
// commonly used password; no composition rules. field names the form field.
func CheckPassword(field, password string, common map[string]bool) error {
	var v errs.Validation
	n := utf8.RuneCountInString(password)
	switch {
	case n < 8:
		v.Add(field, "min_length", "at least 8 characters")
	case n > 128:
		v.Add(field, "max_length", "at most 128 characters")
	case common[strings.ToLower(password)]:
		v.Add(field, "common", "this password is among the most common ones; choose another")
	}
	return v.Err()
}

// CommonPasswords loads the embedded list.
func CommonPasswords() map[string]bool {
	out := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsText))
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" && !strings.HasPrefix(w, "#") {
			out[strings.ToLower(w)] = true
		}
	}
	return out
}
