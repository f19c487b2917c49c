package notify

import (
	"context"
	"errors"
	"strings"

	"shkola/internal/access"
	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/store"
)

// Resources of the access matrix.
const (
	NotificationResource = "notification"       // one's own notifications: read, update (mark read)
	PrefsResource        = "notification_prefs" // one's own preferences: read, update
	AnnouncementResource = "announcement"       // read (the audience, the school's staff in scope), create
	WebhookResource      = "webhook"            // a school's endpoints and delivery log: read, create, update
)

// AuditFunc writes the audit entry of a change in the changing transaction.
type AuditFunc func(ctx context.Context, tx *store.Tx, e audit.Entry) error

func write(ctx context.Context, tx *store.Tx, af AuditFunc, e audit.Entry) error {
	if af == nil {
		return nil
	}
	return af(ctx, tx, e)
}

func actorLogin(ctx context.Context) string { return identity.From(ctx).Login }

// Guard is the notifications domain as the HTTP edge gets it: every call is
// decided by the access policy for the actor in the context, before any
// write transaction opens, and every change is audited in the transaction
// that makes it.
type Guard struct {
	S      *Service
	Policy *access.Policy
	Audit  *audit.Log
	// Wake, when set, is called after an announcement commits, so the
	// dispatcher does not wait for its next tick.
	Wake func()
}

// Append writes an audit entry, failing closed without an audit log.
func (g *Guard) Append(ctx context.Context, tx *store.Tx, e audit.Entry) error {
	if g.Audit == nil {
		return errs.Wrap(errs.Internal, errors.New("notification change without an audit log"), "internal error")
	}
	return g.Audit.Append(ctx, tx, e)
}

func hidden(ctx context.Context, err error) error {
	if errs.CodeOf(err) == errs.NotFound && !identity.From(ctx).Authenticated() {
		return errs.E(errs.Unauthorized, "log in first")
	}
	return err
}

// own checks that the actor has a list of its own for resource/action: a
// signed-in person (API clients have no notifications).
func (g *Guard) own(ctx context.Context, resource, action string) (*identity.Actor, bool, error) {
	a := identity.From(ctx)
	if !a.Authenticated() {
		return a, false, errs.E(errs.Unauthorized, "log in first")
	}
	sc := g.Policy.ListScope(a, resource, action)
	ok := sc.All
	for _, r := range sc.Rels {
		ok = ok || r == access.Self
	}
	return a, ok && a.AccountID != 0, nil
}

// Notifications lists the actor's own notifications.
func (g *Guard) Notifications(ctx context.Context, f Filter) ([]Notification, error) {
	a, ok, err := g.own(ctx, NotificationResource, "read")
	if err != nil || !ok {
		return []Notification{}, err
	}
	return g.S.list(ctx, a.AccountID, f)
}

// UnreadCount is the actor's number of unread notifications (0 for a
// visitor), for the badge and the mobile app.
func (g *Guard) UnreadCount(ctx context.Context) (int, error) {
	a, ok, err := g.own(ctx, NotificationResource, "read")
	if err != nil || !ok {
		return 0, err
	}
	return g.S.UnreadCount(ctx, a.AccountID)
}

// Notification returns one of the actor's notifications; anybody else's is
// not found.
func (g *Guard) Notification(ctx context.Context, id int64) (Notification, error) {
	n, err := g.S.notification(ctx, id)
	if err != nil {
		return n, hidden(ctx, err)
	}
	if err := g.Policy.Check(ctx, identity.From(ctx), NotificationResource, "read", access.Target{AccountID: n.AccountID}); err != nil {
		return Notification{}, err
	}
	return n, nil
}

// MarkRead marks one of the actor's notifications read.
func (g *Guard) MarkRead(ctx context.Context, id int64) (Notification, error) {
	n, err := g.S.notification(ctx, id)
	if err != nil {
		return n, hidden(ctx, err)
	}
	if err := g.Policy.Check(ctx, identity.From(ctx), NotificationResource, "update", access.Target{AccountID: n.AccountID}); err != nil {
		return Notification{}, err
	}
	if err := g.S.markRead(ctx, n.AccountID, id); err != nil {
		return Notification{}, err
	}
	return g.S.notification(ctx, id)
}

// MarkAllRead marks every notification of the actor read.
func (g *Guard) MarkAllRead(ctx context.Context) (int64, error) {
	a, ok, err := g.own(ctx, NotificationResource, "update")
	if err != nil || !ok {
		return 0, err
	}
	return g.S.markAllRead(ctx, a.AccountID)
}

func (g *Guard) prefsTarget(ctx context.Context, action string) (*identity.Actor, error) {
	a := identity.From(ctx)
	if a.AccountID == 0 {
		if !a.Authenticated() {
			return a, errs.E(errs.Unauthorized, "log in first")
		}
		return a, errs.E(errs.NotFound, "API clients have no notification preferences")
	}
	return a, g.Policy.Check(ctx, a, PrefsResource, action, access.Target{AccountID: a.AccountID})
}

// Prefs returns the actor's preferences.
func (g *Guard) Prefs(ctx context.Context) (Prefs, error) {
	a, err := g.prefsTarget(ctx, "read")
	if err != nil {
		return Prefs{}, err
	}
	return g.S.Prefs(ctx, a.AccountID)
}

// SetPrefs replaces the actor's preferences.
func (g *Guard) SetPrefs(ctx context.Context, u PrefsUpdate) (Prefs, error) {
	a, err := g.prefsTarget(ctx, "update")
	if err != nil {
		return Prefs{}, err
	}
	return g.S.SetPrefs(ctx, a.AccountID, u, g.Append)
}

// CreateAnnouncement lets a class teacher address the class led, and a
// school's administration a class, a parallel or the whole school.
func (g *Guard) CreateAnnouncement(ctx context.Context, n NewAnnouncement) (Announcement, error) {
	a := identity.From(ctx)
	if !a.Authenticated() {
		return Announcement{}, errs.E(errs.Unauthorized, "log in first")
	}
	r, err := g.S.resolveAudience(ctx, n)
	if err != nil {
		return Announcement{}, err
	}
	if err := g.Policy.Check(ctx, a, AnnouncementResource, "create", access.Target{OrgIDs: []int64{r.org}, ClassID: r.group}); err != nil {
		return Announcement{}, err
	}
	if err := validateAnnouncement(&n); err != nil {
		return Announcement{}, err
	}
	var id int64
	err = g.S.DB.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		id, err = g.S.createAnnouncement(ctx, tx, n, r, a.AccountID, g.Append)
		if err == nil && g.Wake != nil {
			tx.AfterCommit(g.Wake)
		}
		return err
	})
	if err != nil {
		return Announcement{}, err
	}
	return g.S.Announcement(ctx, id)
}

// audienceHas is a condition on announcements an: one of persons (SQL
// selecting person ids, or one placeholder) is a current pupil of the
// audience.
func audienceHas(persons string) string {
	return `(EXISTS (SELECT 1 FROM group_members m JOIN groups g ON g.id = m.group_id WHERE m.ends_on IS NULL AND m.person_id IN (` + persons + `)
		AND ((an.audience = 'class' AND (g.id = an.group_id OR g.parent_id = an.group_id))
		OR (an.audience = 'parallel' AND g.org_id = an.org_id AND g.kind = 'class' AND g.status = 'active' AND g.parallel = an.parallel)
		OR (an.audience = 'school' AND g.org_id = an.org_id AND g.kind = 'class' AND g.status = 'active'))))`
}

// ledAudience: the person (placeholder) leads a class of the audience.
func ledAudience(person string) string {
	return `(EXISTS (SELECT 1 FROM groups g WHERE g.class_teacher_id = ` + person + ` AND g.status = 'active' AND g.kind = 'class'
		AND ((an.audience = 'class' AND g.id = an.group_id)
		OR (an.audience = 'parallel' AND g.org_id = an.org_id AND g.parallel = an.parallel)
		OR (an.audience = 'school' AND g.org_id = an.org_id))))`
}

// visibleSQL is the condition on announcements an that the actor may read:
// within an organisation of the scope, or (by the relationships the matrix
// grants) addressed to the actor as a pupil, to a child of the actor, or to
// a class the actor leads.
func (g *Guard) visibleSQL(a *identity.Actor, args *store.Args) (string, bool) {
	sc := g.Policy.ListScope(a, AnnouncementResource, "read")
	if sc.Empty() {
		return "", false
	}
	if sc.All {
		return "(1 = 1)", true
	}
	conds := []string{sc.OrgSQL("an.org_id", args)}
	if a.PersonID != 0 {
		for _, rel := range sc.Rels {
			switch rel {
			case access.Self:
				conds = append(conds, audienceHas(args.Add(a.PersonID)))
			case access.GuardianOf:
				conds = append(conds, audienceHas("SELECT child_id FROM guardianships WHERE guardian_id = "+args.Add(a.PersonID)+" AND ends_on IS NULL"))
			case access.ClassTeacherOf:
				conds = append(conds, ledAudience(args.Add(a.PersonID)))
			}
		}
	}
	return "(" + strings.Join(conds, " OR ") + ")", true
}

// Announcement returns one announcement the actor may read.
func (g *Guard) Announcement(ctx context.Context, id int64) (Announcement, error) {
	an, err := g.S.Announcement(ctx, id)
	if err != nil {
		return an, hidden(ctx, err)
	}
	a := identity.From(ctx)
	var args store.Args
	if cond, ok := g.visibleSQL(a, &args); ok {
		var one int
		err := g.S.DB.Read().QueryRowContext(ctx, "SELECT 1 FROM announcements an WHERE an.id = "+args.Add(id)+" AND "+cond, args.Values...).Scan(&one)
		if err == nil {
			return an, nil
		}
		if !store.IsNoRows(err) {
			return Announcement{}, err
		}
	}
	// Not visible: the policy records the denial and answers as it would.
	if err := g.Policy.Check(ctx, a, AnnouncementResource, "read", access.Target{OrgIDs: []int64{an.OrgID}}); err != nil {
		return Announcement{}, err
	}
	return Announcement{}, errs.E(errs.NotFound, "not found")
}

// AnnouncementFilter picks a page of announcements, newest first.
type AnnouncementFilter struct {
	OrgID  int64
	Before int64
	Limit  int
}

// Announcements lists what the actor may read, filtered in SQL.
func (g *Guard) Announcements(ctx context.Context, f AnnouncementFilter) ([]Announcement, error) {
	a := identity.From(ctx)
	var args store.Args
	cond, ok := g.visibleSQL(a, &args)
	if !ok {
		if !a.Authenticated() {
			return nil, errs.E(errs.Unauthorized, "log in first")
		}
		return []Announcement{}, nil
	}
	q := announcementSelect + " WHERE " + cond
	if f.OrgID != 0 {
		q += " AND an.org_id = " + args.Add(f.OrgID)
	}
	if f.Before > 0 {
		q += " AND an.id < " + args.Add(f.Before)
	}
	q += " ORDER BY an.id DESC LIMIT " + args.Add(f.Limit)
	rows, err := g.S.DB.Read().QueryContext(ctx, q, args.Values...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Announcement{}
	for rows.Next() {
		an, err := scanAnnouncement(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, an)
	}
	return out, rows.Err()
}

// Choice is a class or school an author may address.
type Choice struct {
	ID    int64
	Name  string
	OrgID int64
}

// Choices lists the classes and schools the actor may address (for the
// form; every announcement is checked again when it is made).
func (g *Guard) Choices(ctx context.Context) (classes, schools []Choice, err error) {
	a := identity.From(ctx)
	sc := g.Policy.ListScope(a, AnnouncementResource, "create")
	var args store.Args
	conds := []string{sc.OrgSQL("g.org_id", &args)}
	for _, rel := range sc.Rels {
		if rel == access.ClassTeacherOf && a.PersonID != 0 {
			conds = append(conds, "(g.class_teacher_id = "+args.Add(a.PersonID)+")")
		}
	}
	rows, err := g.S.DB.Read().QueryContext(ctx, `SELECT g.id, g.name, g.org_id FROM groups g
		WHERE g.kind = 'class' AND g.status = 'active' AND (`+strings.Join(conds, " OR ")+`) ORDER BY g.org_id, g.parallel, g.letter LIMIT 500`, args.Values...)
	if err != nil {
		return nil, nil, err
	}
	if classes, err = scanChoices(rows); err != nil {
		return nil, nil, err
	}
	var sargs store.Args
	rows, err = g.S.DB.Read().QueryContext(ctx, `SELECT o.id, CASE WHEN o.short_name = '' THEN o.name ELSE o.short_name END, o.id FROM organisations o
		WHERE o.kind = 'school' AND `+sc.OrgSQL("o.id", &sargs)+` ORDER BY o.name LIMIT 500`, sargs.Values...)
	if err != nil {
		return nil, nil, err
	}
	schools, err = scanChoices(rows)
	return classes, schools, err
}

func scanChoices(rows interface {
	Next() bool
	Scan(...any) error
	Close() error
	Err() error
}) ([]Choice, error) {
	defer rows.Close()
	var out []Choice
	for rows.Next() {
		var c Choice
		if err := rows.Scan(&c.ID, &c.Name, &c.OrgID); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func orgTarget(org int64) access.Target { return access.Target{OrgIDs: []int64{org}} }

// CanManageWebhooks reports whether the actor may configure the webhooks of
// org (for the UI to show the page's forms).
func (g *Guard) CanManageWebhooks(ctx context.Context, org int64) bool {
	ok, err := g.Policy.Allowed(ctx, identity.From(ctx), WebhookResource, "create", orgTarget(org))
	return err == nil && ok
}

// Webhooks lists an organisation's endpoints.
func (g *Guard) Webhooks(ctx context.Context, org int64) ([]Endpoint, error) {
	if err := g.Policy.Check(ctx, identity.From(ctx), WebhookResource, "read", orgTarget(org)); err != nil {
		return nil, err
	}
	return g.S.Endpoints(ctx, org)
}

// CreateWebhook adds an endpoint to an organisation; the answer carries its
// secret, the only time it is shown.
func (g *Guard) CreateWebhook(ctx context.Context, org int64, n NewEndpoint) (Endpoint, error) {
	if err := g.Policy.Check(ctx, identity.From(ctx), WebhookResource, "create", orgTarget(org)); err != nil {
		return Endpoint{}, err
	}
	return g.S.createEndpoint(ctx, org, n, g.Append)
}

// Webhook returns one endpoint.
func (g *Guard) Webhook(ctx context.Context, id int64) (Endpoint, error) {
	e, err := g.S.Endpoint(ctx, id)
	if err != nil {
		return e, hidden(ctx, err)
	}
	return e, g.Policy.Check(ctx, identity.From(ctx), WebhookResource, "read", orgTarget(e.OrgID))
}

// RemoveWebhook stops deliveries to an endpoint (its log stays).
func (g *Guard) RemoveWebhook(ctx context.Context, id int64) error {
	e, err := g.S.Endpoint(ctx, id)
	if err != nil {
		return hidden(ctx, err)
	}
	if err := g.Policy.Check(ctx, identity.From(ctx), WebhookResource, "update", orgTarget(e.OrgID)); err != nil {
		return err
	}
	if !e.Active {
		return nil
	}
	return g.S.removeEndpoint(ctx, e, g.Append)
}

// Deliveries is the delivery log of an organisation's endpoints (endpoint
// 0: all of them).
func (g *Guard) Deliveries(ctx context.Context, org, endpoint, before int64, limit int) ([]DeliveryLog, error) {
	if err := g.Policy.Check(ctx, identity.From(ctx), WebhookResource, "read", orgTarget(org)); err != nil {
		return nil, err
	}
	return g.S.Deliveries(ctx, org, endpoint, before, limit)
}
