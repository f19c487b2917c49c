package audit

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"testing"
	"time"

	"shkola/internal/identity"
)

func TestSearchAndExport(t *testing.T) {
	l, _ := newLog(t)
	ctx := context.Background()
	teacher := actorCtx()
	admin := identity.With(ctx, &identity.Actor{AccountID: 9, Login: "admin", Grants: []identity.Grant{{Role: identity.SchoolAdmin, OrgID: 3}}})
	writes := []struct {
		ctx context.Context
		e   Entry
	}{
		{teacher, Entry{Action: RecordUpdate, ObjectType: "mark", ObjectID: "1", OrgID: org(12), PersonID: 100}},
		{teacher, Entry{Action: ReadSpecial, ObjectType: "person", ObjectID: "100", OrgID: org(12), PersonID: 100}},
		{admin, Entry{Action: GrantAdd, ObjectType: "account", ObjectID: "7", OrgID: org(3)}},
		{admin, Entry{Action: RecordUpdate, ObjectType: "mark", ObjectID: "2", OrgID: org(3), PersonID: 101, Detail: "=HYPERLINK(\"x\")"}},
		{ctx, Entry{Action: LoginFailed, Outcome: Failure, Login: "admin"}},
	}
	for _, w := range writes {
		if err := l.Write(w.ctx, w.e); err != nil {
			t.Fatal(err)
		}
	}
	seqs := func(f Filter) []int64 {
		t.Helper()
		recs, _, err := l.Search(ctx, f, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, r := range recs {
			out = append(out, r.Seq)
		}
		return out
	}
	// The clock of newLog starts at 05:00:00 UTC and adds a second per entry.
	start := time.Date(2025, 9, 1, 5, 0, 0, 0, time.UTC)
	for name, tc := range map[string]struct {
		f    Filter
		want []int64
	}{
		"all, newest first": {Filter{}, []int64{5, 4, 3, 2, 1}},
		"by account":        {Filter{AccountID: 9}, []int64{4, 3}},
		"by login":          {Filter{Login: "admin"}, []int64{5, 4, 3}},
		"by object":         {Filter{ObjectType: "mark", ObjectID: "2"}, []int64{4}},
		"by person":         {Filter{PersonID: 100}, []int64{2, 1}},
		"by action":         {Filter{Action: RecordUpdate}, []int64{4, 1}},
		"by time":           {Filter{From: start.Add(2 * time.Second), To: start.Add(4 * time.Second)}, []int64{3, 2}},
		"by organisations":  {Filter{OrgIDs: []int64{3, 99}}, []int64{4, 3}},
		"no organisations":  {Filter{OrgIDs: []int64{}}, nil},
	} {
		if got := seqs(tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", name, got, tc.want)
		}
	}

	var pages [][]int64
	before := int64(0)
	for {
		recs, next, err := l.Search(ctx, Filter{}, before, 2)
		if err != nil {
			t.Fatal(err)
		}
		var p []int64
		for _, r := range recs {
			p = append(p, r.Seq)
		}
		pages = append(pages, p)
		if next == 0 {
			break
		}
		before = next
	}
	if len(pages) != 3 || !slices.Equal(pages[0], []int64{5, 4}) || !slices.Equal(pages[1], []int64{3, 2}) || !slices.Equal(pages[2], []int64{1}) {
		t.Errorf("pages = %v", pages)
	}

	var buf bytes.Buffer
	n, err := l.ExportCSV(ctx, &buf, Filter{OrgIDs: []int64{3}})
	if err != nil || n != 2 {
		t.Fatalf("export: %d, %v", n, err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][0] != "seq" || rows[1][0] != "3" || rows[2][0] != "4" {
		t.Fatalf("csv = %v", rows)
	}
	if got := rows[2][17]; got != "'=HYPERLINK(\"x\")" {
		t.Errorf("detail exported as %q: a spreadsheet would run it", got)
	}
}
