package crypt

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Where keys come from. They are configuration, never database content: a
// copy of the database (a backup, a dump) must not carry what opens it.
const (
	// EnvKeys holds the key file's content itself (lines may also be
	// separated by ";", for environments that dislike newlines).
	EnvKeys = "SHKOLA_KEYS"
	// EnvKeysFile names the key file.
	EnvKeysFile = "SHKOLA_KEYS_FILE"
	// FileName is the key file in the data directory when neither is set.
	FileName = "keys.txt"
)

// Parse reads the key file format:
//
//	# comment
//	current k2
//	key k1 <base64 of 32 bytes>
//	key k2 <base64 of 32 bytes>
//	index <base64 of 32 bytes>
//
// Lines are separated by newlines or ";". Errors name the line, never a key.
func Parse(b []byte) (*Keyring, error) {
	keys := map[string][]byte{}
	var current string
	var index []byte
	text := strings.ReplaceAll(string(b), ";", "\n")
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		bad := func(format string, args ...any) error {
			return fmt.Errorf("line %d: %s", n+1, fmt.Sprintf(format, args...))
		}
		switch {
		case f[0] == "current" && len(f) == 2:
			if current != "" {
				return nil, bad("a second current line")
			}
			current = f[1]
		case f[0] == "key" && len(f) == 3:
			if _, dup := keys[f[1]]; dup {
				return nil, bad("key %s appears twice", f[1])
			}
			k, err := decodeKey(f[2])
			if err != nil {
				return nil, bad("key %s: %v", f[1], err)
			}
			keys[f[1]] = k
		case f[0] == "index" && len(f) == 2:
			if index != nil {
				return nil, bad("a second index line")
			}
			k, err := decodeKey(f[1])
			if err != nil {
				return nil, bad("index key: %v", err)
			}
			index = k
		default:
			return nil, bad("want `current ID`, `key ID BASE64` or `index BASE64`")
		}
	}
	switch {
	case len(keys) == 0:
		return nil, errors.New("no `key ID BASE64` line")
	case current == "":
		return nil, errors.New("no `current ID` line")
	case index == nil:
		return nil, errors.New("no `index BASE64` line")
	}
	return New(keys, current, index)
}

func decodeKey(s string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("not base64 (e.g. from `openssl rand -base64 32`)")
	}
	if len(k) != KeySize {
		return nil, fmt.Errorf("%d bytes, want %d", len(k), KeySize)
	}
	return k, nil
}

// Marshal writes kr in the key file format.
func (kr *Keyring) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString("# Shkola encryption keys. Keep this file outside the database and its backups,\n")
	b.WriteString("# readable by the server's account only (chmod 600). Losing it loses the data.\n")
	fmt.Fprintf(&b, "current %s\n", kr.current)
	for _, id := range kr.IDs() {
		fmt.Fprintf(&b, "key %s %s\n", id, base64.StdEncoding.EncodeToString(kr.raw[id]))
	}
	fmt.Fprintf(&b, "index %s\n", base64.StdEncoding.EncodeToString(kr.index))
	return b.Bytes()
}

// Load reads the key file at path. A file that the group or others may read
// is refused: the keys would be only as secret as the least trusted account
// on the machine.
func Load(path string) (*Keyring, error) {
	path = filepath.Clean(path)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	defer f.Close()
	// The mode of the file actually opened, not of whatever the path named
	// a moment before.
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	if err := checkMode(path, st.Mode()); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	kr, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return kr, nil
}

func checkMode(path string, m fs.FileMode) error {
	if !m.IsRegular() {
		return fmt.Errorf("key file %s is not a regular file", path)
	}
	// Windows has no Unix permission bits to check.
	if runtime.GOOS != "windows" && m.Perm()&0o077 != 0 {
		return fmt.Errorf("key file %s may be read by group or others (mode %04o): run `chmod 600 %s`", path, m.Perm(), path)
	}
	return nil
}

// LoadOrCreate finds the keys the server runs with: $SHKOLA_KEYS first, then
// the file named by $SHKOLA_KEYS_FILE, then <dataDir>/keys.txt. Where none
// exists and allowGenerate is set (serve --demo) it creates
// <dataDir>/keys.txt (mode 0600) and reports created; otherwise it refuses,
// saying how to provide keys. path says where the keys came from: a file
// path, or "$SHKOLA_KEYS".
//
// A file named by $SHKOLA_KEYS_FILE is never generated: a missing file there
// is a mistake, and new keys would leave the existing data unreadable.
func LoadOrCreate(dataDir string, allowGenerate bool) (kr *Keyring, created bool, path string, err error) {
	inline, _ := os.LookupEnv(EnvKeys)
	file, _ := os.LookupEnv(EnvKeysFile)
	return locate(inline, file, dataDir, allowGenerate)
}

func locate(inline, file, dataDir string, allowGenerate bool) (*Keyring, bool, string, error) {
	if strings.TrimSpace(inline) != "" {
		kr, err := Parse([]byte(inline))
		if err != nil {
			return nil, false, "", fmt.Errorf("$%s: %w", EnvKeys, err)
		}
		return kr, false, "$" + EnvKeys, nil
	}
	if file != "" {
		kr, err := Load(file)
		return kr, false, file, err
	}
	path := filepath.Join(dataDir, FileName)
	kr, err := Load(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return kr, false, path, err
	}
	if !allowGenerate {
		return nil, false, "", fmt.Errorf("no encryption keys: set %s or %s (generate with `shkola keys generate --out FILE`)", EnvKeysFile, EnvKeys)
	}
	if kr, err = Generate(); err != nil {
		return nil, false, "", err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, false, "", fmt.Errorf("data directory %s: %w", dataDir, err)
	}
	if err := Create(path, kr); err != nil {
		return nil, false, "", err
	}
	return kr, true, path, nil
}

// Create writes kr to a new file at path, readable by the owner only. It
// never overwrites: two processes starting at once must not replace each
// other's keys.
func Create(path string, kr *Keyring) error {
	f, err := os.OpenFile(filepath.Clean(path), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("key file %s: %w", path, err)
	}
	_, werr := f.Write(kr.Marshal())
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("key file %s: %w", path, err)
	}
	return nil
}

// Replace writes kr over the key file at path atomically: a new file beside
// it, synced, then renamed, so a crash leaves the old keys or the new ones,
// never half a file.
func Replace(path string, kr *Keyring) error {
	path = filepath.Clean(path)
	f, err := os.CreateTemp(filepath.Dir(path), ".keys-*")
	if err != nil {
		return fmt.Errorf("key file %s: %w", path, err)
	}
	tmp := f.Name()
	_, werr := f.Write(kr.Marshal())
	err = errors.Join(werr, f.Chmod(0o600), f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("key file %s: %w", path, err)
	}
	return nil
}

// AddKey loads the key file at path, adds a new data key, makes it current
// and writes the file back. It returns the new ring and the new key's id.
func AddKey(path string) (*Keyring, string, error) {
	kr, err := Load(path)
	if err != nil {
		return nil, "", err
	}
	nk, id, err := kr.WithNewKey()
	if err != nil {
		return nil, "", err
	}
	if err := Replace(path, nk); err != nil {
		return nil, "", err
	}
	return nk, id, nil
}
