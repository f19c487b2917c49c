package directory

import (
	"context"
	"strings"
	"sync"
)

// VersionSQL returns a scalar subquery whose value changes with every
// change to the entries of dirs: the sum of their versions. Every change
// raises one entry's version by one, a new entry starts at 1 and entries
// are never deleted (they are retired), so the sum only grows, also when a
// migration adds entries. A domain selects it in a query it runs anyway and
// hands the value to Cache.At, so checking the cache costs no round trip.
// dirs are directory names (constants of this package), never input.
func VersionSQL(dirs ...string) string {
	return "(SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM ref_entries WHERE directory IN (" + quoted(dirs) + "))"
}

func quoted(dirs []string) string {
	q := make([]string, len(dirs))
	for i, d := range dirs {
		q[i] = "'" + strings.ReplaceAll(d, "'", "''") + "'"
	}
	return strings.Join(q, ", ")
}

// Cache keeps every entry (active or retired) of some directories in
// memory, read again when their version in the database (VersionSQL) is no
// longer the one they were read at. Several servers share the database, and
// an officer's change through any of them raises the version, so every
// server sees it on its next request that selects the version; nothing
// needs to be told. A hot path that reads scales or work kinds thus costs
// no query for them while the directories stand still.
type Cache struct {
	s    *Service
	dirs []string
	mu   sync.Mutex
	snap *Snapshot
}

// Snapshot is the entries of a cache's directories at one version. It is
// never changed once made, so callers share it without locking.
type Snapshot struct {
	Version int64
	entries map[string]map[string]Entry
	lists   map[string][]Entry
}

// NewCache returns a cache of dirs (names of this package's directories).
func (s *Service) NewCache(dirs ...string) *Cache {
	return &Cache{s: s, dirs: append([]string(nil), dirs...)}
}

// At returns the entries at version: the kept snapshot when version is
// its version, else the entries as they are now (one query), which are
// kept for the next caller.
func (c *Cache) At(ctx context.Context, version int64) (*Snapshot, error) {
	c.mu.Lock()
	snap := c.snap
	c.mu.Unlock()
	if snap != nil && snap.Version == version {
		return snap, nil
	}
	snap, err := c.load(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	// Two readers may load at once; keep the newer one.
	if c.snap == nil || c.snap.Version <= snap.Version {
		c.snap = snap
	}
	c.mu.Unlock()
	return snap, nil
}

// load reads the entries and takes the version from the rows read, so a
// snapshot's version always matches its entries.
func (c *Cache) load(ctx context.Context) (*Snapshot, error) {
	rows, err := c.s.DB.Read().QueryContext(ctx, `SELECT `+columns+` FROM ref_entries WHERE directory IN (`+quoted(c.dirs)+`)
		ORDER BY directory, sort, code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	snap := &Snapshot{entries: map[string]map[string]Entry{}, lists: map[string][]Entry{}}
	for _, d := range c.dirs {
		snap.entries[d] = map[string]Entry{}
	}
	for rows.Next() {
		e, err := scan(rows)
		if err != nil {
			return nil, err
		}
		snap.Version += e.Version
		snap.entries[e.Directory][e.Code] = e
		snap.lists[e.Directory] = append(snap.lists[e.Directory], e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return snap, nil
}

// Get returns an entry, active or retired, as Service.Get would.
func (sn *Snapshot) Get(directory, code string) (Entry, bool) {
	e, ok := sn.entries[directory][code]
	return e, ok
}

// Active returns the active entries of directory in display order (sort,
// then code), as Service.List does without retired ones.
func (sn *Snapshot) Active(directory string) []Entry {
	var out []Entry
	for _, e := range sn.lists[directory] {
		if e.Active {
			out = append(out, e)
		}
	}
	return out
}
