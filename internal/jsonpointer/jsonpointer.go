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
