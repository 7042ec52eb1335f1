package models

import (
	"encoding/json"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/mcp-refcache/taskschema/internal/jsonread"
)

// The generated readers and checks in model_gen.go call the helpers in this
// file with the bounds and patterns of the schemas. A reader returns false
// when the payload breaks the schema (or the reader stops on an error); at
// the top level it notes each rejected property value in a report, reads
// on, and the v6 validator then explains just those values. A check returns
// false as soon as a Go value breaks the schema.

// report lists what the top-level generated reader found wrong. A nil
// *report is what nested readers get: they stop at the first problem.
type report struct {
	failures []failure
	absent   []string // required properties that are absent
}

// failure is a value that its property's schema rejects.
type failure struct {
	schema     schemaID
	property   propertyID // propertyNone: the whole value
	pointer    string     // where the value is in the payload
	start, end int        // the value's bytes in the payload
}

// add notes that the value marked by m failed its property's schema, after
// reading the rest of it. It returns false when reading must stop: for a
// nested reader (rep is nil) or when the reader has failed.
func (rep *report) add(r *jsonread.Reader, m jsonread.Mark, schema schemaID, property propertyID) bool {
	if rep == nil {
		return false
	}
	r.Recover(m)
	if r.Failed() {
		return false
	}
	rep.failures = append(rep.failures, failure{
		schema: schema, property: property,
		pointer: r.Pointer(), start: m.Offset(), end: r.Offset(),
	})
	return true
}

// missing notes an absent required property of the top-level object.
func (rep *report) missing(property string) bool {
	if rep == nil {
		return false
	}
	rep.absent = append(rep.absent, property)
	return true
}

// empty reports whether nothing was found wrong.
func (rep *report) empty() bool {
	return rep == nil || len(rep.failures)+len(rep.absent) == 0
}

// intBounds are an integer property's inclusive bounds.
type intBounds struct {
	hasMin, hasMax bool
	min, max       int64
}

// floatBounds are a number property's inclusive bounds, as float64 and as
// the exact decimal written in the schema. The generator checks that each
// bound is exactly a float64, so comparing float64 values with them is exact.
type floatBounds struct {
	hasMin, hasMax   bool
	min, max         float64
	minText, maxText string
}

func (b intBounds) contains(i int64) bool {
	return (!b.hasMin || i >= b.min) && (!b.hasMax || i <= b.max)
}

// contains reports whether f lies within the bounds; NaN and the
// infinities, which JSON cannot write, never do.
func (b floatBounds) contains(f float64) bool {
	return (!b.hasMin || f >= b.min) && (!b.hasMax || f <= b.max) && !math.IsNaN(f) && !math.IsInf(f, 0)
}

// readInt reads an integer-valued number within b into dst.
func readInt(r *jsonread.Reader, dst *int64, b intBounds) bool {
	if r.Peek() != jsonread.Number {
		return false
	}
	tok := r.ReadNumber()
	if tok == nil {
		return false
	}
	i, ok := smallInteger(tok)
	if !ok {
		var err error
		if i, err = parseInteger(json.Number(tok)); err != nil {
			return false
		}
	}
	if !b.contains(i) {
		return false
	}
	*dst = i
	return true
}

// smallInteger parses a plain integer token of at most 18 digits without
// allocating.
func smallInteger(tok []byte) (int64, bool) {
	neg := len(tok) > 0 && tok[0] == '-'
	digits := tok
	if neg {
		digits = tok[1:]
	}
	if len(digits) == 0 || len(digits) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// readFloat reads a number within b into dst. The bounds are compared with
// the number as written: a number that rounds onto a bound is checked
// exactly, so 100.00000000000000001 is above a maximum of 100.
func readFloat(r *jsonread.Reader, dst *float64, b floatBounds) bool {
	if r.Peek() != jsonread.Number {
		return false
	}
	tok := r.ReadNumber()
	if tok == nil {
		return false
	}
	f, err := strconv.ParseFloat(string(tok), 64)
	if err != nil || math.IsInf(f, 0) || !b.contains(f) {
		return false
	}
	if (b.hasMin && f == b.min && compareDecimal(tok, b.minText) < 0) ||
		(b.hasMax && f == b.max && compareDecimal(tok, b.maxText) > 0) {
		return false
	}
	*dst = f
	return true
}

// compareDecimal compares two numbers written in JSON exactly. The reader's
// exponent limit keeps the rationals small.
func compareDecimal(a []byte, b string) int {
	x, okX := new(big.Rat).SetString(string(a))
	y, okY := new(big.Rat).SetString(b)
	if !okX || !okY {
		return 0
	}
	return x.Cmp(y)
}

func readString(r *jsonread.Reader, dst *string) bool {
	if r.Peek() != jsonread.String {
		return false
	}
	*dst = r.ReadString()
	return !r.Failed()
}

func readBool(r *jsonread.Reader, dst *bool) bool {
	if r.Peek() != jsonread.Bool {
		return false
	}
	*dst = r.ReadBool()
	return !r.Failed()
}

// readDateTime reads a date-time that matches pattern into dst. The
// schema's pattern restates RFC 3339's grammar; dateTimeInRange then checks
// the ranges of the parts, as the validator's "date-time" format does.
func readDateTime(r *jsonread.Reader, dst *time.Time, pattern *regexp.Regexp) bool {
	if r.Peek() != jsonread.String {
		return false
	}
	b := r.ReadStringBytes()
	if b == nil || !pattern.Match(b) || !dateTimeInRange(b) {
		return false
	}
	t, err := parseDateTime(string(b))
	if err != nil {
		return false
	}
	*dst = t
	return true
}

// validString reports whether s has a JSON form that reads back as s:
// encoding/json would replace invalid UTF-8.
func validString(s string) bool {
	return utf8.ValidString(s)
}

// validDateTime reports whether t has an RFC 3339 form that reads back as
// the same instant and offset and matches pattern.
func validDateTime(t time.Time, pattern *regexp.Regexp) bool {
	if dateTimeViolation(t) != "" {
		return false
	}
	var buf [64]byte
	return pattern.Match(t.AppendFormat(buf[:0], time.RFC3339Nano))
}

// readArray reads an array whose items read reads.
func readArray[T any](r *jsonread.Reader, dst *[]T, read func(*jsonread.Reader, *T, *report) bool) bool {
	if r.Peek() != jsonread.Array || !r.ReadArray() {
		return false
	}
	items := []T{}
	for r.NextItem() {
		var item T
		if !read(r, &item, nil) {
			return false
		}
		items = append(items, item)
	}
	if r.Failed() {
		return false
	}
	*dst = items
	return true
}

// checkArray reports whether every item passes check.
func checkArray[T any](items []T, check func(*T) bool) bool {
	for i := range items {
		if !check(&items[i]) {
			return false
		}
	}
	return true
}

// dateTimeInRange checks the ranges of a date-time that matches RFC 3339's
// grammar (so its parts stand at fixed places): a real calendar date, hour
// up to 23, minute up to 59, second up to 60 (the schema's pattern already
// refuses 60), and an offset of at most 23:59. These are the rules of the
// validator's "date-time" format; time.Parse alone would let an offset of
// +24:00 through.
func dateTimeInRange(b []byte) bool {
	if len(b) < 20 {
		return false
	}
	if _, err := time.Parse(time.DateOnly, string(b[:10])); err != nil {
		return false
	}
	if twoDigits(b[11:]) > 23 || twoDigits(b[14:]) > 59 || twoDigits(b[17:]) > 60 {
		return false
	}
	if last := b[len(b)-1]; last == 'Z' || last == 'z' {
		return true
	}
	offset := b[len(b)-5:] // hh:mm after the sign
	return twoDigits(offset) <= 23 && twoDigits(offset[3:]) <= 59
}

func twoDigits(b []byte) int {
	return int(b[0]-'0')*10 + int(b[1]-'0')
}
