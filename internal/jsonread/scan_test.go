package jsonread

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestAppendCompact(t *testing.T) {
	long := `"` + strings.Repeat("abcdefgh", 3) + `\" : [ \\` + strings.Repeat("ijklmnop", 2) + `"`
	tests := []struct {
		in   string
		want Extent
	}{
		{`null`, Extent{}},
		{" \t\r\n true \n", Extent{}},
		{`""`, Extent{}},
		{`" a , b : [ { "`, Extent{}},
		{`"\\"`, Extent{}},
		{`"\\\" [ "`, Extent{}},
		{`"\u005c [ "`, Extent{}},
		{long, Extent{}},
		{`[` + long + ` , ` + long + `]`, Extent{Depth: 1}},
		{`0`, Extent{NumberLength: 1}},
		{`-0.5e-007`, Extent{NumberLength: 9, Exponent: 7}},
		{`1E+400`, Extent{NumberLength: 6, Exponent: 400}},
		{`12e0`, Extent{NumberLength: 4}},
		{`[ ]`, Extent{Depth: 1}},
		{`{ }`, Extent{Depth: 1}},
		{`[1 , 22 ,333, -4.5]`, Extent{Depth: 1, NumberLength: 4}},
		{`{"a" : [ [ {} ] ], "b": {"c": 1e5}}`, Extent{Depth: 4, NumberLength: 3, Exponent: 5}},
		{`[[[[1]]], [[[[[2]]]]], 3]`, Extent{Depth: 6, NumberLength: 1}},
		{`{"[[[": "}}}", "n": "1e999"}`, Extent{Depth: 1}},
		{`1e` + strings.Repeat("9", 12), Extent{NumberLength: 14, Exponent: 9999999}},
	}
	for _, tt := range tests {
		var x Extent
		got := AppendCompact([]byte("prefix"), []byte(tt.in), &x)
		var want bytes.Buffer
		if err := json.Compact(&want, []byte(tt.in)); err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		if string(got) != "prefix"+want.String() {
			t.Errorf("%s: wrote %s, json.Compact %s", tt.in, got, want.String())
		}
		if x != tt.want {
			t.Errorf("%s: extent %+v, want %+v", tt.in, x, tt.want)
		}
		checkExtent(t, []byte(tt.in), x)
	}
}

// An Extent only grows: it covers every value appended with it.
func TestAppendCompactWidens(t *testing.T) {
	x := Extent{Depth: 2, NumberLength: 1, Exponent: 9}
	b := AppendCompact(nil, []byte(`[123]`), &x)
	b = AppendCompact(b, []byte(`1e5`), &x)
	if string(b) != `[123]1e5` || x != (Extent{Depth: 2, NumberLength: 3, Exponent: 9}) {
		t.Errorf("wrote %s, extent %+v", b, x)
	}
}

// Given what no Reader accepts, AppendCompact does not panic.
func TestAppendCompactInvalid(t *testing.T) {
	for _, in := range []string{``, `"`, `"\`, `"abc\`, `]]]`, `-`, `1e`, `1e+`, `{"a":`, "\"\x00\""} {
		var x Extent
		AppendCompact(nil, []byte(in), &x)
	}
}

// checkExtent checks that x is exactly what the Reader measures of data:
// data reads within Limits of x, and not within any one of them less one.
// (A limit of 0 is no limit, so a measure of 1 cannot be lowered.)
func checkExtent(t *testing.T, data []byte, x Extent) {
	t.Helper()
	read := func(l Limits) *Error {
		var r Reader
		r.Reset(data, l)
		r.Begin()
		r.Skip()
		r.Finish()
		return r.Err()
	}
	exact := Limits{MaxDepth: x.Depth, MaxNumberLength: x.NumberLength, MaxExponent: x.Exponent}
	if err := read(exact); err != nil {
		t.Fatalf("%s does not read within %+v: %v", data, exact, err)
	}
	for name, l := range map[string]Limits{
		"MaxDepth":        {MaxDepth: x.Depth - 1},
		"MaxNumberLength": {MaxNumberLength: x.NumberLength - 1},
		"MaxExponent":     {MaxExponent: x.Exponent - 1},
	} {
		if l.MaxDepth <= 0 && l.MaxNumberLength <= 0 && l.MaxExponent <= 0 {
			continue
		}
		if err := read(l); err == nil || err.Kind != Limit {
			t.Errorf("%s reads within %s %+v: %v; its extent is %+v", data, name, l, err, x)
		}
	}
}

// FuzzAppendCompact: for any value the Reader accepts, AppendCompact
// writes what json.Compact writes and measures exactly what the Reader
// measures.
func FuzzAppendCompact(f *testing.F) {
	for _, s := range []string{`{"a" : [1, -2.5e-10, "x\" y", {"b": [true, null]}]}`, ` "\\" `, `[[[[]]]]`, `1E+0400`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var r Reader
		r.Reset(data, Limits{MaxDepth: 1000})
		r.Begin()
		r.Skip()
		if !r.Finish() || !json.Valid(data) { // json.Valid: the Reader leaves UTF-8 to its caller
			return
		}
		var x Extent
		got := AppendCompact(nil, data, &x)
		var want bytes.Buffer
		if err := json.Compact(&want, data); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("%q: wrote %q, json.Compact %q", data, got, want.Bytes())
		}
		checkExtent(t, data, x)
	})
}
