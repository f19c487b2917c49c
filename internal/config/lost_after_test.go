package config

import (
	"flag"
	"testing"
)

func parse(t *testing.T, args ...string) (*Config, error) {
	t.Helper()
	cfg := &Config{}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	Register(fs, cfg)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return cfg, cfg.Check()
}

// The whereabouts threshold comes from the flag, else the variable, else 30.
func TestLostAfterDays(t *testing.T) {
	cfg, err := parse(t)
	if err != nil || cfg.LostAfterDays != 30 {
		t.Fatalf("default: %d %v", cfg.LostAfterDays, err)
	}
	t.Setenv("SHKOLA_LOST_AFTER_DAYS", "45")
	if cfg, err = parse(t); err != nil || cfg.LostAfterDays != 45 {
		t.Fatalf("from the environment: %d %v", cfg.LostAfterDays, err)
	}
	if cfg, err = parse(t, "--lost-after-days", "14"); err != nil || cfg.LostAfterDays != 14 {
		t.Fatalf("the flag wins: %d %v", cfg.LostAfterDays, err)
	}
	if _, err = parse(t, "--lost-after-days", "-1"); err == nil {
		t.Fatal("a negative threshold was accepted")
	}
	t.Setenv("SHKOLA_LOST_AFTER_DAYS", "a month")
	if _, err = parse(t); err == nil {
		t.Fatal("an unparsable SHKOLA_LOST_AFTER_DAYS was accepted")
	}
}
