package httpx

import (
	"context"
	"net/http"
)

type uploadKey struct{}

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
		}
		h.ServeHTTP(w, r)
	})
}
