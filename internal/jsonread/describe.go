package jsonread

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// DescribeAt names the character that starts at data[i] for an error
// message, so that a payload's stray byte-order mark or no-break space reads
// as itself and not as the mojibake of its first byte:
//
//   - a printable ASCII character in quotes: 'x';
//   - the byte-order mark as "byte-order mark (U+FEFF)";
//   - any other character by code point, after the character itself when
//     it is visible, and with its Unicode name when it is one of the
//     characters that editors and copy-paste slip into JSON (see
//     [runeNames]): U+00A0 NO-BREAK SPACE, '“' U+201C LEFT DOUBLE QUOTATION
//     MARK, 'é' U+00E9;
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
	name := runeNames[r]
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

// runeNames holds the Unicode names of the characters most often found
// where JSON does not allow them: the spaces, quotation marks and dashes
// that word processors and web pages put in, and invisible characters. The
// full Unicode name table (golang.org/x/text/unicode/runenames) would add a
// megabyte to every program that reads payloads.
var runeNames = map[rune]string{
	0x0085: "NEXT LINE",
	0x00A0: "NO-BREAK SPACE",
	0x00AD: "SOFT HYPHEN",
	0x1680: "OGHAM SPACE MARK",
	0x2000: "EN QUAD",
	0x2001: "EM QUAD",
	0x2002: "EN SPACE",
	0x2003: "EM SPACE",
	0x2004: "THREE-PER-EM SPACE",
	0x2005: "FOUR-PER-EM SPACE",
	0x2006: "SIX-PER-EM SPACE",
	0x2007: "FIGURE SPACE",
	0x2008: "PUNCTUATION SPACE",
	0x2009: "THIN SPACE",
	0x200A: "HAIR SPACE",
	0x200B: "ZERO WIDTH SPACE",
	0x200C: "ZERO WIDTH NON-JOINER",
	0x200D: "ZERO WIDTH JOINER",
	0x200E: "LEFT-TO-RIGHT MARK",
	0x200F: "RIGHT-TO-LEFT MARK",
	0x2010: "HYPHEN",
	0x2011: "NON-BREAKING HYPHEN",
	0x2012: "FIGURE DASH",
	0x2013: "EN DASH",
	0x2014: "EM DASH",
	0x2018: "LEFT SINGLE QUOTATION MARK",
	0x2019: "RIGHT SINGLE QUOTATION MARK",
	0x201C: "LEFT DOUBLE QUOTATION MARK",
	0x201D: "RIGHT DOUBLE QUOTATION MARK",
	0x2028: "LINE SEPARATOR",
	0x2029: "PARAGRAPH SEPARATOR",
	0x202F: "NARROW NO-BREAK SPACE",
	0x205F: "MEDIUM MATHEMATICAL SPACE",
	0x2060: "WORD JOINER",
	0x2212: "MINUS SIGN",
	0x3000: "IDEOGRAPHIC SPACE",
	0xFF02: "FULLWIDTH QUOTATION MARK",
	0xFFFD: "REPLACEMENT CHARACTER",
}
