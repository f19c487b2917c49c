// Package notify tells families what happened: a new or changed mark, an
// absence, homework set, a period mark, an announcement. The change log
// (store.Tx.Record, written in the event's own transaction) is the outbox;
// a dispatcher turns it into in-app notifications and e-mail and webhook
// deliveries in one transaction with its cursor, and a sender delivers
// those with retries. Announcements and the preferences of each account
// live here too.
package notify

import (
	"embed"
	"strings"
	"time"

	"shkola/internal/crypt"
	"shkola/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the tables of this domain.
func Migrations() store.MigrationSet { return store.Embedded("notify", migrationFiles) }

// Event kinds a person chooses to hear about (and a webhook subscribes to).
const (
	KindMark         = "mark"
	KindAbsence      = "absence"
	KindHomework     = "homework"
	KindPeriodMark   = "period_mark"
	KindAnnouncement = "announcement"
)

// Kinds lists the event kinds in the order forms show them.
func Kinds() []string {
	return []string{KindMark, KindAbsence, KindHomework, KindPeriodMark, KindAnnouncement}
}

// ValidKind reports whether k is an event kind.
func ValidKind(k string) bool {
	for _, v := range Kinds() {
		if v == k {
			return true
		}
	}
	return false
}

// Channels. In-app is always available; e-mail needs an SMTP server and an
// address in the person's record; webhooks are configured per school.
const (
	InApp   = "inapp"
	Email   = "email"
	Webhook = "webhook"
)

// Entities of the change log this package reads (see the change-log
// contract: data carries ids and codes only) and writes.
const (
	EntityMark         = "mark"
	EntityAttendance   = "attendance"
	EntityPeriodMark   = "period_mark"
	EntityHomework     = "homework"
	EntityAnnouncement = "announcement"
)

// kindOf maps a change-log entity to the event kind people choose.
func kindOf(entity string) string {
	switch entity {
	case EntityMark:
		return KindMark
	case EntityAttendance:
		return KindAbsence
	case EntityPeriodMark:
		return KindPeriodMark
	case EntityHomework:
		return KindHomework
	case EntityAnnouncement:
		return KindAnnouncement
	}
	return ""
}

// Consumer is this package's name in change_cursors.
const Consumer = "notify"

// Translate renders message id of the UI catalogues in lang; data fills
// the placeholders. The application passes the web catalogue in, so this
// package does not import the web layer.
type Translate func(lang, id string, data map[string]any) string

// Service holds what the dispatcher, the sender and the guard share.
type Service struct {
	DB   *store.DB
	Keys *crypt.Keyring // seals webhook secrets
	Text Translate
	Now  func() time.Time
	// Location is the region's time zone: quiet hours are read in it.
	Location *time.Location
	// MailEnabled says an SMTP server is configured; without one nobody is
	// offered e-mail and no e-mail deliveries are written.
	MailEnabled bool
	// BaseURL makes the links in e-mails absolute.
	BaseURL string
	// WebhookAllowPrivate lets endpoints use http and loopback or private
	// addresses (tests, closed networks).
	WebhookAllowPrivate bool
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC().Truncate(time.Microsecond)
	}
	return s.Now().UTC().Truncate(time.Microsecond)
}

func (s *Service) loc() *time.Location {
	if s.Location == nil {
		return time.UTC
	}
	return s.Location
}

func (s *Service) text(lang, id string, data map[string]any) string {
	if s.Text == nil {
		return id
	}
	return s.Text(lang, id, data)
}

// splitKinds parses a stored comma-separated list, keeping known kinds.
func splitKinds(s string) []string {
	out := []string{}
	for _, k := range strings.Split(s, ",") {
		if k = strings.TrimSpace(k); ValidKind(k) {
			out = append(out, k)
		}
	}
	return out
}

func has(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
