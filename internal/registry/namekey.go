package registry

import (
	"strings"
	"unicode"
)

// cyrLatin is one Latin spelling per Cyrillic letter (Russian and
// Ukrainian), close to the passport transliteration.
var cyrLatin = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'ґ': "g", 'д': "d", 'е': "e", 'ё': "e", 'є': "e", 'ж': "zh", 'з': "z",
	'и': "i", 'і': "i", 'ї': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r",
	'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "",
	'ы': "y", 'ь': "", 'э': "e", 'ю': "iu", 'я': "ia",
}

// Latin spellings that different transliteration schemes (and people)
// write differently, folded to one; longest first.
var latinFolds = strings.NewReplacer(
	"shch", "s", "sch", "s", "sh", "s", "zh", "z", "ch", "c", "kh", "x", "ts", "c", "tz", "c", "ks", "x",
	"yu", "u", "iu", "u", "ju", "u", "ya", "a", "ia", "a", "ja", "a", "yo", "e", "jo", "e", "ye", "e", "je", "e",
	"y", "i", "j", "i", "h", "g", "w", "v", "q", "k",
)

// NameKey folds a name to the key that suspected duplicates share: case,
// ё/е, Cyrillic or Latin script and the usual transliteration variants all
// fold away, so "Семёнов", "Семенов" and "Semyonov" meet.
func NameKey(last, first string) string {
	return nameSkeleton(last) + " " + nameSkeleton(first)
}

func nameSkeleton(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if l, ok := cyrLatin[r]; ok {
			b.WriteString(l)
		} else if r < unicode.MaxASCII && unicode.IsLetter(r) {
			b.WriteRune(r)
		}
	}
	folded := latinFolds.Replace(b.String())
	// Doubled letters are often written once ("Филиппов", "Filipov").
	var out []byte
	for i := 0; i < len(folded); i++ {
		if i > 0 && folded[i] == folded[i-1] {
			continue
		}
		out = append(out, folded[i])
	}
	return string(out)
}
