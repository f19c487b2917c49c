package journal

import (
	"context"
	"errors"
	"strconv"
)

// WriteLesson writes a batch of cells to a lesson for its teacher (or the
// substitute named for it) in an open period, or for an administrator
// with a reason. With an idempotency key, a retry of the same request gets
// the stored answer (replay) and writes nothing; the same key with another
// request is a conflict.
func (g *Guard) WriteLesson(ctx context.Context, lessonID int64, b Batch, key string) (BatchResult, *Replay, error) {
	// The key is read with the lesson, but judged only after the access
	// decision, so a stranger learns nothing from it.
	idem, keyErr := newIdemKey(ctx, key, "lesson "+strconv.FormatInt(lessonID, 10), b)
	// Writing turns on write, amend, and read (whether a denial says
	// forbidden or not found).
	li, err := g.loadLesson(ctx, lessonID, []string{"write", "amend", "read"}, idem)
	if err != nil {
		return BatchResult{}, nil, hidden(ctx, err)
	}
	mode, err := g.decideWrite(ctx, "write", li.obj, li.locked())
	if err != nil {
		return BatchResult{}, nil, err
	}
	if keyErr != nil {
		return BatchResult{}, nil, keyErr
	}
	if rep, err := idem.answer(li.stored); rep != nil || err != nil {
		return BatchResult{}, rep, err
	}
	res, err := g.S.writeLesson(ctx, li, b, mode, idem)
	if errors.Is(err, errReplay) {
		rep, err := idem.lookup(ctx, g.S.DB.W)
		if err == nil && rep == nil {
			err = errors.New("journal: idempotent answer vanished")
		}
		return BatchResult{}, rep, err
	}
	return res, nil, err
}
