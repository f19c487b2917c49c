// Package audit is the tamper-evident audit log: one entry per security-
// relevant event, written in the same transaction as the change it records,
// hash-chained, with signed checkpoints and a verifier.
package audit

// Action is an entry kind from the fixed catalogue of security.md.
type Action string

const (
	Login           Action = "login"
	LoginFailed     Action = "login.failed"
	Logout          Action = "logout"
	SecondFactor    Action = "second_factor.change"
	PasswordChange  Action = "password.change"
	PasswordReset   Action = "password.reset"
	AccountCreate   Action = "account.create"
	AccountDisable  Action = "account.disable"
	AccountEnable   Action = "account.enable"
	GrantAdd        Action = "grant.add"
	GrantRevoke     Action = "grant.revoke"
	SessionRevoke   Action = "session.revoke"
	ReadSpecial     Action = "read.special"  // health, disability
	ReadIdentity    Action = "read.identity" // SNILS, documents
	Export          Action = "export"
	BulkRead        Action = "bulk_read"
	RecordCreate    Action = "record.create"
	RecordUpdate    Action = "record.update"
	RecordDelete    Action = "record.delete"
	PeriodClose     Action = "period.close"
	PeriodReopen    Action = "period.reopen"
	GuardianLink    Action = "guardian.link"
	ConsentChange   Action = "consent.change"
	APIClientChange Action = "api_client.change"
	Import          Action = "import"
	Backup          Action = "backup"
	Restore         Action = "restore"
	ConfigChange    Action = "config.change"
	KeyRotate       Action = "key.rotate"
	AuditRead       Action = "audit.read"
	AccessDenied    Action = "access.denied"
	PersonMerge     Action = "person.merge"
	MovementRecord  Action = "movement.record"  // admission, transfer, departure… of a pupil
	TransferAccept  Action = "transfer.accept"  // the receiving school confirms an arrival
	TransferDecline Action = "transfer.decline" // the receiving school refuses a transfer
)

// Actions is the whole catalogue; Append refuses anything else.
var Actions = []Action{Login, LoginFailed, Logout, SecondFactor, PasswordChange, PasswordReset,
	AccountCreate, AccountDisable, AccountEnable, GrantAdd, GrantRevoke, SessionRevoke,
	ReadSpecial, ReadIdentity, Export, BulkRead, RecordCreate, RecordUpdate, RecordDelete,
	PeriodClose, PeriodReopen, GuardianLink, ConsentChange, APIClientChange, Import, Backup,
	Restore, ConfigChange, KeyRotate, AuditRead, AccessDenied, PersonMerge,
	MovementRecord, TransferAccept, TransferDecline}

// Valid reports whether a is in the catalogue.
func (a Action) Valid() bool {
	for _, k := range Actions {
		if k == a {
			return true
		}
	}
	return false
}

// Outcome of the audited event.
type Outcome string

const (
	Success Outcome = "success"
	Failure Outcome = "failure"
	Denied  Outcome = "denied"
)

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool { return o == Success || o == Failure || o == Denied }

// FieldChange is one changed field, old -> new. Values of encrypted fields
// are recorded as "(changed)", never in clear.
type FieldChange struct {
	Field string `json:"field"`
	Old   any    `json:"old,omitempty"`
	New   any    `json:"new,omitempty"`
}

// Entry is what a caller records. Time, actor and origin are filled from the
// context (identity.Actor) by Append when left empty.
type Entry struct {
	Action     Action
	Outcome    Outcome
	ObjectType string
	ObjectID   string
	OrgID      *int64
	Changes    []FieldChange
	Detail     string // short, no personal data
	// PersonID is the person whose data was read or changed (0: none), so
	// "who looked at this pupil" is one indexed query.
	PersonID int64
	// Login overrides the actor's login, for events without a signed-in
	// actor: the name tried in a failed login, the account being created.
	Login string
}
