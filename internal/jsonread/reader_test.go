package jsonread

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/bits"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// readAll reads data as one value with ReadAny and Finish.
func readAll(data []byte, limits Limits) (any, *Error) {
	var r Reader
	r.Reset(data, limits)
	if !r.Begin() {
		return nil, r.Err()
	}
	v := r.ReadAny()
	r.Finish()
	return v, r.Err()
}

func TestReader(t *testing.T) {
	tests := []struct {
		in      string
		kind    ErrorKind // 0: valid
		pointer string
	}{
		{`{}`, 0, ""},
		{` {"a": [1, -0, 2.5e-3, true, false, null, "x\u00e9\ud83d\ude00\n"]} `, 0, ""},
		{``, Syntax, ""},
		{`   `, Syntax, ""},
		{`{} {}`, Syntax, ""},
		{`{"a":1,}`, Syntax, ""},
		{`[1,]`, Syntax, "/1"},
		{`{"a" 1}`, Syntax, "/a"},
		{`01`, Syntax, ""},
		{`+1`, Syntax, ""},
		{`1.`, Syntax, ""},
		{`1e`, Syntax, ""},
		{`NaN`, Syntax, ""},
		{`Infinity`, Syntax, ""},
		{`-Infinity`, Syntax, ""},
		{`nul`, Syntax, ""},
		{"\"a\tb\"", Syntax, ""},
		{`"\x"`, Syntax, ""},
		{`"\u12"`, Syntax, ""},
		{"\ufeff{}", Syntax, ""},
		{`{"a":1,"a":2}`, DuplicateKey, "/a"},
		{`{"a":{"b":1,"c":{},"b":2}}`, DuplicateKey, "/a/b"},
		{`{"a":1,"\u0061":2}`, DuplicateKey, "/a"},
		{`[{"a":1},{"a":1}]`, 0, ""},
		{`{"x":"\ud800"}`, LoneSurrogate, "/x"},
		{`{"x":"\udc00\ud800"}`, LoneSurrogate, "/x"},
		{`{"\ud800":1}`, LoneSurrogate, ""},
		{`{"x":"\ud83d\ude00"}`, 0, ""},
		{"{\"x\":\"caf\u00e9 \U0001F600 \xef\xbf\xbd\"}", 0, ""},
		{"{\"x\":\"\xff\"}", InvalidUTF8, "/x"},
		{"{\"x\":\"abcdefgh\xc3\"}", InvalidUTF8, "/x"},
		{"{\"x\":\"\xed\xa0\x80\"}", InvalidUTF8, "/x"},
		{"{\"x\":\"\\n\xc0\xaf\"}", InvalidUTF8, "/x"},
		{"{\"\xfe\":1}", InvalidUTF8, ""},
		{"[\"ok\",\"\xe2\x82\"]", InvalidUTF8, "/1"},
		{"\xa0", Syntax, ""},
		{`[[[[1]]]]`, 0, ""},
		{`[[[[[1]]]]]`, Limit, "/0/0/0/0"},
		{`1e10`, 0, ""},
		{`1e11`, Limit, ""},
		{`123456789012`, Limit, ""},
		{`{"a~/b":[0,{"c":"\ud800"}]}`, LoneSurrogate, "/a~0~1b/1/c"},
		// The duplicate check's filter: keys of one length and first and
		// last bytes are still told apart, and a key escaped differently
		// is the same key wherever it was read.
		{`{"axb":1,"ayb":2,"azb":3}`, 0, ""},
		{`{"axb":1,"ayb":2,"a\u0078b":3}`, DuplicateKey, "/axb"},
		{`{"\u0061xb":1,"ayb":2,"axb":3}`, DuplicateKey, "/axb"},
		{`{"\u0061":1,"b":2,"\u0061":3}`, DuplicateKey, "/a"},
		// The keys of a closed object are not the keys of the next one.
		{`{"a":{"b":1,"c":2},"b":{"c":3,"b":4},"c":5}`, 0, ""},
		{`{"a":{"b":1},"b":{"a":2},"a":3}`, DuplicateKey, "/a"},
		{` { "a" : 1 , "b" : 2 , "a" : 3 } `, DuplicateKey, "/a"},
		{`{"":1,"":2}`, DuplicateKey, "/"},
	}
	limits := Limits{MaxDepth: 4, MaxNumberLength: 11, MaxExponent: 10}
	for _, tc := range tests {
		_, err := readAll([]byte(tc.in), limits)
		var kind ErrorKind
		if err != nil {
			kind = err.Kind
		}
		if kind != tc.kind {
			t.Errorf("%q: kind %v, want %v (err %v)", tc.in, kind, tc.kind, err)
			continue
		}
		if err != nil && err.Pointer != tc.pointer {
			t.Errorf("%q: pointer %q, want %q (%v)", tc.in, err.Pointer, tc.pointer, err)
		}
	}
}

// TestDuplicatesAroundTheSet finds a duplicate among the keys compared one
// by one, at the key that makes the set, and in the set, next to sibling
// objects of as many keys, and reuses the reader after an error left a set
// open.
func TestDuplicatesAroundTheSet(t *testing.T) {
	object := func(n int, dup int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			key := i
			if i == n-1 && dup >= 0 {
				key = dup
			}
			fmt.Fprintf(&b, `"key%d":%d`, key, i)
		}
		b.WriteString("}")
		return b.String()
	}
	tests := []struct {
		in      string
		pointer string // of the duplicate, "" for none
	}{
		{object(maxListedKeys, 3), "/key3"},
		{object(maxListedKeys+1, 0), "/key0"},
		{object(maxListedKeys+1, maxListedKeys-1), "/key15"},
		{object(maxListedKeys+2, 16), "/key16"},
		{object(3*maxListedKeys, -1), ""},
		{"[" + object(40, -1) + "," + object(40, -1) + "]", ""},
		{"[" + object(40, -1) + "," + object(40, 39-1) + "]", "/1/key38"},
		{`{"a":` + object(40, -1) + `,"b":` + object(20, -1) + `,"a":1}`, "/a"},
	}
	var r Reader
	for _, tc := range tests {
		for _, after := range []string{`{"x":` + object(20, 5) + `}`, `{}`} {
			// The previous payload fails with sets open, or succeeds.
			r.Reset([]byte(after), Limits{})
			r.Skip()
			r.Reset([]byte(tc.in), Limits{})
			r.Skip()
			r.Finish()
			err := r.Err()
			switch {
			case tc.pointer == "" && err != nil:
				t.Errorf("%.60s: %v", tc.in, err)
			case tc.pointer != "" && (err == nil || err.Kind != DuplicateKey || err.Pointer != tc.pointer):
				t.Errorf("%.60s: got %v, want a duplicate key at %s", tc.in, err, tc.pointer)
			}
		}
	}
}

func TestManyKeysUseASet(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := range 1000 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"k`)
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(string(rune('a' + i%26)))
		b.WriteString(`":`)
		b.WriteString("1")
	}
	b.WriteString("}")
	_, err := readAll([]byte(b.String()), Limits{})
	if err == nil || err.Kind != DuplicateKey {
		t.Fatalf("want a duplicate among 1000 keys from 182 distinct ones, got %v", err)
	}
}

// FuzzReader checks the reader against encoding/json: it accepts exactly
// what encoding/json accepts, minus duplicate keys and lone surrogates, and
// builds the same tree.
func FuzzReader(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,2.5,-0,"x\u0041"],"b":{"c":null}}`, `[true,false]`, `"\ud83d\ude00"`, `1e5`, `{"a":1,"a":2}`, `"\ud800"`, `{"a":{"b":[1,2,{"c":"x"}],"d":null},"e":[[],{}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !utf8.Valid(data) {
			// Every byte outside a string must be ASCII, and every string
			// valid UTF-8: the reader refuses the payload.
			if _, err := readAll(data, Limits{}); err == nil {
				t.Fatalf("reader accepts %q, which is not valid UTF-8", data)
			}
			return
		}
		got, err := readAll(data, Limits{})
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var want any
		werr := dec.Decode(&want)
		if werr == nil {
			if _, terr := dec.Token(); terr == nil || terr.Error() != "EOF" {
				werr = terr
				if werr == nil {
					werr = errTrailing
				}
			}
		}
		if werr != nil {
			if err == nil {
				t.Fatalf("reader accepts %q, encoding/json: %v", data, werr)
			}
			return
		}
		if err != nil {
			if err.Kind == DuplicateKey || err.Kind == LoneSurrogate {
				return
			}
			t.Fatalf("reader refuses %q: %v; encoding/json accepts it", data, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: reader %#v, encoding/json %#v", data, got, want)
		}
	})
}

var errTrailing = &Error{Kind: Syntax, Message: "trailing"}

// The short strings of one payload share one backing allocation, and a
// string keeps its value after the reader moves on to other payloads.
func TestReadStringShared(t *testing.T) {
	var r Reader
	read := func(data string) []string {
		r.Reset([]byte(data), Limits{})
		var out []string
		if r.ReadArray() {
			for r.NextItem() {
				out = append(out, r.ReadString())
			}
		}
		if !r.Finish() {
			t.Fatalf("%s: %v", data, r.Err())
		}
		return out
	}
	first := read(`["alpha","beta","g\u0061mma",""]`)
	second := read(`["delta","epsilon"]`)
	long := read(`["` + strings.Repeat("x", 600) + `","y"]`)
	for i, want := range []string{"alpha", "beta", "gamma", ""} {
		if first[i] != want {
			t.Errorf("first[%d] = %q after other payloads, want %q", i, first[i], want)
		}
	}
	if second[0] != "delta" || second[1] != "epsilon" || len(long[0]) != 600 || long[1] != "y" {
		t.Errorf("got %q, %q", second, long[1])
	}
	data := []byte(`["alpha","beta","gamma"]`)
	allocs := testing.AllocsPerRun(100, func() {
		r.Reset(data, Limits{})
		r.ReadArray()
		for r.NextItem() {
			_ = r.ReadString()
		}
	})
	if allocs != 1 {
		t.Errorf("three short strings took %v allocations, want 1", allocs)
	}
}

// specialBytes finds the first quote, backslash, control character or
// byte above 0x7F among eight bytes exactly, and flags none when there is
// none.
func TestSpecialBytes(t *testing.T) {
	naive := func(b []byte) int {
		for i, c := range b {
			if c == '"' || c == '\\' || c < 0x20 || c > 0x7F {
				return i
			}
		}
		return -1
	}
	first := func(b []byte) int {
		m := specialBytes(binary.LittleEndian.Uint64(b))
		if m == 0 {
			return -1
		}
		return bits.TrailingZeros64(m) / 8
	}
	seed := uint64(0x9E3779B97F4A7C15)
	interesting := []byte{0, 0x1F, 0x20, 0x21, '"', '\\', 'a', 0x7F, 0x80, 0xC3, 0xFF, 0x5B, 0x5D, 0x01, 0x02, 0x23, 0x5C + 1}
	for n := 0; n < 200000; n++ {
		var b [8]byte
		for i := range b {
			seed ^= seed << 13
			seed ^= seed >> 7
			seed ^= seed << 17
			if seed%3 != 0 {
				b[i] = interesting[seed%uint64(len(interesting))]
			} else {
				b[i] = byte(seed >> 32)
			}
		}
		if got, want := first(b[:]), naive(b[:]); got != want {
			t.Fatalf("first special byte of % x: %d, want %d", b, got, want)
		}
	}
	// Every byte value at every place, among plain letters and after a
	// byte that borrows (0x00).
	for place := range 8 {
		for c := range 256 {
			for _, fill := range []byte{'a', 0x00, 0xFF} {
				b := []byte("aaaaaaaa")
				for i := place + 1; i < 8; i++ {
					b[i] = fill
				}
				b[place] = byte(c)
				if got, want := first(b), naive(b); got != want {
					t.Fatalf("first special byte of % x: %d, want %d", b, got, want)
				}
			}
		}
	}
}

// TestBeyondTheRoom reads payloads deeper and wider than the room the
// stacks hold in place, and checks the pointer of an error at the bottom.
func TestBeyondTheRoom(t *testing.T) {
	deep := func(depth int, bottom string) (string, string) {
		var open, pointer strings.Builder
		closing := ""
		for i := range depth {
			if i%2 == 0 {
				fmt.Fprintf(&open, `{"k%d":0,"n%d":`, i, i)
				closing = "}" + closing
				fmt.Fprintf(&pointer, "/n%d", i)
			} else {
				open.WriteString(`[1,2,`)
				closing = "]" + closing
				pointer.WriteString("/2")
			}
		}
		return open.String() + bottom + closing, pointer.String()
	}
	for _, depth := range []int{7, 8, 9, 16, 17, 40} {
		in, pointer := deep(depth, `"\ud800"`)
		_, err := readAll([]byte(in), Limits{})
		if err == nil || err.Kind != LoneSurrogate || err.Pointer != pointer {
			t.Errorf("depth %d: got %v at %q, want a lone surrogate at %q", depth, err, errPointer(err), pointer)
		}
		in, _ = deep(depth, `{"a":1,"b":2,"a":3}`)
		_, err = readAll([]byte(in), Limits{})
		if err == nil || err.Kind != DuplicateKey || err.Pointer != pointer+"/a" {
			t.Errorf("depth %d: got %v at %q, want a duplicate key at %q", depth, err, errPointer(err), pointer+"/a")
		}
		in, _ = deep(depth, `true`)
		if _, err = readAll([]byte(in), Limits{}); err != nil {
			t.Errorf("depth %d: %v", depth, err)
		}
	}
}

func errPointer(err *Error) string {
	if err == nil {
		return ""
	}
	return err.Pointer
}

// TestExponentCountDoesNotWrap reads exponents whose digits, counted in an
// int of 32 bits without a stop, wrap to a negative count and pass the
// limit (make test-32bit runs it on ARMv7): 1073741824 is 1<<30.
func TestExponentCountDoesNotWrap(t *testing.T) {
	for _, in := range []string{"1e10737418240", "1e-10737418240", "1E+10737418249999999999", "1e4294967296", "1e1001"} {
		_, err := readAll([]byte(in), Limits{MaxExponent: 1000})
		if err == nil || err.Kind != Limit {
			t.Errorf("%s: got %v, want a Limit error", in, err)
		}
	}
	if _, err := readAll([]byte("1e1000"), Limits{MaxExponent: 1000}); err != nil {
		t.Errorf("1e1000: %v", err)
	}
}

// walkKeys reads a payload whole, listing every key it reads, with
// NextKeyExpecting(expect) for every object (NextKey when expect is "").
func walkKeys(data []byte, expect string) ([]string, *Error) {
	var r Reader
	r.Reset(data, Limits{MaxDepth: 64})
	var keys []string
	var walk func()
	walk = func() {
		switch r.Peek() {
		case Object:
			if r.ReadObject() {
				for key, ok := r.NextKeyExpecting(expect); ok; key, ok = r.NextKeyExpecting(expect) {
					keys = append(keys, string(key))
					walk()
				}
			}
		case Array:
			if r.ReadArray() {
				for r.NextItem() {
					walk()
				}
			}
		default:
			r.Skip()
		}
	}
	if r.Begin() {
		walk()
	}
	r.Finish()
	return keys, r.Err()
}

var expectingCases = []struct{ in, expect string }{
	{`{"ref_id":1,"status":2}`, "ref_id"},
	{`{"ref_id":1,"ref_id":2}`, "ref_id"},
	{`{"\u0072ef_id":1,"ref_id":2}`, "ref_id"},
	{`{"ref_id":1,"\u0072ef_id":2}`, "ref_id"},
	{`{"ref_idx":1}`, "ref_id"},
	{`{"ref":1}`, "ref_id"},
	{`{"ref\"id":1}`, "ref"},
	{`{"ref\\":1}`, "ref"},
	{`{ "ref_id" : 1 , "ref_id" : 2 }`, "ref_id"},
	{`{"ref_id"`, "ref_id"},
	{`{"ref_id"}`, "ref_id"},
	{`{"ref_id`, "ref_id"},
	{`{"a":{"a":{"a":1},"a":2}}`, "a"},
	{`[{"a":1},{"b":2,"a":3,"a":4}]`, "a"},
	{`{"":1,"":2}`, "a"},
}

// TestNextKeyExpecting reads payloads with and without an expected key:
// the keys and the error are the same.
func TestNextKeyExpecting(t *testing.T) {
	for _, tc := range expectingCases {
		want, wantErr := walkKeys([]byte(tc.in), "")
		got, gotErr := walkKeys([]byte(tc.in), tc.expect)
		if !slices.Equal(got, want) || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || errPointer(gotErr) != errPointer(wantErr) {
			t.Errorf("%s expecting %q: keys %q, error %v; NextKey: keys %q, error %v", tc.in, tc.expect, got, gotErr, want, wantErr)
		}
	}
}

// FuzzNextKeyExpecting holds NextKeyExpecting to NextKey on any payload
// and any expected key that JSON writes without escapes.
func FuzzNextKeyExpecting(f *testing.F) {
	for _, tc := range expectingCases {
		f.Add([]byte(tc.in), tc.expect)
	}
	f.Fuzz(func(t *testing.T, data []byte, expect string) {
		for _, c := range []byte(expect) {
			if c == '"' || c == '\\' || c < 0x20 || c > 0x7E {
				return // not a key that JSON writes as it is
			}
		}
		want, wantErr := walkKeys(data, "")
		got, gotErr := walkKeys(data, expect)
		if !slices.Equal(got, want) || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || errPointer(gotErr) != errPointer(wantErr) {
			t.Fatalf("%q expecting %q: keys %q, error %v; NextKey: keys %q, error %v", data, expect, got, gotErr, want, wantErr)
		}
	})
}
