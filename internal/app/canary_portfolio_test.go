package app_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"shkola/internal/apptest"
	"shkola/internal/portfolio"
	"shkola/internal/store"
)

// plantPortfolio gives the hidden pupil of the canary test a portfolio
// whose every free-text value carries the marker: a confirmed achievement
// with a document, a rejected proposal with its reason, and a certificate.
// It returns the confirmed achievement's id.
func plantPortfolio(t *testing.T, s *apptest.Server, personID int64) int64 {
	t.Helper()
	ctx := context.Background()
	ps := s.App.Portfolio.S
	p, err := portfolio.LoadPupil(ctx, s.App.DB.Read(), personID)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	err = s.App.DB.WithTx(ctx, func(tx *store.Tx) error {
		a, err := ps.AddAchievementTx(ctx, tx, p, portfolio.NewAchievement{Kind: "olympiad", Title: canary + "-achievement", Level: "national",
			Result: "winner", Date: "2026-03-01", Organiser: canary + "-organiser"}, portfolio.Confirmed, "setup",
			&portfolio.Upload{Name: canary + "-diploma.pdf", R: bytes.NewReader(testPDF)}, nil)
		if err != nil {
			return err
		}
		id = a.ID
		r, err := ps.AddAchievementTx(ctx, tx, p, portfolio.NewAchievement{Kind: "contest", Title: canary + "-proposal", Level: "school",
			Result: "participant", Date: "2026-03-02"}, portfolio.Proposed, "setup", nil, nil)
		if err != nil {
			return err
		}
		if _, err := ps.ReviewTx(ctx, tx, r.ID, 0, portfolio.Review{Decision: "reject", Reason: canary + "-reason"}, "setup", nil); err != nil {
			return err
		}
		_, err = ps.SetCertificateTx(ctx, tx, p, "secondary", portfolio.NewCertificate{Number: canary + "-num", IssuedOn: "2026-06-20"}, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// portfolioCanaries are the planted values no answer may contain.
func portfolioCanaries() []string {
	return []string{canary + "-achievement", canary + "-organiser", canary + "-diploma", canary + "-proposal", canary + "-reason", canary + "-num"}
}

// portfolioCanaryPages are the portfolio pages of the hidden pupil.
func portfolioCanaryPages(personID, achievementID int64) []string {
	return []string{fmt.Sprintf("/persons/%d/portfolio", personID), fmt.Sprintf("/achievements/%d/document", achievementID),
		"/proposals", "/portfolio", fmt.Sprintf("/portfolio?person=%d", personID)}
}
