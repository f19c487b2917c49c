// Package identity says who is acting: the authenticated account with its
// role grants, or an API client, plus where the request came from. The login
// and token layers put an Actor into the request context; access decisions
// and audit entries read it from there. It imports nothing of the domains.
package identity

import "context"

// Role is one of the roles of brief.md section 1.
type Role string

const (
	Student          Role = "student"
	Guardian         Role = "guardian"
	Teacher          Role = "teacher"
	ClassTeacher     Role = "class_teacher"
	SchoolAdmin      Role = "school_admin"
	Medical          Role = "medical"
	MunicipalOfficer Role = "municipal_officer"
	RegionalOfficer  Role = "regional_officer"
	Inspector        Role = "inspector"
	Operator         Role = "operator"
)

// Roles lists every role, in the order the UI shows them.
var Roles = []Role{Student, Guardian, Teacher, ClassTeacher, SchoolAdmin, Medical, MunicipalOfficer, RegionalOfficer, Inspector, Operator}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if k == r {
			return true
		}
	}
	return false
}

// NeedsSecondFactor: staff roles above teacher and the operator must use TOTP.
func (r Role) NeedsSecondFactor() bool {
	switch r {
	case SchoolAdmin, MunicipalOfficer, RegionalOfficer, Operator:
		return true
	}
	return false
}

// Grant is a role held within an organisation and its subtree.
type Grant struct {
	Role  Role  `json:"role"`
	OrgID int64 `json:"org_id"`
}

// Actor is whoever makes the request.
type Actor struct {
	AccountID int64   // 0 for anonymous and API clients
	PersonID  int64   // the person the account belongs to, 0 if none
	Login     string  // for logs and audit; never a secret
	Grants    []Grant // loaded fresh on every request, so revocations apply at once
	SessionID string  // public id of the session (never the cookie value)
	ClientID  string  // OAuth/API client id, "" for people
	Addr      string  // client address
	UserAgent string
	RequestID string
}

// Authenticated reports whether a person or a client is behind the request.
func (a *Actor) Authenticated() bool { return a != nil && (a.AccountID != 0 || a.ClientID != "") }

// Has reports whether the actor holds role anywhere.
func (a *Actor) Has(role Role) bool {
	if a == nil {
		return false
	}
	for _, g := range a.Grants {
		if g.Role == role {
			return true
		}
	}
	return false
}

type actorKey struct{}

// With returns ctx carrying a.
func With(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// From returns the actor of ctx; an anonymous actor when there is none.
func From(ctx context.Context) *Actor {
	if a, ok := ctx.Value(actorKey{}).(*Actor); ok && a != nil {
		return a
	}
	return &Actor{}
}
