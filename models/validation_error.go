package models

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mcp-refcache/taskschema/internal/jsonpointer"
)

// ValidationError reports why a payload or a value does not satisfy its
// schema. It lists every violation, not only the first. Find it with
// errors.As.
type ValidationError struct {
	// Schema is the stem of the schema that was applied, such as "task_info".
	Schema string
	// Violations lists every violation, sorted by InstancePath (token by
	// token, array indices as numbers: /retry_history/2 comes before
	// /retry_history/10), then Keyword, then Message; past Limits.MaxViolations, the first ones in
	// the order of the payload are listed, sorted, followed by one
	// violation with the keyword [KeywordLimit] that says more were left
	// out.
	Violations []Violation
}

// Violation is one reason why a payload or value was rejected. Its JSON
// form has the keys instancePath, keyword and message, as ajv and Python
// jsonschema name them.
type Violation struct {
	// InstancePath is the JSON Pointer (RFC 6901) of the offending value,
	// such as "/progress/percentage"; "" is the whole payload. For a missing
	// required property it points at the property that is missing.
	InstancePath string `json:"instancePath"`
	// Keyword is the schema keyword that failed, such as "minimum",
	// "required", "type" or "format". A payload that is not JSON at all has
	// the keyword [KeywordJSON]; a Go value that JSON cannot represent has
	// [KeywordGoValue].
	Keyword string `json:"keyword"`
	// Message says in words what is wrong.
	Message string `json:"message"`
}

// The keywords of violations. KeywordRequired and KeywordType are schema
// keywords that the library reports in its own words; the others mark what no
// schema keyword describes. Other violations carry the keyword of the schema
// that failed, such as "minimum" or "pattern".
const (
	// KeywordRequired marks a required property that is absent; the
	// violation's InstancePath is the pointer of the missing property.
	KeywordRequired = "required"
	// KeywordType marks a value of the wrong JSON type.
	KeywordType = "type"
	// KeywordJSON marks a payload that is not a single well-formed JSON
	// value: a syntax error, trailing data, or invalid input.
	KeywordJSON = "json"
	// KeywordGoValue marks a Go value that has no JSON form: a NaN or
	// infinite float, or a time.Time that RFC 3339 cannot write.
	KeywordGoValue = "go-value"
	// KeywordLimit marks a payload that exceeds one of its [Limits].
	KeywordLimit = "limit"
)

// Error returns one line for one violation, and a line per violation after a
// summary line for several.
func (e *ValidationError) Error() string {
	if len(e.Violations) == 1 {
		return fmt.Sprintf("taskschema: invalid %s: %s", e.Schema, e.Violations[0])
	}
	var b strings.Builder
	fmt.Fprintf(&b, "taskschema: invalid %s: %d violations:", e.Schema, len(e.Violations))
	for _, v := range e.Violations {
		b.WriteString("\n - ")
		b.WriteString(v.String())
	}
	return b.String()
}

// String formats the violation as "<pointer>: <keyword>: <message>", with the
// pointer "(root)" for the whole payload.
func (v Violation) String() string {
	path := v.InstancePath
	if path == "" {
		path = "(root)"
	}
	return fmt.Sprintf("%s: %s: %s", path, v.Keyword, v.Message)
}

// ErrUnsupportedType is returned (wrapped) when a value passed to Unmarshal,
// Marshal or Validate is not one of the model types, or is a nil pointer.
var ErrUnsupportedType = errors.New("taskschema: unsupported type")

// ErrValidatorFailed is returned (wrapped) when the generated code cannot
// give a verdict it can explain: a reader that rejects a payload without
// naming a violation, or a check that refuses a value whose encoding the
// reader accepts. The differential fuzz targets exist to rule both out. The
// payload or value is treated as rejected.
var ErrValidatorFailed = errors.New("taskschema: validator failed")

// newValidationError sorts the violations by pointer (array indices as
// numbers, so that they follow the payload's order), keyword and message,
// and de-duplicates them.
func newValidationError(name string, vs []Violation) *ValidationError {
	return &ValidationError{Schema: name, Violations: sortViolations(vs)}
}

// sortViolations sorts vs as ValidationError lists them and drops repeats.
func sortViolations(vs []Violation) []Violation {
	slices.SortFunc(vs, func(a, b Violation) int {
		return cmp.Or(
			jsonpointer.Compare(a.InstancePath, b.InstancePath),
			cmp.Compare(a.Keyword, b.Keyword),
			cmp.Compare(a.Message, b.Message))
	})
	return slices.Compact(vs)
}
