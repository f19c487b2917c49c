package directory_test

import (
	"context"
	"testing"

	"shkola/internal/directory"
)

// version reads VersionSQL as a domain's query would.
func version(t *testing.T, s *directory.Service, dirs ...string) int64 {
	t.Helper()
	var v int64
	if err := s.DB.Read().QueryRowContext(context.Background(), "SELECT "+directory.VersionSQL(dirs...)).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// A cache answers from memory while the directories' version stands, and
// reads them again as soon as an officer's change (through any server)
// moves it: a new entry, a changed one, a retired one.
func TestCacheFollowsTheVersion(t *testing.T) {
	s := open(t)
	ctx := officer()
	c := s.NewCache(directory.WorkKind, directory.AbsenceReason)
	reads := func() int64 { return s.DB.Queries.Read().RoundTrips() }

	v := version(t, s, directory.WorkKind, directory.AbsenceReason)
	snap, err := c.At(ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Version != v {
		t.Fatalf("snapshot version %d, the database says %d", snap.Version, v)
	}
	if e, ok := snap.Get(directory.WorkKind, "test"); !ok || e.Attrs["weight"] != int64(2) {
		t.Fatalf("test work kind: %+v %v", e, ok)
	}
	before := reads()
	if again, err := c.At(ctx, v); err != nil || again != snap || reads() != before {
		t.Fatalf("same version: %p %p %v, %d queries", again, snap, err, reads()-before)
	}

	steps := []struct {
		name   string
		change func() error
		check  func(*directory.Snapshot) bool
	}{
		{"changed weight", func() error {
			_, err := s.Update(ctx, directory.WorkKind, "test", 1, directory.Patch{Attrs: &map[string]any{"weight": 4}})
			return err
		}, func(sn *directory.Snapshot) bool {
			e, _ := sn.Get(directory.WorkKind, "test")
			return e.Attrs["weight"] == int64(4)
		}},
		{"new entry", func() error {
			_, err := s.Create(ctx, directory.AbsenceReason, directory.New{Code: "flood", NameRU: "Наводнение", Attrs: map[string]any{"excused": true}})
			return err
		}, func(sn *directory.Snapshot) bool { _, ok := sn.Get(directory.AbsenceReason, "flood"); return ok }},
		{"retired entry", func() error {
			_, err := s.Update(ctx, directory.WorkKind, "essay", 1, directory.Patch{Active: ptr(false)})
			return err
		}, func(sn *directory.Snapshot) bool {
			e, ok := sn.Get(directory.WorkKind, "essay")
			for _, a := range sn.Active(directory.WorkKind) {
				if a.Code == "essay" {
					return false
				}
			}
			return ok && !e.Active
		}},
	}
	for _, st := range steps {
		if err := st.change(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		nv := version(t, s, directory.WorkKind, directory.AbsenceReason)
		if nv <= v {
			t.Fatalf("%s: version %d did not grow from %d", st.name, nv, v)
		}
		v = nv
		got, err := c.At(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != v || !st.check(got) {
			t.Fatalf("%s: the cache did not follow (version %d, want %d)", st.name, got.Version, v)
		}
	}
	// A change to another directory leaves the cached ones' version alone.
	if _, err := s.Create(ctx, directory.Subject, directory.New{Code: "rhetoric", NameRU: "Риторика"}); err != nil {
		t.Fatal(err)
	}
	if nv := version(t, s, directory.WorkKind, directory.AbsenceReason); nv != v {
		t.Fatalf("a subject changed the work kinds' version: %d -> %d", v, nv)
	}
}
