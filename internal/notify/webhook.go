package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"shkola/internal/audit"
	"shkola/internal/crypt"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// SecretColumn is where webhook secrets are sealed; `shkola keys rotate`
// re-encrypts it.
var SecretColumn = crypt.Column{Table: "webhook_endpoints", Key: "id", Column: "secret_enc", AADPrefix: "webhook.secret"}

// Headers of a webhook call. A receiver checks the signature (HMAC-SHA256
// under the endpoint's secret over "<t>.<body>", t in Unix seconds; reject
// an old t) and drops a delivery id it has already seen: a call may repeat
// after a crash between sending and recording, always with the same id.
const (
	HeaderSignature = "Shkola-Signature" // t=<unix seconds>,v1=<hex HMAC-SHA256>
	HeaderDelivery  = "Shkola-Delivery"
	HeaderEvent     = "Shkola-Event"
)

// Endpoint is a receiver of a school's events.
type Endpoint struct {
	ID        int64     `json:"id"`
	OrgID     int64     `json:"org_id"`
	URL       string    `json:"url"`
	Kinds     []string  `json:"kinds"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	// Secret is only in the answer that creates the endpoint: it is shown
	// once and stored sealed.
	Secret string `json:"secret,omitempty"`
}

// NewEndpoint is what an administrator submits.
type NewEndpoint struct {
	URL   string   `json:"url"`
	Kinds []string `json:"kinds"`
}

// DeliveryLog is one row of an endpoint's delivery log.
type DeliveryLog struct {
	ID            int64      `json:"id"`
	Key           string     `json:"delivery_id"`
	EndpointID    int64      `json:"endpoint_id"`
	Event         string     `json:"event"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
	SentAt        *time.Time `json:"sent_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
}

const endpointSelect = `SELECT id, org_id, url, kinds, active, created_at, created_by FROM webhook_endpoints`

func scanEndpoint(row interface{ Scan(...any) error }) (Endpoint, error) {
	var e Endpoint
	var kinds string
	err := row.Scan(&e.ID, &e.OrgID, &e.URL, &kinds, &e.Active, &e.CreatedAt, &e.CreatedBy)
	e.Kinds = splitKinds(kinds)
	return e, err
}

// Endpoint returns one endpoint without access checks.
func (s *Service) Endpoint(ctx context.Context, id int64) (Endpoint, error) {
	e, err := scanEndpoint(s.DB.Read().QueryRowContext(ctx, endpointSelect+" WHERE id = $1", id))
	if store.IsNoRows(err) {
		return e, errs.E(errs.NotFound, "not found")
	}
	return e, err
}

// Endpoints lists an organisation's endpoints, removed ones included (their
// delivery log stays readable).
func (s *Service) Endpoints(ctx context.Context, orgID int64) ([]Endpoint, error) {
	rows, err := s.DB.Read().QueryContext(ctx, endpointSelect+" WHERE org_id = $1 ORDER BY id", orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Endpoint{}
	for rows.Next() {
		e, err := scanEndpoint(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// checkURL accepts an absolute http(s) URL without credentials. Unless
// private targets are allowed (tests, closed networks), it must be https
// and must not name a loopback or private address; the dialer checks the
// resolved address again, since a name can point anywhere.
func checkURL(raw string, allowPrivate bool) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return "", errs.Field(errs.Invalid, "url", "required", "the address is required")
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || len(raw) > 2000:
		return "", errs.Field(errs.Invalid, "url", "format", "an address such as https://example.org/hook")
	case u.User != nil:
		return "", errs.Field(errs.Invalid, "url", "credentials", "the address may not carry a user or password; the signature authenticates")
	case !allowPrivate && u.Scheme != "https":
		return "", errs.Field(errs.Invalid, "url", "https", "the address must use https")
	case !allowPrivate && !publicHost(u.Hostname()):
		return "", errs.Field(errs.Invalid, "url", "private", "the address must be reachable on the internet, not a local or private one")
	}
	return u.String(), nil
}

func publicHost(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return false
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return publicAddr(ip)
	}
	return true
}

func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsGlobalUnicast() && !ip.IsPrivate() && !ip.IsLoopback() && !ip.IsLinkLocalUnicast()
}

func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b)
}

// createEndpoint stores an endpoint with a new secret and returns it with
// the secret in clear, once.
func (s *Service) createEndpoint(ctx context.Context, orgID int64, n NewEndpoint, af AuditFunc) (Endpoint, error) {
	var v errs.Validation
	u, err := checkURL(n.URL, s.WebhookAllowPrivate)
	if err != nil {
		var e *errs.Error
		if !errors.As(err, &e) {
			return Endpoint{}, err
		}
		v.Fields = append(v.Fields, e.Fields...)
	}
	kinds := checkKinds(&v, "kinds", n.Kinds)
	if len(kinds) == 0 && !v.Has("kinds") {
		v.Add("kinds", "required", "choose at least one kind of event")
	}
	if err := v.Err(); err != nil {
		return Endpoint{}, err
	}
	if s.Keys == nil {
		return Endpoint{}, errs.E(errs.Unavailable, "webhooks need the encryption key ring")
	}
	secret := newSecret()
	now := s.now()
	by := actorLogin(ctx)
	var out Endpoint
	err = s.DB.WithTx(ctx, func(tx *store.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO webhook_endpoints (org_id, url, secret_enc, kinds, active, created_at, created_by)
			VALUES ($1, $2, '', $3, TRUE, $4, $5) RETURNING id`, orgID, u, strings.Join(kinds, ","), now, by).Scan(&id); err != nil {
			return err
		}
		sealed, err := s.Keys.EncryptString(secret, crypt.AAD(SecretColumn.AADPrefix, id))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE webhook_endpoints SET secret_enc = $1 WHERE id = $2", sealed, id); err != nil {
			return err
		}
		out = Endpoint{ID: id, OrgID: orgID, URL: u, Kinds: kinds, Active: true, CreatedAt: now, CreatedBy: by, Secret: secret}
		return s.endpointChanged(ctx, tx, out, store.OpCreate, af)
	})
	return out, err
}

// removeEndpoint stops deliveries to an endpoint; its log stays.
func (s *Service) removeEndpoint(ctx context.Context, e Endpoint, af AuditFunc) error {
	return s.DB.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE webhook_endpoints SET active = FALSE, version = version + 1 WHERE id = $1", e.ID); err != nil {
			return err
		}
		e.Active = false
		return s.endpointChanged(ctx, tx, e, store.OpUpdate, af)
	})
}

func (s *Service) endpointChanged(ctx context.Context, tx *store.Tx, e Endpoint, op string, af AuditFunc) error {
	org, id := e.OrgID, strconv.FormatInt(e.ID, 10)
	if err := tx.Record(ctx, store.Change{At: s.now(), Entity: "webhook_endpoint", EntityID: id, Op: op, OrgID: &org, Actor: actorLogin(ctx)}); err != nil {
		return err
	}
	return write(ctx, tx, af, audit.Entry{Action: audit.ConfigChange, Outcome: audit.Success, ObjectType: "webhook_endpoint", ObjectID: id, OrgID: &org,
		Changes: []audit.FieldChange{{Field: "active", New: e.Active}, {Field: "kinds", New: strings.Join(e.Kinds, ",")}}})
}

type endpointKey struct {
	url, secret string
	active      bool
}

func (s *Service) endpointSecret(ctx context.Context, id int64) (endpointKey, error) {
	var k endpointKey
	var sealed string
	err := s.DB.Read().QueryRowContext(ctx, "SELECT url, secret_enc, active FROM webhook_endpoints WHERE id = $1", id).Scan(&k.url, &sealed, &k.active)
	if err != nil {
		return k, err
	}
	if s.Keys == nil {
		return k, errPermanent{"no key ring to open the secret"}
	}
	k.secret, err = s.Keys.DecryptString(sealed, crypt.AAD(SecretColumn.AADPrefix, id))
	return k, err
}

// Deliveries lists the webhook delivery log of an organisation's endpoints
// (or of one endpoint), newest first, before the id after (0: from the top).
func (s *Service) Deliveries(ctx context.Context, orgID, endpointID, before int64, limit int) ([]DeliveryLog, error) {
	var args store.Args
	q := `SELECT d.id, d.delivery_key, d.endpoint_id, d.event, d.status, d.attempts, d.next_attempt_at, d.last_error, d.sent_at, d.created_at
		FROM deliveries d WHERE d.channel = 'webhook' AND d.endpoint_id IN (SELECT id FROM webhook_endpoints WHERE org_id = ` + args.Add(orgID) + `)`
	if endpointID != 0 {
		q += " AND d.endpoint_id = " + args.Add(endpointID)
	}
	if before > 0 {
		q += " AND d.id < " + args.Add(before)
	}
	q += " ORDER BY d.id DESC LIMIT " + args.Add(limit)
	rows, err := s.DB.Read().QueryContext(ctx, q, args.Values...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []DeliveryLog{}
	for rows.Next() {
		var d DeliveryLog
		var next, sent sql.NullTime
		if err := rows.Scan(&d.ID, &d.Key, &d.EndpointID, &d.Event, &d.Status, &d.Attempts, &next, &d.LastError, &sent, &d.CreatedAt); err != nil {
			return nil, err
		}
		if next.Valid && d.Status == Pending {
			d.NextAttemptAt = &next.Time
		}
		if sent.Valid {
			d.SentAt = &sent.Time
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Poster makes webhook calls.
type Poster struct {
	Client *http.Client
	Now    func() time.Time
}

// NewPoster returns a poster whose client does not follow redirects, gives
// up after timeout, and (unless allowPrivate) refuses to connect to
// loopback, private and link-local addresses, whatever a name resolves to.
func NewPoster(allowPrivate bool, timeout time.Duration) *Poster {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if !allowPrivate {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || !publicAddr(ap.Addr()) {
				return fmt.Errorf("webhook address %s is not a public one", address)
			}
			return nil
		}
	}
	tr := &http.Transport{DialContext: d.DialContext, TLSHandshakeTimeout: 10 * time.Second, MaxIdleConns: 10, IdleConnTimeout: 60 * time.Second}
	return &Poster{Client: &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Sign returns the signature header value for body at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Post sends one signed call; any status but 2xx is a failure to retry.
func (p *Poster) Post(ctx context.Context, target, secret, key, event string, body []byte) error {
	now := time.Now()
	if p.Now != nil {
		now = p.Now()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return errPermanent{"bad address"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Shkola-Webhook/1")
	req.Header.Set(HeaderDelivery, key)
	req.Header.Set(HeaderEvent, event)
	req.Header.Set(HeaderSignature, Sign(secret, now, body))
	resp, err := p.Client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL may carry a token in its query: keep it out of the log
		}
		return fmt.Errorf("call failed: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return nil
}
