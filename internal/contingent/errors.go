package contingent

import "shkola/internal/errs"

// RuleError is a refusal that names a school, a date or a number. The API
// answers it as the errs.Error it wraps; the UI translates the rule and
// fills in Data (School, Since, Date, Size, Capacity).
type RuleError struct {
	Err  *errs.Error
	Data map[string]string
}

func (e *RuleError) Error() string { return e.Err.Error() }
func (e *RuleError) Unwrap() error { return e.Err }

func ruleError(code errs.Code, field, rule, message string, data map[string]string) error {
	return &RuleError{Err: errs.Field(code, field, rule, message), Data: data}
}
