package logins

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"shkola/internal/audit"
	"shkola/internal/errs"
)

// MaxSlipCodes bounds one slips request (two accounts or so per family).
const MaxSlipCodes = 500

// SlipCode is an account and the code to print for it, as the result page
// (or an API client) sends them back: the server keeps no codes in clear,
// so the slips are printed from what the issuer received, each code
// checked against the stored hash first.
type SlipCode struct {
	AccountID int64  `json:"account_id"`
	Code      string `json:"code"`
}

// Slips is what the printed slips show: the class and the families that
// have a code to hand over.
type Slips struct {
	Roster
	Expires time.Time // the earliest expiry of the printed codes
}

// Slips checks the codes and returns the families to print a slip for:
// every family with at least one of the codes. A code that is not a live
// activation code of an account of the class's pupils and guardians is
// refused, naming its place in the list, so nothing unverified is printed.
func (g *Guard) Slips(ctx context.Context, classID int64, codes []SlipCode) (Slips, error) {
	c, err := g.issuable(ctx, classID)
	if err != nil {
		return Slips{}, err
	}
	switch {
	case len(codes) == 0:
		return Slips{}, errs.Field(errs.Invalid, "codes", "required", "the accounts and codes to print")
	case len(codes) > MaxSlipCodes:
		return Slips{}, errs.Field(errs.Invalid, "codes", "max_items", fmt.Sprintf("at most %d codes at once", MaxSlipCodes))
	}
	read := g.S.Accounts.DB.Read()
	out := Slips{Roster: Roster{ClassID: c.ID, ClassName: c.Name, YearName: c.YearName, OrgID: c.OrgID, MinAge: g.S.minAge()}}
	if out.School, err = schoolName(ctx, read, c.OrgID); err != nil {
		return Slips{}, err
	}
	fams, err := g.S.roster(ctx, read, c.ID, g.S.now())
	if err != nil {
		return Slips{}, err
	}
	inClass := map[int64]bool{}
	for _, f := range fams {
		for _, m := range append([]Member{f.Pupil}, f.Guardians...) {
			if m.AccountID != 0 {
				inClass[m.AccountID] = true
			}
		}
	}
	byAccount := map[int64]string{}
	for i, sc := range codes {
		field := "codes[" + strconv.Itoa(i) + "]"
		if !inClass[sc.AccountID] {
			return Slips{}, errs.Field(errs.Invalid, field+".account_id", "class", "not an account of this class's pupils or guardians")
		}
		exp, ok, err := g.S.Accounts.LiveCode(ctx, read, sc.AccountID, sc.Code)
		if err != nil {
			return Slips{}, err
		}
		if !ok {
			return Slips{}, errs.Field(errs.Invalid, field+".code", "valid", "not a live activation code of this account")
		}
		if out.Expires.IsZero() || exp.Before(out.Expires) {
			out.Expires = exp
		}
		byAccount[sc.AccountID] = sc.Code
	}
	for _, f := range fams {
		has := false
		put := func(m *Member) {
			if code, ok := byAccount[m.AccountID]; ok && m.AccountID != 0 {
				m.Code, has = code, true
			}
		}
		put(&f.Pupil)
		for j := range f.Guardians {
			put(&f.Guardians[j])
		}
		if has {
			out.Families = append(out.Families, f)
		}
	}
	org := c.OrgID
	// Printing names with codes is an export of the class's families.
	if err := g.S.Audit.Write(ctx, audit.Entry{Action: audit.Export, Outcome: audit.Success, ObjectType: "class",
		ObjectID: strconv.FormatInt(c.ID, 10), OrgID: &org, Detail: fmt.Sprintf("login slips: %d families, %d codes", len(out.Families), len(byAccount))}); err != nil {
		return Slips{}, err
	}
	return out, nil
}
