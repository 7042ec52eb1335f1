package models

import (
	"math"
	"strconv"
	"testing"

	"github.com/mcp-refcache/taskschema/internal/jsonread"
)

// exactFloatCases are number tokens at the edges of exactFloat's fast
// path: which it takes, and which it leaves to strconv.ParseFloat.
var exactFloatCases = []struct {
	tok  string
	fast bool
}{
	{"0", true},
	{"-0", true},
	{"-0.0", true},
	{"35.0", true},
	{"1736937000.123456", true},
	{"1736937031.5", true},
	{"253402300799", true},
	{"9007199254740991", true},           // 2^53 - 1
	{"9007199254740992", false},          // 2^53
	{"900719925474099.1", true},          // the same digits, a point in
	{"0.0000000000000000000001", true},   // 22 digits after the point
	{"0.00000000000000000000001", false}, // 23
	{"1234567890123456789", false},       // 19 digits, above 2^53
	{"12345678901234567890", false},      // 20 digits
	{"0.1", true},                        // not exact in binary, but one rounding
	{"1e2", false},                       // an exponent
	{"-12.5E-1", false},                  // an exponent
	{"100.00000000000000001", false},     // 20 digits
	{"0.30000000000000004", false},       // 30000000000000004 is above 2^53
	{"0.3000000000000004", true},         // 3000000000000004 is not
	{"-4503599627370496.5", false},       // 2^52 + 0.5: 17 digits, above 2^53
	{"4503599627370495.5", false},        // 45035996273704955 is above 2^53
	{"0.000000000000000000000000000000000001", false},
}

// TestExactFloat checks that exactFloat takes its fast path exactly where
// it is exact, and then gives strconv.ParseFloat's value, sign included.
func TestExactFloat(t *testing.T) {
	for _, tc := range exactFloatCases {
		f, ok := exactFloat([]byte(tc.tok))
		if ok != tc.fast {
			t.Errorf("%s: fast path %v, want %v", tc.tok, ok, tc.fast)
		}
		if !ok {
			continue
		}
		want, err := strconv.ParseFloat(tc.tok, 64)
		if err != nil || math.Float64bits(f) != math.Float64bits(want) {
			t.Errorf("%s: got %v (%x), want %v (%x, %v)", tc.tok, f, math.Float64bits(f), want, math.Float64bits(want), err)
		}
	}
}

// FuzzExactFloat holds exactFloat to strconv.ParseFloat, bit for bit, on
// every number token that the reader accepts.
func FuzzExactFloat(f *testing.F) {
	for _, tc := range exactFloatCases {
		f.Add(tc.tok)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var r jsonread.Reader
		r.Reset([]byte(s), jsonread.Limits{})
		if r.Peek() != jsonread.Number {
			return
		}
		tok := r.ReadNumber()
		if tok == nil {
			return
		}
		got, ok := exactFloat(tok)
		if !ok {
			return
		}
		want, err := strconv.ParseFloat(string(tok), 64)
		if err != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("%s: exactFloat gives %v, strconv.ParseFloat %v (%v)", tok, got, want, err)
		}
	})
}
