package app

import (
	"context"
	"sync"
	"time"

	"shkola/internal/account"
	"shkola/internal/notify"
)

// buildNotify wires notifications: texts from the UI catalogues, e-mail
// when an SMTP server is configured, webhooks, and the background runner.
func (a *App) buildNotify() {
	n := a.Cfg.Notify
	s := &notify.Service{DB: a.DB, Keys: a.Keys, Now: time.Now, Location: n.Location(), MailEnabled: n.SMTPHost != "",
		BaseURL: a.Cfg.BaseURL, WebhookAllowPrivate: n.WebhookAllowPrivate,
		Text: func(lang, id string, data map[string]any) string { return a.Site.Catalog.For(lang).T(id, data) }}
	send := &notify.Sender{S: s, Hooks: notify.NewPoster(n.WebhookAllowPrivate, 15*time.Second), Log: a.Log}
	if n.SMTPHost != "" {
		send.Mail = &notify.SMTP{Host: n.SMTPHost, Port: n.SMTPPort, From: n.SMTPFrom, User: n.SMTPUser, Password: n.SMTPPassword(), TLS: n.SMTPTLS}
	}
	a.Notifier = &notify.Runner{Dispatch: &notify.Dispatcher{S: s}, Send: send, Log: a.Log}
	a.Notify = &notify.Guard{S: s, Policy: a.Policy, Audit: a.Audit, Wake: a.Notifier.Wake}
	a.Accounts.Counts = append(a.Accounts.Counts, account.SessionCount{Name: notify.UnreadName, SQL: notify.UnreadSQL})
}

// Background starts the work a server does besides answering requests (the
// notification dispatcher and sender) and returns a function that stops it
// and waits until it has stopped.
func (a *App) Background(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.Notifier.Run(ctx)
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}
