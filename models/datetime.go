package models

import (
	"fmt"
	"time"
)

// parseDateTime parses an RFC 3339 date-time as the schema's "date-time"
// format accepts it. RFC 3339 (section 5.6) allows a lowercase "t" and "z",
// which time.Parse refuses, so they are upper-cased first; the instant and the
// offset are kept as written. A leap second never gets here: the schema's
// pattern rejects second 60.
func parseDateTime(s string) (time.Time, error) {
	b := []byte(s)
	if len(b) > 10 && b[10] == 't' {
		b[10] = 'T'
	}
	if n := len(b); n > 0 && b[n-1] == 'z' {
		b[n-1] = 'Z'
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return time.Time{}, fmt.Errorf("date-time %q: %w", s, err)
	}
	return t, nil
}

// dateTimeViolation says why t has no RFC 3339 form that reads back as the
// same instant and offset, or returns "".
func dateTimeViolation(t time.Time) string {
	if y := t.Year(); y < 0 || y > 9999 {
		return fmt.Sprintf("year %d is outside 0000 to 9999, which RFC 3339 can write", y)
	}
	_, offset := t.Zone()
	if offset%60 != 0 {
		return fmt.Sprintf("UTC offset of %d seconds is not a whole number of minutes, which RFC 3339 needs", offset)
	}
	if offset <= -24*3600 || offset >= 24*3600 {
		return fmt.Sprintf("UTC offset of %d seconds is 24 hours or more", offset)
	}
	return ""
}
