package journal

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"shkola/internal/directory"
	"shkola/internal/errs"
)

// Scale kinds.
const (
	Numeric  = "numeric"
	PassFail = "pass_fail"
)

// Values of a pass/fail mark.
const (
	Pass = "pass"
	Fail = "fail"
)

// Scale is a mark scale as the mark_scale directory describes it.
//
// The averaging rule, stated on every journal page: marks are averaged
// weighted by their work kind; on a scale with modifiers a plus adds a
// quarter and a minus takes a quarter away (4+ counts as 4.25, 4− as 3.75),
// never beyond the ends of the scale (5+ counts as 5, 2− as 2); the
// suggested period mark is the average rounded half up (3.5 → 4). A period
// mark further than Step from that suggestion is set with a warning.
// Pass/fail marks are not averaged.
type Scale struct {
	Code      string `json:"code"`
	Kind      string `json:"kind"`
	Min       int    `json:"min"`
	Max       int    `json:"max"`
	Pass      int    `json:"pass"`
	Step      int    `json:"step"`
	Modifiers bool   `json:"modifiers"`
	Name      string `json:"name"`
}

// modifierWeight is what a plus or a minus adds to or takes from a mark.
const modifierWeight = 0.25

// DefaultScale is the scale of a country when no organisation up the tree
// has chosen one.
func DefaultScale(country string) string {
	if country == "UA" {
		return "ua12"
	}
	return "ru5"
}

// BuiltinScale describes the shipped scales, used when the directory entry
// is missing (a bare database) so that a mark is never judged against
// nothing. The migration seeds the directory with the same values.
func BuiltinScale(code string) (Scale, bool) {
	switch code {
	case "ru5":
		return Scale{Code: code, Kind: Numeric, Min: 2, Max: 5, Pass: 3, Step: 1, Modifiers: true}, true
	case "ua12":
		return Scale{Code: code, Kind: Numeric, Min: 1, Max: 12, Pass: 4, Step: 1}, true
	case "pass_fail":
		return Scale{Code: code, Kind: PassFail, Step: 1}, true
	case "percent":
		return Scale{Code: code, Kind: Numeric, Min: 0, Max: 100, Pass: 50, Step: 5}, true
	}
	return Scale{}, false
}

// ScaleFromEntry reads a directory entry of mark_scale.
func ScaleFromEntry(e directory.Entry) Scale {
	sc := Scale{Code: e.Code, Name: e.NameRU, Step: 1}
	num := func(k string) int {
		switch v := e.Attrs[k].(type) {
		case int64:
			return int(v)
		case float64:
			return int(v)
		}
		return 0
	}
	sc.Kind, _ = e.Attrs["kind"].(string)
	sc.Min, sc.Max, sc.Pass = num("min"), num("max"), num("pass")
	if st := num("step"); st > 0 {
		sc.Step = st
	}
	sc.Modifiers, _ = e.Attrs["modifiers"].(bool)
	if sc.Kind == "" {
		sc.Kind = Numeric
	}
	return sc
}

// Parse reads a mark as typed and returns its canonical value and the
// score that enters the average (nil for pass/fail). A mark outside the
// scale is an error naming the scale's range.
func (sc Scale) Parse(in string) (string, *float64, error) {
	s := strings.TrimSpace(in)
	if sc.Kind == PassFail {
		switch strings.ToLower(s) {
		case "pass", "зач", "зачёт", "зачет", "зарах", "зараховано", "p", "з", "+":
			return Pass, nil, nil
		case "fail", "незач", "незачёт", "незачет", "н/з", "не зарах", "f", "-", "−":
			return Fail, nil, nil
		}
		return "", nil, fmt.Errorf("the scale is pass/fail: write pass or fail")
	}
	mod := 0.0
	suffix := ""
	switch {
	case strings.HasSuffix(s, "+"):
		mod, suffix, s = modifierWeight, "+", strings.TrimSuffix(s, "+")
	case strings.HasSuffix(s, "-"):
		mod, suffix, s = -modifierWeight, "-", strings.TrimSuffix(s, "-")
	case strings.HasSuffix(s, "−"): // the typographic minus a phone keyboard may offer
		mod, suffix, s = -modifierWeight, "-", strings.TrimSuffix(s, "−")
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < sc.Min || n > sc.Max {
		return "", nil, fmt.Errorf("a mark on this scale is a whole number from %d to %d%s", sc.Min, sc.Max, sc.modHint())
	}
	if suffix != "" && !sc.Modifiers {
		return "", nil, fmt.Errorf("this scale has no plus or minus: write a whole number from %d to %d", sc.Min, sc.Max)
	}
	score := math.Min(float64(sc.Max), math.Max(float64(sc.Min), float64(n)+mod))
	return strconv.Itoa(n) + suffix, &score, nil
}

func (sc Scale) modHint() string {
	if sc.Modifiers {
		return ", with + or − if needed"
	}
	return ""
}

// Round is the suggested mark for an average: rounded half up.
func (sc Scale) Round(avg float64) int { return int(math.Floor(avg + 0.5)) }

// Warn reports whether a period mark with score differs from the rounded
// average by more than one step of the scale.
func (sc Scale) Warn(score *float64, avg *float64) bool {
	if score == nil || avg == nil || sc.Kind != Numeric {
		return false
	}
	return math.Abs(*score-float64(sc.Round(*avg))) > float64(sc.Step)
}

// Passing reports whether a mark counts as passing on the scale.
func (sc Scale) Passing(value string, score *float64) bool {
	if sc.Kind == PassFail {
		return value == Pass
	}
	return score != nil && *score >= float64(sc.Pass)
}

// describe reads a scale's entry from the directory (the builtin
// description if the directory has none).
func (s *Service) describe(ctx context.Context, code string) (Scale, error) {
	if s.Dirs != nil {
		e, err := s.Dirs.Get(ctx, directory.MarkScale, code)
		if err == nil {
			return ScaleFromEntry(e), nil
		}
		if errs.CodeOf(err) != errs.NotFound {
			return Scale{}, err
		}
	}
	if sc, ok := BuiltinScale(code); ok {
		return sc, nil
	}
	return Scale{}, errs.E(errs.NotFound, "there is no mark scale %q", code)
}

// journalDirs are the directories the journal reads on every write and
// grid: the scales, the work kinds with their weights, the absence reasons.
func journalDirs() []string {
	return []string{directory.MarkScale, directory.WorkKind, directory.AbsenceReason}
}

// dirVersionSQL is the version of journalDirs, selected by the queries
// that load a lesson or a group, so the cache is checked without a query.
func dirVersionSQL() string { return directory.VersionSQL(journalDirs()...) }

// directories returns journalDirs at version, from the cache while they
// stand still; nil when the service has no directory service.
func (s *Service) directories(ctx context.Context, version int64) (*directory.Snapshot, error) {
	if s.dirCache == nil {
		return nil, nil
	}
	return s.dirCache.At(ctx, version)
}

// scaleAt describes a scale from the directories at version (selected
// with the object that names the scale).
func (s *Service) scaleAt(ctx context.Context, version int64, code string) (Scale, error) {
	snap, err := s.directories(ctx, version)
	switch {
	case err != nil:
		return Scale{}, err
	case snap == nil:
		return s.describe(ctx, code)
	}
	return describeIn(snap, code)
}

// describeIn describes a scale as describe does, from a snapshot of the
// directories (nil: the builtin description only).
func describeIn(snap *directory.Snapshot, code string) (Scale, error) {
	if snap != nil {
		if e, ok := snap.Get(directory.MarkScale, code); ok {
			return ScaleFromEntry(e), nil
		}
	}
	if sc, ok := BuiltinScale(code); ok {
		return sc, nil
	}
	return Scale{}, errs.E(errs.NotFound, "there is no mark scale %q", code)
}
