package models

// The generated writers in model_gen.go call the helpers in this file. They
// write what encoding/json would write for the same value, except that
// nothing is HTML-escaped: <, > and & stay as they are, so a payload does
// not grow when it is written out (see Marshal).

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/mcp-refcache/taskschema/internal/jsonread"
)

// encoding is the state of one encoding, pooled: the buffer the writers
// write into, which is then copied out at its exact size, so that an
// encoding allocates once, and the extent of the json.RawMessage values
// written (see encoded).
type encoding struct {
	b   []byte
	raw jsonread.Extent
}

var encodings = sync.Pool{New: func() any { return &encoding{b: make([]byte, 0, 1024)} }}

// maxPooledBuffer is the largest buffer kept for reuse.
const maxPooledBuffer = 64 << 10

// encode returns what write appends to an empty buffer, the encoding of a
// value of schema id, unless Unmarshal with the limits l would refuse it
// (see encoded). write widens its *jsonread.Extent to cover the
// json.RawMessage values it writes.
func encode(l Limits, id schemaID, write func(*jsonread.Extent, []byte) []byte) ([]byte, error) {
	e := encodings.Get().(*encoding)
	e.raw = jsonread.Extent{}
	b := write(&e.raw, e.b[:0])
	out, err := encoded(l, id, b, e.raw)
	if err == nil {
		out = bytes.Clone(out)
	}
	if cap(b) <= maxPooledBuffer {
		e.b = b[:0]
		encodings.Put(e)
	}
	return out, err
}

const hexDigits = "0123456789abcdef"

// appendString appends s, valid UTF-8, as a JSON string. It escapes what
// JSON requires (", \ and the control characters) and, as encoding/json
// does, U+2028 and U+2029, which JavaScript source cannot hold.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			start = i + size
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendFloat appends a finite f as encoding/json writes a float64: the
// shortest decimal that reads back as f, in exponent form below 1e-6 and
// from 1e21 on.
func appendFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// 1e-07 becomes 1e-7, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendDateTime appends t as an RFC 3339 string with its offset, as
// time.Time's MarshalJSON writes it.
func appendDateTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendArray appends items as a JSON array.
// write widens x to cover the json.RawMessage values it writes.
func appendArray[T any](x *jsonread.Extent, b []byte, items []T, write func(*jsonread.Extent, []byte, *T) []byte) []byte {
	b = append(b, '[')
	for i := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = write(x, b, &items[i])
	}
	return append(b, ']')
}

// Writer bounds: the generated writers never write a number longer than 25
// characters (a float64 such as -0.0000012345678901234567, which
// appendFloat writes without an exponent from 1e-6 on; an int64 takes at
// most 20) or with an exponent beyond 324 (5e-324).
const (
	maxWrittenNumber   = 25
	maxWrittenExponent = 324
)

// encoded returns data, the encoding of a value of schema id, or a
// *ValidationError with the keyword [KeywordLimit] when Unmarshal with the
// limits l would refuse it: Marshal writes nothing that Unmarshal refuses.
// raw is the extent of the json.RawMessage values in data.
//
// Only these values can nest deeper than the schema's depth or hold
// numbers longer than the writers write, and the writers measured them as
// they copied them. When the measures are within the limits, so is data,
// and it is not read again; otherwise readBack decides.
func encoded(l Limits, id schemaID, data []byte, raw jsonread.Extent) ([]byte, error) {
	l = l.effective()
	s := &schemaTable[id]
	if len(data) <= l.MaxBytes &&
		l.MaxDepth >= max(s.depth, s.rawDepth+raw.Depth) &&
		l.MaxNumberLength >= max(maxWrittenNumber, raw.NumberLength) &&
		l.MaxExponent >= max(maxWrittenExponent, raw.Exponent) {
		return data, nil // no value in data is beyond a limit
	}
	return readBack(l, id, data)
}

// readBack returns data, the encoding of a value of schema id, or a
// *ValidationError with the keyword [KeywordLimit] when Unmarshal with the
// limits l, which must be effective, would refuse it. It reads data with
// the reader that Unmarshal uses, so that the message gives the offset in
// data of the first value beyond a limit, as Unmarshal's would.
func readBack(l Limits, id schemaID, data []byte) ([]byte, error) {
	if len(data) > l.MaxBytes {
		return nil, newValidationError(id.String(), []Violation{{Keyword: KeywordLimit,
			Message: fmt.Sprintf("the encoding is %d bytes, more than MaxBytes (%d)", len(data), l.MaxBytes)}})
	}
	var r jsonread.Reader
	r.Reset(data, l.reader())
	r.Begin()
	r.Skip()
	if !r.Finish() {
		err := r.Err()
		if err.Kind != jsonread.Limit {
			return nil, fmt.Errorf("taskschema: the encoding of a %s value does not read back: %w", id, err)
		}
		return nil, newValidationError(id.String(), []Violation{{Keyword: KeywordLimit,
			Message: "the encoding is beyond a limit: " + err.Error()}})
	}
	return data, nil
}
