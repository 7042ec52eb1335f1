package models

import (
	"errors"
	"fmt"
	"io"
)

// Limits bound what reading one payload may cost. They are checked on the
// raw bytes before anything is decoded or validated, so a hostile payload is
// refused cheaply; a payload beyond a limit gives a *ValidationError with the
// keyword [KeywordLimit] and a message that names the limit. A limit of 0 is
// no limit.
//
// [Unmarshal] and [ValidateJSON] use [DefaultLimits]; call the methods of a
// Limits value to use others.
type Limits struct {
	// MaxBytes is the largest payload, in bytes. Default 1 MiB.
	MaxBytes int
	// MaxDepth is the deepest nesting of objects and arrays, in known and
	// unknown fields alike; the top-level object is depth 1. Default 64.
	MaxDepth int
	// MaxNumberLength is the longest number, in characters as written.
	// Default 100 (a float64 needs at most 24).
	MaxNumberLength int
	// MaxExponent is the largest decimal exponent a number may be written
	// with, in absolute value: 1e400 and 1e-400 have exponent 400. Default
	// 400 (float64 reaches 1e308 and 5e-324). Without it, a 12-byte number
	// such as 1e1000000000 makes the validator work with huge rationals.
	MaxExponent int
}

// KeywordLimit marks a payload that exceeds one of its [Limits].
const KeywordLimit = "limit"

// DefaultLimits returns the limits that Unmarshal and ValidateJSON apply.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 1 << 20, MaxDepth: 64, MaxNumberLength: 100, MaxExponent: 400}
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
	if l.MaxBytes <= 0 {
		return io.ReadAll(r)
	}
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

var errLoneSurrogate = errors.New("a \\u escape is a lone UTF-16 surrogate, which no valid string holds")

// check scans data once and returns the message of the first limit it
// exceeds, or "". It does not check the JSON syntax; the decoder does that
// afterwards, on data within the limits.
func (l Limits) check(data []byte) string {
	if l.MaxBytes > 0 && len(data) > l.MaxBytes {
		return fmt.Sprintf("payload is %d bytes, more than MaxBytes (%d)", len(data), l.MaxBytes)
	}
	depth := 0
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			i = skipString(data, i)
		case c == '{' || c == '[':
			depth++
			if l.MaxDepth > 0 && depth > l.MaxDepth {
				return fmt.Sprintf("nesting deeper than MaxDepth (%d) at byte %d", l.MaxDepth, i)
			}
		case c == '}' || c == ']':
			depth--
		case c == '-' || (c >= '0' && c <= '9'):
			end := numberEnd(data, i)
			if msg := l.checkNumber(data[i:end], i); msg != "" {
				return msg
			}
			i = end - 1
		}
	}
	return ""
}

func (l Limits) checkNumber(num []byte, at int) string {
	if l.MaxNumberLength > 0 && len(num) > l.MaxNumberLength {
		return fmt.Sprintf("number at byte %d is %d characters long, more than MaxNumberLength (%d)", at, len(num), l.MaxNumberLength)
	}
	if l.MaxExponent <= 0 {
		return ""
	}
	for j, c := range num {
		if c != 'e' && c != 'E' {
			continue
		}
		exp := 0
		for _, d := range num[j+1:] {
			if d >= '0' && d <= '9' {
				exp = exp*10 + int(d-'0')
				if exp > l.MaxExponent {
					return fmt.Sprintf("number at byte %d has an exponent beyond MaxExponent (%d)", at, l.MaxExponent)
				}
			}
		}
	}
	return ""
}

// skipString returns the index of the quote that closes the string opened at
// data[start], or len(data) when it is not closed.
func skipString(data []byte, start int) int {
	for i := start + 1; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return len(data)
}

// numberEnd returns the index just past the number-like run at data[start].
func numberEnd(data []byte, start int) int {
	i := start
	for i < len(data) {
		switch c := data[i]; {
		case c >= '0' && c <= '9', c == '-', c == '+', c == '.', c == 'e', c == 'E':
			i++
		default:
			return i
		}
	}
	return i
}
