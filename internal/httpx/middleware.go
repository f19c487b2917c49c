package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"shkola/internal/errs"
)

type (
	requestIDKey struct{}
	loggerKey    struct{}
	routeKey     struct{}
)

// routeHolder carries the matched pattern back out to the outer middleware:
// inner middleware copy the request (WithContext), so the outer ones never
// see the Pattern the mux sets on the innermost copy.
type routeHolder struct{ pattern string }

// CaptureRoute wraps the mux and records the pattern it matched.
func CaptureRoute(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if h, ok := r.Context().Value(routeKey{}).(*routeHolder); ok {
			h.pattern = r.Pattern
		}
	})
}

// RequestID returns the id given to this request.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Chain applies mws so that the first is the outermost.
func Chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// WithRequestID gives every request an id (a well-formed incoming
// X-Request-ID from a proxy is kept), echoes it, and puts a logger carrying
// it into the context.
func WithRequestID(base *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := r.Header.Get("X-Request-ID")
			if !validRequestID(id) {
				b := make([]byte, 12)
				_, _ = rand.Read(b)
				id = hex.EncodeToString(b)
			}
			w.Header().Set("X-Request-ID", id)
			ctx := context.WithValue(r.Context(), requestIDKey{}, id)
			ctx = context.WithValue(ctx, loggerKey{}, base.With("request_id", id))
			ctx = context.WithValue(ctx, routeKey{}, &routeHolder{})
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

func validRequestID(id string) bool {
	if len(id) < 8 || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// statusWriter remembers the status for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(s int) {
	if w.status == 0 {
		w.status = s
	}
	w.ResponseWriter.WriteHeader(s)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// AccessLog writes one line per request. It never logs query strings or
// bodies: they may carry personal data.
func AccessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		Logger(r.Context()).LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("route", Route(r)),
			slog.Int("status", sw.status),
			slog.Int64("bytes", sw.bytes),
			slog.Duration("took", time.Since(start)))
	})
}

// Route is the pattern that matched (not the raw path, which may hold ids).
func Route(r *http.Request) string {
	if r.Pattern != "" {
		return r.Pattern
	}
	if h, ok := r.Context().Value(routeKey{}).(*routeHolder); ok && h.pattern != "" {
		return h.pattern
	}
	return "unmatched"
}

// Recover turns a panic into a 500 problem and a log line with the stack.
func Recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				Logger(r.Context()).Error("panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				WriteProblem(w, r, errs.E(errs.Internal, "internal error"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// UploadLimit caps a multipart/form-data body: one 10 MiB document (the
// file store's largest accepted upload) and its form fields. JSON routes
// refuse the content type without reading; a form route may parse up to
// this much, which stays bounded (the file store then holds each file to
// its own limit).
const UploadLimit = 10<<20 + 256<<10

// LimitBody caps every request body; multipart uploads get UploadLimit.
func LimitBody(n int64) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := n
			if up, ok := r.Context().Value(uploadKey{}).(int64); ok {
				n = up // an upload route (AllowUploads)
			} else if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				n = max(n, UploadLimit)
			}
			if r.ContentLength > n {
				WriteProblem(w, r, errs.E(errs.Invalid, "request body is larger than %d bytes", n))
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, n)
			next.ServeHTTP(w, r)
		})
	}
}

// SecurityHeaders sets the headers every response carries. The CSP allows
// only our own scripts and styles: templates have no inline script.
func SecurityHeaders(hsts bool) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "same-origin")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			if hsts {
				h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
			}
			next.ServeHTTP(w, r)
		})
	}
}

// CrossOrigin rejects cross-site state-changing browser requests (Go's
// CrossOriginProtection, by Sec-Fetch-Site and Origin). Form tokens add the
// second layer where sessions exist.
func CrossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteProblem(w, r, errs.E(errs.Forbidden, "cross-origin request refused"))
	}))
	return cop.Handler(next)
}
