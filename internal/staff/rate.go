package staff

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Rate is the share of a full-time post (ставка): from 0.1 to 2 in steps of
// 0.05 (0.25, 0.5, 1, 1.5…). It is kept as canonical decimal text ("0.5",
// "1.25"), never as a float, and is a JSON number on the wire.
type Rate string

// Rate bounds in hundredths.
const (
	minRate  = 10
	maxRate  = 200
	rateStep = 5
)

// UnmarshalJSON accepts a number or a string holding one; anything else is
// kept as text so that validation names the field and the rule instead of
// the decoder refusing the whole body.
func (r *Rate) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*r = Rate(s)
		return nil
	}
	if string(b) == "null" {
		*r = ""
		return nil
	}
	*r = Rate(b)
	return nil
}

// MarshalJSON writes a valid rate as a number.
func (r Rate) MarshalJSON() ([]byte, error) {
	if c, rule := ParseRate(string(r)); rule == "" && c == r {
		return []byte(r), nil
	}
	return json.Marshal(string(r))
}

// hundredths parses "0.5", "0,5", "1", "1.25" into 50, 50, 100, 125.
func hundredths(s string) (int, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(whole) > 2 || len(frac) > 2 || (dot && frac == "") {
		return 0, false
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	w, _ := strconv.Atoi(whole)
	f := 0
	if frac != "" {
		f, _ = strconv.Atoi(frac)
		if len(frac) == 1 {
			f *= 10
		}
	}
	return w*100 + f, true
}

// ParseRate checks a rate and returns it in canonical form, or the broken
// rule (format, range, step).
func ParseRate(s string) (Rate, string) {
	if strings.TrimSpace(s) == "" {
		return "1", ""
	}
	h, ok := hundredths(s)
	switch {
	case !ok:
		return "", "format"
	case h < minRate || h > maxRate:
		return "", "range"
	case h%rateStep != 0:
		return "", "step"
	}
	out := strconv.Itoa(h / 100)
	if f := h % 100; f != 0 {
		out += strings.TrimRight("."+strconv.Itoa(100 + f)[1:], "0")
	}
	return Rate(out), ""
}
