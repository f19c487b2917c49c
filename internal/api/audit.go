package api

import (
	"net/http"
	"strconv"
	"time"

	"shkola/internal/audit"
)

// RegisterAudit serves searches of the audit log within the caller's scope.
func RegisterAudit(rt *Router, r *audit.Reader) {
	rt.Handle("GET", "/audit", func(w http.ResponseWriter, req *http.Request) {
		q := req.URL.Query()
		page, err := ParsePage(q)
		if err != nil {
			Fail(w, req, err)
			return
		}
		f, err := Filters(q, auditFilters())
		if err != nil {
			Fail(w, req, err)
			return
		}
		filter := AuditFilter(f)
		recs, next, err := r.Search(req.Context(), filter, page.After, page.Limit)
		if err != nil {
			Fail(w, req, err)
			return
		}
		out := List[audit.Record]{Items: recs}
		if next > 0 {
			out.Next = NextCursor(page.Limit, page.Limit, next)
		}
		if out.Items == nil {
			out.Items = []audit.Record{}
		}
		Write(w, req, http.StatusOK, out)
	})
}

func isTime(s string) bool { _, err := time.Parse(time.RFC3339, s); return err == nil }

func auditFilters() map[string]func(string) bool {
	short := func(s string) bool { return len(s) > 0 && len(s) <= 100 }
	return map[string]func(string) bool{
		"action": func(s string) bool { return audit.Action(s).Valid() }, "object_type": short, "object_id": short,
		"login": short, "from": isTime, "to": isTime,
		"account_id": func(s string) bool { n, err := strconv.ParseInt(s, 10, 64); return err == nil && n > 0 },
		"person_id":  func(s string) bool { n, err := strconv.ParseInt(s, 10, 64); return err == nil && n > 0 },
	}
}

// AuditFilter turns checked query values into a filter (shared with the UI).
func AuditFilter(f map[string]string) audit.Filter {
	out := audit.Filter{Action: audit.Action(f["action"]), ObjectType: f["object_type"], ObjectID: f["object_id"], Login: f["login"]}
	out.AccountID, _ = strconv.ParseInt(f["account_id"], 10, 64)
	out.PersonID, _ = strconv.ParseInt(f["person_id"], 10, 64)
	out.From, _ = time.Parse(time.RFC3339, f["from"])
	out.To, _ = time.Parse(time.RFC3339, f["to"])
	return out
}
