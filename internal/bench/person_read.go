package bench

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"

	"shkola/internal/store"
)

// personRead: a school administrator opens pupils' records through
// GET /api/v1/persons/{id}. The role sees identifiers, so every read writes
// an audit entry before answering. Baseline: the person row and its
// documents, read by id.
type personRead struct {
	env *Env
	ids []int64
}

func (*personRead) Name() string { return "person-read" }

// readSet is how many pupils the reads spread over.
func readSet(env *Env) int {
	switch {
	case env.Quick:
		return 50
	case env.Size == "district":
		return 2000
	case env.Size == "region":
		return 5000
	}
	return 500
}

func (s *personRead) Setup(ctx context.Context, env *Env) error {
	s.env = env
	s.ids = make([]int64, readSet(env))
	c := env.Client()
	return env.Parallel(ctx, len(s.ids), func(ctx context.Context, i int) error {
		body, err := json.Marshal(newPupil(env.School, env.Unique()))
		if err != nil {
			return err
		}
		b, err := c.Expect(ctx, 201, "POST", "/api/v1/persons", env.AdminToken, body)
		if err != nil {
			return err
		}
		var out struct{ ID int64 }
		if err := json.Unmarshal(b, &out); err != nil || out.ID == 0 {
			return fmt.Errorf("create answered %s: %v", b, err)
		}
		s.ids[i] = out.ID
		return nil
	})
}

func (s *personRead) Op(ctx context.Context, c *Client, i int) error {
	path := "/api/v1/persons/" + strconv.FormatInt(s.ids[i%len(s.ids)], 10)
	b, err := c.Expect(ctx, 200, "GET", path, s.env.AdminToken, nil)
	if err == nil && !bytes.Contains(b, []byte(`"snils":`)) {
		err = fmt.Errorf("GET %s: identifiers not shown to a school administrator: %s", path, b)
	}
	return err
}

// personReadColumns are the columns the registry reads for a card.
const personReadColumns = `id, org_id, last_name, first_name, middle_name, birth_date, sex, citizenship, merged_into, version,
	reg_address, fact_address, phone, email, snils_enc, rnokpp_enc, unzr_enc, health_group_enc, pe_group_enc,
	disability_enc, disability_cause_enc, long_treatment_enc, adapted_programme_enc`

func (s *personRead) Baseline(ctx context.Context, db *store.DB, i int) error {
	id := s.ids[i%len(s.ids)]
	var ints [4]sql.NullInt64 // id, org_id, merged_into, version
	var text [19]sql.NullString
	dest := []any{&ints[0], &ints[1]}
	for j := range 6 {
		dest = append(dest, &text[j])
	}
	dest = append(dest, &ints[2], &ints[3])
	for j := 6; j < len(text); j++ {
		dest = append(dest, &text[j])
	}
	q := db.Read()
	if err := q.QueryRowContext(ctx, "SELECT "+personReadColumns+" FROM persons WHERE id = $1", id).Scan(dest...); err != nil {
		return err
	}
	rows, err := q.QueryContext(ctx, `SELECT id, kind, series_enc, number_enc, issued_on, issuer, issue_place
		FROM person_documents WHERE person_id = $1 AND retired_at IS NULL ORDER BY id`, id)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var docID int64
		var d [6]sql.NullString
		if err := rows.Scan(&docID, &d[0], &d[1], &d[2], &d[3], &d[4], &d[5]); err != nil {
			return err
		}
	}
	return rows.Err()
}
