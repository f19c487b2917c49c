package classes

import (
	"context"

	"shkola/internal/store"
)

// maxChain bounds the walk along previous_id (a class lives 12 years at
// most; the bound also stops a cycle written by hand).
const maxChain = 20

// History returns the chain of a class across years, oldest first: the
// classes it was promoted from (previous_id) and those promoted from it.
func (s *Service) History(ctx context.Context, id int64) ([]Summary, error) {
	cur, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	var back []Summary
	for p := cur.PreviousID; p != nil && len(back) < maxChain; {
		g, err := s.Get(ctx, *p)
		if err != nil {
			return nil, err
		}
		back = append(back, g)
		p = g.PreviousID
	}
	out := make([]Summary, 0, len(back)+1)
	for i := len(back) - 1; i >= 0; i-- {
		out = append(out, back[i])
	}
	out = append(out, cur)
	for next := cur.ID; len(out) < maxChain; {
		var n int64
		err := s.DB.Read().QueryRowContext(ctx, "SELECT id FROM groups WHERE previous_id = $1 ORDER BY id LIMIT 1", next).Scan(&n)
		if store.IsNoRows(err) {
			break
		}
		if err != nil {
			return nil, err
		}
		g, err := s.Get(ctx, n)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
		next = n
	}
	return out, nil
}
