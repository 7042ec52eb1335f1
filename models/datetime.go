package models

import (
	"fmt"
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
