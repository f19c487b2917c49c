package app

import (
	"context"
	"fmt"
	"time"

	"shkola/internal/audit"
	"shkola/internal/portfolio"
)

// openPortfolio parses the gifted rule from configuration (a bad rule stops
// the start with the column and the problem) and builds the portfolio
// behind access control. Flags computed with another rule text, or on an
// earlier day when the rule has a time window, are recomputed now, so the
// screen never shows a flag from a rule that no longer applies.
func (a *App) openPortfolio() error {
	text := a.Cfg.GiftedRule
	if text == "" {
		text = portfolio.DefaultRule
	}
	rule, err := portfolio.ParseRule(text)
	if err != nil {
		return fmt.Errorf("SHKOLA_GIFTED_RULE / --gifted-rule %q: %w", text, err)
	}
	s := &portfolio.Service{DB: a.DB, Keys: a.Keys, Files: a.Files, Rule: rule, Known: a.Dirs.S.Has, Now: time.Now}
	a.Portfolio = &portfolio.Guard{S: s, Policy: a.Policy, Audit: a.Audit}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var other int
	if err := a.DB.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM gifted WHERE rule <> $1", rule.Text()).Scan(&other); err != nil {
		return fmt.Errorf("read the gifted attribute: %w", err)
	}
	n, err := s.RecomputeAll(ctx, false)
	if err != nil {
		return fmt.Errorf("recompute the gifted attribute: %w", err)
	}
	if other > 0 {
		// A new rule is a configuration change that changes what pupils
		// are shown as: audited (the rule text is no personal data).
		if err := a.Audit.Write(ctx, audit.Entry{Action: audit.ConfigChange, Outcome: audit.Success, ObjectType: "gifted_rule",
			Detail: fmt.Sprintf("gifted rule now %q; %d pupils recomputed", rule.Text(), n)}); err != nil {
			return err
		}
	}
	if n > 0 {
		a.Log.Info("gifted attribute recomputed", "pupils", n, "rule", rule.Text())
	}
	return nil
}
