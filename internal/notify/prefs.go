package notify

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// Languages notification texts are written in (the UI's catalogues).
var languages = []string{"ru", "uk", "en"}

// Prefs is what one account wants to hear about and how.
type Prefs struct {
	InApp     []string `json:"inapp"`      // kinds shown in the list
	Email     []string `json:"email"`      // kinds also sent by e-mail
	QuietFrom string   `json:"quiet_from"` // "21:00", or "" for none
	QuietTo   string   `json:"quiet_to"`   // "07:30"
	Lang      string   `json:"lang"`       // language of notification texts
	// EmailAvailable says whether e-mail can be chosen: an SMTP server is
	// configured and the person's record has an e-mail address.
	EmailAvailable bool  `json:"email_available"`
	Version        int64 `json:"version"`
}

// PrefsUpdate replaces an account's preferences (PUT): every field.
type PrefsUpdate struct {
	InApp     []string `json:"inapp"`
	Email     []string `json:"email"`
	QuietFrom string   `json:"quiet_from"`
	QuietTo   string   `json:"quiet_to"`
	Lang      string   `json:"lang"`
}

// defaultEmail is what an account without preferences gets by e-mail: the
// events a parent should not miss, not every mark.
func defaultEmail() []string { return []string{KindAbsence, KindPeriodMark, KindAnnouncement} }

// prefsRow is the stored (or default) preferences with the facts the
// dispatcher needs; it is read together with the recipients.
type prefsRow struct {
	inapp, email       []string
	quietFrom, quietTo string
	lang, address      string
}

// fill turns the nullable columns of a LEFT JOIN on notify_prefs into
// preferences, defaults where there is no row.
func (p *prefsRow) fill(inapp, email, from, to sql.NullString, lang string) {
	if !inapp.Valid {
		p.inapp, p.email = Kinds(), defaultEmail()
	} else {
		p.inapp, p.email = splitKinds(inapp.String), splitKinds(email.String)
		p.quietFrom, p.quietTo = from.String, to.String
	}
	p.lang = lang
}

// Prefs returns the preferences of an account (the defaults if it never
// chose).
func (s *Service) Prefs(ctx context.Context, accountID int64) (Prefs, error) {
	var inapp, email, from, to sql.NullString
	var version sql.NullInt64
	var lang, address string
	err := s.DB.Read().QueryRowContext(ctx, `SELECT np.inapp, np.email, np.quiet_from, np.quiet_to, COALESCE(np.lang, a.lang), COALESCE(ap.email, ''), np.version
		FROM accounts a LEFT JOIN notify_prefs np ON np.account_id = a.id LEFT JOIN persons ap ON ap.id = a.person_id
		WHERE a.id = $1`, accountID).Scan(&inapp, &email, &from, &to, &lang, &address, &version)
	if store.IsNoRows(err) {
		return Prefs{}, errs.E(errs.NotFound, "not found")
	}
	if err != nil {
		return Prefs{}, err
	}
	var r prefsRow
	r.fill(inapp, email, from, to, lang)
	return Prefs{InApp: r.inapp, Email: r.email, QuietFrom: r.quietFrom, QuietTo: r.quietTo, Lang: r.lang,
		EmailAvailable: s.MailEnabled && address != "", Version: version.Int64}, nil
}

// SetPrefs replaces the preferences of an account, audited.
func (s *Service) SetPrefs(ctx context.Context, accountID int64, u PrefsUpdate, af AuditFunc) (Prefs, error) {
	cur, err := s.Prefs(ctx, accountID)
	if err != nil {
		return Prefs{}, err
	}
	var v errs.Validation
	inapp := checkKinds(&v, "inapp", u.InApp)
	email := checkKinds(&v, "email", u.Email)
	if len(email) > 0 && !cur.EmailAvailable {
		v.Add("email", "unavailable", "e-mail needs an address in your record and a mail server")
	}
	u.QuietFrom, u.QuietTo = strings.TrimSpace(u.QuietFrom), strings.TrimSpace(u.QuietTo)
	_, okFrom := clockMinutes(u.QuietFrom)
	_, okTo := clockMinutes(u.QuietTo)
	switch {
	case u.QuietFrom == "" && u.QuietTo == "":
	case u.QuietFrom != "" && !okFrom:
		v.Add("quiet_from", "format", "a time such as 21:00")
	case u.QuietTo != "" && !okTo:
		v.Add("quiet_to", "format", "a time such as 07:30")
	case u.QuietFrom == "" || u.QuietTo == "":
		v.Add("quiet_to", "both", "give both the start and the end of quiet hours, or neither")
	case u.QuietFrom == u.QuietTo:
		v.Add("quiet_to", "range", "quiet hours must end at another time than they start")
	}
	if u.Lang == "" {
		u.Lang = cur.Lang
	}
	if !has(languages, u.Lang) {
		v.Add("lang", "lang", "one of ru, uk, en")
	}
	if err := v.Err(); err != nil {
		return Prefs{}, err
	}
	now := s.now()
	err = s.DB.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO notify_prefs (account_id, inapp, email, quiet_from, quiet_to, lang, version, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, 1, $7)
			ON CONFLICT (account_id) DO UPDATE SET inapp = excluded.inapp, email = excluded.email, quiet_from = excluded.quiet_from,
				quiet_to = excluded.quiet_to, lang = excluded.lang, version = notify_prefs.version + 1, updated_at = excluded.updated_at`,
			accountID, strings.Join(inapp, ","), strings.Join(email, ","), u.QuietFrom, u.QuietTo, u.Lang, now); err != nil {
			return err
		}
		id := strconv.FormatInt(accountID, 10)
		if err := tx.Record(ctx, store.Change{At: now, Entity: "notify_prefs", EntityID: id, Op: store.OpUpdate, Actor: actorLogin(ctx)}); err != nil {
			return err
		}
		return write(ctx, tx, af, audit.Entry{Action: audit.RecordUpdate, Outcome: audit.Success, ObjectType: "notify_prefs", ObjectID: id,
			Changes: []audit.FieldChange{
				{Field: "inapp", Old: strings.Join(cur.InApp, ","), New: strings.Join(inapp, ",")},
				{Field: "email", Old: strings.Join(cur.Email, ","), New: strings.Join(email, ",")},
				{Field: "quiet_hours", Old: cur.QuietFrom + "-" + cur.QuietTo, New: u.QuietFrom + "-" + u.QuietTo},
				{Field: "lang", Old: cur.Lang, New: u.Lang}}})
	})
	if err != nil {
		return Prefs{}, err
	}
	return s.Prefs(ctx, accountID)
}

func checkKinds(v *errs.Validation, field string, in []string) []string {
	out := []string{}
	for _, k := range in {
		if !ValidKind(k) {
			v.Add(field, "kind", fmt.Sprintf("%q is not one of %s", k, strings.Join(Kinds(), ", ")))
			return nil
		}
		if !has(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// clockMinutes parses "HH:MM" into minutes after midnight.
func clockMinutes(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// quietUntil returns when an e-mail due at now may go: now, or the end of
// the quiet hours now falls in, read in loc. Hours may span midnight
// (21:00–07:00).
func quietUntil(now time.Time, loc *time.Location, from, to string) time.Time {
	f, okF := clockMinutes(from)
	t, okT := clockMinutes(to)
	if !okF || !okT || f == t {
		return now
	}
	local := now.In(loc)
	m := local.Hour()*60 + local.Minute()
	inside := m >= f && m < t
	if f > t {
		inside = m >= f || m < t
	}
	if !inside {
		return now
	}
	end := time.Date(local.Year(), local.Month(), local.Day(), t/60, t%60, 0, 0, loc)
	if !end.After(local) {
		end = time.Date(local.Year(), local.Month(), local.Day()+1, t/60, t%60, 0, 0, loc)
	}
	return end.UTC()
}
