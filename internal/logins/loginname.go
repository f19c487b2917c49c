package logins

import (
	"context"
	"strconv"
	"strings"

	"shkola/internal/store"
)

// latin is the passport transliteration (Russian and Ukrainian letters),
// which people already know from their documents.
var latin = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'ґ': "g", 'д': "d", 'е': "e", 'ё': "e", 'є': "ie", 'ж': "zh", 'з': "z",
	'и': "i", 'і': "i", 'ї': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r",
	'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "ie",
	'ы': "y", 'ь': "", 'э': "e", 'ю': "iu", 'я': "ia", '\'': "", '’': "",
}

// translit spells a name in lower-case Latin letters; a hyphen of a double
// name stays, anything else unspellable is dropped.
func translit(s string, max int) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		switch l, ok := latin[r]; {
		case ok:
			b.WriteString(l)
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '-' || r == ' ':
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
				b.WriteByte('-')
			}
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > max {
		out = strings.TrimRight(out[:max], "-")
	}
	return out
}

// loginBase is "last.first" in Latin letters ("petrov.ilia").
func loginBase(last, first string) string {
	l, f := translit(last, 28), translit(first, 20)
	switch {
	case l == "" && f == "":
		return "user"
	case l == "":
		return f
	case f == "":
		return l
	}
	return l + "." + f
}

// freeLogin returns base, or base followed by the smallest number from 2
// that no account holds, read inside the issuing transaction (so logins
// made earlier in the same batch count). The unique index still decides
// if another issuer takes it meanwhile.
func freeLogin(ctx context.Context, tx *store.Tx, base string) (string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT login FROM accounts WHERE login = $1 OR login LIKE $2 ESCAPE '\'`,
		base, strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(base)+"%")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	taken := map[string]bool{}
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return "", err
		}
		taken[l] = true
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	if !taken[base] {
		return base, nil
	}
	for n := 2; ; n++ {
		if l := base + strconv.Itoa(n); !taken[l] {
			return l, nil
		}
	}
}
