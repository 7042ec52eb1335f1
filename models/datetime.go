package models

import (
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// parseDateTime parses an RFC 3339 date-time as the schema's "date-time"
// format accepts it. RFC 3339 (section 5.6) allows a lowercase "t" and "z",
// which time.Parse refuses, so they are upper-cased first. A leap second
// never gets here: the schema's pattern rejects second 60.
//
// The result never depends on the machine: time.Parse puts a time in
// time.Local when its offset is the local zone's, so the zone is replaced by
// UTC for a zero offset ("Z", "+00:00" and "-00:00") and by a fixed zone
// without a name for any other offset (see [zoneOf]). RFC 3339's "-00:00"
// (the offset to local time is unknown) therefore decodes as UTC and is
// written back as "Z": time.Time has no way to say "unknown offset".
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
	_, offset := t.Zone()
	return t.In(zoneOf(offset)), nil
}

// fixedZones holds one *time.Location per offset in minutes, from -23:59 to
// +23:59, made when first needed; the same offset always gives the same
// location, so that two decodings of one date-time are == to each other.
var fixedZones [2*24*60 - 1]atomic.Pointer[time.Location]

// zoneOf returns the zone for an offset in seconds east of UTC: time.UTC for
// 0, else a fixed zone without a name. The offset must be whole minutes
// within ±23:59, as a parsed RFC 3339 offset is; any other gets a zone of its
// own.
func zoneOf(offset int) *time.Location {
	if offset == 0 {
		return time.UTC
	}
	i := offset/60 + 24*60 - 1
	if offset%60 != 0 || i < 0 || i >= len(fixedZones) {
		return time.FixedZone("", offset)
	}
	if loc := fixedZones[i].Load(); loc != nil {
		return loc
	}
	fixedZones[i].CompareAndSwap(nil, time.FixedZone("", offset))
	return fixedZones[i].Load()
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

// dateTimeFormatError says why s is not a date-time as the validator's
// "date-time" format sees it, in the validator's words, or returns "".
// It follows the validator's own order of checks, so that the first reason
// found is the one it gives.
func dateTimeFormatError(s string) string {
	if len(s) < 20 {
		return "less than 20 characters long"
	}
	if s[10] != 't' && s[10] != 'T' {
		return "11th character must be t or T"
	}
	if _, err := time.Parse("2006-01-02", s[:10]); err != nil {
		return "invalid date element: " + err.Error()
	}
	if reason := timeFormatError(s[11:]); reason != "" {
		return "invalid time element: " + reason
	}
	return ""
}

// timeFormatError checks the time part of a date-time (RFC 3339's
// full-time) as the validator does; a leap second must fall on 23:59 UTC.
func timeFormatError(s string) string {
	if len(s) < 9 {
		return "less than 9 characters long"
	}
	if s[2] != ':' || s[5] != ':' {
		return "missing colon in correct place"
	}
	var hms [3]int
	for i, tok := range strings.SplitN(s[:8], ":", 3) {
		n, err := strconv.Atoi(tok)
		if err != nil {
			return "invalid hour/min/sec"
		}
		if n < 0 {
			return "non-positive hour/min/sec"
		}
		hms[i] = n
	}
	h, m, sec := hms[0], hms[1], hms[2]
	if h > 23 || m > 59 || sec > 60 {
		return "hour/min/sec out of range"
	}
	s = s[8:]
	if rest, ok := strings.CutPrefix(s, "."); ok {
		digits := 0
		for digits < len(rest) && rest[digits] >= '0' && rest[digits] <= '9' {
			digits++
		}
		if digits == 0 {
			return "no digits in second fraction"
		}
		s = rest[digits:]
	}
	if s != "z" && s != "Z" {
		if len(s) != 6 {
			return "offset must be 6 characters long"
		}
		var sign int
		switch s[0] {
		case '+':
			sign = -1
		case '-':
			sign = +1
		default:
			return "offset must begin with plus/minus"
		}
		s = s[1:]
		if s[2] != ':' {
			return "missing colon in offset in correct place"
		}
		var zhm [2]int
		for i, tok := range strings.SplitN(s, ":", 2) {
			n, err := strconv.Atoi(tok)
			if err != nil {
				return "invalid hour/min in offset"
			}
			if n < 0 {
				return "non-positive hour/min in offset"
			}
			zhm[i] = n
		}
		if zhm[0] > 23 || zhm[1] > 59 {
			return "hour/min in offset out of range"
		}
		hm := h*60 + m + sign*(zhm[0]*60+zhm[1])
		if hm < 0 {
			hm += 24 * 60
		}
		h, m = hm/60, hm%60
	}
	if sec >= 60 && (h != 23 || m != 59) {
		return "invalid leap second"
	}
	return ""
}
