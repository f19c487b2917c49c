package web

import (
	"errors"
	"net/http"
	"strconv"

	"shkola/internal/account"
	"shkola/internal/errs"
	"shkola/internal/httpx"
	"shkola/internal/identity"
	"shkola/internal/notify"
)

// RegisterNotify serves the notifications list (with the unread badge in
// the layout), the notification settings, announcements, and a school's
// webhook endpoints with their delivery log.
func (s *Site) RegisterNotify(mux *http.ServeMux, g *notify.Guard) {
	h := notifyPages{site: s, g: g}
	s.Unread = func(r *http.Request) int {
		if ses, ok := account.CurrentSession(r.Context()); ok {
			if n, ok := ses.Count(notify.UnreadName); ok {
				return int(n)
			}
		}
		n, err := g.UnreadCount(r.Context())
		if err != nil {
			httpx.Logger(r.Context()).Warn("unread count", "err", err)
		}
		return n
	}
	s.Nav = append(s.Nav, NavItem{Key: "notify.ann.title", Path: "/announcements", Roles: []identity.Role{identity.Student, identity.Guardian,
		identity.Teacher, identity.ClassTeacher, identity.SchoolAdmin, identity.MunicipalOfficer, identity.RegionalOfficer, identity.Inspector}})
	mux.HandleFunc("GET /notifications", h.list)
	mux.HandleFunc("POST /notifications/{id}/read", h.read)
	mux.HandleFunc("POST /notifications/read-all", h.readAll)
	mux.HandleFunc("GET /notifications/settings", h.settings)
	mux.HandleFunc("POST /notifications/settings", h.saveSettings)
	mux.HandleFunc("GET /announcements", h.announcements)
	mux.HandleFunc("POST /announcements", h.announce)
	mux.HandleFunc("GET /announcements/{id}", h.announcement)
	mux.HandleFunc("GET /orgs/{id}/webhooks", h.webhooks)
	mux.HandleFunc("POST /orgs/{id}/webhooks", h.addWebhook)
	mux.HandleFunc("POST /webhooks/{id}/remove", h.removeWebhook)
}

type notifyPages struct {
	site *Site
	g    *notify.Guard
}

// pageSize of the notifications list and the delivery log.
const notifyPageSize = 30

// loggedIn sends a visitor to the login page and reports false.
func loggedIn(w http.ResponseWriter, r *http.Request) bool {
	if identity.From(r.Context()).AccountID == 0 {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return false
	}
	return true
}

// ruleErrors puts field errors beside their fields as notify.rule.<rule>.
func ruleErrors(f *formState, err error) bool {
	var e *errs.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 || (e.Code != errs.Invalid && e.Code != errs.Conflict) {
		return false
	}
	for _, fe := range e.Fields {
		f.Errors[fe.Field] = "notify.rule." + fe.Rule
	}
	return true
}

type inboxData struct {
	Items      []notify.Notification
	UnreadOnly bool
	Next       int64
}

func (h notifyPages) list(w http.ResponseWriter, r *http.Request) {
	if !loggedIn(w, r) {
		return
	}
	d := inboxData{UnreadOnly: r.URL.Query().Get("unread") == "1"}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	var err error
	d.Items, err = h.g.Notifications(r.Context(), notify.Filter{UnreadOnly: d.UnreadOnly, Before: max(before, 0), Limit: notifyPageSize})
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	if len(d.Items) == notifyPageSize {
		d.Next = d.Items[len(d.Items)-1].ID
	}
	h.site.Render(w, r, http.StatusOK, "notifications", h.site.NewPage(r, "notify.title", d))
}

func (h notifyPages) read(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	n, err := h.g.MarkRead(r.Context(), id)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	// "Open" marks read and follows the notification's link.
	if r.PostFormValue("open") == "1" {
		seeOther(w, r, n.Link)
		return
	}
	http.Redirect(w, r, "/notifications", http.StatusSeeOther)
}

func (h notifyPages) readAll(w http.ResponseWriter, r *http.Request) {
	if !loggedIn(w, r) {
		return
	}
	if _, err := h.g.MarkAllRead(r.Context()); err != nil {
		h.site.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/notifications", http.StatusSeeOther)
}

type settingsData struct {
	Prefs     notify.Prefs
	Kinds     []string
	Languages []string
	Form      *formState
}

func (h notifyPages) renderSettings(w http.ResponseWriter, r *http.Request, status int, p notify.Prefs, f *formState) {
	h.site.Render(w, r, status, "notify_settings", h.site.NewPage(r, "notify.settings.title",
		settingsData{Prefs: p, Kinds: notify.Kinds(), Languages: Languages, Form: f}))
}

func (h notifyPages) settings(w http.ResponseWriter, r *http.Request) {
	if !loggedIn(w, r) {
		return
	}
	p, err := h.g.Prefs(r.Context())
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	f := newForm()
	if r.URL.Query().Get("saved") == "1" {
		f.Done = "notify.settings.saved"
	}
	h.renderSettings(w, r, http.StatusOK, p, f)
}

func (h notifyPages) saveSettings(w http.ResponseWriter, r *http.Request) {
	if !loggedIn(w, r) {
		return
	}
	if err := r.ParseForm(); err != nil {
		h.site.Fail(w, r, errs.E(errs.Invalid, "bad form"))
		return
	}
	u := notify.PrefsUpdate{InApp: r.PostForm["inapp"], Email: r.PostForm["email"], QuietFrom: r.PostFormValue("quiet_from"),
		QuietTo: r.PostFormValue("quiet_to"), Lang: r.PostFormValue("lang")}
	if u.InApp == nil {
		u.InApp = []string{}
	}
	if u.Email == nil {
		u.Email = []string{}
	}
	if _, err := h.g.SetPrefs(r.Context(), u); err != nil {
		f := newForm()
		if !ruleErrors(f, err) {
			h.site.Fail(w, r, err)
			return
		}
		// Show what was submitted, with the messages beside the fields.
		p, perr := h.g.Prefs(r.Context())
		if perr != nil {
			h.site.Fail(w, r, perr)
			return
		}
		p.InApp, p.Email, p.QuietFrom, p.QuietTo, p.Lang = u.InApp, u.Email, u.QuietFrom, u.QuietTo, u.Lang
		h.renderSettings(w, r, httpStatus(err), p, f)
		return
	}
	http.Redirect(w, r, "/notifications/settings?saved=1", http.StatusSeeOther)
}

type announcementsData struct {
	Items   []notify.Announcement
	Next    int64
	Classes []notify.Choice
	Schools []notify.Choice
	Kinds   []string
	Form    *formState
}

func (h notifyPages) renderAnnouncements(w http.ResponseWriter, r *http.Request, status int, f *formState) {
	if !loggedIn(w, r) {
		return
	}
	ctx := r.Context()
	d := announcementsData{Kinds: notify.AnnouncementKinds(), Form: f}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	var err error
	if d.Items, err = h.g.Announcements(ctx, notify.AnnouncementFilter{Before: max(before, 0), Limit: notifyPageSize}); err != nil {
		h.site.Fail(w, r, err)
		return
	}
	if len(d.Items) == notifyPageSize {
		d.Next = d.Items[len(d.Items)-1].ID
	}
	if d.Classes, d.Schools, err = h.g.Choices(ctx); err != nil {
		h.site.Fail(w, r, err)
		return
	}
	h.site.Render(w, r, status, "announcements", h.site.NewPage(r, "notify.ann.title", d))
}

func (h notifyPages) announcements(w http.ResponseWriter, r *http.Request) {
	h.renderAnnouncements(w, r, http.StatusOK, newForm())
}

func (h notifyPages) announce(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	for _, k := range []string{"audience", "group_id", "parallel", "org_id", "kind", "title", "text", "event_on"} {
		f.Values[k] = r.PostFormValue(k)
	}
	n := notify.NewAnnouncement{Audience: f.Values["audience"], Kind: f.Values["kind"], Title: f.Values["title"], Body: f.Values["text"],
		EventOn: f.Values["event_on"]}
	// Only the field of the chosen audience counts: the form shows all three.
	switch n.Audience {
	case notify.AudienceClass:
		n.GroupID, _ = strconv.ParseInt(f.Values["group_id"], 10, 64)
	case notify.AudienceParallel:
		n.Parallel, _ = strconv.Atoi(f.Values["parallel"])
		n.OrgID, _ = strconv.ParseInt(f.Values["org_id"], 10, 64)
	case notify.AudienceSchool:
		n.OrgID, _ = strconv.ParseInt(f.Values["org_id"], 10, 64)
	}
	a, err := h.g.CreateAnnouncement(r.Context(), n)
	if err != nil {
		if !ruleErrors(f, err) {
			if c := errs.CodeOf(err); c != errs.Forbidden && c != errs.NotFound {
				h.site.Fail(w, r, err)
				return
			}
			f.Message = "notify.ann.denied"
		}
		h.renderAnnouncements(w, r, httpStatus(err), f)
		return
	}
	http.Redirect(w, r, "/announcements/"+strconv.FormatInt(a.ID, 10), http.StatusSeeOther)
}

func (h notifyPages) announcement(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	a, err := h.g.Announcement(r.Context(), id)
	if err != nil {
		if errs.CodeOf(err) == errs.Unauthorized {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		h.site.Fail(w, r, err)
		return
	}
	h.site.Render(w, r, http.StatusOK, "announcement", h.site.NewPage(r, "notify.ann.title", a))
}

type webhooksData struct {
	OrgID      int64
	Endpoints  []notify.Endpoint
	Deliveries []notify.DeliveryLog
	Next       int64
	Kinds      []string
	CanEdit    bool
	Created    *notify.Endpoint // just created: its secret is shown once
	Form       *formState
}

func (h notifyPages) renderWebhooks(w http.ResponseWriter, r *http.Request, status int, created *notify.Endpoint, f *formState) {
	org, err := pathID(r)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	ctx := r.Context()
	d := webhooksData{OrgID: org, Kinds: notify.Kinds(), Created: created, Form: f, CanEdit: h.g.CanManageWebhooks(ctx, org)}
	if d.Endpoints, err = h.g.Webhooks(ctx, org); err != nil {
		if errs.CodeOf(err) == errs.Unauthorized {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		h.site.Fail(w, r, err)
		return
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	if d.Deliveries, err = h.g.Deliveries(ctx, org, 0, max(before, 0), notifyPageSize); err != nil {
		h.site.Fail(w, r, err)
		return
	}
	if len(d.Deliveries) == notifyPageSize {
		d.Next = d.Deliveries[len(d.Deliveries)-1].ID
	}
	h.site.Render(w, r, status, "webhooks", h.site.NewPage(r, "notify.hook.title", d))
}

func (h notifyPages) webhooks(w http.ResponseWriter, r *http.Request) {
	h.renderWebhooks(w, r, http.StatusOK, nil, newForm())
}

func (h notifyPages) addWebhook(w http.ResponseWriter, r *http.Request) {
	org, err := pathID(r)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.site.Fail(w, r, errs.E(errs.Invalid, "bad form"))
		return
	}
	f := newForm()
	f.Values["url"] = r.PostFormValue("url")
	e, err := h.g.CreateWebhook(r.Context(), org, notify.NewEndpoint{URL: f.Values["url"], Kinds: r.PostForm["kinds"]})
	if err != nil {
		if !ruleErrors(f, err) {
			h.site.Fail(w, r, err)
			return
		}
		h.renderWebhooks(w, r, httpStatus(err), nil, f)
		return
	}
	// The secret is in this answer only; the page is not cached.
	w.Header().Set("Cache-Control", "no-store")
	h.renderWebhooks(w, r, http.StatusCreated, &e, newForm())
}

func (h notifyPages) removeWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	e, err := h.g.Webhook(r.Context(), id)
	if err != nil {
		h.site.Fail(w, r, err)
		return
	}
	if err := h.g.RemoveWebhook(r.Context(), id); err != nil {
		h.site.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+strconv.FormatInt(e.OrgID, 10)+"/webhooks", http.StatusSeeOther)
}
