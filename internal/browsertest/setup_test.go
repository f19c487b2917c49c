package browsertest_test

import (
	"context"
	"testing"

	"shkola/internal/browsertest"
	"shkola/internal/identity"
	"shkola/internal/org"
)

// region creates the region the test accounts hold their roles in.
func region(t *testing.T, b *browsertest.Browser) int64 {
	t.Helper()
	r, err := b.Server.App.Orgs.Create(context.Background(), org.New{Kind: org.Region, Name: "Регион", Country: org.RU})
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

// account creates an activated account with one role.
func account(t *testing.T, b *browsertest.Browser, login string, role identity.Role, orgID int64, password string) {
	t.Helper()
	ctx := context.Background()
	_, code, err := b.Server.App.Accounts.Create(ctx, login, []identity.Grant{{Role: role, OrgID: orgID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Server.App.Accounts.Activate(ctx, code, password); err != nil {
		t.Fatal(err)
	}
}

// logIn fills and sends the login form.
func logIn(b *browsertest.Browser, login, password string) int {
	b.Visit("/login")
	b.Type("#login", login)
	b.Type("#password", password)
	return b.ClickAndWait("form.form button[type=submit]")
}
