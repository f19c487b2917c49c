package portfolio

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultRule is the "gifted child" rule when SHKOLA_GIFTED_RULE is not set
// (seed 003: a prize at regional level or above in the last two years).
const DefaultRule = "result >= prize_winner AND level >= regional AND within 2 years"

// The rule is a small readable expression over ONE confirmed achievement; a
// pupil is gifted when at least one of their confirmed achievements
// satisfies it. The language, written to be read by the people it affects:
//
//	rule    = or
//	or      = and { "OR" and }
//	and     = not { "AND" not }
//	not     = "NOT" not | "(" or ")" | compare | within
//	compare = field op code        field: result, level, kind, subject
//	op      = "=" | "!=" | "<" | "<=" | ">" | ">="   (ordering only for result and level)
//	within  = "within" n ("years" | "year" | "months" | "month")
//
// Keywords are case-insensitive; codes are those of the directories.
const (
	maxRuleLen   = 500
	maxRuleDepth = 16
	maxYears     = 50
	maxMonths    = 600
)

// Orders of the ranked fields: the rule's vocabulary. They are the seeded
// codes of the achievement_level and achievement_result directories.
var (
	levelOrder  = []string{"school", "municipal", "regional", "national", "international"}
	resultOrder = []string{"participant", "prize_winner", "winner"}
)

// Levels and Results list the codes in rank order, lowest first.
func Levels() []string  { return slices.Clone(levelOrder) }
func Results() []string { return slices.Clone(resultOrder) }

// Rule is a parsed gifted rule.
type Rule struct {
	text string
	root node
}

// Text is the rule as configured (trimmed), shown beside the attribute.
func (r *Rule) Text() string { return r.text }

// RuleError says where the rule text is wrong and why.
type RuleError struct {
	Col int // 1-based column of the offending token (in characters)
	Msg string
}

func (e *RuleError) Error() string { return fmt.Sprintf("at column %d: %s", e.Col, e.Msg) }

// Facts are what the rule may ask about one achievement.
type Facts struct {
	Kind, Subject, Level, Result string
	On                           time.Time // the achievement's date
}

// Matches reports whether an achievement satisfies the rule on day now.
func (r *Rule) Matches(f Facts, now time.Time) bool { return r.root.eval(f, now) }

// HasWindow reports whether the rule depends on the day it is evaluated
// (a "within" clause), so stored flags go stale as days pass.
func (r *Rule) HasWindow() bool { return r.root.window() }

// ParseRule parses and validates a rule; the error names the column and
// the problem.
func ParseRule(text string) (*Rule, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, &RuleError{Col: 1, Msg: "the rule is empty"}
	}
	if len(text) > maxRuleLen {
		return nil, &RuleError{Col: 1, Msg: fmt.Sprintf("the rule is longer than %d characters", maxRuleLen)}
	}
	toks, err := lex(text)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	root, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, &RuleError{Col: t.col, Msg: fmt.Sprintf("unexpected %q; join conditions with AND or OR", t.text)}
	}
	return &Rule{text: text, root: root}, nil
}

// MustParseRule parses a rule known to be valid (constants, tests).
func MustParseRule(text string) *Rule {
	r, err := ParseRule(text)
	if err != nil {
		panic(err)
	}
	return r
}

type tokKind int

const (
	tEOF tokKind = iota
	tWord
	tNum
	tOp
	tLParen
	tRParen
)

type token struct {
	kind tokKind
	text string
	col  int
}

func isWordRune(c rune) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func lex(text string) ([]token, error) {
	var out []token
	rs := []rune(text)
	for i := 0; i < len(rs); {
		c, col := rs[i], i+1
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			out = append(out, token{tLParen, "(", col})
			i++
		case c == ')':
			out = append(out, token{tRParen, ")", col})
			i++
		case c == '=' || c == '<' || c == '>' || c == '!':
			op := string(c)
			if i+1 < len(rs) && rs[i+1] == '=' {
				op += "="
			}
			if op == "!" {
				return nil, &RuleError{Col: col, Msg: `"!" must be followed by "=" (not equal); use NOT to negate`}
			}
			if op == "==" {
				op = "="
			}
			out = append(out, token{tOp, op, col})
			i += len([]rune(op))
			if op == "=" && i < len(rs) && rs[i] == '=' {
				i++ // "==" reads as "="
			}
		case c >= '0' && c <= '9':
			j := i
			for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
				j++
			}
			if j < len(rs) && isWordRune(rs[j]) {
				return nil, &RuleError{Col: col, Msg: fmt.Sprintf("%q is neither a number nor a word", string(rs[i:j+1]))}
			}
			out = append(out, token{tNum, string(rs[i:j]), col})
			i = j
		case isWordRune(c):
			j := i
			for j < len(rs) && isWordRune(rs[j]) {
				j++
			}
			out = append(out, token{tWord, string(rs[i:j]), col})
			i = j
		default:
			return nil, &RuleError{Col: col, Msg: fmt.Sprintf("unexpected character %q", string(c))}
		}
	}
	return append(out, token{tEOF, "end of rule", len(rs) + 1}), nil
}

type parser struct {
	toks []token
	pos  int
}

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

func (p *parser) keyword(kw string) bool {
	t := p.peek()
	if t.kind == tWord && strings.EqualFold(t.text, kw) {
		p.pos++
		return true
	}
	return false
}

func (p *parser) or(depth int) (node, error) {
	first, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	list := []node{first}
	for p.keyword("or") {
		n, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		list = append(list, n)
	}
	if len(list) == 1 {
		return first, nil
	}
	return orNode(list), nil
}

func (p *parser) and(depth int) (node, error) {
	first, err := p.not(depth)
	if err != nil {
		return nil, err
	}
	list := []node{first}
	for p.keyword("and") {
		n, err := p.not(depth)
		if err != nil {
			return nil, err
		}
		list = append(list, n)
	}
	if len(list) == 1 {
		return first, nil
	}
	return andNode(list), nil
}

func (p *parser) not(depth int) (node, error) {
	if depth > maxRuleDepth {
		return nil, &RuleError{Col: p.peek().col, Msg: fmt.Sprintf("the rule nests deeper than %d levels", maxRuleDepth)}
	}
	t := p.peek()
	switch {
	case t.kind == tWord && strings.EqualFold(t.text, "not"):
		p.next()
		n, err := p.not(depth + 1)
		if err != nil {
			return nil, err
		}
		return notNode{n}, nil
	case t.kind == tLParen:
		p.next()
		n, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tRParen {
			return nil, &RuleError{Col: c.col, Msg: fmt.Sprintf("expected \")\" to close the bracket at column %d, found %q", t.col, c.text)}
		}
		return group{n}, nil
	case t.kind == tWord && strings.EqualFold(t.text, "within"):
		return p.within()
	case t.kind == tWord:
		return p.compare()
	}
	return nil, &RuleError{Col: t.col, Msg: fmt.Sprintf("expected a condition (result, level, kind, subject or within), found %q", t.text)}
}

func (p *parser) within() (node, error) {
	p.next()
	n := p.next()
	if n.kind != tNum {
		return nil, &RuleError{Col: n.col, Msg: fmt.Sprintf("expected a number after within, found %q", n.text)}
	}
	count, err := strconv.Atoi(n.text)
	u := p.next()
	unit := strings.ToLower(u.text)
	if u.kind != tWord || (unit != "years" && unit != "year" && unit != "months" && unit != "month") {
		return nil, &RuleError{Col: u.col, Msg: fmt.Sprintf("expected years or months after the number, found %q", u.text)}
	}
	unit = strings.TrimSuffix(unit, "s") + "s"
	limit := maxYears
	if unit == "months" {
		limit = maxMonths
	}
	if err != nil || count < 1 || count > limit {
		return nil, &RuleError{Col: n.col, Msg: fmt.Sprintf("the number of %s must be from 1 to %d", unit, limit)}
	}
	return withinNode{n: count, unit: unit}, nil
}

// fields the rule may compare, with their codes in rank order (nil codes:
// any code, only = and !=).
func fieldCodes(field string) (codes []string, ranked, known bool) {
	switch field {
	case "level":
		return levelOrder, true, true
	case "result":
		return resultOrder, true, true
	case "kind":
		return Kinds(), false, true
	case "subject":
		return nil, false, true
	}
	return nil, false, false
}

func (p *parser) compare() (node, error) {
	f := p.next()
	field := strings.ToLower(f.text)
	codes, ranked, known := fieldCodes(field)
	if !known {
		return nil, &RuleError{Col: f.col, Msg: fmt.Sprintf("unknown field %q; use result, level, kind, subject or within", f.text)}
	}
	op := p.next()
	if op.kind != tOp {
		return nil, &RuleError{Col: op.col, Msg: fmt.Sprintf("expected a comparison (=, !=, <, <=, >, >=) after %s, found %q", field, op.text)}
	}
	if !ranked && op.text != "=" && op.text != "!=" {
		return nil, &RuleError{Col: op.col, Msg: fmt.Sprintf("%s has no order; compare it with = or !=", field)}
	}
	v := p.next()
	value := strings.ToLower(v.text)
	if v.kind != tWord {
		return nil, &RuleError{Col: v.col, Msg: fmt.Sprintf("expected a code after %s %s, found %q", field, op.text, v.text)}
	}
	if codes != nil && !slices.Contains(codes, value) {
		return nil, &RuleError{Col: v.col, Msg: fmt.Sprintf("%q is not a %s; use one of %s", v.text, field, strings.Join(codes, ", "))}
	}
	if codes == nil && len(value) > 40 {
		return nil, &RuleError{Col: v.col, Msg: "a subject code is at most 40 characters"}
	}
	return cmpNode{field: field, op: op.text, value: value}, nil
}

// node is one part of a parsed rule.
type node interface {
	eval(f Facts, now time.Time) bool
	window() bool
	describe(w Words) string
}

type (
	andNode    []node
	orNode     []node
	notNode    struct{ n node }
	group      struct{ n node }
	cmpNode    struct{ field, op, value string }
	withinNode struct {
		n    int
		unit string
	}
)

func (a andNode) eval(f Facts, now time.Time) bool {
	for _, n := range a {
		if !n.eval(f, now) {
			return false
		}
	}
	return true
}

func (o orNode) eval(f Facts, now time.Time) bool {
	for _, n := range o {
		if n.eval(f, now) {
			return true
		}
	}
	return false
}

func (n notNode) eval(f Facts, now time.Time) bool { return !n.n.eval(f, now) }
func (g group) eval(f Facts, now time.Time) bool   { return g.n.eval(f, now) }

func (c cmpNode) eval(f Facts, _ time.Time) bool {
	var got string
	switch c.field {
	case "level":
		got = f.Level
	case "result":
		got = f.Result
	case "kind":
		got = f.Kind
	case "subject":
		got = f.Subject
	}
	switch c.op {
	case "=":
		return got == c.value
	case "!=":
		return got != c.value
	}
	codes, _, _ := fieldCodes(c.field)
	gi, vi := slices.Index(codes, got), slices.Index(codes, c.value)
	if gi < 0 {
		return false // a code outside the rule's order never satisfies an ordering
	}
	switch c.op {
	case "<":
		return gi < vi
	case "<=":
		return gi <= vi
	case ">":
		return gi > vi
	}
	return gi >= vi
}

func (w withinNode) eval(f Facts, now time.Time) bool {
	if f.On.IsZero() {
		return false
	}
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	from := day.AddDate(-w.n, 0, 0)
	if w.unit == "months" {
		from = day.AddDate(0, -w.n, 0)
	}
	return !f.On.Before(from)
}

func (a andNode) window() bool {
	for _, n := range a {
		if n.window() {
			return true
		}
	}
	return false
}

func (o orNode) window() bool   { return andNode(o).window() }
func (n notNode) window() bool  { return n.n.window() }
func (g group) window() bool    { return g.n.window() }
func (cmpNode) window() bool    { return false }
func (withinNode) window() bool { return true }

// Words renders a rule in a language: the web layer implements it with its
// message catalogues, so the rule is shown in words in ru, uk and en.
type Words interface {
	// Compare is "field op value" as a phrase, e.g. "level at least regional".
	Compare(field, op, value string) string
	// Within is "in the last n years|months".
	Within(n int, unit string) string
	// Join joins phrases with "and" or "or".
	Join(conj string, parts []string) string
	// Not negates a phrase.
	Not(s string) string
}

// Describe renders the rule in words.
func (r *Rule) Describe(w Words) string { return r.root.describe(w) }

func (a andNode) describe(w Words) string { return w.Join("and", describeAll(a, w)) }
func (o orNode) describe(w Words) string  { return w.Join("or", describeAll(o, w)) }
func (n notNode) describe(w Words) string { return w.Not(n.n.describe(w)) }
func (g group) describe(w Words) string   { return "(" + g.n.describe(w) + ")" }
func (c cmpNode) describe(w Words) string { return w.Compare(c.field, c.op, c.value) }
func (x withinNode) describe(w Words) string {
	return w.Within(x.n, x.unit)
}

func describeAll(list []node, w Words) []string {
	out := make([]string, len(list))
	for i, n := range list {
		out[i] = n.describe(w)
	}
	return out
}
