package notify

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Runner runs the dispatcher and the sender in the background of a server.
// Several servers may run it at once: each batch claims its work (the
// cursor row, the delivery leases), so nothing is done twice.
type Runner struct {
	Dispatch *Dispatcher
	Send     *Sender
	Every    time.Duration // polling interval; 2 s when 0
	Log      *slog.Logger
	wake     chan struct{}
	once     sync.Once
}

func (r *Runner) ch() chan struct{} {
	r.once.Do(func() { r.wake = make(chan struct{}, 1) })
	return r.wake
}

// Wake makes the loops look at once (after an in-process write).
func (r *Runner) Wake() {
	select {
	case r.ch() <- struct{}{}:
	default:
	}
}

// Run loops until ctx is cancelled and returns when both loops stopped.
func (r *Runner) Run(ctx context.Context) {
	every := r.Every
	if every <= 0 {
		every = 2 * time.Second
	}
	wake := r.ch()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		r.drain(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
	}
}

// drain runs both until there is nothing left to do right now.
func (r *Runner) drain(ctx context.Context) {
	for ctx.Err() == nil {
		n, err := r.Dispatch.RunOnce(ctx)
		if err != nil {
			r.warn(ctx, "dispatch", err)
			break
		}
		m, err := r.Send.RunOnce(ctx)
		if err != nil {
			r.warn(ctx, "send", err)
			break
		}
		if n == 0 && m == 0 {
			return
		}
	}
}

func (r *Runner) warn(ctx context.Context, what string, err error) {
	if r.Log != nil && ctx.Err() == nil {
		r.Log.Warn("notifications: "+what, "err", err)
	}
}
