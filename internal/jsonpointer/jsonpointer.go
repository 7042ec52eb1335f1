// Package jsonpointer writes JSON Pointers (RFC 6901). It is the one place
// in the taskschema module that escapes reference tokens: "~" becomes "~0"
// and "/" becomes "~1".
package jsonpointer

import (
	"strconv"
	"strings"
)

// Escape returns token escaped for use as one reference token of a pointer.
func Escape(token string) string {
	if !strings.ContainsAny(token, "~/") {
		return token
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(token)
}

// Join encodes tokens as a pointer: "" for none, else "/" before each
// escaped token.
func Join(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(Escape(t))
	}
	return b.String()
}

// Key returns the pointer of the member key of the object at pointer.
func Key(pointer, key string) string {
	return pointer + "/" + Escape(key)
}

// Index returns the pointer of item i of the array at pointer.
func Index(pointer string, i int) string {
	return pointer + "/" + strconv.Itoa(i)
}

// Compare orders two pointers token by token, so that a pointer comes
// before those below it. Tokens that are both decimal digits (array
// indices) compare as numbers, so /a/2 comes before /a/10; other tokens
// compare as text. It returns -1, 0 or +1.
func Compare(a, b string) int {
	for a != "" && b != "" {
		var ta, tb string
		ta, a = nextToken(a)
		tb, b = nextToken(b)
		if c := compareTokens(ta, tb); c != 0 {
			return c
		}
	}
	return strings.Compare(a, b) // the shorter pointer, "", comes first
}

// nextToken splits the first token (escaped, without its "/") off p, which
// starts with "/".
func nextToken(p string) (token, rest string) {
	p = p[1:]
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i], p[i:]
	}
	return p, ""
}

func compareTokens(a, b string) int {
	if isDigits(a) && isDigits(b) {
		a0, b0 := strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
		if len(a0) != len(b0) {
			return cmpInt(len(a0), len(b0))
		}
		if c := strings.Compare(a0, b0); c != 0 {
			return c
		}
	}
	return strings.Compare(a, b)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
