package app_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"strings"
	"testing"

	"shkola/internal/access"
	"shkola/internal/apptest"
	"shkola/internal/portfolio"
	"shkola/internal/store"
)

// testPDF is a small file that sniffs as PDF.
var testPDF = []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")

// proposalBody is a multipart proposal: the achievement as JSON in the part
// "achievement" and the document in the part "document".
func proposalBody(t testing.TB, achievement, fileName string, file []byte) (string, *bytes.Buffer) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if err := mw.WriteField("achievement", achievement); err != nil {
		t.Fatal(err)
	}
	if fileName != "" {
		fw, err := mw.CreateFormFile("document", fileName)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(file); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), &b
}

const matrixAchievement = `{"kind":"olympiad","title":"Олимпиада по математике","subject":"math","level":"regional","result":"winner","date":"2026-03-01"}`

// portfolioProbes try the portfolio of the matrix pupil of school 1 (15
// years old, in class1 with a guardian, a teacher and a class teacher), so
// every relationship a portfolio rule uses can be tried. Fixtures (an
// achievement with a document, a certificate) are made once, through the
// service, on first use.
func portfolioProbes() map[[2]string]probe {
	onS1 := func(e *matrixEnv) int64 { return e.s1.ID }
	onS2 := func(e *matrixEnv) int64 { return e.s2.ID }
	related := []access.Relationship{access.InScope, access.Self, access.GuardianOf, access.Teaches, access.ClassTeacherOf}
	var withDocument int64
	ctx := context.Background()
	pupil := func(t *testing.T, e *matrixEnv) portfolio.Pupil {
		p, err := portfolio.LoadPupil(ctx, e.s.App.DB.Read(), e.person)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// entry writes an achievement of the pupil with status through the
	// trusted service (no access check, no audit).
	entry := func(t *testing.T, e *matrixEnv, status string, doc bool) int64 {
		var up *portfolio.Upload
		if doc {
			up = &portfolio.Upload{Name: "диплом.pdf", R: bytes.NewReader(testPDF)}
		}
		var a portfolio.Achievement
		err := e.s.App.DB.WithTx(ctx, func(tx *store.Tx) error {
			var err error
			a, err = e.s.App.Portfolio.S.AddAchievementTx(ctx, tx, pupil(t, e), portfolio.NewAchievement{Kind: "contest", Title: "Конкурс чтецов",
				Level: "municipal", Result: "participant", Date: "2026-02-01"}, status, "matrix", up, nil)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	fixtures := func(t *testing.T, e *matrixEnv) {
		if withDocument != 0 {
			return
		}
		withDocument = entry(t, e, portfolio.Confirmed, true)
		err := e.s.App.DB.WithTx(ctx, func(tx *store.Tx) error {
			_, err := e.s.App.Portfolio.S.SetCertificateTx(ctx, tx, pupil(t, e), "basic", portfolio.NewCertificate{Number: "12345678901234", IssuedOn: "2026-06-20"}, nil)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	path := func(e *matrixEnv, rest string) string { return fmt.Sprintf("/api/v1/persons/%d%s", e.person, rest) }
	read := func(t *testing.T, e *matrixEnv, tok string) (bool, string) {
		fixtures(t, e)
		st, _, body := e.call(t, tok, "GET", path(e, "/portfolio"), "")
		return verdict(t, "portfolio read", st, body), body
	}
	return map[[2]string]probe{
		{"portfolio", "read"}: {target: onS1, unrelated: onS2, supports: related,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				ok, body := read(t, e, tok)
				if ok && !strings.Contains(body, `"title":"Конкурс чтецов"`) {
					t.Errorf("portfolio readable without its achievements: %s", body)
				}
				// The document follows the record that owns it.
				st, hdr, doc := e.call(t, tok, "GET", fmt.Sprintf("/api/v1/achievements/%d/document", withDocument), "")
				if got := verdict(t, "document", st, doc); got != ok || (got && (doc != string(testPDF) || !strings.HasPrefix(hdr.Get("Content-Disposition"), "attachment"))) {
					t.Errorf("document readable: %v (%s), portfolio readable: %v", got, hdr.Get("Content-Disposition"), ok)
				}
				return ok
			}},
		{"achievement", "create"}: {target: onS1, unrelated: onS2, supports: related,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				st, _, body := e.call(t, tok, "POST", path(e, "/achievements"), matrixAchievement)
				ok := verdict(t, "achievement create", st, body)
				if ok && !strings.Contains(body, `"status":"confirmed"`) {
					t.Errorf("staff entry not confirmed: %s", body)
				}
				return ok
			}},
		{"achievement", "propose"}: {target: onS1, unrelated: onS2, supports: related,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				ct, b := proposalBody(t, matrixAchievement, "диплом.pdf", testPDF)
				hdr := []string{"Content-Type", ct}
				if tok != "" {
					hdr = append(hdr, "Authorization", "Bearer "+tok)
				}
				st, _, body := apptest.Do(t, e.s.Client(), "POST", e.s.URL+path(e, "/proposals"), b, hdr...)
				ok := verdict(t, "achievement propose", st, body)
				if ok && !strings.Contains(body, `"status":"proposed"`) {
					t.Errorf("proposal not waiting for review: %s", body)
				}
				return ok
			}},
		{"achievement", "review"}: {target: onS1, unrelated: onS2, supports: related,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				id := entry(t, e, portfolio.Proposed, false)
				st, _, body := e.call(t, tok, "POST", fmt.Sprintf("/api/v1/achievements/%d/review", id), `{"decision":"confirm"}`)
				return verdict(t, "achievement review", st, body)
			}},
		{"achievement", "delete"}: {target: onS1, unrelated: onS2, supports: related,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				id := entry(t, e, portfolio.Confirmed, false)
				st, _, body := e.call(t, tok, "DELETE", fmt.Sprintf("/api/v1/achievements/%d", id), "")
				return verdict(t, "achievement delete", st, body)
			}},
		{"exam", "create"}: {target: onS1, unrelated: onS2, supports: related,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				e.exec(t, "DELETE FROM exam_results WHERE person_id = $1", e.person)
				st, _, body := e.call(t, tok, "POST", path(e, "/exams"), `{"kind":"oge","subject":"math","score":27,"max_score":31,"year":2026}`)
				return verdict(t, "exam create", st, body)
			}},
		{"exam", "delete"}: {target: onS1, unrelated: onS2, supports: related,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				e.exec(t, "DELETE FROM exam_results WHERE person_id = $1", e.person)
				var x portfolio.ExamResult
				score, top := 70, 100
				err := e.s.App.DB.WithTx(ctx, func(tx *store.Tx) error {
					var err error
					x, err = e.s.App.Portfolio.S.AddExamTx(ctx, tx, pupil(t, e), portfolio.NewExam{Kind: "ege", Subject: "rus", Score: &score, MaxScore: &top, Year: 2026}, "matrix", nil)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				st, _, body := e.call(t, tok, "DELETE", fmt.Sprintf("/api/v1/exams/%d", x.ID), "")
				return verdict(t, "exam delete", st, body)
			}},
		{"certificate", "read"}: {target: onS1, unrelated: onS2, supports: related,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				ok, body := read(t, e, tok)
				shown := ok && strings.Contains(body, `"number":"12345678901234"`)
				if ok && !shown && strings.Contains(body, "12345678901234") {
					t.Errorf("certificate number outside its field: %s", body)
				}
				return shown
			}},
		{"certificate", "update"}: {target: onS1, unrelated: onS2, supports: related,
			do: func(t *testing.T, e *matrixEnv, tok string) bool {
				fixtures(t, e)
				st, _, body := e.call(t, tok, "PUT", path(e, "/certificates/basic"), `{"number":"12345678901234","issued_on":"2026-06-20","honours":true}`)
				return verdict(t, "certificate update", st, body)
			}},
	}
}
