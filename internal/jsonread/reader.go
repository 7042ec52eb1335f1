// Package jsonread reads one JSON payload from a byte slice, value by value,
// without building a tree. It is the single place where the taskschema
// library decides what counts as well-formed JSON: RFC 8259 syntax, nothing
// after the value, no object with the same key twice (I-JSON, RFC 7493), no
// lone UTF-16 surrogate in a \u escape, valid UTF-8, and the nesting and
// number limits.
//
// A Reader stops at the first such error: every later call returns a zero
// value, and Err reports the error with the byte offset and the JSON Pointer
// of the value being read. Schema checks are the caller's; a caller that
// does not want a value calls Skip, which still checks it completely.
//
// The reader checks that every string is valid UTF-8; every other byte of a
// payload it accepts is ASCII, so a payload read without an error is valid
// UTF-8 as a whole. A caller that words a UTF-8 error its own way checks the
// whole payload when reading fails.
package jsonread

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/mcp-refcache/taskschema/internal/jsonpointer"
)

// Limits bound the nesting and the numbers of a payload. A limit of 0 is no
// limit.
type Limits struct {
	// MaxDepth is the deepest nesting of objects and arrays; the top-level
	// value is at depth 1.
	MaxDepth int
	// MaxNumberLength is the longest number token, in bytes.
	MaxNumberLength int
	// MaxExponent is the largest decimal exponent, in absolute value, that a
	// number may be written with.
	MaxExponent int
}

// ErrorKind says which rule a payload broke.
type ErrorKind int

// The kinds of Error.
const (
	// Syntax is malformed JSON, data after the value, or an empty payload.
	Syntax ErrorKind = iota + 1
	// Limit is nesting or a number beyond Limits.
	Limit
	// DuplicateKey is an object that has the same key twice.
	DuplicateKey
	// LoneSurrogate is a \u escape of a UTF-16 surrogate that is not part
	// of a pair.
	LoneSurrogate
	// InvalidUTF8 is a string that is not valid UTF-8. Bytes outside
	// strings are ASCII or a Syntax error.
	InvalidUTF8
)

// Error is the first reason a payload could not be read.
type Error struct {
	Kind ErrorKind
	// Offset is the byte offset in the payload where the problem was found.
	Offset int
	// Pointer is the JSON Pointer of the value being read: for a duplicate
	// key, the pointer of that key in its object.
	Pointer string
	// Message says what is wrong.
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s (at byte %d)", e.Message, e.Offset)
}

// Kind is the type of the next value, as its first byte tells.
type Kind byte

// The kinds of JSON values; Invalid when no value starts here.
const (
	Invalid Kind = 0
	Null    Kind = 'n'
	Bool    Kind = 't'
	Number  Kind = '0'
	String  Kind = '"'
	Object  Kind = '{'
	Array   Kind = '['
)

// keySpan locates an object key that has been read: in the payload, or,
// for a key written with escapes, unescaped in Reader.unescaped. Offsets
// rather than slices keep the reader's stacks free of pointers, so that
// the garbage collector has nothing to track as they change.
type keySpan struct {
	start, end int32
	unescaped  bool
}

// pathToken is one step of the JSON Pointer of the value being read.
type pathToken struct {
	object bool    // an object member, else an array item
	hasKey bool    // the member's key is read, and in key
	hasSet bool    // the object's keys are in a set in Reader.keySets
	key    keySpan // the member's key
	index  int32   // the item's index, or the number of members read; -1 before the first
	// keysFrom is where the object's keys begin in Reader.keys.
	keysFrom int32
	// filter has one bit set per key of the object, at a hash of the key:
	// a key whose bit is clear is new without comparing it with the others.
	filter uint64
}

// room is the array in which a stack holds its first items: 8 steps of
// the path are deeper than any model nests, and 16 keys more than the
// objects open at once in one of its payloads hold.
type room[T any] interface{ ~[8]T | ~[16]T }

// stack is a stack that holds its first items in place, in R, and the rest
// on the heap. Its items hold no pointers, so that a Reader declared in a
// function stays on that function's stack, and reads a payload of
// ordinary depth and width without allocating or anything for the
// garbage collector to follow.
type stack[T any, R room[T]] struct {
	n    int
	room R
	more []T
}

func (s *stack[T, R]) len() int { return s.n }

// at returns the item i, counted from the bottom.
func (s *stack[T, R]) at(i int) *T {
	if i < len(s.room) {
		return &s.room[i]
	}
	return &s.more[i-len(s.room)]
}

// top returns the item on top; the stack must not be empty.
func (s *stack[T, R]) top() *T { return s.at(s.n - 1) }

func (s *stack[T, R]) push(x T) {
	if s.n < len(s.room) {
		s.room[s.n] = x
	} else {
		s.more = append(s.more[:s.n-len(s.room)], x)
	}
	s.n++
}

// truncate drops the items from n up.
func (s *stack[T, R]) truncate(n int) { s.n = n }

// Reader reads one payload. The zero Reader is not usable; call Reset. A
// Reader is best declared where it is used, as a variable that lives on the
// stack: it is large, and holds no pointer but to the payload and its
// strings.
type Reader struct {
	data   []byte
	pos    int
	limits Limits
	err    *Error
	path   stack[pathToken, [8]pathToken]
	// keys holds the keys read so far in the objects open, the outer
	// object's first, for the duplicate check.
	keys stack[keySpan, [16]keySpan]
	// keySets[d] holds the keys of the object open at depth d once it has
	// more than maxListedKeys of them, so that no payload costs quadratic
	// time; nil otherwise.
	keySets []map[string]struct{}
	// unescaped holds the keys that were written with escapes, unescaped.
	unescaped []byte
	// strs is where ReadString copies short strings, so that the strings
	// of one payload share one backing allocation. Its bytes are never
	// written again once a string points at them: Reset drops it rather
	// than reusing it.
	strs []byte
}

// maxListedKeys is the most keys of one object that the duplicate check
// compares one by one; past it, a set takes over.
const maxListedKeys = 16

// maxSharedStrings is the largest backing allocation that ReadString
// shares between strings: at most this many bytes of one payload are kept
// alive together by any one of its strings.
const maxSharedStrings = 128

// maxCountedExponent is where ReadNumber stops counting the digits of an
// exponent: far past any limit, and low enough that the count cannot
// overflow an int of 32 bits.
const maxCountedExponent = 1 << 20

// maxPayload is the longest payload a Reader reads: its offsets are
// int32, to keep its stacks small.
const maxPayload = math.MaxInt32

// Reset prepares r to read data with the given limits. It drops every
// reference to the previous payload, so a Reader kept for reuse does not
// keep it alive. A payload longer than 2 GiB - 1 byte is refused with a
// Limit error.
func (r *Reader) Reset(data []byte, limits Limits) {
	r.data, r.pos, r.limits, r.err, r.strs = data, 0, limits, nil, nil
	for i := range r.path.len() {
		if r.path.at(i).hasSet { // an error left the object open
			clear(r.keySets)
			break
		}
	}
	r.path.truncate(0)
	r.keys.truncate(0)
	if cap(r.unescaped) > maxSharedStrings {
		r.unescaped = nil
	}
	r.unescaped = r.unescaped[:0]
	if len(data) > maxPayload {
		r.fail(Limit, "payload is %d bytes, more than a reader takes (%d)", len(data), maxPayload)
	}
}

// keyBytes returns the bytes of a key that has been read.
func (r *Reader) keyBytes(k keySpan) []byte {
	if k.unescaped {
		return r.unescaped[k.start:k.end]
	}
	return r.data[k.start:k.end]
}

// Err returns the first error, or nil.
func (r *Reader) Err() *Error { return r.err }

// Failed reports whether reading has stopped on an error.
func (r *Reader) Failed() bool { return r.err != nil }

func (r *Reader) fail(kind ErrorKind, format string, args ...any) {
	if r.err == nil {
		r.err = &Error{Kind: kind, Offset: r.pos, Pointer: r.Pointer(), Message: fmt.Sprintf(format, args...)}
	}
}

// Pointer returns the JSON Pointer (RFC 6901) of the value being read.
func (r *Reader) Pointer() string {
	return string(r.AppendPointer(nil))
}

// PointerBound returns a length that the JSON Pointer of the value being
// read does not exceed, for a caller that makes room for AppendPointer.
func (r *Reader) PointerBound() int {
	n := 0
	for i := range r.path.len() {
		t := r.path.at(i)
		n += 1 + 2*int(t.key.end-t.key.start) + 20*btoi(!t.object) // "~" and "/" escape to two bytes
	}
	return n
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// AppendPointer appends the JSON Pointer of the value being read to dst and
// returns the extended slice.
func (r *Reader) AppendPointer(dst []byte) []byte {
	for i := range r.path.len() {
		t := r.path.at(i)
		if t.index == -1 || (t.object && !t.hasKey) {
			continue // no member read yet, or its key is being read
		}
		dst = append(dst, '/')
		if !t.object {
			dst = strconv.AppendInt(dst, int64(t.index), 10)
			continue
		}
		if key := r.keyBytes(t.key); needsEscape(key) {
			dst = append(dst, jsonpointer.Escape(string(key))...)
		} else {
			dst = append(dst, key...)
		}
	}
	return dst
}

// needsEscape reports whether a key holds "~" or "/", which a JSON Pointer
// escapes.
func needsEscape(key []byte) bool {
	for _, c := range key {
		if c == '~' || c == '/' {
			return true
		}
	}
	return false
}

func (r *Reader) skipSpace() {
	// Every byte that JSON takes as white space is at most ' ': one
	// comparison passes the rest, as in a compact payload.
	for r.pos < len(r.data) && r.data[r.pos] <= ' ' {
		switch r.data[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// Peek returns the kind of the next value without reading it.
func (r *Reader) Peek() Kind {
	if r.err != nil {
		return Invalid
	}
	r.skipSpace()
	if r.pos >= len(r.data) {
		return Invalid
	}
	switch c := r.data[r.pos]; c {
	case 'n', '"', '{', '[':
		return Kind(c)
	case 't', 'f':
		return Bool
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return Number
	}
	return Invalid
}

// Begin checks that data holds a value at all.
func (r *Reader) Begin() bool {
	r.skipSpace()
	if r.pos >= len(r.data) {
		r.fail(Syntax, "payload is empty")
		return false
	}
	return true
}

// Finish checks that nothing but white space follows the value, and
// reports whether the whole payload was read without an error.
func (r *Reader) Finish() bool {
	if r.err != nil {
		return false
	}
	r.skipSpace()
	if r.pos < len(r.data) {
		r.fail(Syntax, "data after the JSON value, starting with %s", DescribeAt(r.data, r.pos))
		return false
	}
	return true
}

func (r *Reader) unexpected(want string) {
	if r.pos >= len(r.data) {
		r.fail(Syntax, "malformed JSON: unexpected end of input, want %s", want)
		return
	}
	r.fail(Syntax, "malformed JSON: unexpected %s, want %s", DescribeAt(r.data, r.pos), want)
}

func (r *Reader) literal(word string) bool {
	if r.err != nil {
		return false
	}
	r.skipSpace()
	if !bytes.HasPrefix(r.data[r.pos:], []byte(word)) {
		r.unexpected(word)
		return false
	}
	r.pos += len(word)
	return true
}

// closeContainer pops the object or array that just ended.
func (r *Reader) closeContainer() {
	top := r.path.top()
	if top.object {
		r.keys.truncate(int(top.keysFrom))
		if top.hasSet {
			r.keySets[r.path.len()-1] = nil
		}
	}
	r.path.truncate(r.path.len() - 1)
}

// ReadNull reads null.
func (r *Reader) ReadNull() bool { return r.literal("null") }

// ReadBool reads true or false.
func (r *Reader) ReadBool() bool {
	if r.Peek() == Bool && r.data[r.pos] == 't' {
		r.literal("true")
		return true
	}
	r.literal("false")
	return false
}

// ReadNumber reads a number and returns its token, as written.
func (r *Reader) ReadNumber() []byte {
	if r.err != nil {
		return nil
	}
	r.skipSpace()
	start := r.pos
	d := r.data
	i := start
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	default:
		r.pos = i
		r.unexpected("a digit")
		return nil
	}
	if i < len(d) && d[i] == '.' {
		i++
		j := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		if i == j {
			r.pos = i
			r.unexpected("a digit after the decimal point")
			return nil
		}
	}
	exp := 0
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			if exp < maxCountedExponent {
				exp = exp*10 + int(d[i]-'0')
			}
			i++
		}
		if i == j {
			r.pos = i
			r.unexpected("a digit in the exponent")
			return nil
		}
	}
	if max := r.limits.MaxNumberLength; max > 0 && i-start > max {
		r.fail(Limit, "number is %d characters long, more than MaxNumberLength (%d)", i-start, max)
		return nil
	}
	if max := r.limits.MaxExponent; max > 0 && exp > max {
		r.fail(Limit, "number has an exponent beyond MaxExponent (%d)", max)
		return nil
	}
	r.pos = i
	return d[start:i]
}

// ReadString reads a string and returns it unescaped, as a copy that does
// not point into the payload. Short strings of one payload share one
// backing allocation, no larger than the rest of the payload and than
// maxSharedStrings; a longer string gets its own.
func (r *Reader) ReadString() string {
	start := r.pos
	b := r.readStringBytes()
	if len(b) == 0 {
		return ""
	}
	if len(b) > cap(r.strs)-len(r.strs) {
		// Every string still to come lies within the rest of the payload.
		size := min(len(r.data)-start, maxSharedStrings)
		if len(b) > size/2 {
			return string(b)
		}
		r.strs = make([]byte, 0, size)
	}
	at := len(r.strs)
	r.strs = append(r.strs, b...)
	return unsafe.String(&r.strs[at], len(b))
}

// ReadStringBytes is ReadString without the copy: the result may point into
// the payload, and is valid only until the next call.
func (r *Reader) ReadStringBytes() []byte {
	return r.readStringBytes()
}

// readStringBytes reads a string; the result points into the payload when
// the string has no escapes. It is nil on error, and non-nil (possibly
// empty) otherwise.
func (r *Reader) readStringBytes() []byte {
	b, _ := r.readStringTo(nil)
	return b
}

// readStringTo reads a string as readStringBytes does, except that a string
// with escapes is unescaped onto the end of *buf when buf is not nil;
// escaped then reports that it was.
func (r *Reader) readStringTo(buf *[]byte) (b []byte, escaped bool) {
	if r.err != nil {
		return nil, false
	}
	r.skipSpace()
	if r.pos >= len(r.data) || r.data[r.pos] != '"' {
		r.unexpected("a string")
		return nil, false
	}
	r.pos++
	start := r.pos
	d := r.data
	i := start
	for {
		// To the first byte that ends the string or needs a look: a
		// quote, a backslash, a control character or the first byte of a
		// multi-byte UTF-8 sequence.
		if i = skipPlain(d, i); i >= len(d) {
			break
		}
		switch c := d[i]; {
		case c >= utf8.RuneSelf:
			size := r.validRune(i)
			if size == 0 {
				return nil, false
			}
			i += size
			continue
		case c == '"':
			r.pos = i + 1
			return d[start:i:i], false
		case c == '\\':
			if buf == nil {
				return r.readEscapedString(make([]byte, 0, i-start+16), start, i), false
			}
			at := len(*buf)
			*buf = r.readEscapedString(*buf, start, i)
			if r.err != nil {
				return nil, false
			}
			return (*buf)[at:], true
		case c < 0x20:
			r.pos = i
			r.fail(Syntax, "malformed JSON: %s in a string, which must be escaped", DescribeAt(d, i))
			return nil, false
		}
		i++ // an ordinary byte among the last seven
	}
	r.pos = len(d)
	r.unexpected("the end of the string")
	return nil, false
}

// validRune checks the UTF-8 sequence that begins at i, inside a string,
// and returns its length, or 0 after failing with InvalidUTF8.
func (r *Reader) validRune(i int) int {
	if _, size := utf8.DecodeRune(r.data[i:]); size > 1 {
		return size
	}
	r.pos = i
	r.fail(InvalidUTF8, "string holds byte 0x%02X, which is not valid UTF-8", r.data[i])
	return 0
}

// skipPlain returns the offset of the first byte from i on that
// specialBytes flags, reading eight bytes at a time; when fewer than eight
// bytes are left before it, the offset where they begin.
func skipPlain(d []byte, i int) int {
	for i+8 <= len(d) {
		if m := specialBytes(binary.LittleEndian.Uint64(d[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
		i += 8
	}
	return i
}

// specialBytes flags, with its high bit, each of the eight bytes of x
// (read little-endian) that is a quote, a backslash, below 0x20 or above
// 0x7F, with the bit tricks of "Bit Twiddling Hacks" (hasless and
// haszero): a byte b gives 0x80 in (b - n) &^ b when b < n, for n up to
// 0x80. A borrow can flag a byte above a flagged one wrongly, never below:
// the lowest flag is the first such byte, and no flag means none.
func specialBytes(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	below := (x - 0x20*ones) &^ x
	quote := x ^ '"'*ones
	backslash := x ^ '\\'*ones
	return (x | below | (quote-ones)&^quote | (backslash-ones)&^backslash) & highs
}

// readEscapedString continues a string from its first backslash at i,
// appending it unescaped to out.
func (r *Reader) readEscapedString(out []byte, start, i int) []byte {
	d := r.data
	out = append(out, d[start:i]...)
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			r.pos = i + 1
			return out
		case c < 0x20:
			r.pos = i
			r.fail(Syntax, "malformed JSON: %s in a string, which must be escaped", DescribeAt(d, i))
			return nil
		case c >= utf8.RuneSelf:
			size := r.validRune(i)
			if size == 0 {
				return nil
			}
			out = append(out, d[i:i+size]...)
			i += size
			continue
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(d) {
			break
		}
		switch e := d[i+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			rn, ok := hex4(d, i+2)
			if !ok {
				r.pos = i
				r.fail(Syntax, "malformed JSON: bad \\u escape")
				return nil
			}
			i += 6
			if utf16.IsSurrogate(rn) {
				lo, ok := rune(0), false
				if i+1 < len(d) && d[i] == '\\' && d[i+1] == 'u' {
					lo, ok = hex4(d, i+2)
				}
				pair := utf16.DecodeRune(rn, lo)
				if !ok || pair == utf8.RuneError {
					r.pos = i
					r.fail(LoneSurrogate, "string holds a lone UTF-16 surrogate \\u%04x, which no valid string can", rn)
					return nil
				}
				rn = pair
				i += 6
			}
			out = utf8.AppendRune(out, rn)
			continue
		default:
			r.pos = i
			r.fail(Syntax, "malformed JSON: bad escape \\%c", e)
			return nil
		}
		i += 2
	}
	r.pos = len(d)
	r.unexpected("the end of the string")
	return nil
}

func hex4(d []byte, i int) (rune, bool) {
	if i+4 > len(d) {
		return 0, false
	}
	var v rune
	for _, c := range d[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}

func (r *Reader) enter() bool {
	depth := r.path.len() + 1
	if max := r.limits.MaxDepth; max > 0 && depth > max {
		r.fail(Limit, "nesting deeper than MaxDepth (%d)", max)
		return false
	}
	return true
}

// ReadObject reads the opening brace of an object. Then call NextKey until
// it returns false, reading (or skipping) each value after its key.
func (r *Reader) ReadObject() bool {
	if r.err != nil {
		return false
	}
	r.skipSpace()
	if r.pos >= len(r.data) || r.data[r.pos] != '{' || !r.enter() {
		r.unexpected("an object")
		return false
	}
	r.pos++
	r.path.push(pathToken{object: true, index: -1, keysFrom: int32(r.keys.len())})
	return true
}

// NextKey reads the next key of the object and the colon after it, and
// returns the key unescaped (it may point into the payload). It returns false
// at the end of the object, or on an error.
func (r *Reader) NextKey() ([]byte, bool) {
	return r.NextKeyExpecting("")
}

// NextKeyExpecting is NextKey for a caller that expects the key expect
// next, as a schema's properties usually come in its order: when the
// payload writes exactly that key, without escapes, it is taken without
// scanning the string. What it returns and checks is NextKey's whatever
// the payload holds. expect must be a key that JSON writes as it is,
// without escapes (no quote, backslash or control character), or "" for
// none.
func (r *Reader) NextKeyExpecting(expect string) ([]byte, bool) {
	if r.err != nil {
		return nil, false
	}
	top := r.path.top()
	top.hasKey = false
	r.skipSpace()
	if r.pos < len(r.data) && r.data[r.pos] == '}' {
		r.pos++
		r.closeContainer()
		return nil, false
	}
	if top.index == -1 { // the first key
		top.index = 0
	} else {
		if r.pos >= len(r.data) || r.data[r.pos] != ',' {
			r.unexpected("',' or '}'")
			return nil, false
		}
		r.pos++
		r.skipSpace()
	}
	start := r.pos + 1 // after the quote
	var key []byte
	escaped := false
	if end := start + len(expect); expect != "" && end < len(r.data) && r.data[r.pos] == '"' &&
		r.data[end] == '"' && string(r.data[start:end]) == expect {
		key = r.data[start:end:end]
		r.pos = end + 1
	} else if key, escaped = r.readStringTo(&r.unescaped); key == nil {
		return nil, false
	}
	if escaped {
		top.key = keySpan{start: int32(len(r.unescaped) - len(key)), end: int32(len(r.unescaped)), unescaped: true}
	} else {
		top.key = keySpan{start: int32(start), end: int32(start + len(key))}
	}
	top.hasKey = true
	top.index++
	if r.seenKey(top, key) {
		r.fail(DuplicateKey, "duplicate key %q in an object", key)
		return nil, false
	}
	r.skipSpace()
	if r.pos >= len(r.data) || r.data[r.pos] != ':' {
		r.unexpected("':'")
		return nil, false
	}
	r.pos++
	return key, true
}

// seenKey records key, the key just read into top, in the object open at
// the top of the path and reports whether it was there already. A key
// whose filter bit is clear is new at once; else it is compared with the
// object's keys, or looked up in a set past maxListedKeys keys, so that no
// payload costs quadratic time.
func (r *Reader) seenKey(top *pathToken, key []byte) bool {
	bit := uint64(1) << (keyHash(key) & 63)
	maybe := top.filter&bit != 0
	top.filter |= bit
	if top.hasSet {
		set := r.keySets[r.path.len()-1]
		if _, ok := set[string(key)]; ok {
			return true
		}
		set[string(key)] = struct{}{}
		return false
	}
	from, to := int(top.keysFrom), r.keys.len()
	if maybe {
		for i := from; i < to; i++ {
			if bytes.Equal(r.keyBytes(*r.keys.at(i)), key) {
				return true
			}
		}
	}
	if to-from == maxListedKeys {
		set := make(map[string]struct{}, 2*maxListedKeys)
		for i := from; i < to; i++ {
			set[string(r.keyBytes(*r.keys.at(i)))] = struct{}{}
		}
		set[string(key)] = struct{}{}
		for len(r.keySets) < r.path.len() {
			r.keySets = append(r.keySets, nil)
		}
		r.keySets[r.path.len()-1] = set
		top.hasSet = true
		return false
	}
	r.keys.push(top.key)
	return false
}

// keyHash is a cheap hash of a key for the duplicate check's filter: its
// length and its first and last bytes, which tell most keys of an object
// apart.
func keyHash(key []byte) uint {
	h := uint(len(key))
	if len(key) > 0 {
		h = h*31 + uint(key[0])
		h = h*31 + uint(key[len(key)-1])
	}
	return h ^ h>>6
}

// ReadArray reads the opening bracket of an array. Then call NextItem until
// it returns false, reading (or skipping) each item.
func (r *Reader) ReadArray() bool {
	if r.err != nil {
		return false
	}
	r.skipSpace()
	if r.pos >= len(r.data) || r.data[r.pos] != '[' || !r.enter() {
		r.unexpected("an array")
		return false
	}
	r.pos++
	r.path.push(pathToken{index: -1})
	return true
}

// NextItem moves to the next item of the array, and returns false at its
// end or on an error.
func (r *Reader) NextItem() bool {
	if r.err != nil {
		return false
	}
	top := r.path.top()
	r.skipSpace()
	if r.pos < len(r.data) && r.data[r.pos] == ']' {
		r.pos++
		r.closeContainer()
		return false
	}
	if top.index >= 0 {
		if r.pos >= len(r.data) || r.data[r.pos] != ',' {
			r.unexpected("',' or ']'")
			return false
		}
		r.pos++
	}
	top.index++
	return true
}

// Mark is where a value begins, for Raw.
type Mark struct{ pos int }

// Offset returns the byte offset at which the marked value begins.
func (m Mark) Offset() int { return m.pos }

// Mark returns where the next value begins.
func (r *Reader) Mark() Mark {
	r.skipSpace()
	return Mark{pos: r.pos}
}

// Offset returns the byte offset of the reader in the payload.
func (r *Reader) Offset() int { return r.pos }

// Skip reads the next value, whatever it is, checking it completely.
func (r *Reader) Skip() {
	switch r.Peek() {
	case Null:
		r.ReadNull()
	case Bool:
		r.ReadBool()
	case Number:
		r.ReadNumber()
	case String:
		r.readStringBytes()
	case Object:
		if r.ReadObject() {
			for _, ok := r.NextKey(); ok; _, ok = r.NextKey() {
				r.Skip()
			}
		}
	case Array:
		if r.ReadArray() {
			for r.NextItem() {
				r.Skip()
			}
		}
	default:
		if r.err == nil {
			r.skipSpace()
			r.unexpected("a JSON value")
		}
	}
}

// ReadAny reads the next value as a tree of map[string]any, []any,
// json.Number, string, bool and nil: the form the schema validator takes.
func (r *Reader) ReadAny() any {
	switch r.Peek() {
	case Null:
		r.ReadNull()
		return nil
	case Bool:
		return r.ReadBool()
	case Number:
		return json.Number(r.ReadNumber())
	case String:
		return r.ReadString()
	case Object:
		obj := map[string]any{}
		if r.ReadObject() {
			for key, ok := r.NextKey(); ok; key, ok = r.NextKey() {
				k := string(key)
				obj[k] = r.ReadAny()
			}
		}
		return obj
	case Array:
		arr := []any{}
		if r.ReadArray() {
			for r.NextItem() {
				arr = append(arr, r.ReadAny())
			}
		}
		return arr
	}
	if r.err == nil {
		r.skipSpace()
		r.unexpected("a JSON value")
	}
	return nil
}
