package crypt

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Errors a caller may tell apart; each is wrapped with the detail.
var (
	// ErrMalformed: the text is not a value this package wrote.
	ErrMalformed = errors.New("not an encrypted value")
	// ErrUnknownKey: the value names a key the ring does not hold (a key
	// removed too early, or a key file from another installation).
	ErrUnknownKey = errors.New("unknown key")
	// ErrAuth: the value does not authenticate: altered, or moved from the
	// row or column its additional data names.
	ErrAuth = errors.New("value does not authenticate")
)

const (
	version = "v1"
	// maxValue bounds what Decrypt looks at: field values are small, and a
	// huge string from a corrupted row must not cost a huge allocation.
	maxValue = 1 << 20
)

// AAD is the additional data that binds a value to its place: the column's
// prefix (such as "person.snils") and the row's key, "person.snils:42".
func AAD(prefix string, key any) string {
	switch k := key.(type) {
	case []byte:
		return prefix + ":" + string(k)
	default:
		return fmt.Sprintf("%s:%v", prefix, k)
	}
}

// additional data handed to GCM: the format version and key id are bound
// too, so a value cannot be relabelled.
func additional(id, aad string) []byte {
	return []byte(version + "\x00" + id + "\x00" + aad)
}

// Encrypt seals plaintext under the current key, bound to aad, and returns
// "v1.<key id>.<base64url>". An empty plaintext (nil or zero length) gives
// "" and no error: absent stays absent (store NULL or "" for it), and
// Decrypt("") gives nil back.
func (kr *Keyring) Encrypt(plaintext []byte, aad string) (string, error) {
	if kr == nil {
		return "", errors.New("crypt: no keyring")
	}
	if len(plaintext) == 0 {
		return "", nil
	}
	id := kr.current
	sealed := kr.aead[id].Seal(nil, nil, plaintext, additional(id, aad)) // #nosec G407 -- the AEAD is cipher.NewGCMWithRandomNonce: Seal draws a random 96-bit nonce per value and prepends it (TestRoundTrip: equal plaintexts seal differently)
	return version + "." + id + "." + base64.RawURLEncoding.EncodeToString(sealed), nil
}

// Decrypt opens a value written by Encrypt with the key it names. "" gives
// nil and no error (see Encrypt). Errors wrap ErrMalformed, ErrUnknownKey or
// ErrAuth and never include the value.
func (kr *Keyring) Decrypt(value, aad string) ([]byte, error) {
	if value == "" {
		return nil, nil
	}
	if kr == nil {
		return nil, errors.New("crypt: no keyring")
	}
	id, payload, err := split(value)
	if err != nil {
		return nil, err
	}
	aead, ok := kr.aead[id]
	if !ok {
		return nil, fmt.Errorf("%w %q: the value was encrypted under a key this key ring lacks (it has %s)", ErrUnknownKey, id, strings.Join(kr.IDs(), ", "))
	}
	sealed, err := base64.RawURLEncoding.Strict().DecodeString(payload)
	if err != nil || len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, fmt.Errorf("%w: bad payload", ErrMalformed)
	}
	plain, err := aead.Open(nil, nil, sealed, additional(id, aad))
	if err != nil {
		return nil, fmt.Errorf("%w under key %s for %q: altered, or copied from another field or row", ErrAuth, id, aad)
	}
	return plain, nil
}

// EncryptString is Encrypt for text.
func (kr *Keyring) EncryptString(plaintext, aad string) (string, error) {
	return kr.Encrypt([]byte(plaintext), aad)
}

// DecryptString is Decrypt for text.
func (kr *Keyring) DecryptString(value, aad string) (string, error) {
	b, err := kr.Decrypt(value, aad)
	return string(b), err
}

// KeyID returns the id of the key a value is encrypted under.
func KeyID(value string) (string, error) {
	id, _, err := split(value)
	return id, err
}

// split checks the frame "v1.<id>.<payload>" and returns its parts.
func split(value string) (id, payload string, err error) {
	if len(value) > maxValue {
		return "", "", fmt.Errorf("%w: %d bytes is too long", ErrMalformed, len(value))
	}
	v, rest, ok := strings.Cut(value, ".")
	if !ok || v != version {
		return "", "", fmt.Errorf("%w: no %s. prefix", ErrMalformed, version)
	}
	id, payload, ok = strings.Cut(rest, ".")
	if !ok || !ValidKeyID(id) {
		return "", "", fmt.Errorf("%w: bad key id", ErrMalformed)
	}
	return id, payload, nil
}
