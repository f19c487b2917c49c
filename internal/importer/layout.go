package importer

// Column is one column of a layout. Names are stable machine names: the
// template's header row, the report's error column, docs/IMPORT.md.
type Column struct {
	Name     string `json:"name"`
	Required bool   `json:"required"`
	Format   string `json:"format"`
	Rule     string `json:"rule"`
}

func person(prefix string, required bool) []Column {
	return []Column{
		{prefix + "last_name", required, "text, up to 100 letters", "letters, spaces, hyphens, apostrophes"},
		{prefix + "first_name", required, "text, up to 100 letters", "letters, spaces, hyphens, apostrophes"},
		{prefix + "middle_name", false, "text, up to 100 letters", "letters, spaces, hyphens, apostrophes"},
		{prefix + "birth_date", required, "YYYY-MM-DD", "not in the future, not more than 120 years ago"},
		{prefix + "sex", required, "m or f", "enum"},
		{prefix + "citizenship", false, "ISO 3166 alpha-2, default RU", "two capital letters"},
		{prefix + "snils", false, "SNILS, 11 digits (dashes and spaces allowed)", "check digits; one person per SNILS"},
		{prefix + "phone", false, "10 to 15 digits, + - ( ) and spaces allowed", "format"},
		{prefix + "email", false, "e-mail address", "format"},
	}
}

func addresses() []Column {
	return []Column{
		{"reg_address", false, "text, up to 300 characters", "max_length"},
		{"fact_address", false, "text, up to 300 characters", "max_length"},
	}
}

func guardianCols(n string) []Column {
	p := "guardian" + n + "_"
	return append([]Column{{p + "kind", false, "mother or father", "matches the guardian's sex; one current mother and one father per child"}},
		person(p, false)...)
}

// Layout returns the columns of a kind, in template order.
func Layout(k Kind) []Column {
	switch k {
	case Pupils:
		cols := person("", true)
		cols = append(cols, addresses()...)
		cols = append(cols,
			Column{"birth_cert_series", false, "series of a Russian birth certificate, e.g. IV-МЮ", "format"},
			Column{"birth_cert_number", false, "six digits", "format; with a series or issue date the number is required"},
			Column{"birth_cert_issued_on", false, "YYYY-MM-DD", "not in the future"},
			Column{"class", true, "class name in the organisation's current academic year, e.g. 5А", "the class exists, is active and has a free place"},
			Column{"admission_date", true, "YYYY-MM-DD", "not in the future, not before the birth date"},
			Column{"form_of_study", false, "full_time (default), part_time, extramural, distance, home_based, family, self_education, external", "enum"},
			Column{"basis_number", true, "number of the admission order, up to 50 characters", "required"},
			Column{"basis_date", true, "YYYY-MM-DD", "date of the order, not in the future"},
		)
		cols = append(cols, guardianCols("1")...)
		return append(cols, guardianCols("2")...)
	case Guardians:
		cols := []Column{
			{"child_snils", false, "the pupil's SNILS", "the pupil exists in the organisation (or give name and birth date)"},
			{"child_last_name", false, "text", "with child_first_name and child_birth_date when there is no child_snils"},
			{"child_first_name", false, "text", "see child_last_name"},
			{"child_birth_date", false, "YYYY-MM-DD", "see child_last_name"},
			{"kind", true, "mother or father", "matches the guardian's sex; one current mother and one father per child"},
		}
		cols = append(cols, person("", true)...)
		return append(cols, addresses()...)
	case Staff:
		cols := person("", true)
		return append(cols,
			Column{"position", true, "code of the position directory, e.g. teacher", "enum of the directory"},
			Column{"rate", false, "0.1 to 2 in steps of 0.05, default 1", "range"},
			Column{"starts_on", true, "YYYY-MM-DD", "at most a year ahead, not before the person's 14th birthday"},
			Column{"ends_on", false, "YYYY-MM-DD", "not before starts_on"},
			Column{"basis", false, "the order, up to 200 characters", "max_length"},
		)
	case Classes:
		return []Column{
			{"year", false, "name of the academic year, e.g. 2026/2027; empty: the current year", "the year exists and is not closed"},
			{"parallel", true, "0 to 11", "range"},
			{"letter", false, "one letter, e.g. А", "format"},
			{"name", false, "up to 100 characters; default parallel and letter, e.g. 5А", "unique in the year"},
			{"level", false, "education level code; default from the parallel", "enum of the directory"},
			{"capacity", false, "1 to 45", "range"},
		}
	}
	return nil
}
