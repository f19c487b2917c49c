package httpx

import (
	"context"
	"net/http"
	"time"
)

type uploadKey struct{}

// UploadTimeout is how long an upload route may read its body and work
// before answering.
const UploadTimeout = 30 * time.Minute

// AllowUploads wraps the whole handler (outside LimitBody) so that POST
// requests to the given paths may carry bodies of up to n bytes instead of
// the global limit: an import file is larger than any form or JSON body,
// and only the routes that stream uploads get the larger limit.
func AllowUploads(h http.Handler, n int64, paths ...string) http.Handler {
	allowed := map[string]bool{}
	for _, p := range paths {
		allowed[p] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && allowed[r.URL.Path] {
			r = r.WithContext(context.WithValue(r.Context(), uploadKey{}, n))
			// A file of a million lines takes minutes to read, check and
			// write; the server's read and write timeouts are for ordinary
			// requests. The body is still bounded by n.
			rc := http.NewResponseController(w)
			deadline := time.Now().Add(UploadTimeout)
			_ = rc.SetReadDeadline(deadline)
			_ = rc.SetWriteDeadline(deadline)
		}
		h.ServeHTTP(w, r)
	})
}
