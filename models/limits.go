package models

import (
	"fmt"
	"io"

	"github.com/mcp-refcache/taskschema/internal/jsonread"
)

// Limits bound what reading one payload may cost. They are checked on the
// raw bytes before anything is decoded or validated, so a hostile payload is
// refused cheaply; a payload beyond a limit gives a *ValidationError with the
// keyword [KeywordLimit] and a message that names the limit.
//
// Every limit has a ceiling, given by [LimitCeilings], that is always
// enforced: a limit of 0, a negative limit or one above its ceiling means the
// ceiling. So no Limits value, Limits{} included, lets a payload make a call
// run for minutes, allocate without bound or reach the validator with a
// number it cannot handle.
//
// [Unmarshal], [ValidateJSON] and [Marshal] use [DefaultLimits]; call the
// methods of a Limits value to use others. [Limits.Marshal] refuses to write
// what [Limits.Unmarshal] with the same limits would refuse to read.
type Limits struct {
	// MaxBytes is the largest payload, in bytes. Default 1 MiB, ceiling
	// 64 MiB.
	MaxBytes int
	// MaxDepth is the deepest nesting of objects and arrays, in known and
	// unknown fields alike; the top-level object is depth 1. Default 64,
	// ceiling 1000: a million nested brackets would otherwise cost
	// hundreds of megabytes.
	MaxDepth int
	// MaxNumberLength is the longest number, in characters as written.
	// Default 100 (a float64 needs at most 24), ceiling 1000.
	MaxNumberLength int
	// MaxExponent is the largest decimal exponent a number may be written
	// with, in absolute value: 1e400 and 1e-400 have exponent 400. Default
	// 400 (float64 reaches 1e308 and 5e-324), ceiling 1000. Without it, a
	// 12-byte number such as 1e1000000000 would make the validator panic,
	// and -1e-999999 work for minutes with huge rationals.
	MaxExponent int
	// MaxViolations is the most violations listed for one payload; past it,
	// a last violation with the keyword [KeywordLimit] says that more were
	// left out. Default 100, ceiling 1000. Without it, a 1 MiB array of
	// 349,000 empty objects would give a million violations and cost
	// hundreds of megabytes.
	MaxViolations int
}

// DefaultLimits returns the limits that Unmarshal and ValidateJSON apply.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 1 << 20, MaxDepth: 64, MaxNumberLength: 100, MaxExponent: 400, MaxViolations: 100}
}

// LimitCeilings returns the ceiling of each limit: 64 MiB, a depth of 1000,
// numbers of 1000 characters and exponents up to 1000, and 1000 violations.
// At these ceilings the validator compares any number in well under a
// millisecond, and a payload costs memory in proportion to its size. A
// limit of 0, a negative one or one above its ceiling is the ceiling.
func LimitCeilings() Limits {
	return Limits{MaxBytes: 64 << 20, MaxDepth: 1000, MaxNumberLength: 1000, MaxExponent: 1000, MaxViolations: 1000}
}

// effective returns l with every limit that is 0, negative or above its
// ceiling replaced by the ceiling.
func (l Limits) effective() Limits {
	c := LimitCeilings()
	return Limits{
		MaxBytes:        withinCeiling(l.MaxBytes, c.MaxBytes),
		MaxDepth:        withinCeiling(l.MaxDepth, c.MaxDepth),
		MaxNumberLength: withinCeiling(l.MaxNumberLength, c.MaxNumberLength),
		MaxExponent:     withinCeiling(l.MaxExponent, c.MaxExponent),
		MaxViolations:   withinCeiling(l.MaxViolations, c.MaxViolations),
	}
}

func withinCeiling(limit, ceiling int) int {
	if uint(limit-1) >= uint(ceiling) { // limit <= 0 or limit > ceiling, in one comparison
		return ceiling
	}
	return limit
}

// Unmarshal is [Unmarshal] with these limits.
func (l Limits) Unmarshal(data []byte, v any) error {
	return unmarshal(l, data, v)
}

// ValidateJSON is [ValidateJSON] with these limits.
func (l Limits) ValidateJSON(name string, data []byte) error {
	return validateJSON(l, name, data)
}

// ReadAll reads a payload from r, but never more than MaxBytes+1 bytes: a
// longer payload gives a *ValidationError with the keyword [KeywordLimit]
// for the schema name, without reading the rest. Use it wherever a payload
// comes from a reader (a file, standard input, a network body).
func (l Limits) ReadAll(r io.Reader, name string) ([]byte, error) {
	l = l.effective()
	data, err := io.ReadAll(io.LimitReader(r, int64(l.MaxBytes)+1))
	if err != nil {
		return nil, err
	}
	if len(data) > l.MaxBytes {
		return nil, newValidationError(name, []Violation{{Keyword: KeywordLimit,
			Message: fmt.Sprintf("payload is more than MaxBytes (%d) bytes", l.MaxBytes)}})
	}
	return data, nil
}

// reader returns the limits that the payload reader enforces; l must be
// effective already.
func (l Limits) reader() jsonread.Limits {
	return jsonread.Limits{MaxDepth: l.MaxDepth, MaxNumberLength: l.MaxNumberLength, MaxExponent: l.MaxExponent}
}
