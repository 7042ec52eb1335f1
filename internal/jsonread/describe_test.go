package jsonread

import (
	"strings"
	"testing"
)

func TestDescribeAt(t *testing.T) {
	tests := []struct {
		data string
		want string
	}{
		{"x", "'x'"},
		{"\uFEFF{}", "byte-order mark (U+FEFF)"},
		{"\u00A0", "U+00A0 NO-BREAK SPACE"},
		{"é", "'é' U+00E9"},
		{"\u2013", "'\u2013' U+2013 EN DASH"},
		{"\u201C", "'\u201C' U+201C LEFT DOUBLE QUOTATION MARK"},
		{"\u200B", "U+200B ZERO WIDTH SPACE"},
		{"\x00", "U+0000 NULL"},
		{"\x01", "U+0001 control character"},
		{"\xEF", "byte 0xEF (not valid UTF-8)"},
		{"\xFF\xFE", "byte 0xFF (not valid UTF-8)"},
	}
	for _, tc := range tests {
		if got := DescribeAt([]byte(tc.data), 0); got != tc.want {
			t.Errorf("DescribeAt(%q) = %q, want %q", tc.data, got, tc.want)
		}
	}
}

// TestSyntaxErrorsNameTheCharacter checks the messages of the reader for
// characters that are not where JSON allows them.
func TestSyntaxErrorsNameTheCharacter(t *testing.T) {
	tests := []struct {
		data string
		want string
	}{
		{"\uFEFF{}", "unexpected byte-order mark (U+FEFF), want a JSON value"},
		{"{\"a\":\u00A01}", "unexpected U+00A0 NO-BREAK SPACE, want a JSON value"},
		{"{\"a\":\u201Cx\u201D}", "unexpected '\u201C' U+201C LEFT DOUBLE QUOTATION MARK, want a JSON value"},
		{"{\"a\":1}\u00A0", "data after the JSON value, starting with U+00A0 NO-BREAK SPACE"},
		{"{} {}", "data after the JSON value, starting with '{'"},
		{"{\"a\":\"x\ty\"}", "U+0009 CHARACTER TABULATION in a string, which must be escaped"},
		{"[1,\xFF]", "unexpected byte 0xFF (not valid UTF-8), want a JSON value"},
	}
	for _, tc := range tests {
		_, err := readAll([]byte(tc.data), Limits{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want an error with %q", tc.data, err, tc.want)
		}
	}
}
