package importer

import (
	"io"

	"shkola/internal/tabular"
)

// WriteTemplate writes the empty file of a kind: the header row of its
// layout. The XLSX template has a second sheet describing every column.
func WriteTemplate(w io.Writer, k Kind, format string) error {
	t, err := tabular.New(w, format, string(k))
	if err != nil {
		return err
	}
	cols := Layout(k)
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	if err := t.Row(names); err != nil {
		return err
	}
	if format == tabular.XLSX {
		if err := t.Sheet("columns"); err != nil {
			return err
		}
		if err := t.Row([]string{"column", "required", "format", "rule"}); err != nil {
			return err
		}
		for _, c := range cols {
			req := "no"
			if c.Required {
				req = "yes"
			}
			if err := t.Row([]string{c.Name, req, c.Format, c.Rule}); err != nil {
				return err
			}
		}
	}
	return t.Close()
}
