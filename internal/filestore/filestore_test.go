package filestore_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"shkola/internal/errs"
	"shkola/internal/filestore"
	"shkola/internal/org"
	"shkola/internal/store"
	"shkola/internal/store/storetest"
)

var pdf = []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")

func TestSaveAndOpen(t *testing.T) {
	for _, disk := range []bool{false, true} {
		t.Run(map[bool]string{false: "database", true: "disk"}[disk], func(t *testing.T) {
			db := storetest.Open(t, org.Migrations(), filestore.Migrations())
			dir := ""
			if disk {
				dir = t.TempDir()
			}
			fs := filestore.New(db, dir)
			ctx := context.Background()
			var saved filestore.File
			err := db.WithTx(ctx, func(tx *store.Tx) error {
				var err error
				saved, err = fs.Save(ctx, tx, "file", `C:\Users\x\Домашка.pdf`, strings.NewReader(string(pdf)), filestore.Documents, nil, "teacher1")
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if saved.Name != "Домашка.pdf" || saved.ContentType != "application/pdf" || saved.Size != int64(len(pdf)) {
				t.Fatalf("saved %+v", saved)
			}
			f, rc, err := fs.Open(ctx, saved.ID)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(rc)
			rc.Close()
			if string(got) != string(pdf) || f.SHA256 != saved.SHA256 {
				t.Fatalf("opened %+v with %q", f, got)
			}
			if _, _, err := fs.Open(ctx, saved.ID+100); errs.CodeOf(err) != errs.NotFound {
				t.Fatalf("unknown id: %v", err)
			}
		})
	}
}

// A refused upload names the field and the rule, and a rolled-back
// transaction leaves no file row behind.
func TestRefusals(t *testing.T) {
	db := storetest.Open(t, org.Migrations(), filestore.Migrations())
	fs := filestore.New(db, "")
	ctx := context.Background()
	small := filestore.Limits{MaxSize: 64, Types: filestore.Documents.Types}
	for _, c := range []struct {
		name, data, rule string
	}{
		{"a.pdf", strings.Repeat("x", 65), "size"},
		{"a.exe", "MZ", "type"},
		{"a.pdf", "<html><script>alert(1)</script>", "type"},
		{"a.pdf", "", "empty"},
		{"", "%PDF-1.4", "name"},
	} {
		err := db.WithTx(ctx, func(tx *store.Tx) error {
			_, err := fs.Save(ctx, tx, "homework.file", c.name, strings.NewReader(c.data), small, nil, "t")
			return err
		})
		var e *errs.Error
		if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "homework.file" || e.Fields[0].Rule != c.rule {
			t.Errorf("%s %q: want rule %s, got %v", c.name, c.data, c.rule, err)
		}
	}
	var n int
	if err := db.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM files").Scan(&n); err != nil || n != 0 {
		t.Fatalf("files after refusals: %d, %v", n, err)
	}
}
