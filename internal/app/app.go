// Package app wires Shkola together: it opens the store, runs every domain's
// migrations, builds the services and the HTTP handler. It is the only
// package that knows all the others; cmd/shkola and the tests start here.
package app

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"shkola/internal/access"
	"shkola/internal/account"
	"shkola/internal/api"
	"shkola/internal/audit"
	"shkola/internal/calendar"
	"shkola/internal/classes"
	"shkola/internal/config"
	"shkola/internal/contingent"
	"shkola/internal/crypt"
	"shkola/internal/diary"
	"shkola/internal/directory"
	"shkola/internal/export"
	"shkola/internal/filestore"
	"shkola/internal/httpx"
	"shkola/internal/importer"
	"shkola/internal/journal"
	"shkola/internal/logins"
	"shkola/internal/notify"
	"shkola/internal/org"
	"shkola/internal/portfolio"
	"shkola/internal/registry"
	"shkola/internal/schedule"
	"shkola/internal/staff"
	"shkola/internal/store"
	"shkola/internal/web"
)

// App is one running instance of Shkola.
type App struct {
	Cfg      *config.Config
	Log      *slog.Logger
	DB       *store.DB
	Site     *web.Site
	Doc      api.Document
	API      *api.Router
	Metrics  *httpx.Metrics
	Orgs     *org.Service
	Audit    *audit.Log
	Policy   *access.Policy
	Accounts *account.Service
	Sessions *account.Web
	AuditRd  *audit.Reader
	Admin    *account.Admin
	Keys     *crypt.Keyring
	People   *registry.People
	OrgDir   *org.Guard
	Calendar *calendar.Guard // academic years, periods, holidays; Calendar.S for trusted callers
	Classes  *classes.Guard  // classes and groups; Classes.S.Graduate is the contingent's rollover hook
	Staff    *staff.Guard
	Dirs     *directory.Guard // reference directories; Dirs.S for other domains' code checks
	Files    *filestore.Store // uploaded files; domains decide access to the records that refer to them
	Schedule *schedule.Guard  // study plans, bells, timetable, dated lessons and homework; Schedule.S for trusted callers
	handler  http.Handler

	Importer *importer.Service // registry files: checked whole, then written through the domains' rules
	Export   *export.Service   // rate limit and audit of list downloads

	// Contingent records movements; Contingent.S is for trusted callers
	// (the classes rollover's graduations, the demo, imports).
	Contingent *contingent.Guard

	// Logins issues a class's accounts with printed slips and links a
	// guardian's account to a child's.
	Logins *logins.Guard
	// Notify is notifications, announcements and webhooks; Notifier runs
	// the dispatcher and the sender (Background starts it for serve).
	Notify   *notify.Guard
	Notifier *notify.Runner
	// Journal is the class journal; Journal.S for trusted callers (demo, bench).
	Journal *journal.Guard
	// Portfolio holds achievements, exams, certificates and the gifted
	// attribute; Portfolio.S for trusted callers (the demo, recomputation).
	Portfolio *portfolio.Guard
	// Diary is the family's side of the journal (read only); Diary.S for
	// trusted callers (the bench).
	Diary *diary.Guard
}

// Migrations lists every domain's migration set in dependency order: a
// domain comes after the domains whose tables it references.
func Migrations() []store.MigrationSet {
	return []store.MigrationSet{
		store.PlatformMigrations(),
		org.Migrations(),
		directory.Migrations(),
		audit.Migrations(),
		account.Migrations(),
		registry.Migrations(),
		calendar.Migrations(),
		classes.Migrations(),
		staff.Migrations(),
		contingent.Migrations(),
		filestore.Migrations(),
		schedule.Migrations(),
		logins.Migrations(),
		notify.Migrations(),
		journal.Migrations(),
		portfolio.Migrations(),
	}
}

// Open connects to the configured database and brings its schema up to date.
func Open(ctx context.Context, cfg *config.Config, log *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.DB, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	n, err := db.Migrate(ctx, Migrations())
	if err != nil {
		_ = db.Close() // the error returned below is the one to report
		return nil, fmt.Errorf("migrate %s: %w", db.Location, err)
	}
	if n > 0 {
		log.Info("migrations applied", "count", n, "database", db.Location)
	}
	return db, nil
}

// New builds the application on an open, migrated database.
func New(cfg *config.Config, log *slog.Logger, db *store.DB) (*App, error) {
	site, err := web.NewSite(cfg.Secure())
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	doc, err := api.LoadDocument()
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	pools := map[string]*sql.DB{"writer": db.W}
	if db.R != db.W {
		pools["reader"] = db.R
	}
	a := &App{Cfg: cfg, Log: log, DB: db, Site: site, Doc: doc, Metrics: httpx.NewMetrics(pools)}
	if a.Audit, err = openAudit(cfg, log, db); err != nil {
		return nil, err
	}
	a.Orgs = org.NewService(db)
	matrix, err := access.LoadMatrix()
	if err != nil {
		return nil, err
	}
	a.Policy = access.NewPolicy(matrix, db)
	a.Policy.OnDeny = a.auditDenial
	a.Policy.Relate(access.GuardianOf, registry.GuardianOf, registry.GuardianOfSQL)
	a.Policy.Relate(access.ClassTeacherOf, classes.ClassTeacherOf, classes.ClassTeacherOfSQL)
	a.Policy.Relate(access.Teaches, classes.Teaches, classes.TeachesSQL)
	a.Policy.Relate(access.TakesLesson, schedule.TakesLesson, nil)
	a.Policy.RelateObject(access.ClassTeacherOf, classes.ClassTeacherOfClassSQL)
	a.Policy.RelateObject(access.Teaches, classes.TeachesClassSQL)
	a.Policy.RelateObject(access.TakesLesson, schedule.TakesLessonSQL)
	a.OrgDir = &org.Guard{S: a.Orgs, Policy: a.Policy, Audit: a.Audit}
	a.Dirs = &directory.Guard{S: directory.NewService(db), Policy: a.Policy, Audit: a.Audit}
	a.Files = filestore.New(db, cfg.FilesDir)
	a.AuditRd = &audit.Reader{Log: a.Audit, Policy: a.Policy}
	a.Contingent = &contingent.Guard{S: &contingent.Service{DB: db, Audit: a.Audit, Now: time.Now, LostAfterDays: cfg.LostAfterDays}, Policy: a.Policy}
	a.Staff = &staff.Guard{S: &staff.Service{DB: db, Now: time.Now, Known: a.Dirs.S.Has}, Policy: a.Policy, Audit: a.Audit}
	if a.Keys, err = openKeys(cfg, log); err != nil {
		return nil, err
	}
	a.Accounts = account.NewService(db, a.Audit, a.Keys)
	a.People = &registry.People{DB: db, Keys: a.Keys, Policy: a.Policy, Audit: a.Audit, Now: time.Now, References: personReferences()}
	a.Calendar = &calendar.Guard{S: calendar.NewService(db), Policy: a.Policy, Audit: a.Audit}
	a.Classes = &classes.Guard{S: &classes.Service{DB: db, Now: time.Now, Calendar: a.Calendar.S, Known: a.Dirs.S.Has}, Policy: a.Policy, Audit: a.Audit}
	a.Classes.S.Graduate = a.Contingent.S.GraduateClass // the rollover graduates through the contingent, in its transaction
	a.Schedule = &schedule.Guard{S: &schedule.Service{DB: db, Now: time.Now, Known: a.Dirs.S.Has, Files: a.Files}, Policy: a.Policy, Audit: a.Audit}
	a.Admin = &account.Admin{S: a.Accounts, Policy: a.Policy}
	a.Journal = &journal.Guard{S: journal.NewService(db, a.Dirs.S, a.Audit), Policy: a.Policy}
	a.Sessions = &account.Web{S: a.Accounts, Secure: cfg.Secure()}
	a.Logins = &logins.Guard{S: &logins.Service{Accounts: a.Accounts, Classes: a.Classes.S, Audit: a.Audit, Now: time.Now,
		MinAge: cfg.LoginMinAge, CodeLifetime: time.Duration(cfg.LoginCodeDays) * 24 * time.Hour}, Policy: a.Policy}
	a.Accounts.ManagedByGuardian = a.Logins.S.ManagedByGuardian // a child under 14 does not set own password
	a.buildNotify()
	if err := a.openPortfolio(); err != nil {
		return nil, err
	}
	a.Importer = &importer.Service{DB: db, People: a.People, Contingent: a.Contingent.S, Staff: a.Staff.S, Classes: a.Classes.S, Policy: a.Policy, Audit: a.Audit, Now: time.Now}
	a.Export = &export.Service{Audit: a.Audit, Now: time.Now}
	a.Diary = &diary.Guard{S: &diary.Service{DB: db, Now: time.Now}, Policy: a.Policy, Audit: a.Audit, Files: a.Files}
	mux := http.NewServeMux()
	a.API = api.NewRouter(mux)
	a.routes(mux)
	a.handler = httpx.Chain(httpx.CaptureRoute(mux),
		httpx.WithRequestID(log),
		a.Metrics.Middleware,
		httpx.AccessLog,
		httpx.Recover,
		httpx.SecurityHeaders(cfg.Secure()),
		httpx.LimitBody(cfg.MaxBody),
		httpx.CrossOrigin,
		a.Sessions.Middleware,
	)
	a.handler = httpx.AllowUploads(a.handler, cfg.MaxUpload, api.Prefix+"/imports", "/imports")
	return a, nil
}

// auditDenial records an authorisation denial. If it cannot be written the
// request is still refused, so logging it is best effort.
func (a *App) auditDenial(ctx context.Context, resource, action string, t access.Target) {
	e := audit.Entry{Action: audit.AccessDenied, Outcome: audit.Denied, ObjectType: resource, Detail: action}
	if len(t.OrgIDs) > 0 {
		e.OrgID = &t.OrgIDs[0]
	}
	if err := a.Audit.Write(ctx, e); err != nil {
		a.Log.Error("audit denial", "err", err)
	}
}

// openKeys loads the data-at-rest key ring from configuration (never the
// database); only a demo generates one. Production refuses to start without.
func openKeys(cfg *config.Config, log *slog.Logger) (*crypt.Keyring, error) {
	kr, created, from, err := crypt.LoadOrCreate(cfg.DataDir, cfg.Demo)
	if err != nil {
		return nil, err
	}
	if created {
		log.Warn("generated encryption keys for the demo; keep this file: without it encrypted fields cannot be read", "path", from)
	}
	return kr, nil
}

// EncryptedColumns lists every column sealed under the key ring, for
// `shkola keys rotate` and `keys status`. Domains add theirs here.
func EncryptedColumns() []crypt.Column {
	out := append([]crypt.Column{account.TOTPColumn, notify.SecretColumn}, registry.EncryptedColumns()...)
	out = append(out, portfolio.EncryptedColumns()...)
	return out
}

// openAudit loads the checkpoint signing key (generated only for a demo:
// production keeps the key outside the database and must provide it).
func openAudit(cfg *config.Config, log *slog.Logger, db *store.DB) (*audit.Log, error) {
	path := cfg.AuditKey
	if path == "" {
		path = filepath.Join(cfg.DataDir, audit.KeyFileName)
	}
	signer, created, err := audit.LoadSigner(path, cfg.Demo)
	if err != nil {
		return nil, fmt.Errorf("audit signing key %s: %w (set SHKOLA_AUDIT_KEY; `shkola serve --demo` generates one)", path, err)
	}
	if created {
		log.Warn("generated an audit signing key for the demo; production keeps its own key outside the database", "path", path)
	}
	return audit.New(db, signer, nil), nil
}

// Handler is the whole HTTP surface.
func (a *App) Handler() http.Handler { return a.handler }

// personReferences lists every column of another domain that holds a
// person id, so that merging two records moves them all (registry.Merge).
func personReferences() []registry.Reference {
	return []registry.Reference{
		{Table: "group_members", Column: "person_id"}, {Table: "groups", Column: "class_teacher_id"},
		{Table: "assignments", Column: "teacher_id"}, {Table: "enrolments", Column: "person_id"},
		{Table: "movements", Column: "person_id"}, {Table: "transfers", Column: "person_id"},
		{Table: "employments", Column: "person_id"}, {Table: "staff_subjects", Column: "person_id", Key: "subject"},
		{Table: "qualifications", Column: "person_id"}, {Table: "accounts", Column: "person_id"},
		{Table: "notifications", Column: "person_id"}, {Table: "deliveries", Column: "person_id"},
		{Table: "lessons", Column: "teacher_id"}, {Table: "lessons", Column: "substitute_id"}, {Table: "timetable_entries", Column: "teacher_id"},
		{Table: "marks", Column: "person_id", Key: "lesson_id"}, {Table: "attendance", Column: "person_id", Key: "lesson_id"},
		{Table: "journal_history", Column: "person_id"}, {Table: "period_marks", Column: "person_id", Key: "group_id"},
		{Table: "achievements", Column: "person_id"}, {Table: "exam_results", Column: "person_id"},
		{Table: "certificates", Column: "person_id", Key: "kind"},
	}
}
