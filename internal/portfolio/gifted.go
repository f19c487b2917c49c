package portfolio

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"shkola/internal/store"
)

// Gifted is the attribute as stored: whether the pupil is gifted under the
// rule it was computed with, and which confirmed achievements satisfied it.
type Gifted struct {
	Gifted         bool    `json:"gifted"`
	AchievementIDs []int64 `json:"achievement_ids"`
	Rule           string  `json:"rule"`        // the rule text it was computed with
	ComputedOn     string  `json:"computed_on"` // the day it was computed
	// Current is false when the rule has changed since or its time window
	// has moved on: the flag waits for the next recomputation.
	Current bool `json:"current"`
}

// gifted reads the stored attribute; a pupil never computed is not gifted.
func (s *Service) gifted(ctx context.Context, q store.Querier, personID int64) (Gifted, error) {
	var g Gifted
	var ids string
	err := q.QueryRowContext(ctx, "SELECT gifted, achievement_ids, rule, computed_on FROM gifted WHERE person_id = $1", personID).
		Scan(&g.Gifted, &ids, &g.Rule, &g.ComputedOn)
	if store.IsNoRows(err) {
		return Gifted{AchievementIDs: []int64{}, Rule: s.Rule.Text(), ComputedOn: s.today(), Current: true}, nil
	}
	if err != nil {
		return g, err
	}
	g.AchievementIDs = parseIDs(ids)
	g.Current = g.Rule == s.Rule.Text() && (!s.Rule.HasWindow() || g.ComputedOn == s.today())
	return g, nil
}

func parseIDs(s string) []int64 {
	out := []int64{}
	for _, f := range strings.Split(s, ",") {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// RecomputeTx evaluates the rule over the pupil's confirmed achievements
// and stores the result inside tx. A change of the flag is recorded in the
// change log (ids only). orgID is the pupil's organisation, for the log.
func (s *Service) RecomputeTx(ctx context.Context, tx *store.Tx, personID, orgID int64) (Gifted, error) {
	if s.Rule == nil {
		return Gifted{}, fmt.Errorf("portfolio: no gifted rule configured")
	}
	now := s.now()
	rows, err := tx.QueryContext(ctx, `SELECT id, kind, subject, level, result, on_date FROM achievements
		WHERE person_id = $1 AND status = 'confirmed' ORDER BY on_date DESC, id DESC`, personID)
	if err != nil {
		return Gifted{}, err
	}
	g := Gifted{AchievementIDs: []int64{}, Rule: s.Rule.Text(), ComputedOn: now.Format(dateLayout), Current: true}
	for rows.Next() {
		var id int64
		var f Facts
		var on string
		if err := rows.Scan(&id, &f.Kind, &f.Subject, &f.Level, &f.Result, &on); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return g, err
		}
		f.On, _ = time.Parse(dateLayout, on)
		if s.Rule.Matches(f, now) {
			g.AchievementIDs = append(g.AchievementIDs, id)
		}
	}
	if err := rows.Close(); err != nil {
		return g, err
	}
	if err := rows.Err(); err != nil {
		return g, err
	}
	g.Gifted = len(g.AchievementIDs) > 0
	var was sql.NullBool
	var wasIDs sql.NullString
	if err := tx.QueryRowContext(ctx, "SELECT gifted, achievement_ids FROM gifted WHERE person_id = $1"+tx.Engine.ForUpdate(), personID).
		Scan(&was, &wasIDs); err != nil && !store.IsNoRows(err) {
		return g, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO gifted (person_id, gifted, achievement_ids, rule, computed_on) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (person_id) DO UPDATE SET gifted = $2, achievement_ids = $3, rule = $4, computed_on = $5`,
		personID, g.Gifted, joinIDs(g.AchievementIDs), g.Rule, g.ComputedOn); err != nil {
		return g, err
	}
	if !was.Valid || was.Bool != g.Gifted || wasIDs.String != joinIDs(g.AchievementIDs) {
		if err := record(ctx, tx, now, GiftedEntity, personID, orgID, store.OpUpdate,
			map[string]any{"person_id": personID, "gifted": g.Gifted, "achievement_ids": g.AchievementIDs}); err != nil {
			return g, err
		}
	}
	return g, nil
}

// RecomputeAll recomputes the attribute of every pupil whose stored flag
// is not current: computed with another rule text, or on an earlier day
// when the rule has a time window (all of them when force is set). Each
// batch is one transaction; several servers starting at once only repeat
// the same idempotent work. It returns how many pupils were recomputed.
func (s *Service) RecomputeAll(ctx context.Context, force bool) (int, error) {
	const batch = 200
	done := 0
	var after int64
	for {
		args := []any{after}
		where := ""
		if !force {
			where = " AND (g.person_id IS NULL OR g.rule <> $2"
			args = append(args, s.Rule.Text())
			if s.Rule.HasWindow() {
				where += " OR g.computed_on <> $3"
				args = append(args, s.today())
			}
			where += ")"
		}
		// Pupils with confirmed achievements or a stored flag.
		rows, err := s.DB.Read().QueryContext(ctx, `SELECT x.person_id, p.org_id FROM (
			SELECT DISTINCT person_id FROM achievements WHERE status = 'confirmed' UNION SELECT person_id FROM gifted) x
			JOIN persons p ON p.id = x.person_id LEFT JOIN gifted g ON g.person_id = x.person_id
			WHERE x.person_id > $1`+where+` ORDER BY x.person_id LIMIT `+strconv.Itoa(batch), args...)
		if err != nil {
			return done, err
		}
		type pupil struct{ id, org int64 }
		var list []pupil
		for rows.Next() {
			var p pupil
			if err := rows.Scan(&p.id, &p.org); err != nil {
				_ = rows.Close() // the error returned below is the one to report
				return done, err
			}
			list = append(list, p)
		}
		if err := rows.Close(); err != nil {
			return done, err
		}
		if len(list) == 0 {
			return done, nil
		}
		err = s.DB.WithTx(ctx, func(tx *store.Tx) error {
			for _, p := range list {
				if _, err := s.RecomputeTx(ctx, tx, p.id, p.org); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return done, err
		}
		done += len(list)
		after = slices.MaxFunc(list, func(a, b pupil) int { return int(a.id - b.id) }).id
	}
}
