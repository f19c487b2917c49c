package config

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
	_ "time/tzdata" // quiet hours need the region's zone even where the system has no zoneinfo
)

// Notify holds the notification settings.
type Notify struct {
	SMTPHost string // SHKOLA_SMTP_HOST: empty means no e-mail is offered or sent
	SMTPPort int    // SHKOLA_SMTP_PORT
	SMTPFrom string // SHKOLA_SMTP_FROM: the sender address
	SMTPUser string // SHKOLA_SMTP_USER
	// SMTPPasswordFile (SHKOLA_SMTP_PASSWORD_FILE) holds the password; the
	// password may instead come from SHKOLA_SMTP_PASSWORD. It is never a
	// flag, which every user of the machine could read in the process list.
	SMTPPasswordFile string
	SMTPTLS          string // SHKOLA_SMTP_TLS: starttls (default), tls, or none
	// TimeZone (SHKOLA_TIMEZONE) is the region's zone: quiet hours are read
	// in it.
	TimeZone string
	// WebhookAllowPrivate (SHKOLA_WEBHOOK_ALLOW_PRIVATE) lets webhook
	// endpoints use http and loopback or private addresses; off, only https
	// to public addresses is called.
	WebhookAllowPrivate bool

	smtpPassword string
	location     *time.Location
}

func registerNotify(fs *flag.FlagSet, cfg *Config) {
	n := &cfg.Notify
	str := func(p *string, name, env, def, usage string) {
		fs.StringVar(p, name, envOr(env, def), usage+" ($"+env+")")
	}
	str(&n.SMTPHost, "smtp-host", "SHKOLA_SMTP_HOST", "", "SMTP server for notification e-mails; empty turns e-mail off")
	fs.IntVar(&n.SMTPPort, "smtp-port", int(cfg.envInt("SHKOLA_SMTP_PORT", 587)), "SMTP port ($SHKOLA_SMTP_PORT)")
	str(&n.SMTPFrom, "smtp-from", "SHKOLA_SMTP_FROM", "", "sender address of notification e-mails")
	str(&n.SMTPUser, "smtp-user", "SHKOLA_SMTP_USER", "", "SMTP user name (the password comes from $SHKOLA_SMTP_PASSWORD or the file)")
	str(&n.SMTPPasswordFile, "smtp-password-file", "SHKOLA_SMTP_PASSWORD_FILE", "", "file holding the SMTP password")
	str(&n.SMTPTLS, "smtp-tls", "SHKOLA_SMTP_TLS", "starttls", "SMTP encryption: starttls, tls or none")
	str(&n.TimeZone, "timezone", "SHKOLA_TIMEZONE", "Europe/Moscow", "the region's time zone, for quiet hours of notifications")
	fs.BoolVar(&n.WebhookAllowPrivate, "webhook-allow-private", envOr("SHKOLA_WEBHOOK_ALLOW_PRIVATE", "") == "1",
		"let webhook endpoints use http and private or loopback addresses ($SHKOLA_WEBHOOK_ALLOW_PRIVATE=1)")
	n.smtpPassword = os.Getenv("SHKOLA_SMTP_PASSWORD")
}

func (n *Notify) check() error {
	if n.TimeZone == "" {
		n.TimeZone = "UTC"
	}
	loc, err := time.LoadLocation(n.TimeZone)
	if err != nil {
		return fmt.Errorf("SHKOLA_TIMEZONE / --timezone: %q is not a time zone such as Europe/Moscow", n.TimeZone)
	}
	n.location = loc
	if n.SMTPHost == "" {
		return nil
	}
	if n.SMTPPort <= 0 || n.SMTPPort > 65535 {
		return fmt.Errorf("SHKOLA_SMTP_PORT / --smtp-port: %d is not a port", n.SMTPPort)
	}
	if n.SMTPFrom == "" || !strings.Contains(n.SMTPFrom, "@") {
		return fmt.Errorf("SHKOLA_SMTP_FROM / --smtp-from: an address is needed when SHKOLA_SMTP_HOST is set")
	}
	switch n.SMTPTLS {
	case "":
		n.SMTPTLS = "starttls"
	case "starttls", "tls", "none":
	default:
		return fmt.Errorf("SHKOLA_SMTP_TLS / --smtp-tls: %q is not starttls, tls or none", n.SMTPTLS)
	}
	if n.SMTPPasswordFile != "" {
		b, err := os.ReadFile(n.SMTPPasswordFile)
		if err != nil {
			return fmt.Errorf("SHKOLA_SMTP_PASSWORD_FILE: %w", err)
		}
		n.smtpPassword = strings.TrimRight(string(b), "\r\n")
	}
	return nil
}

// SMTPPassword is the SMTP password from the file or the environment.
func (n *Notify) SMTPPassword() string { return n.smtpPassword }

// SetSMTPPassword sets the password directly (tests and embedding code).
func (n *Notify) SetSMTPPassword(p string) { n.smtpPassword = p }

// Location is the region's time zone (UTC before Check).
func (n *Notify) Location() *time.Location {
	if n.location == nil {
		return time.UTC
	}
	return n.location
}
