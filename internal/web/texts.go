package web

import (
	"fmt"
	"reflect"
)

// Labels of the layout and of the busiest pages are translated once per
// language when the Site is made: translations do not change after start,
// and a T call in a template is a reflective call and a lookup for every
// label of every request. A struct of such labels names each message in
// its fields' `msg` tags.

// translateInto fills every string field of the struct dst points to with
// its `msg` message in lang; a [N]string field's tag has a %d, filled with
// 1…N. A message missing from the catalogue is an error: the page would
// show its id.
func (c *Catalog) translateInto(lang string, dst any) error {
	t := c.For(lang)
	v := reflect.ValueOf(dst).Elem()
	for i := range v.NumField() {
		f := v.Type().Field(i)
		id, ok := f.Tag.Lookup("msg")
		if !ok {
			continue
		}
		one := func(id string) (string, error) {
			if !c.keys[lang][id] {
				return "", fmt.Errorf("%s: message %q missing in %s", f.Name, id, lang)
			}
			return t.T(id), nil
		}
		switch fv := v.Field(i); fv.Kind() {
		case reflect.String:
			s, err := one(id)
			if err != nil {
				return err
			}
			fv.SetString(s)
		case reflect.Array:
			for j := range fv.Len() {
				s, err := one(fmt.Sprintf(id, j+1))
				if err != nil {
					return err
				}
				fv.Index(j).SetString(s)
			}
		default:
			return fmt.Errorf("%s: a msg tag on a %s", f.Name, fv.Kind())
		}
	}
	return nil
}

// pageTexts are the prepared labels of one language.
type pageTexts struct {
	layout layoutText
	week   weekText
}

// textsFor is the prepared labels of lang (Russian for an unknown one).
func (s *Site) textsFor(lang string) *pageTexts {
	if p, ok := s.texts[lang]; ok {
		return p
	}
	return s.texts[Languages[0]]
}

// newPageTexts translates the prepared labels into every language.
func newPageTexts(c *Catalog) (map[string]*pageTexts, error) {
	out := make(map[string]*pageTexts, len(Languages))
	for _, lang := range Languages {
		p := &pageTexts{}
		if err := c.translateInto(lang, &p.layout); err != nil {
			return nil, err
		}
		if err := c.translateInto(lang, &p.week); err != nil {
			return nil, err
		}
		out[lang] = p
	}
	return out, nil
}
