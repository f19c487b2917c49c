// Package config reads Shkola's settings from flags and SHKOLA_* environment
// variables (a flag wins over the variable, the variable over the default).
package config

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is every setting a command may need. It is passed down through
// constructors; nothing reads it from a global.
type Config struct {
	DB          string        // SHKOLA_DB: postgres URL, or a SQLite file path; empty = DataDir/shkola.db
	DBReplica   string        // SHKOLA_DB_REPLICA: optional PostgreSQL replica for reads
	Listen      string        // SHKOLA_LISTEN
	BaseURL     string        // SHKOLA_BASE_URL: the public address, used in links and cookie security
	DataDir     string        // SHKOLA_DATA_DIR
	LogLevel    string        // SHKOLA_LOG_LEVEL: debug, info, warn, error
	LogFormat   string        // SHKOLA_LOG_FORMAT: json or text
	Demo        bool          // serve --demo: load the demo region into an empty database and generate missing keys
	DemoSeed    int64         // SHKOLA_DEMO_SEED
	DemoSize    string        // SHKOLA_DEMO_SIZE: small, district, region
	MaxBody     int64         // SHKOLA_MAX_BODY: bytes of request body accepted
	MaxUpload   int64         // SHKOLA_MAX_UPLOAD: bytes of an import file accepted (import routes only)
	ShutdownFor time.Duration // SHKOLA_SHUTDOWN_TIMEOUT
	AuditKey    string        // SHKOLA_AUDIT_KEY: Ed25519 key file that signs audit checkpoints
	// LostAfterDays (SHKOLA_LOST_AFTER_DAYS): a pupil who departed and has
	// not arrived anywhere for longer is listed as "whereabouts unknown".
	LostAfterDays int
	// FilesDir (SHKOLA_FILES_DIR): where uploaded files' bytes live; empty
	// keeps them in the database, so backups carry them.
	FilesDir string
	// LoginMinAge (SHKOLA_LOGIN_MIN_AGE): pupils of this age or older get an
	// account of their own when a class teacher issues logins.
	LoginMinAge int
	// LoginCodeDays (SHKOLA_LOGIN_CODE_DAYS): how long the activation codes
	// printed on the class teacher's slips stay valid.
	LoginCodeDays int
	// Notifications (notify.go): SMTP server, time zone of quiet hours,
	// webhook targets.
	Notify Notify
	// GiftedRule (SHKOLA_GIFTED_RULE): the rule that derives the "gifted
	// child" attribute from confirmed achievements (internal/portfolio
	// rule.go describes the language); parsed at start, a bad rule refuses
	// to start. Empty uses portfolio.DefaultRule.
	GiftedRule string

	envErrs []error // unparsable SHKOLA_* values, reported by Check
}

// Register declares the flags of cfg on fs, each defaulting to its SHKOLA_*
// variable. The help text names the variable, so `serve --help` documents both.
func Register(fs *flag.FlagSet, cfg *Config) {
	str := func(p *string, name, env, def, usage string) {
		fs.StringVar(p, name, envOr(env, def), usage+" ($"+env+")")
	}
	str(&cfg.DB, "db", "SHKOLA_DB", "", "database: postgres://user:pass@host/db, or a SQLite file path; empty means <data-dir>/shkola.db")
	str(&cfg.DBReplica, "db-replica", "SHKOLA_DB_REPLICA", "", "optional PostgreSQL replica URL for reads")
	str(&cfg.Listen, "listen", "SHKOLA_LISTEN", "127.0.0.1:8080", "address to listen on")
	str(&cfg.BaseURL, "base-url", "SHKOLA_BASE_URL", "", "public base URL, e.g. https://school.example.org (default http://<listen>)")
	str(&cfg.DataDir, "data-dir", "SHKOLA_DATA_DIR", "data", "directory for the SQLite file, generated keys and uploads")
	str(&cfg.LogLevel, "log-level", "SHKOLA_LOG_LEVEL", "info", "log level: debug, info, warn, error")
	str(&cfg.LogFormat, "log-format", "SHKOLA_LOG_FORMAT", "json", "log format: json or text")
	str(&cfg.AuditKey, "audit-key", "SHKOLA_AUDIT_KEY", "", "Ed25519 key file signing audit checkpoints, kept outside the database (default <data-dir>/audit_ed25519.key; generated only with --demo)")
	str(&cfg.FilesDir, "files-dir", "SHKOLA_FILES_DIR", "", "directory for uploaded files' bytes; empty keeps them in the database (then backups carry them)")
	str(&cfg.GiftedRule, "gifted-rule", "SHKOLA_GIFTED_RULE", "", "rule deriving the gifted attribute from confirmed achievements, e.g. \"result >= prize_winner AND level >= regional AND within 2 years\" (empty: that one)")
	str(&cfg.DemoSize, "demo-size", "SHKOLA_DEMO_SIZE", "small", "demo region size: small, district or region")
	fs.Int64Var(&cfg.DemoSeed, "demo-seed", cfg.envInt("SHKOLA_DEMO_SEED", 1), "demo generator seed ($SHKOLA_DEMO_SEED)")
	fs.Int64Var(&cfg.MaxUpload, "max-upload", cfg.envInt("SHKOLA_MAX_UPLOAD", 64<<20), "largest import file in bytes ($SHKOLA_MAX_UPLOAD)")
	fs.Int64Var(&cfg.MaxBody, "max-body", cfg.envInt("SHKOLA_MAX_BODY", 1<<20), "largest request body in bytes, uploads excepted ($SHKOLA_MAX_BODY)")
	fs.IntVar(&cfg.LostAfterDays, "lost-after-days", int(cfg.envInt("SHKOLA_LOST_AFTER_DAYS", 30)), "days after a departure without an arrival until the pupil is listed as whereabouts unknown ($SHKOLA_LOST_AFTER_DAYS)")
	fs.IntVar(&cfg.LoginMinAge, "login-min-age", int(cfg.envInt("SHKOLA_LOGIN_MIN_AGE", 10)), "pupils of this age or older get their own account when a class teacher issues logins ($SHKOLA_LOGIN_MIN_AGE)")
	fs.IntVar(&cfg.LoginCodeDays, "login-code-days", int(cfg.envInt("SHKOLA_LOGIN_CODE_DAYS", 14)), "days the activation codes on the class teacher's slips stay valid ($SHKOLA_LOGIN_CODE_DAYS)")
	registerNotify(fs, cfg)
	fs.DurationVar(&cfg.ShutdownFor, "shutdown-timeout", cfg.envDuration("SHKOLA_SHUTDOWN_TIMEOUT", 15*time.Second), "how long in-flight requests may finish on SIGTERM ($SHKOLA_SHUTDOWN_TIMEOUT)")
}

// Check validates cfg and fills derived defaults; the error names the setting.
func (c *Config) Check() error {
	if len(c.envErrs) > 0 {
		return c.envErrs[0]
	}
	switch c.LogFormat {
	case "json", "text":
	default:
		return fmt.Errorf("SHKOLA_LOG_FORMAT / --log-format: %q is not json or text", c.LogFormat)
	}
	if _, err := c.Level(); err != nil {
		return err
	}
	switch c.DemoSize {
	case "small", "district", "region":
	default:
		return fmt.Errorf("SHKOLA_DEMO_SIZE / --demo-size: %q is not small, district or region", c.DemoSize)
	}
	if c.MaxUpload == 0 { // a Config built in code without it
		c.MaxUpload = 64 << 20
	}
	if c.MaxUpload < c.MaxBody {
		return fmt.Errorf("SHKOLA_MAX_UPLOAD / --max-upload: must be at least the body limit (%d)", c.MaxBody)
	}
	if c.MaxBody <= 0 {
		return fmt.Errorf("SHKOLA_MAX_BODY / --max-body: must be positive")
	}
	switch {
	case c.LostAfterDays == 0: // a Config built in code without it
		c.LostAfterDays = 30
	case c.LostAfterDays < 0 || c.LostAfterDays > 3650:
		return fmt.Errorf("SHKOLA_LOST_AFTER_DAYS / --lost-after-days: %d is not from 1 to 3650", c.LostAfterDays)
	}
	switch {
	case c.LoginMinAge == 0: // a Config built in code without it
		c.LoginMinAge = 10
	case c.LoginMinAge < 6 || c.LoginMinAge > 18:
		return fmt.Errorf("SHKOLA_LOGIN_MIN_AGE / --login-min-age: %d is not from 6 to 18", c.LoginMinAge)
	}
	switch {
	case c.LoginCodeDays == 0:
		c.LoginCodeDays = 14
	case c.LoginCodeDays < 1 || c.LoginCodeDays > 90:
		return fmt.Errorf("SHKOLA_LOGIN_CODE_DAYS / --login-code-days: %d is not from 1 to 90", c.LoginCodeDays)
	}
	if err := c.Notify.check(); err != nil {
		return err
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Listen
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
		return fmt.Errorf("SHKOLA_BASE_URL / --base-url: %q must start with http:// or https://", c.BaseURL)
	}
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return fmt.Errorf("SHKOLA_DATA_DIR / --data-dir: %w", err)
	}
	c.DataDir = abs
	return nil
}

// Secure reports whether the public address is HTTPS (cookies get Secure).
func (c *Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// Level parses LogLevel.
func (c *Config) Level() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return 0, fmt.Errorf("SHKOLA_LOG_LEVEL / --log-level: %q is not debug, info, warn or error", c.LogLevel)
	}
	return l, nil
}

// Logger builds the process logger from the settings.
func (c *Config) Logger() *slog.Logger {
	lvl, _ := c.Level()
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, opts))
}

func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

func (c *Config) envInt(key string, def int64) int64 {
	v, ok := os.LookupEnv(key)
	if !ok {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		c.envErrs = append(c.envErrs, fmt.Errorf("%s: %q is not a whole number", key, v))
		return def
	}
	return n
}

func (c *Config) envDuration(key string, def time.Duration) time.Duration {
	v, ok := os.LookupEnv(key)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		c.envErrs = append(c.envErrs, fmt.Errorf("%s: %q is not a duration like 15s", key, v))
		return def
	}
	return d
}
