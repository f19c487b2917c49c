package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Languages the UI speaks; the first is the default.
var Languages = []string{"ru", "uk", "en"}

// Catalogues live in i18n/<domain>.<lang>.json, one file per domain and
// language, so a new domain adds its own files. Plural forms follow CLDR
// rules (ru and uk have one/few/many/other) through go-i18n.
//
//go:embed i18n/*.json
var catalogFiles embed.FS

// Translator renders messages in one language. It is immutable and shared
// by every request in its language.
type Translator struct {
	lang string
	loc  *i18n.Localizer
	// plain is every message as T renders it without data, made once at
	// load: pages ask for labels hundreds of times, and go-i18n matches
	// the language and executes the message on each call.
	plain map[string]string
}

// Catalog holds every language's messages.
type Catalog struct {
	bundle      *i18n.Bundle
	keys        map[string]map[string]bool // lang -> message ids, for the completeness test
	translators map[string]*Translator
}

// LoadCatalog reads the embedded catalogues.
func LoadCatalog() (*Catalog, error) {
	b := i18n.NewBundle(language.Russian)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	c := &Catalog{bundle: b, keys: map[string]map[string]bool{}}
	entries, err := fs.ReadDir(catalogFiles, "i18n")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		data, err := fs.ReadFile(catalogFiles, "i18n/"+e.Name())
		if err != nil {
			return nil, err
		}
		mf, err := b.ParseMessageFileBytes(data, e.Name())
		if err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", e.Name(), err)
		}
		lang := strings.TrimPrefix(path.Ext(strings.TrimSuffix(e.Name(), ".json")), ".")
		if c.keys[lang] == nil {
			c.keys[lang] = map[string]bool{}
		}
		for _, m := range mf.Messages {
			c.keys[lang][m.ID] = true
		}
	}
	c.translators = make(map[string]*Translator, len(Languages))
	for _, lang := range Languages {
		t := &Translator{lang: lang, loc: i18n.NewLocalizer(b, lang), plain: map[string]string{}}
		// Every id any language has; an id Localize fails on (missing in
		// this language) is left out, so T answers it as before.
		for _, ids := range c.keys {
			for id := range ids {
				if s, err := t.loc.Localize(&i18n.LocalizeConfig{MessageID: id}); err == nil {
					t.plain[id] = s
				}
			}
		}
		c.translators[lang] = t
	}
	return c, nil
}

// Keys returns the message ids of lang.
func (c *Catalog) Keys(lang string) map[string]bool { return c.keys[lang] }

// For returns a translator for lang (falling back to Russian).
func (c *Catalog) For(lang string) *Translator {
	if !Supported(lang) {
		lang = Languages[0]
	}
	return c.translators[lang]
}

// Supported reports whether the UI speaks lang.
func Supported(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Lang is the translator's language code.
func (t *Translator) Lang() string { return t.lang }

// T translates id; data fills {{.Name}} placeholders. A missing message shows
// its id, which the catalogue test forbids from reaching main.
func (t *Translator) T(id string, data ...any) string {
	if len(data) == 0 {
		if s, ok := t.plain[id]; ok {
			return s
		}
	}
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(data) > 0 {
		cfg.TemplateData = data[0]
	}
	s, err := t.loc.Localize(cfg)
	if err != nil {
		return id
	}
	return s
}

// N translates id in the plural form for count; {{.Count}} is the number.
func (t *Translator) N(id string, count int) string {
	s, err := t.loc.Localize(&i18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: map[string]any{"Count": count}})
	if err != nil {
		return id
	}
	return s
}
