package logins

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shkola/internal/audit"
	"shkola/internal/classes"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Result is a class's roster after issuing, with the codes issued by this
// request (shown once, never stored in clear) and the counts.
type Result struct {
	Roster
	Created  int `json:"created"`
	Reissued int `json:"reissued"`
}

// Issue creates, in one transaction, an account for every current pupil of
// the class from the minimum age and every current guardian of the class's
// pupils who has none, each linked to the person, with a student or
// guardian grant at the school and a one-time activation code. Running it
// again creates nothing for people who have accounts; with reissue, the
// accounts not yet activated get new codes and their old ones stop working.
func (g *Guard) Issue(ctx context.Context, classID int64, reissue bool) (Result, error) {
	c, err := g.issuable(ctx, classID)
	if err != nil {
		return Result{}, err
	}
	switch {
	case c.Kind != classes.Class:
		return Result{}, errs.Field(errs.Invalid, "class_id", "kind", "logins are issued for a class, not a sub-group or club")
	case c.Status != classes.Active:
		return Result{}, errs.Field(errs.Conflict, "class_id", "status", "the class is not active")
	}
	res := Result{Roster: Roster{ClassID: c.ID, ClassName: c.Name, YearName: c.YearName, OrgID: c.OrgID, MinAge: g.S.minAge()}}
	if res.School, err = schoolName(ctx, g.S.Accounts.DB.Read(), c.OrgID); err != nil {
		return Result{}, err
	}
	now := g.S.now()
	expires := now.Add(g.S.lifetime()).UTC().Format(time.RFC3339)
	err = g.S.Accounts.DB.WithTx(ctx, func(tx *store.Tx) error {
		res.Created, res.Reissued = 0, 0
		fams, err := g.S.roster(ctx, tx, c.ID, now)
		if err != nil {
			return err
		}
		var names []string
		seen := map[int64]Member{} // a guardian of two pupils gets one account
		give := func(m *Member) error {
			if done, ok := seen[m.PersonID]; ok {
				*m = done
				return nil
			}
			defer func() { seen[m.PersonID] = *m }()
			switch {
			case !m.Eligible:
				return nil
			case m.Status == StatusNone:
				login, err := freeLogin(ctx, tx, loginBase(m.last, m.first))
				if err != nil {
					return err
				}
				is, err := g.S.Accounts.IssueTx(ctx, tx, login, m.PersonID, identity.Grant{Role: m.Role, OrgID: c.OrgID}, g.S.lifetime())
				if err != nil {
					return err
				}
				m.AccountID, m.Login, m.Code, m.Created, m.Status, m.ExpiresAt = is.AccountID, is.Login, is.Code, true, StatusIssued, expires
				res.Created++
				names = append(names, strconv.FormatInt(is.AccountID, 10))
			case m.Status == StatusIssued && reissue:
				code, err := g.S.Accounts.ReissueTx(ctx, tx, m.AccountID, g.S.lifetime())
				if err != nil {
					return err
				}
				m.Code, m.ExpiresAt = code, expires
				res.Reissued++
				names = append(names, strconv.FormatInt(m.AccountID, 10)+"*")
			}
			return nil
		}
		for i := range fams {
			if err := give(&fams[i].Pupil); err != nil {
				return err
			}
			for j := range fams[i].Guardians {
				if err := give(&fams[i].Guardians[j]); err != nil {
					return err
				}
			}
		}
		res.Families = fams
		if len(names) == 0 {
			return nil // nothing changed, nothing to record
		}
		org := c.OrgID
		// One entry names every account of the batch (an asterisk marks a
		// new code for an existing one), beside the entries per account.
		return g.S.Audit.Append(ctx, tx, audit.Entry{Action: audit.AccountCreate, Outcome: audit.Success, ObjectType: "class",
			ObjectID: strconv.FormatInt(c.ID, 10), OrgID: &org,
			Detail:  fmt.Sprintf("logins issued: %d created, %d codes reissued", res.Created, res.Reissued),
			Changes: []audit.FieldChange{{Field: "accounts", New: strings.Join(names, ",")}}})
	})
	if err != nil {
		return Result{}, err
	}
	return res, nil
}
