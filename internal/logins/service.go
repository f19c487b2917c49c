package logins

import (
	"context"
	"time"

	"shkola/internal/access"
	"shkola/internal/account"
	"shkola/internal/audit"
	"shkola/internal/classes"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/registry"
)

// Names in the access matrix.
const (
	// Resource is the issuing of a class's logins (action Issue), which
	// also shows the class's account statuses and prints the slips.
	Resource = "logins"
	Issue    = "issue"
	// ChildResource is a child's account as a guardian sees it: read (the
	// My children list), link (with the child's code), update (login and
	// password, while the child is under 14).
	ChildResource = "child_account"
)

// ChildAge: under it a guardian registers and manages the child's account
// and the child only looks; from it the pupil manages own account and the
// guardian keeps the view (seed 004, the registry's own-data age).
const ChildAge = registry.OwnDataAge

// Defaults of the settings (config: SHKOLA_LOGIN_MIN_AGE, SHKOLA_LOGIN_CODE_DAYS).
const (
	DefaultMinAge   = 10
	DefaultCodeDays = 14
)

// Service issues and links accounts without access checks; the edge holds
// a Guard.
type Service struct {
	Accounts *account.Service
	Classes  *classes.Service
	Audit    *audit.Log
	Now      func() time.Time
	// MinAge: pupils of this age or older get an account of their own;
	// younger ones are followed through their guardians' accounts.
	MinAge int
	// CodeLifetime of the activation codes printed on the slips.
	CodeLifetime time.Duration
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *Service) minAge() int {
	if s.MinAge <= 0 {
		return DefaultMinAge
	}
	return s.MinAge
}

func (s *Service) lifetime() time.Duration {
	if s.CodeLifetime <= 0 {
		return DefaultCodeDays * 24 * time.Hour
	}
	return s.CodeLifetime
}

// ageOn is the age in whole years on a day of someone born on born
// (YYYY-MM-DD); the registry's rule.
func ageOn(born string, on time.Time) int {
	return registry.Person{BirthDate: born}.Age(on)
}

// Guard is the service as the outside world gets it: every call is decided
// by the access policy for the actor in the context.
type Guard struct {
	S      *Service
	Policy *access.Policy
}

// classTarget is what the policy is asked about a class.
func classTarget(c classes.Summary) access.Target {
	return access.Target{OrgIDs: []int64{c.OrgID}, ClassID: c.ID}
}

// issuable loads a class and checks that the actor may issue its logins.
func (g *Guard) issuable(ctx context.Context, classID int64) (classes.Summary, error) {
	a := identity.From(ctx)
	c, err := g.S.Classes.Get(ctx, classID)
	if err != nil {
		if errs.CodeOf(err) == errs.NotFound && !a.Authenticated() {
			return c, errs.E(errs.Unauthorized, "log in first")
		}
		return c, err
	}
	return c, g.Policy.Check(ctx, a, Resource, Issue, classTarget(c))
}

// CanIssue reports whether the actor may issue the logins of a class (for
// the class card to offer the page; every action checks again).
func CanIssue(ctx context.Context, p *access.Policy, c classes.Summary) bool {
	ok, err := p.Allowed(ctx, identity.From(ctx), Resource, Issue, classTarget(c))
	return err == nil && ok
}
