package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"strconv"
	"strings"
	"time"
)

// Mail is one message to send.
type Mail struct {
	To, Subject, Body string
	ID                string // the delivery id, sent as Message-ID and X-Shkola-Delivery
}

// Mailer sends mail.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// TLS modes of the SMTP connection.
const (
	SMTPStartTLS = "starttls" // plain connection upgraded with STARTTLS; refused if the server does not offer it
	SMTPTLS      = "tls"      // TLS from the first byte (port 465)
	SMTPNone     = "none"     // no encryption: only for a relay on the same host or network
)

// SMTP sends mail through one server with net/smtp.
type SMTP struct {
	Host     string
	Port     int
	From     string
	User     string
	Password string
	TLS      string // SMTPStartTLS, SMTPTLS or SMTPNone
	Timeout  time.Duration
}

// Send delivers m, one connection per message (notifications are few and
// a fresh connection cannot carry a broken state over).
func (s *SMTP) Send(ctx context.Context, m Mail) error {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	d := net.Dialer{}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	tlsConf := &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
	if s.TLS == SMTPTLS {
		conn = tls.Client(conn, tlsConf)
	}
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		_ = conn.Close() // the error returned below is the one to report
		return err
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return err
	}
	if s.TLS == SMTPStartTLS || s.TLS == "" {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return errPermanent{"the mail server does not offer STARTTLS"}
		}
		if err := c.StartTLS(tlsConf); err != nil {
			return err
		}
	}
	if s.User != "" {
		if err := c.Auth(smtp.PlainAuth("", s.User, s.Password, s.Host)); err != nil {
			return err
		}
	}
	if err := c.Mail(s.From); err != nil {
		return err
	}
	if err := c.Rcpt(m.To); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	msg, err := s.compose(m)
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// compose writes the message: UTF-8 text, quoted-printable, subject
// encoded per RFC 2047; no header takes a value with a line break.
func (s *SMTP) compose(m Mail) ([]byte, error) {
	for _, v := range []string{m.To, s.From, m.ID} {
		if strings.ContainsAny(v, "\r\n") {
			return nil, errors.New("header value with a line break")
		}
	}
	subject := strings.NewReplacer("\r", " ", "\n", " ").Replace(m.Subject)
	var b bytes.Buffer
	domain := s.Host
	if at := strings.LastIndex(s.From, "@"); at >= 0 {
		domain = strings.Trim(s.From[at+1:], "> ")
	}
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\nX-Shkola-Delivery: %s\r\n",
		s.From, m.To, mime.QEncoding.Encode("utf-8", subject), time.Now().UTC().Format(time.RFC1123Z), m.ID, domain, m.ID)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\nAuto-Submitted: auto-generated\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(m.Body, "\n", "\r\n"))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	b.WriteString("\r\n")
	return b.Bytes(), nil
}
