package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// KeyFileName is the default name of the checkpoint key in the data directory.
const KeyFileName = "audit_ed25519.key"

// Signer signs checkpoints with an Ed25519 key kept outside the database,
// so whoever can rewrite the tables cannot forge a checkpoint.
//
// The key file is PEM: "PRIVATE KEY" (PKCS#8, as written by
// `openssl genpkey -algorithm ed25519`). Verification needs only the public
// key: a "PUBLIC KEY" (PKIX) PEM file, or the private key file itself.
type Signer struct {
	priv  ed25519.PrivateKey
	pub   ed25519.PublicKey
	keyID string
}

// LoadSigner reads the key at path. When the file is missing and generate is
// true (demo and development) it creates one, readable by the owner only,
// and reports created; otherwise a missing file is an error naming the path.
func LoadSigner(path string, generate bool) (s *Signer, created bool, err error) {
	b, err := os.ReadFile(filepath.Clean(path))
	if errors.Is(err, fs.ErrNotExist) {
		if !generate {
			return nil, false, fmt.Errorf("audit key %s does not exist (create it with `openssl genpkey -algorithm ed25519 -out %s`)", path, path)
		}
		s, err := generateKey(path)
		return s, err == nil, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("audit key %s: %w", path, err)
	}
	key, err := parseKey(b)
	if err != nil {
		return nil, false, fmt.Errorf("audit key %s: %w", path, err)
	}
	priv, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, false, fmt.Errorf("audit key %s: not an Ed25519 private key", path)
	}
	return NewSigner(priv), false, nil
}

func generateKey(path string) (*Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	// O_EXCL: two processes starting at once must not overwrite each other's key.
	f, err := os.OpenFile(filepath.Clean(path), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	werr := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := errors.Join(werr, f.Close()); err != nil {
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	return NewSigner(priv), nil
}

// NewSigner wraps an Ed25519 private key.
func NewSigner(priv ed25519.PrivateKey) *Signer {
	pub := priv.Public().(ed25519.PublicKey)
	return &Signer{priv: priv, pub: pub, keyID: KeyID(pub)}
}

// KeyID names a public key: the first 8 bytes of its SHA-256, in hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// KeyID of the signing key.
func (s *Signer) KeyID() string { return s.keyID }

// PublicKey is what verifiers need.
func (s *Signer) PublicKey() ed25519.PublicKey { return s.pub }

// PublicKeyPEM encodes the public key for storing beside exported checkpoints.
func (s *Signer) PublicKeyPEM() []byte {
	der, err := x509.MarshalPKIXPublicKey(s.pub)
	if err != nil {
		panic(err) // an ed25519.PublicKey always marshals
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func (s *Signer) sign(msg []byte) []byte { return ed25519.Sign(s.priv, msg) }

// LoadPublicKey reads a verification key: a PUBLIC KEY PEM or the private key
// file (whose public half is used).
func LoadPublicKey(path string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(filepath.Clean(path))
	if err != nil {
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	key, err := parseKey(b)
	if err != nil {
		return nil, fmt.Errorf("audit key %s: %w", path, err)
	}
	switch k := key.(type) {
	case ed25519.PrivateKey:
		return k.Public().(ed25519.PublicKey), nil
	case ed25519.PublicKey:
		return k, nil
	}
	return nil, fmt.Errorf("audit key %s: not an Ed25519 key", path)
}

func parseKey(b []byte) (any, error) {
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("not a PEM file")
	}
	switch block.Type {
	case "PRIVATE KEY":
		return x509.ParsePKCS8PrivateKey(block.Bytes)
	case "PUBLIC KEY":
		return x509.ParsePKIXPublicKey(block.Bytes)
	}
	return nil, fmt.Errorf("PEM block %q is neither PRIVATE KEY nor PUBLIC KEY", block.Type)
}
