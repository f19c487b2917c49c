package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shkola/internal/audit"
	"shkola/internal/calendar"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// Audiences of an announcement.
const (
	AudienceClass    = "class"
	AudienceParallel = "parallel"
	AudienceSchool   = "school"
)

// Announcement kinds.
const (
	Meeting   = "meeting"
	Olympiad  = "olympiad"
	Excursion = "excursion"
	Other     = "other"
)

// AnnouncementKinds lists the kinds in the order forms show them.
func AnnouncementKinds() []string { return []string{Meeting, Olympiad, Excursion, Other} }

// Audiences lists the audiences in the order forms show them.
func Audiences() []string { return []string{AudienceClass, AudienceParallel, AudienceSchool} }

// Limits of an announcement's texts.
const (
	MaxTitle = 200
	MaxText  = 4000
)

// Announcement is a message from a school to families.
type Announcement struct {
	ID        int64     `json:"id"`
	OrgID     int64     `json:"org_id"`
	Audience  string    `json:"audience"`
	GroupID   *int64    `json:"group_id,omitempty"`
	GroupName string    `json:"group_name,omitempty"`
	Parallel  *int      `json:"parallel,omitempty"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	Body      string    `json:"text"`
	EventOn   *string   `json:"event_on,omitempty"`
	Author    string    `json:"author,omitempty"` // the author's name, when the account belongs to a person
	CreatedAt time.Time `json:"created_at"`
}

// NewAnnouncement is what an author submits. A class audience names the
// class (the school follows from it); a parallel or school audience names
// the school.
type NewAnnouncement struct {
	OrgID    int64  `json:"org_id,omitempty"`
	Audience string `json:"audience"`
	GroupID  int64  `json:"group_id,omitempty"`
	Parallel int    `json:"parallel,omitempty"`
	Kind     string `json:"kind"`
	Title    string `json:"title"`
	Body     string `json:"text"`
	EventOn  string `json:"event_on,omitempty"`
}

const announcementSelect = `SELECT an.id, an.org_id, an.audience, an.group_id, COALESCE(g.name, ''), an.parallel, an.kind, an.title, an.body,
	an.event_on, an.created_at, p.last_name, p.first_name, p.middle_name
	FROM announcements an LEFT JOIN groups g ON g.id = an.group_id
	LEFT JOIN accounts ac ON ac.id = an.author_id LEFT JOIN persons p ON p.id = ac.person_id`

func scanAnnouncement(row interface{ Scan(...any) error }) (Announcement, error) {
	var a Announcement
	var group, parallel sql.NullInt64
	var eventOn, last, first, middle sql.NullString
	err := row.Scan(&a.ID, &a.OrgID, &a.Audience, &group, &a.GroupName, &parallel, &a.Kind, &a.Title, &a.Body,
		&eventOn, &a.CreatedAt, &last, &first, &middle)
	if group.Valid {
		a.GroupID = &group.Int64
	}
	if parallel.Valid {
		n := int(parallel.Int64)
		a.Parallel = &n
	}
	if eventOn.Valid {
		a.EventOn = &eventOn.String
	}
	a.Author = strings.Join(strings.Fields(last.String+" "+first.String+" "+middle.String), " ")
	return a, err
}

func loadAnnouncement(ctx context.Context, q store.Querier, id int64) (Announcement, error) {
	a, err := scanAnnouncement(q.QueryRowContext(ctx, announcementSelect+" WHERE an.id = $1", id))
	if store.IsNoRows(err) {
		return a, errs.E(errs.NotFound, "not found")
	}
	return a, err
}

// Announcement returns one announcement without access checks.
func (s *Service) Announcement(ctx context.Context, id int64) (Announcement, error) {
	return loadAnnouncement(ctx, s.DB.Read(), id)
}

// resolved is a checked announcement: where it goes.
type resolved struct {
	org, group int64
}

// resolveAudience finds the school (and class) an announcement goes to,
// reading through the read pool, so the guard can decide before writing.
// Field errors name what is wrong.
func (s *Service) resolveAudience(ctx context.Context, n NewAnnouncement) (resolved, error) {
	var v errs.Validation
	var r resolved
	switch n.Audience {
	case AudienceClass:
		if n.GroupID <= 0 {
			v.Add("group_id", "required", "choose the class")
			break
		}
		var org int64
		var kind, status string
		err := s.DB.Read().QueryRowContext(ctx, "SELECT org_id, kind, status FROM groups WHERE id = $1", n.GroupID).Scan(&org, &kind, &status)
		switch {
		case store.IsNoRows(err) || (err == nil && (kind != "class" || status != "active")):
			v.Add("group_id", "class", "not an active class")
		case err != nil:
			return r, err
		case n.OrgID != 0 && n.OrgID != org:
			v.Add("org_id", "mismatch", "the class belongs to another organisation")
		default:
			r = resolved{org: org, group: n.GroupID}
		}
	case AudienceParallel, AudienceSchool:
		if n.Audience == AudienceParallel && (n.Parallel < 1 || n.Parallel > 11) {
			v.Add("parallel", "range", "a grade from 1 to 11")
		}
		if n.GroupID != 0 {
			v.Add("group_id", "unexpected", "only a class audience names a class")
		}
		if n.OrgID <= 0 {
			v.Add("org_id", "required", "choose the school")
			break
		}
		r.org = n.OrgID
	default:
		v.Add("audience", "one_of", "one of class, parallel, school")
	}
	return r, v.Err()
}

func validateAnnouncement(n *NewAnnouncement) error {
	var v errs.Validation
	n.Title, n.Body, n.EventOn = strings.TrimSpace(n.Title), strings.TrimSpace(n.Body), strings.TrimSpace(n.EventOn)
	if !has(AnnouncementKinds(), n.Kind) {
		v.Add("kind", "one_of", "one of meeting, olympiad, excursion, other")
	}
	switch {
	case n.Title == "":
		v.Add("title", "required", "a title is required")
	case utf8.RuneCountInString(n.Title) > MaxTitle:
		v.Add("title", "length", "at most 200 characters")
	}
	switch {
	case n.Body == "":
		v.Add("text", "required", "the text is required")
	case utf8.RuneCountInString(n.Body) > MaxText:
		v.Add("text", "length", "at most 4000 characters")
	}
	if n.EventOn != "" && !calendar.ValidDate(n.EventOn) {
		v.Add("event_on", "date", "a date such as 2026-10-15")
	}
	if n.Audience != AudienceParallel && n.Parallel != 0 {
		v.Add("parallel", "unexpected", "only a parallel audience names a grade")
	}
	return v.Err()
}

// createAnnouncement stores a checked announcement, records the change the
// dispatcher notifies from and the audit entry, in one transaction.
func (s *Service) createAnnouncement(ctx context.Context, tx *store.Tx, n NewAnnouncement, r resolved, author int64, af AuditFunc) (int64, error) {
	now := s.now()
	var group, parallel, eventOn, by any
	if r.group != 0 {
		group = r.group
	}
	if n.Audience == AudienceParallel {
		parallel = n.Parallel
	}
	if n.EventOn != "" {
		eventOn = n.EventOn
	}
	if author != 0 {
		by = author
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO announcements (org_id, audience, group_id, parallel, kind, title, body, event_on, author_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		r.org, n.Audience, group, parallel, n.Kind, n.Title, n.Body, eventOn, by, now).Scan(&id); err != nil {
		return 0, err
	}
	data, err := json.Marshal(map[string]any{"audience": n.Audience, "group_id": r.group, "parallel": n.Parallel})
	if err != nil {
		return 0, err
	}
	org := r.org
	sid := strconv.FormatInt(id, 10)
	if err := tx.Record(ctx, store.Change{At: now, Entity: EntityAnnouncement, EntityID: sid, Op: store.OpCreate, OrgID: &org,
		Actor: actorLogin(ctx), Data: data}); err != nil {
		return 0, err
	}
	return id, write(ctx, tx, af, audit.Entry{Action: audit.RecordCreate, Outcome: audit.Success, ObjectType: EntityAnnouncement, ObjectID: sid,
		OrgID: &org, Detail: n.Audience + " " + n.Kind})
}

// CreateAnnouncementTx stores an announcement for trusted callers (the
// demo) in their transaction; author may be 0.
func (s *Service) CreateAnnouncementTx(ctx context.Context, tx *store.Tx, n NewAnnouncement, author int64) (int64, error) {
	if err := validateAnnouncement(&n); err != nil {
		return 0, err
	}
	r := resolved{org: n.OrgID, group: n.GroupID}
	if n.Audience == AudienceClass {
		if err := tx.QueryRowContext(ctx, "SELECT org_id FROM groups WHERE id = $1", n.GroupID).Scan(&r.org); err != nil {
			return 0, err
		}
	}
	return s.createAnnouncement(ctx, tx, n, r, author, nil)
}
