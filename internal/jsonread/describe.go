package jsonread

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/runenames"
)

// DescribeAt names the character that starts at data[i] for an error
// message, so that a payload's stray byte-order mark or no-break space reads
// as itself and not as the mojibake of its first byte:
//
//   - a printable ASCII character in quotes: 'x';
//   - the byte-order mark as "byte-order mark (U+FEFF)";
//   - any other character by code point and Unicode name, after the
//     character itself when it is visible: 'é' U+00E9 LATIN SMALL LETTER E
//     WITH ACUTE, U+00A0 NO-BREAK SPACE;
//   - a byte that does not begin valid UTF-8 in hex: byte 0xEF (not valid
//     UTF-8).
func DescribeAt(data []byte, i int) string {
	r, size := utf8.DecodeRune(data[i:])
	switch {
	case r == utf8.RuneError && size <= 1:
		return fmt.Sprintf("byte 0x%02X (not valid UTF-8)", data[i])
	case r == '\uFEFF':
		return "byte-order mark (U+FEFF)"
	case r < utf8.RuneSelf && unicode.IsPrint(r):
		return fmt.Sprintf("%q", r)
	}
	name := runenames.Name(r)
	if r < 0x20 || r == 0x7F {
		name = controlName(r)
	}
	desc := fmt.Sprintf("U+%04X", r)
	if name != "" {
		desc += " " + name
	}
	if unicode.IsGraphic(r) && !unicode.IsSpace(r) {
		desc = fmt.Sprintf("%q %s", r, desc)
	}
	return desc
}

// controlName names the ASCII control characters, which the Unicode name
// table lists only as "<control>".
func controlName(r rune) string {
	switch r {
	case 0:
		return "NULL"
	case '\b':
		return "BACKSPACE"
	case '\t':
		return "CHARACTER TABULATION"
	case '\n':
		return "LINE FEED"
	case '\f':
		return "FORM FEED"
	case '\r':
		return "CARRIAGE RETURN"
	case 0x1B:
		return "ESCAPE"
	case 0x7F:
		return "DELETE"
	}
	return "control character"
}
