package tasks

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"unicode/utf8"
)

// maxIDLength is the longest ref_id a caller may bring, in bytes.
const maxIDLength = 256

// NewRefID returns prefix followed by 128 bits from crypto/rand as 32
// lowercase hex digits, with a "-" between them when prefix is not empty.
// The prefix (a tool name, say) may hold at most 64 letters, digits and
// ".", "_", ":" or "-".
func NewRefID(prefix string) (string, error) {
	if len(prefix) > 64 {
		return "", fmt.Errorf("%w: ref_id prefix is %d bytes, more than 64", ErrInvalid, len(prefix))
	}
	for i := 0; i < len(prefix); i++ {
		if c := prefix[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return "", fmt.Errorf("%w: ref_id prefix %q: byte %d (%q) is not a letter, digit, '.', '_', ':' or '-'", ErrInvalid, prefix, i, c)
		}
	}
	var b [16]byte
	rand.Read(b[:]) // never returns an error (crypto/rand, Go 1.24+)
	id := hex.EncodeToString(b[:])
	if prefix != "" {
		id = prefix + "-" + id
	}
	return id, nil
}

// checkID says why a caller's ref_id is refused, or returns nil: it must
// be 1 to 256 bytes of UTF-8 with no control characters.
func checkID(id string) error {
	if id == "" || len(id) > maxIDLength {
		return fmt.Errorf("%w: ref_id must be 1 to %d bytes, got %d", ErrInvalid, maxIDLength, len(id))
	}
	if !utf8.ValidString(id) {
		return fmt.Errorf("%w: ref_id %q is not valid UTF-8", ErrInvalid, id)
	}
	for i, r := range id {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%w: ref_id %q has a control character at byte %d", ErrInvalid, id, i)
		}
	}
	return nil
}
