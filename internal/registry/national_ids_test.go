package registry_test

import (
	"context"
	"testing"
	"time"

	"shkola/internal/org"
	"shkola/internal/registry"
	"shkola/internal/store/storetest"
)

// The RNOKPP and UNZR indexes leave out empty values (migration 0003) and
// still refuse a number held twice, on both engines.
func TestNationalIDIndexesSkipEmptyButStayUnique(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, org.Migrations(), registry.Migrations())
	s := org.NewService(db)
	s.Now = func() time.Time { return time.Date(2025, 9, 1, 8, 0, 0, 0, time.UTC) }
	s.Actor = func(context.Context) string { return "tester" }
	region, err := s.Create(ctx, org.New{Kind: org.Region, Name: "Приозёрная область", Country: org.RU})
	if err != nil {
		t.Fatal(err)
	}
	insert := func(name string, rnokpp, unzr any) error {
		_, err := db.W.ExecContext(ctx, `INSERT INTO persons (org_id, last_name, first_name, birth_date, sex, name_key, rnokpp_idx, unzr_idx, created_at, updated_at)
			VALUES ($1, $2, 'Анна', '2015-03-01', 'f', $2, $3, $4, $5, $5)`, region.ID, name, rnokpp, unzr, time.Now().UTC())
		return err
	}
	for _, name := range []string{"Орлова", "Белова", "Козлова"} {
		if err := insert(name, nil, nil); err != nil {
			t.Fatalf("a person without national numbers: %v", err)
		}
	}
	if err := insert("Зайцева", "idx-rnokpp-1", "idx-unzr-1"); err != nil {
		t.Fatal(err)
	}
	if err := insert("Волкова", "idx-rnokpp-1", nil); err == nil {
		t.Error("a second person with the same RNOKPP was stored")
	}
	if err := insert("Лисицына", nil, "idx-unzr-1"); err == nil {
		t.Error("a second person with the same UNZR was stored")
	}
}
