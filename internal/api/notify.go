package api

import (
	"net/http"
	"strconv"

	"shkola/internal/notify"
)

// RegisterNotify serves notifications in the shape a mobile app uses: the
// signed-in person's list with an unread count, marking read, preferences;
// announcements; a school's webhook endpoints and their delivery log.
func RegisterNotify(rt *Router, g *notify.Guard) {
	h := notifyHandlers{g: g}
	rt.Handle("GET", "/me/notifications", h.list)
	rt.Handle("GET", "/me/notifications/unread-count", h.unread)
	rt.Handle("GET", "/me/notifications/{id}", ByID(http.StatusOK, func(r *http.Request, id int64) (notify.Notification, error) {
		return g.Notification(r.Context(), id)
	}))
	rt.Handle("POST", "/me/notifications/{id}/read", ByID(http.StatusOK, func(r *http.Request, id int64) (notify.Notification, error) {
		return g.MarkRead(r.Context(), id)
	}))
	rt.Handle("POST", "/me/notifications/read-all", h.readAll)
	rt.Handle("GET", "/me/notification-preferences", h.prefs)
	rt.Handle("PUT", "/me/notification-preferences", h.setPrefs)
	rt.Handle("GET", "/announcements", h.announcements)
	rt.Handle("POST", "/announcements", h.announce)
	rt.Handle("GET", "/announcements/{id}", ByID(http.StatusOK, func(r *http.Request, id int64) (notify.Announcement, error) {
		return g.Announcement(r.Context(), id)
	}))
	rt.Handle("GET", "/organisations/{id}/webhooks", ByID(http.StatusOK, func(r *http.Request, id int64) (List[notify.Endpoint], error) {
		items, err := g.Webhooks(r.Context(), id)
		return List[notify.Endpoint]{Items: items}, err
	}))
	rt.Handle("POST", "/organisations/{id}/webhooks", h.createWebhook)
	rt.Handle("GET", "/webhooks/{id}", ByID(http.StatusOK, func(r *http.Request, id int64) (notify.Endpoint, error) {
		return g.Webhook(r.Context(), id)
	}))
	rt.Handle("DELETE", "/webhooks/{id}", h.removeWebhook)
	rt.Handle("GET", "/organisations/{id}/webhook-deliveries", h.deliveries)
}

type notifyHandlers struct{ g *notify.Guard }

func (h notifyHandlers) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, err := ParsePage(q)
	if err != nil {
		Fail(w, r, err)
		return
	}
	f, err := Filters(q, map[string]func(string) bool{"unread": func(s string) bool { return s == "1" || s == "0" }})
	if err != nil {
		Fail(w, r, err)
		return
	}
	items, err := h.g.Notifications(r.Context(), notify.Filter{UnreadOnly: f["unread"] == "1", Before: page.After, Limit: page.Limit})
	if err != nil {
		Fail(w, r, err)
		return
	}
	WritePage(w, r, items, page.Limit, func(n notify.Notification) int64 { return n.ID })
}

func (h notifyHandlers) unread(w http.ResponseWriter, r *http.Request) {
	n, err := h.g.UnreadCount(r.Context())
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, map[string]int{"unread": n})
}

func (h notifyHandlers) readAll(w http.ResponseWriter, r *http.Request) {
	n, err := h.g.MarkAllRead(r.Context())
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, map[string]int64{"marked": n})
}

func (h notifyHandlers) prefs(w http.ResponseWriter, r *http.Request) {
	p, err := h.g.Prefs(r.Context())
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, p)
}

func (h notifyHandlers) setPrefs(w http.ResponseWriter, r *http.Request) {
	var u notify.PrefsUpdate
	if err := Decode(r, &u); err != nil {
		Fail(w, r, err)
		return
	}
	p, err := h.g.SetPrefs(r.Context(), u)
	if err != nil {
		Fail(w, r, err)
		return
	}
	Write(w, r, http.StatusOK, p)
}

func (h notifyHandlers) announcements(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, err := ParsePage(q)
	if err != nil {
		Fail(w, r, err)
		return
	}
	f, err := Filters(q, map[string]func(string) bool{"org": positiveID})
	if err != nil {
		Fail(w, r, err)
		return
	}
	org, _ := strconv.ParseInt(f["org"], 10, 64)
	items, err := h.g.Announcements(r.Context(), notify.AnnouncementFilter{OrgID: org, Before: page.After, Limit: page.Limit})
	if err != nil {
		Fail(w, r, err)
		return
	}
	WritePage(w, r, items, page.Limit, func(a notify.Announcement) int64 { return a.ID })
}

func (h notifyHandlers) announce(w http.ResponseWriter, r *http.Request) {
	var n notify.NewAnnouncement
	if err := Decode(r, &n); err != nil {
		Fail(w, r, err)
		return
	}
	a, err := h.g.CreateAnnouncement(r.Context(), n)
	if err != nil {
		Fail(w, r, err)
		return
	}
	w.Header().Set("Location", Prefix+"/announcements/"+strconv.FormatInt(a.ID, 10))
	Write(w, r, http.StatusCreated, a)
}

func (h notifyHandlers) createWebhook(w http.ResponseWriter, r *http.Request) {
	org, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	var n notify.NewEndpoint
	if err := Decode(r, &n); err != nil {
		Fail(w, r, err)
		return
	}
	e, err := h.g.CreateWebhook(r.Context(), org, n)
	if err != nil {
		Fail(w, r, err)
		return
	}
	w.Header().Set("Location", Prefix+"/webhooks/"+strconv.FormatInt(e.ID, 10))
	Write(w, r, http.StatusCreated, e)
}

func (h notifyHandlers) removeWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	if err := h.g.RemoveWebhook(r.Context(), id); err != nil {
		Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h notifyHandlers) deliveries(w http.ResponseWriter, r *http.Request) {
	org, err := PathID(r, "id")
	if err != nil {
		Fail(w, r, err)
		return
	}
	q := r.URL.Query()
	page, err := ParsePage(q)
	if err != nil {
		Fail(w, r, err)
		return
	}
	f, err := Filters(q, map[string]func(string) bool{"endpoint": positiveID})
	if err != nil {
		Fail(w, r, err)
		return
	}
	ep, _ := strconv.ParseInt(f["endpoint"], 10, 64)
	items, err := h.g.Deliveries(r.Context(), org, ep, page.After, page.Limit)
	if err != nil {
		Fail(w, r, err)
		return
	}
	WritePage(w, r, items, page.Limit, func(d notify.DeliveryLog) int64 { return d.ID })
}
