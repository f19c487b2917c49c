package bench

import (
	"context"

	"shkola/internal/store"
)

// Scenario is one path people wait on, with its SQL baseline. A scenario is
// one file: a type implementing this and a line in Scenarios.
//
// Setup runs once per engine, before anything is measured; it may create the
// records the operations need (through env.App or the API) and keeps what it
// needs in the scenario value. Op performs operation i through the HTTP
// server as a client would; Baseline performs the same data work directly in
// SQL on db. Both run concurrently; i is unique within the scenario on one
// engine (operations that create records use env.Unique for identifiers
// that must not repeat across scenarios). Both return an error for any
// answer a user would call wrong.
type Scenario interface {
	Name() string
	Setup(ctx context.Context, env *Env) error
	Op(ctx context.Context, c *Client, i int) error
	Baseline(ctx context.Context, db *store.DB, i int) error
}

// Scenarios returns fresh instances of every scenario, in table order.
// A scenario that also implements bulk (the import) is measured once per
// file size instead of for a duration.
func Scenarios() []Scenario {
	return []Scenario{
		&personCreate{},
		&personRead{},
		&orgList{},
		&journalWrite{},
		&journalRead{},
		&diaryWeek{},
		&importPupils{},
	}
}

// Names lists the scenario names in table order.
func Names() []string {
	var out []string
	for _, s := range Scenarios() {
		out = append(out, s.Name())
	}
	return out
}
