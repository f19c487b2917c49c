package journal

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"shkola/internal/access"
	"shkola/internal/audit"
	"shkola/internal/directory"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// OrgScale is the scale an organisation uses and where that comes from:
// its own choice (From is the organisation), an ancestor's, or the
// country's default (From 0).
type OrgScale struct {
	OrgID int64 `json:"org_id"`
	Scale Scale `json:"scale"`
	From  int64 `json:"from"`
}

func (s *Service) orgScale(ctx context.Context, q store.Querier, orgID int64) (OrgScale, error) {
	out := OrgScale{OrgID: orgID}
	var code, country string
	err := q.QueryRowContext(ctx, `SELECT COALESCE((SELECT js.scale FROM journal_scales js JOIN org_tree t ON t.ancestor_id = js.org_id
		WHERE t.descendant_id = o.id ORDER BY t.depth LIMIT 1), ''),
		COALESCE((SELECT js.org_id FROM journal_scales js JOIN org_tree t ON t.ancestor_id = js.org_id
		WHERE t.descendant_id = o.id ORDER BY t.depth LIMIT 1), 0), o.country FROM organisations o WHERE o.id = $1`, orgID).
		Scan(&code, &out.From, &country)
	if store.IsNoRows(err) {
		return out, errs.E(errs.NotFound, "organisation %d not found", orgID)
	}
	if err != nil {
		return out, err
	}
	if code == "" {
		code = DefaultScale(country)
	}
	out.Scale, err = s.describe(ctx, code)
	return out, err
}

// Scale returns the scale of an organisation.
func (g *Guard) Scale(ctx context.Context, orgID int64) (OrgScale, error) {
	out, err := g.S.orgScale(ctx, g.S.DB.Read(), orgID)
	if err != nil {
		return out, hidden(ctx, err)
	}
	return out, g.Policy.Check(ctx, identity.From(ctx), ScaleResource, "read", access.Target{OrgIDs: []int64{orgID}})
}

// SetScale chooses the scale of an organisation and everything below it
// that has not chosen its own. Marks already written keep the scale they
// were written on (each mark stores it).
func (g *Guard) SetScale(ctx context.Context, orgID int64, code string) (OrgScale, error) {
	cur, err := g.S.orgScale(ctx, g.S.DB.Read(), orgID)
	if err != nil {
		return cur, hidden(ctx, err)
	}
	if err := g.Policy.Check(ctx, identity.From(ctx), ScaleResource, "update", access.Target{OrgIDs: []int64{orgID}}); err != nil {
		return cur, err
	}
	code = strings.TrimSpace(code)
	ok := false
	if g.S.Dirs != nil {
		if ok, err = g.S.Dirs.Has(ctx, directory.MarkScale, code); err != nil {
			return cur, err
		}
	}
	if !ok {
		return cur, errs.Field(errs.Invalid, "scale", "unknown", "there is no active mark scale "+code+" in the directory")
	}
	a := identity.From(ctx)
	now := g.S.now()
	err = g.S.DB.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO journal_scales (org_id, scale, version, updated_at, updated_by) VALUES ($1, $2, 1, $3, $4)
			ON CONFLICT (org_id) DO UPDATE SET scale = excluded.scale, version = journal_scales.version + 1,
			updated_at = excluded.updated_at, updated_by = excluded.updated_by`, orgID, code, now, authorOf(a)); err != nil {
			return err
		}
		org := orgID
		data, _ := json.Marshal(map[string]any{"scale": code})
		if err := tx.Record(ctx, store.Change{At: now, Entity: ScaleEntity, EntityID: strconv.FormatInt(orgID, 10), Op: store.OpUpdate,
			OrgID: &org, Actor: authorOf(a), Data: data}); err != nil {
			return err
		}
		if g.S.Audit == nil {
			return errs.E(errs.Internal, "internal error")
		}
		return g.S.Audit.Append(ctx, tx, audit.Entry{Action: audit.ConfigChange, Outcome: audit.Success, ObjectType: ScaleEntity,
			ObjectID: strconv.FormatInt(orgID, 10), OrgID: &org, Changes: []audit.FieldChange{{Field: "scale", Old: cur.Scale.Code, New: code}}})
	})
	if err != nil {
		return cur, err
	}
	return g.S.orgScale(ctx, g.S.DB.Read(), orgID)
}

// CanSetScale reports whether the actor may choose the scale of orgID (for
// the page to show its form; SetScale checks again).
func (g *Guard) CanSetScale(ctx context.Context, orgID int64) bool {
	ok, err := g.Policy.Allowed(ctx, identity.From(ctx), ScaleResource, "update", access.Target{OrgIDs: []int64{orgID}})
	return err == nil && ok
}
