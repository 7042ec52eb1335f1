package models

import (
	"encoding/json"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/mcp-refcache/taskschema/internal/jsonpointer"
	"github.com/mcp-refcache/taskschema/internal/jsonread"
)

// The generated readers and checks in model_gen.go call the helpers in this
// file with the bounds and patterns of the schemas. A reader returns false
// when the payload breaks the schema (or the reader stops on an error).
// Whatever it finds wrong it writes into the report as a violation, worded
// as the v6 validator words it (the differential fuzz targets compare the
// two lists), and it reads on: a rejected value is skipped, a nested
// object read to its end, so that one pass finds every violation. The JSON
// Pointer of a violation is built only when there is one. A check returns
// false as soon as a Go value breaks the schema.

// report collects the violations that the generated readers find, in the
// order of the payload, at most max of them (0: no maximum).
type report struct {
	vs  []Violation
	n   int // violations found, listed or not
	max int
	err *ValidationError // made with room for vs at the first violation
	// text is where the pointers and the built messages of the violations
	// are written; their strings point into it. It is only ever appended
	// to, and append copies it when it grows, so no byte that a string
	// holds is written again.
	text []byte
}

// rejectionBlock is the *ValidationError of a payload rejected as a whole
// at its top level (the wrong type, or a value outside an enum), which has
// no other violation, and room for that one: a violation with no text to
// write is one of those, as every other pointer is written.
type rejectionBlock struct {
	err  ValidationError
	room [1]Violation
}

// rejectionTextBlock is the *ValidationError of any other rejection, room
// for its first violations and for their text (pointers and built
// messages), allocated as one.
type rejectionTextBlock struct {
	err  ValidationError
	room [3]Violation
	text [104]byte // with the rest, the block fits a 288-byte size class
}

// begin makes the block at the first violation, with room for text when
// the violation needs some.
func (rep *report) begin(needText bool) {
	if rep.err != nil {
		return
	}
	if needText {
		b := new(rejectionTextBlock)
		rep.err, rep.vs, rep.text = &b.err, b.room[:0], b.text[:0]
	} else {
		b := new(rejectionBlock)
		rep.err, rep.vs = &b.err, b.room[:0]
	}
}

// append lists a violation.
func (rep *report) append(v Violation) {
	rep.begin(false)
	rep.vs = append(rep.vs, v)
}

// reserve makes room for n more bytes of text, so that the text of one
// payload's violations is usually in one allocation.
func (rep *report) reserve(n int) {
	if cap(rep.text)-len(rep.text) < n {
		rep.text = slices.Grow(rep.text, max(n, 160))
	}
}

// textFrom returns the text written since offset at, as a string that
// shares its bytes.
func (rep *report) textFrom(at int) string {
	if at == len(rep.text) {
		return ""
	}
	return unsafe.String(&rep.text[at], len(rep.text)-at)
}

// validationError returns the *ValidationError of the violations listed,
// for the schema name, sorted as newValidationError sorts them.
func (rep *report) validationError(name string) *ValidationError {
	if rep.err == nil {
		return newValidationError(name, rep.vs)
	}
	e := rep.err
	e.Schema, e.Violations = name, sortViolations(rep.vs)
	return e
}

// listed counts one more violation and reports whether it is to be
// listed: the pointer and the message are built only then.
func (rep *report) listed() bool {
	rep.n++
	return rep.max <= 0 || len(rep.vs) < rep.max
}

// add notes a violation of the value the reader has just read, with a
// message that is held as it is (a constant, or a string made for it).
func (rep *report) add(r *jsonread.Reader, keyword, message string) {
	rep.append(Violation{InstancePath: rep.pointer(r, ""), Keyword: keyword, Message: message})
}

// addJoined is add with a message made of parts, which are copied into
// the report's text with the pointer, so that the violation does not
// allocate on its own.
func (rep *report) addJoined(r *jsonread.Reader, keyword string, parts ...string) {
	pointer := rep.pointer(r, "")
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	rep.begin(true)
	rep.reserve(n)
	at := len(rep.text)
	for _, p := range parts {
		rep.text = append(rep.text, p...)
	}
	rep.append(Violation{InstancePath: pointer, Keyword: keyword, Message: rep.textFrom(at)})
}

// pointer writes into the report's text the pointer of the value the
// reader has just read, followed by the member key when it is not "", and
// returns it.
func (rep *report) pointer(r *jsonread.Reader, key string) string {
	bound := r.PointerBound()
	if bound == 0 && key == "" {
		return "" // the payload's top level
	}
	rep.begin(true)
	rep.reserve(bound + 1 + 2*len(key))
	at := len(rep.text)
	rep.text = r.AppendPointer(rep.text)
	if key != "" {
		rep.text = append(rep.text, '/')
		rep.text = append(rep.text, jsonpointer.Escape(key)...)
	}
	return rep.textFrom(at)
}

// more reports whether violations were found past max.
func (rep *report) more() bool { return rep.n > len(rep.vs) }

// jsonTypes names the JSON type of a value by the kind of its first byte,
// as the validator names it.
var jsonTypes = [256]string{
	jsonread.Null: "null", jsonread.Bool: "boolean", jsonread.Number: "number",
	jsonread.String: "string", jsonread.Object: "object", jsonread.Array: "array",
}

// wrongType skips the next value, which has a JSON type other than want
// (such as "integer or null"), and notes the violation. It returns false.
//
//go:noinline
func (rep *report) wrongType(r *jsonread.Reader, want string) bool {
	got := jsonTypes[r.Peek()]
	r.Skip()
	if r.Failed() {
		return false
	}
	if rep.listed() {
		rep.addJoined(r, KeywordType, "got ", got, ", want ", want)
	}
	return false
}

// missing notes that the object just read lacks the required property
// name. It is reported at the property's own pointer.
//
//go:noinline
func (rep *report) missing(r *jsonread.Reader, name string) {
	if !rep.listed() {
		return
	}
	pointer := rep.pointer(r, name)
	rep.reserve(len(name) + 40)
	at := len(rep.text)
	rep.text = strconv.AppendQuote(append(rep.text, "missing required property "...), name)
	rep.append(Violation{InstancePath: pointer, Keyword: KeywordRequired, Message: rep.textFrom(at)})
}

// notInEnum notes that the string just read is none of an enum's values;
// message lists them.
//
//go:noinline
func (rep *report) notInEnum(r *jsonread.Reader, message string) bool {
	if !r.Failed() && rep.listed() {
		rep.add(r, "enum", message)
	}
	return false
}

// intBounds are an integer property's inclusive bounds, and the bounds as a
// message writes them.
type intBounds struct {
	hasMin, hasMax     bool
	min, max           int64
	minWords, maxWords string
}

// floatBounds are a number property's inclusive bounds, as float64, as the
// exact decimal written in the schema, and as a message writes them. The
// generator checks that each bound is exactly a float64, so comparing
// float64 values with them is exact.
type floatBounds struct {
	hasMin, hasMax     bool
	min, max           float64
	minText, maxText   string
	minWords, maxWords string
}

func (b intBounds) contains(i int64) bool {
	return (!b.hasMin || i >= b.min) && (!b.hasMax || i <= b.max)
}

// contains reports whether f lies within the bounds; NaN and the
// infinities, which JSON cannot write, never do.
func (b floatBounds) contains(f float64) bool {
	return (!b.hasMin || f >= b.min) && (!b.hasMax || f <= b.max) && !math.IsNaN(f) && !math.IsInf(f, 0)
}

// readInt reads an integer-valued number within b into dst; want is the
// property's JSON type, for a violation ("integer" or "null or integer").
func readInt(r *jsonread.Reader, dst *int64, b intBounds, want string, rep *report) bool {
	if r.Peek() != jsonread.Number {
		return rep.wrongType(r, want)
	}
	tok := r.ReadNumber()
	if tok == nil {
		return false
	}
	i, ok := smallInteger(tok)
	if ok && b.contains(i) {
		*dst = i
		return true
	}
	if ok {
		return intViolation(r, i, tok, b, rep)
	}
	return readIntSlow(r, dst, tok, b, want, rep)
}

// intViolation notes which bound the integer i, written tok, breaks. It
// returns false.
//
//go:noinline
func intViolation(r *jsonread.Reader, i int64, tok []byte, b intBounds, rep *report) bool {
	if !rep.listed() {
		return false
	}
	if b.hasMin && i < b.min {
		rep.addJoined(r, "minimum", "must be at least ", b.minWords, ", got ", string(tok))
	} else {
		rep.addJoined(r, "maximum", "must be at most ", b.maxWords, ", got ", string(tok))
	}
	return false
}

// readIntSlow is readInt for a number that is not a plain integer of at
// most 18 digits, or is beyond the bounds.
//
//go:noinline
func readIntSlow(r *jsonread.Reader, dst *int64, tok []byte, b intBounds, want string, rep *report) bool {
	if !integral(tok) {
		if rep.listed() {
			rep.addJoined(r, KeywordType, "got number, want ", want)
		}
		return false
	}
	i, err := parseInteger(json.Number(tok))
	if err == nil && b.contains(i) {
		*dst = i
		return true
	}
	if err == nil {
		return intViolation(r, i, tok, b, rep)
	}
	if !rep.listed() {
		return false
	}
	x, ok := new(big.Rat).SetString(string(tok))
	switch {
	case !ok: // the reader has checked the syntax already
		rep.addJoined(r, KeywordType, "got number, want ", want)
	case b.hasMin && x.Cmp(big.NewRat(b.min, 1)) < 0:
		rep.addJoined(r, "minimum", "must be at least ", b.minWords, ", got ", string(tok))
	case b.hasMax && x.Cmp(big.NewRat(b.max, 1)) > 0:
		rep.addJoined(r, "maximum", "must be at most ", b.maxWords, ", got ", string(tok))
	default:
		// An integer beyond int64 within the bounds cannot be: the
		// generator refuses a bound an int64 cannot hold. Counted but not
		// listed, it makes Unmarshal report ErrValidatorFailed.
		rep.n--
	}
	return false
}

// integral reports whether the number token tok, which the reader has
// checked, has an integer value, as 2.0, 1e2 and 150e-1 have and 2.5 has
// not: its digits without trailing zeros, scaled by its exponent, need no
// fraction. It does not allocate.
func integral(tok []byte) bool {
	i := 0
	if tok[0] == '-' {
		i++
	}
	digits, trailing, fraction := 0, 0, 0 // significant digits so far, trailing zeros among them, digits after the point
	inFraction := false
	for ; i < len(tok); i++ {
		c := tok[i]
		switch {
		case c == '.':
			inFraction = true
			continue
		case c == 'e' || c == 'E':
		case c == '0':
			if digits > 0 {
				digits++
				trailing++
			}
			if inFraction {
				fraction++
			}
			continue
		default:
			digits++
			trailing = 0
			if inFraction {
				fraction++
			}
			continue
		}
		break
	}
	if digits == 0 {
		return true // zero, whatever the exponent
	}
	exp := 0
	if i < len(tok) { // the exponent, which the reader keeps within its limit
		i++
		neg := tok[i] == '-'
		if tok[i] == '-' || tok[i] == '+' {
			i++
		}
		for ; i < len(tok); i++ {
			if exp < 1<<20 {
				exp = exp*10 + int(tok[i]-'0')
			}
		}
		if neg {
			exp = -exp
		}
	}
	return exp-fraction+trailing >= 0
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
func readFloat(r *jsonread.Reader, dst *float64, b floatBounds, want string, rep *report) bool {
	if r.Peek() != jsonread.Number {
		return rep.wrongType(r, want)
	}
	tok := r.ReadNumber()
	if tok == nil {
		return false
	}
	f, ok := exactFloat(tok)
	var err error
	if !ok {
		f, err = strconv.ParseFloat(string(tok), 64)
	}
	if err != nil || !b.contains(f) ||
		(b.hasMin && f == b.min && compareDecimal(tok, b.minText) < 0) ||
		(b.hasMax && f == b.max && compareDecimal(tok, b.maxText) > 0) {
		return floatViolation(r, tok, f, err, b, rep)
	}
	*dst = f
	return true
}

// exactFloat converts a number token without an exponent whose digits,
// the point left out, make an integer below 2^53 and that has at most 22
// digits after the point: the integer and the power of ten are then exact
// float64 values, and their quotient, rounded once, is the float64 nearest
// the number, as strconv.ParseFloat gives it. ok is false for any other
// token, which strconv.ParseFloat then reads.
func exactFloat(tok []byte) (f float64, ok bool) {
	i, neg := 0, false
	if len(tok) > 0 && tok[0] == '-' {
		i, neg = 1, true
	}
	var mantissa uint64
	digits, fraction, inFraction := 0, 0, false
	for ; i < len(tok); i++ {
		c := tok[i]
		switch {
		case c >= '0' && c <= '9':
			mantissa = mantissa*10 + uint64(c-'0')
			if mantissa != 0 {
				digits++ // significant digits, not leading zeros
			}
			if inFraction {
				fraction++
			}
		case c == '.':
			inFraction = true
		default:
			return 0, false // an exponent
		}
		if digits > 19 {
			return 0, false // the mantissa could overflow
		}
	}
	if mantissa >= 1<<53 || fraction > len(exactPowersOfTen)-1 {
		return 0, false
	}
	f = float64(mantissa) / exactPowersOfTen[fraction]
	if neg {
		f = -f
	}
	return f, true
}

// exactPowersOfTen are the powers of ten that float64 holds exactly.
var exactPowersOfTen = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// floatViolation notes which bound the number tok breaks; f and err are
// what strconv.ParseFloat made of it. Rounding to float64 keeps the order
// with a bound that is a float64, so f decides unless it equals the bound;
// then, or when tok is beyond float64, the number as written is compared
// exactly. It returns false.
//
//go:noinline
func floatViolation(r *jsonread.Reader, tok []byte, f float64, err error, b floatBounds, rep *report) bool {
	if !rep.listed() {
		return false
	}
	var below, above bool
	if err == nil && !math.IsInf(f, 0) && (!b.hasMin || f != b.min) && (!b.hasMax || f != b.max) {
		below, above = b.hasMin && f < b.min, b.hasMax && f > b.max
	} else {
		below = b.hasMin && compareDecimal(tok, b.minText) < 0
		above = !below && b.hasMax && compareDecimal(tok, b.maxText) > 0
	}
	switch {
	case below:
		rep.addJoined(r, "minimum", "must be at least ", b.minWords, ", got ", string(tok))
	case above:
		rep.addJoined(r, "maximum", "must be at most ", b.maxWords, ", got ", string(tok))
	default:
		// A number within the bounds that float64 cannot hold: the
		// generator bounds every number by float64 values, so it cannot
		// be; not listed, it makes Unmarshal report ErrValidatorFailed.
		rep.n--
	}
	return false
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

// readString reads a string; want is the property's JSON type.
func readString(r *jsonread.Reader, dst *string, want string, rep *report) bool {
	if r.Peek() != jsonread.String {
		return rep.wrongType(r, want)
	}
	*dst = r.ReadString()
	return !r.Failed()
}

// readBool reads a boolean; want is the property's JSON type.
func readBool(r *jsonread.Reader, dst *bool, want string, rep *report) bool {
	if r.Peek() != jsonread.Bool {
		return rep.wrongType(r, want)
	}
	*dst = r.ReadBool()
	return !r.Failed()
}

// readDateTime reads a date-time that the schema's pattern and its
// "date-time" format both accept into dst, deciding both in one pass with
// parseRFC3339 (the generator accepts on a date-time only the pattern that
// parseRFC3339 decides); pattern is that pattern's text, for a violation.
func readDateTime(r *jsonread.Reader, dst *time.Time, pattern string, want string, rep *report) bool {
	if r.Peek() != jsonread.String {
		return rep.wrongType(r, want)
	}
	b := r.ReadStringBytes()
	if b == nil {
		return false
	}
	if t, ok := parseRFC3339(b); ok {
		*dst = t
		return true
	}
	// The string is only looked at while the violation is worded, and
	// every word of it is copied: it may share the payload's bytes.
	return dateTimeViolations(r, unsafe.String(unsafe.SliceData(b), len(b)), pattern, rep)
}

// dateTimeViolations notes why the string s is not a date-time of the
// schema. As in the validator, a string that breaks the format is not
// matched against the pattern.
//
//go:noinline
func dateTimeViolations(r *jsonread.Reader, s string, pattern string, rep *report) bool {
	if !rep.listed() {
		return false
	}
	if reason := dateTimeFormatError(s); reason != "" {
		open, text, closing := validatorQuoteParts(s)
		rep.addJoined(r, "format", open, text, closing, " is not valid date-time: ", reason)
	} else {
		// The format holds, so parseRFC3339 refused the string for what
		// only the pattern forbids: the year 0000, second 60, a lone sign.
		rep.addJoined(r, "pattern", validatorQuote(s), " does not match pattern ", validatorQuote(pattern))
	}
	return false
}

// validatorQuote quotes a string as the validator's messages do: Go's %q
// between single quotes, with double quotes left alone and single quotes
// escaped.
func validatorQuote(s string) string {
	open, text, closing := validatorQuoteParts(s)
	return open + text + closing
}

// validatorQuoteParts is validatorQuote in three parts, for a caller that
// joins them with more text: a plain string (see plainQuote) is its own
// middle part, so that quoting it makes nothing.
func validatorQuoteParts(s string) (open, text, closing string) {
	if plainQuote(s) {
		return "'", s, "'"
	}
	q := strconv.Quote(s)
	q = strings.ReplaceAll(q, `\"`, `"`)
	q = strings.ReplaceAll(q, `'`, `\'`)
	return "'", q[1 : len(q)-1], "'"
}

// plainQuote reports whether validatorQuote leaves s as it is between its
// quotes: printable ASCII without a backslash or a single quote.
func plainQuote(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7E || c == '\\' || c == '\'' {
			return false
		}
	}
	return true
}

// validString reports whether s has a JSON form that reads back as s:
// encoding/json would replace invalid UTF-8.
func validString(s string) bool {
	return utf8.ValidString(s)
}

// validDateTime reports whether t has an RFC 3339 form that reads back as
// the same instant and offset and that the schema's pattern and format
// accept.
func validDateTime(t time.Time) bool {
	if dateTimeViolation(t) != "" {
		return false
	}
	var buf [64]byte
	_, ok := parseRFC3339(t.AppendFormat(buf[:0], time.RFC3339Nano))
	return ok
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
