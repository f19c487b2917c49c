package registry

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shkola/internal/crypt"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// Document is an identity document or a document proving representation.
// The series and number are sealed; the rest is not an identifier.
type Document struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	Series     string `json:"series,omitempty"`
	Number     string `json:"number"`
	IssuedOn   string `json:"issued_on,omitempty"`
	Issuer     string `json:"issuer,omitempty"`
	IssuePlace string `json:"issue_place,omitempty"`
}

// NewDocument is a document as submitted.
type NewDocument struct {
	Kind       string `json:"kind"`
	Series     string `json:"series"`
	Number     string `json:"number"`
	IssuedOn   string `json:"issued_on"`
	Issuer     string `json:"issuer"`
	IssuePlace string `json:"issue_place"`
}

// DocumentKinds are the codes of the document_type reference directory.
func DocumentKinds() []string {
	return []string{"birth_certificate_ru", "birth_certificate_foreign", "passport_ru", "passport_foreign", "residence_permit",
		"refugee_certificate", "passport_ua", "id_card_ua", "birth_certificate_ua",
		"guardianship_order", "trusteeship_order", "adoption_certificate", "power_of_attorney"}
}

var (
	// A Russian birth certificate: a Roman numeral, a hyphen and two
	// Cyrillic capitals ("IV-МЮ"), then six digits.
	birthSeriesRU = regexp.MustCompile(`^[IVXLC]{1,6}-[А-Я]{2}$`)
	sixDigits     = regexp.MustCompile(`^[0-9]{6}$`)
	fourDigits    = regexp.MustCompile(`^[0-9]{4}$`)
)

func (d *NewDocument) validate(v *errs.Validation, prefix string, now time.Time) {
	d.Series = strings.ToUpper(strings.Join(strings.Fields(d.Series), ""))
	d.Number = strings.Join(strings.Fields(d.Number), "")
	if !slices.Contains(DocumentKinds(), d.Kind) {
		v.Add(prefix+"kind", "enum", "a document type of the directory, such as birth_certificate_ru or passport_ru")
	}
	switch {
	case d.Number == "":
		v.Add(prefix+"number", "required", "required")
	case utf8.RuneCountInString(d.Number) > 30:
		v.Add(prefix+"number", "max_length", "at most 30 characters")
	}
	if utf8.RuneCountInString(d.Series) > 12 {
		v.Add(prefix+"series", "max_length", "at most 12 characters")
	}
	switch d.Kind {
	case "birth_certificate_ru":
		if !birthSeriesRU.MatchString(d.Series) {
			v.Add(prefix+"series", "format", "a Roman numeral, a hyphen and two Cyrillic letters, such as IV-МЮ")
		}
		if d.Number != "" && !sixDigits.MatchString(d.Number) {
			v.Add(prefix+"number", "format", "six digits")
		}
	case "passport_ru":
		if !fourDigits.MatchString(d.Series) {
			v.Add(prefix+"series", "format", "four digits")
		}
		if d.Number != "" && !sixDigits.MatchString(d.Number) {
			v.Add(prefix+"number", "format", "six digits")
		}
	}
	if d.IssuedOn != "" {
		on, err := time.Parse(dateLayout, d.IssuedOn)
		switch {
		case err != nil:
			v.Add(prefix+"issued_on", "format", "a date as YYYY-MM-DD")
		case on.After(now):
			v.Add(prefix+"issued_on", "future", "the issue date is in the future")
		}
	}
	for field, s := range map[string]*string{"issuer": &d.Issuer, "issue_place": &d.IssuePlace} {
		*s = strings.TrimSpace(*s)
		if utf8.RuneCountInString(*s) > 300 {
			v.Add(prefix+field, "max_length", "at most 300 characters")
		}
	}
}

// documentIndex is the blind index of a document number: documents are
// found by number whatever their series or kind.
func (p *People) documentIndex(number string) string {
	return p.Keys.BlindIndex("document", strings.ToUpper(strings.Join(strings.Fields(number), "")))
}

// addDocument writes one validated document inside tx.
func (p *People) addDocument(ctx context.Context, tx *store.Tx, personID int64, d NewDocument) (int64, error) {
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO person_documents (person_id, kind, number_enc, number_idx, issued_on, issuer, issue_place, created_at)
		VALUES ($1, $2, '', $3, $4, $5, $6, $7) RETURNING id`,
		personID, d.Kind, p.documentIndex(d.Number), nullable(d.IssuedOn), d.Issuer, d.IssuePlace, p.now()).Scan(&id); err != nil {
		return 0, err
	}
	number, err := p.Keys.EncryptString(d.Number, crypt.AAD("document.number", id))
	if err != nil {
		return 0, err
	}
	var series any
	if d.Series != "" {
		if series, err = p.Keys.EncryptString(d.Series, crypt.AAD("document.series", id)); err != nil {
			return 0, err
		}
	}
	_, err = tx.ExecContext(ctx, "UPDATE person_documents SET number_enc = $1, series_enc = $2 WHERE id = $3", number, series, id)
	return id, err
}

// addDocuments writes validated documents in bulk inside tx, docs[i]
// belonging to owners[i]: ids are reserved first, so the sealed series and
// number are bound to their rows and written with them.
func (p *People) addDocuments(ctx context.Context, tx *store.Tx, owners []int64, docs []NewDocument) error {
	ids, err := tx.ReserveIDs(ctx, "person_documents", len(docs))
	if err != nil {
		return err
	}
	now := p.now()
	return store.CopyRows(ctx, tx, "person_documents", []string{"id", "person_id", "kind", "series_enc", "number_enc", "number_idx", "issued_on",
		"issuer", "issue_place", "created_at"}, len(docs), func(i int, a []any) error {
		d := &docs[i]
		number, err := p.Keys.EncryptString(d.Number, crypt.AAD("document.number", ids[i]))
		if err != nil {
			return err
		}
		var series any
		if d.Series != "" {
			if series, err = p.Keys.EncryptString(d.Series, crypt.AAD("document.series", ids[i])); err != nil {
				return err
			}
		}
		a[0], a[1], a[2], a[3], a[4], a[5] = ids[i], owners[i], d.Kind, series, number, p.documentIndex(d.Number)
		a[6], a[7], a[8], a[9] = nullable(d.IssuedOn), d.Issuer, d.IssuePlace, now
		return nil
	})
}

// documents reads and unseals the current documents of a person.
func (p *People) documents(ctx context.Context, q store.Querier, personID int64) ([]Document, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, kind, series_enc, number_enc, COALESCE(issued_on, ''), issuer, issue_place
		FROM person_documents WHERE person_id = $1 AND retired_at IS NULL ORDER BY id`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Document
	for rows.Next() {
		var d Document
		var series *string
		var number string
		if err := rows.Scan(&d.ID, &d.Kind, &series, &number, &d.IssuedOn, &d.Issuer, &d.IssuePlace); err != nil {
			return nil, err
		}
		if d.Number, err = p.Keys.DecryptString(number, crypt.AAD("document.number", d.ID)); err != nil {
			return nil, err
		}
		if series != nil {
			if d.Series, err = p.Keys.DecryptString(*series, crypt.AAD("document.series", d.ID)); err != nil {
				return nil, err
			}
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func itoa(i int) string { return strconv.Itoa(i) }
