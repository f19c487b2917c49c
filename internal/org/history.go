package org

import (
	"context"
	"encoding/json"
	"time"
)

// FieldChange is one field's value before and after a change; Old is
// absent when the organisation was created.
type FieldChange struct {
	Old any `json:"old,omitempty"`
	New any `json:"new"`
}

// HistoryEntry is one version of an organisation.
type HistoryEntry struct {
	Version   int64                  `json:"version"`
	ChangedAt time.Time              `json:"changed_at"`
	ChangedBy string                 `json:"changed_by,omitempty"`
	Changes   map[string]FieldChange `json:"changes"`
}

// diff lists the fields that differ between a and b.
func diff(a, b fields) map[string]FieldChange {
	out := map[string]FieldChange{}
	add := func(name, x, y string) {
		if x == y {
			return
		}
		c := FieldChange{New: y}
		if x != "" {
			c.Old = x
		}
		out[name] = c
	}
	add("name", a.Name, b.Name)
	add("short_name", a.ShortName, b.ShortName)
	add("country", a.Country, b.Country)
	add("inn", a.INN, b.INN)
	add("ogrn", a.OGRN, b.OGRN)
	add("edrpou", a.EDRPOU, b.EDRPOU)
	add("address", a.Address, b.Address)
	return out
}

// History returns every version of organisation id, oldest first.
func (s *Service) History(ctx context.Context, id int64) ([]HistoryEntry, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT version, changed_at, changed_by, changes FROM org_history WHERE org_id = $1 ORDER BY version`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []HistoryEntry{}
	for rows.Next() {
		var h HistoryEntry
		var js string
		if err := rows.Scan(&h.Version, &h.ChangedAt, &h.ChangedBy, &js); err != nil {
			return nil, err
		}
		h.ChangedAt = h.ChangedAt.UTC()
		if err := json.Unmarshal([]byte(js), &h.Changes); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}
