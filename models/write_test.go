package models

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/internal/jsonread"
)

// jsonEncode is encoding/json's encoding of v without HTML escaping, the
// reference the writer helpers are held to.
func jsonEncode(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	var all []rune
	for r := rune(0); r < 0x3000; r++ {
		all = append(all, r)
	}
	all = append(all, 0xFEFF, 0xFFFD, 0x10FFFF, 0x1F600)
	for _, r := range all {
		s := "a" + string(r) + "b" + string(r)
		if got, want := string(appendString(nil, s)), jsonEncode(t, s); got != want {
			t.Errorf("U+%04X: got %s, want %s", r, got, want)
		}
	}
	for _, s := range []string{"", `"\`, "<>&", "\u2028\u2029", "tab\there\r\n"} {
		if got, want := string(appendString(nil, s)), jsonEncode(t, s); got != want {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}

func TestAppendFloatMatchesEncodingJSON(t *testing.T) {
	values := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1e-6, 9.99999e-7, 1e-7, 1.5e-7, 1e20, 1e21, 1.5e21,
		123456789012345678, 253402300799, 253402300799.5, 9007199254740991, 5e-324, math.MaxFloat64, -1e-300, 100}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		values = append(values, math.Float64frombits(rng.Uint64()))
	}
	for _, f := range values {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		if got, want := string(appendFloat(nil, f)), jsonEncode(t, f); got != want {
			t.Errorf("%v: got %s, want %s", f, got, want)
		}
	}
}

func TestAppendDateTimeMatchesEncodingJSON(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2025, 6, 15, 12, 34, 56, 789_000_000, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.FixedZone("", 5*3600+30*60)),
		time.Date(9999, 12, 31, 23, 59, 59, 999_999_999, time.FixedZone("", -(2*3600+30*60))),
	} {
		if got, want := string(appendDateTime(nil, tm)), jsonEncode(t, tm); got != want {
			t.Errorf("%v: got %s, want %s", tm, got, want)
		}
	}
}

// The writers' bounds, which let Marshal skip reading its encoding back,
// hold for every float64 and int64, and are reached.
func TestWrittenNumberBounds(t *testing.T) {
	values := []float64{-0.0000012345678901234567, -1.0000000000000002e-6, 9.999999999999999e-7, -2.2250738585072014e-308,
		5e-324, -5e-324, math.MaxFloat64, -math.MaxFloat64, -1.2345678901234567e20, 1e21, math.SmallestNonzeroFloat64}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		values = append(values, math.Float64frombits(rng.Uint64()), -(1e-6 + rng.Float64()*9e-6))
	}
	longest, widest := 0, 0
	for _, f := range values {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		var x jsonread.Extent
		jsonread.AppendCompact(nil, appendFloat(nil, f), &x)
		longest, widest = max(longest, x.NumberLength), max(widest, x.Exponent)
	}
	for _, i := range []int64{math.MinInt64, math.MaxInt64} {
		var x jsonread.Extent
		jsonread.AppendCompact(nil, strconv.AppendInt(nil, i, 10), &x)
		longest = max(longest, x.NumberLength)
	}
	if longest != maxWrittenNumber || widest != maxWrittenExponent {
		t.Errorf("longest number %d, largest exponent %d; the bounds are %d and %d", longest, widest, maxWrittenNumber, maxWrittenExponent)
	}
}
