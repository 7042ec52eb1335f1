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

// encodeBuffers are the buffers the writers write into; the encoding is
// then copied out at its exact size, so that an encoding allocates once.
var encodeBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// maxPooledBuffer is the largest buffer kept for reuse.
const maxPooledBuffer = 64 << 10

// encode returns what write appends to an empty buffer, the encoding of a
// value of schema id, unless Unmarshal with the limits l would refuse it
// (see encoded).
func encode(l Limits, id schemaID, write func([]byte) []byte) ([]byte, error) {
	bp := encodeBuffers.Get().(*[]byte)
	b := write((*bp)[:0])
	out, err := encoded(l, id, b)
	if err == nil {
		out = bytes.Clone(out)
	}
	if cap(b) <= maxPooledBuffer {
		*bp = b[:0]
		encodeBuffers.Put(bp)
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
func appendArray[T any](b []byte, items []T, write func([]byte, *T) []byte) []byte {
	b = append(b, '[')
	for i := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = write(b, &items[i])
	}
	return append(b, ']')
}

// Writer bounds: the generated writers never write a number longer than 24
// characters (a float64 such as -2.2250738585072014e-308) or with an
// exponent beyond 324 (5e-324).
const (
	maxWrittenNumber   = 24
	maxWrittenExponent = 324
)

// encoded returns data, the encoding of a value of schema id, or a
// *ValidationError with the keyword [KeywordLimit] when Unmarshal with the
// limits l would refuse it: Marshal writes nothing that Unmarshal refuses.
func encoded(l Limits, id schemaID, data []byte) ([]byte, error) {
	l = l.effective()
	if len(data) > l.MaxBytes {
		return nil, newValidationError(id.String(), []Violation{{Keyword: KeywordLimit,
			Message: fmt.Sprintf("the encoding is %d bytes, more than MaxBytes (%d)", len(data), l.MaxBytes)}})
	}
	if l.MaxDepth >= schemaTable[id].depth && l.MaxNumberLength >= maxWrittenNumber && l.MaxExponent >= maxWrittenExponent {
		return data, nil // no value of the schema can break the other limits
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
