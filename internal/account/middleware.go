package account

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"strings"

	"shkola/internal/errs"
	"shkola/internal/httpx"
	"shkola/internal/identity"
)

// Web is the HTTP side of sessions: cookie names, the middleware that puts
// the actor into every request, and CSRF form tokens.
type Web struct {
	S      *Service
	Secure bool // HTTPS: __Host- cookie prefix and the Secure flag
}

type csrfKey struct{}
type sessionKey struct{}

// CSRF is the form token to put in the hidden "csrf" field of every form.
func CSRF(ctx context.Context) string {
	t, _ := ctx.Value(csrfKey{}).(string)
	return t
}

// CurrentSession is the browser session of the request, if any.
func CurrentSession(ctx context.Context) (Session, bool) {
	s, ok := ctx.Value(sessionKey{}).(Session)
	return s, ok
}

// SessionCookie is the cookie's name.
func (w *Web) SessionCookie() string {
	if w.Secure {
		return "__Host-sid"
	}
	return "sid"
}

func (w *Web) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true, Secure: w.Secure, SameSite: http.SameSiteLaxMode} // #nosec G124 -- HttpOnly and SameSite=Lax always; Secure follows the base URL's scheme (https in production; plain http only on a local development address, where a browser would drop a Secure cookie)
}

// SetSession sets the session cookie after login (a new id every time).
func (w *Web) SetSession(rw http.ResponseWriter, secret string) {
	http.SetCookie(rw, w.cookie(w.SessionCookie(), secret, 0))
}

// ClearSession removes the session cookie.
func (w *Web) ClearSession(rw http.ResponseWriter) {
	http.SetCookie(rw, w.cookie(w.SessionCookie(), "", -1))
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// pendingAllowed lists what a session still owing its second factor may reach.
func pendingAllowed(path string) bool {
	switch path {
	case "/login/totp", "/me/totp", "/logout", "/prefs":
		return true
	}
	return strings.HasPrefix(path, "/static/")
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// Middleware resolves who is calling. The API (/api/) accepts only a bearer
// token and never looks at cookies; the UI only the session cookie. Every
// state-changing UI request must carry the form token.
func (w *Web) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		base := identity.Actor{Addr: clientAddr(r), UserAgent: truncate(r.UserAgent(), 300), RequestID: httpx.RequestID(ctx)}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			a := base
			if h := r.Header.Get("Authorization"); h != "" {
				tok, ok := strings.CutPrefix(h, "Bearer ")
				if !ok {
					httpx.WriteProblem(rw, r, errs.E(errs.Unauthorized, "use Authorization: Bearer <token>"))
					return
				}
				got, err := w.S.ResolveToken(ctx, strings.TrimSpace(tok))
				if err != nil {
					httpx.WriteProblem(rw, r, err)
					return
				}
				got.Addr, got.UserAgent, got.RequestID = base.Addr, base.UserAgent, base.RequestID
				a = *got
			}
			next.ServeHTTP(rw, r.WithContext(identity.With(ctx, &a)))
			return
		}
		a := &base
		var token string
		if c, err := r.Cookie(w.SessionCookie()); err == nil && c.Value != "" {
			ses, got, err := w.S.Resolve(ctx, c.Value)
			switch {
			case err == nil:
				if ses.Pending && !pendingAllowed(r.URL.Path) {
					to := "/login/totp"
					if ses.NeedsSetup {
						to = "/me/totp"
					}
					http.Redirect(rw, r, to, http.StatusSeeOther)
					return
				}
				got.Addr, got.UserAgent, got.RequestID = base.Addr, base.UserAgent, base.RequestID
				a = got
				token = ses.CSRFToken()
				ctx = context.WithValue(ctx, sessionKey{}, ses)
			case errs.CodeOf(err) == errs.Unauthorized:
				w.ClearSession(rw)
			default:
				httpx.WriteProblem(rw, r, err)
				return
			}
		}
		if token == "" {
			// Visitors without a session get a random token in a cookie that
			// the form must echo (double submit).
			if c, err := r.Cookie("csrf"); err == nil && len(c.Value) >= 16 {
				token = c.Value
			} else {
				token = randomToken(16)
				http.SetCookie(rw, w.cookie("csrf", token, 0))
			}
		}
		if unsafeMethod(r.Method) {
			sent := r.Header.Get("X-CSRF-Token")
			if sent == "" {
				sent = r.PostFormValue("csrf")
			}
			if subtle.ConstantTimeCompare([]byte(sent), []byte(token)) != 1 {
				httpx.WriteProblem(rw, r, errs.E(errs.Forbidden, "the form has expired; reload the page and try again"))
				return
			}
		}
		ctx = context.WithValue(ctx, csrfKey{}, token)
		next.ServeHTTP(rw, r.WithContext(identity.With(ctx, a)))
	})
}
