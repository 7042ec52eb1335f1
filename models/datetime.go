package models

import (
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// rfc3339Pattern is the pattern that the schemas give every date-time: it
// restates RFC 3339's grammar without second 60 and the year 0000. The
// generator refuses any other pattern on a date-time, because
// parseRFC3339 decides exactly this one.
const rfc3339Pattern = `^(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-5][0-9](?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})$`

// parseRFC3339 parses a date-time that both rfc3339Pattern and the
// validator's "date-time" format accept, and reports false for any other
// input. It reads the parts at their fixed places in one pass and calls
// time.Date once: no regular expression, no time.Parse. RFC 3339 (section
// 5.6) allows a lowercase "t" and "z"; digits of the fraction past the
// ninth are dropped, as time.Parse drops them.
//
// The result never depends on the machine: a zero offset ("Z", "+00:00"
// and "-00:00") gives UTC and any other offset a fixed zone without a name
// (see [zoneOf]), never time.Local. RFC 3339's "-00:00" (the offset to
// local time is unknown) therefore decodes as UTC and is written back as
// "Z": time.Time has no way to say "unknown offset".
func parseRFC3339(b []byte) (time.Time, bool) {
	n := len(b)
	if n < 20 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != 't') ||
		b[13] != ':' || b[16] != ':' || b[17] > '5' {
		return time.Time{}, false
	}
	year, ok1 := digits(b[0:4])
	month, ok2 := digits(b[5:7])
	day, ok3 := digits(b[8:10])
	hour, ok4 := digits(b[11:13])
	minute, ok5 := digits(b[14:16])
	sec, ok6 := digits(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return time.Time{}, false
	}
	i, nsec := 19, 0
	if b[i] == '.' {
		i++
		start := i
		for i < n && b[i] >= '0' && b[i] <= '9' {
			if i-start < 9 {
				nsec = nsec*10 + int(b[i]-'0')
			}
			i++
		}
		if i == start {
			return time.Time{}, false
		}
		for d := i - start; d < 9; d++ {
			nsec *= 10
		}
	}
	offset := 0
	switch {
	case i == n-1 && (b[i] == 'Z' || b[i] == 'z'):
	case i == n-6 && (b[i] == '+' || b[i] == '-') && b[i+3] == ':':
		oh, okH := digits(b[i+1 : i+3])
		om, okM := digits(b[i+4 : i+6])
		if !okH || !okM || oh > 23 || om > 59 {
			return time.Time{}, false
		}
		offset = (oh*60 + om) * 60
		if b[i] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	if year == 0 || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) ||
		hour > 23 || minute > 59 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, zoneOf(offset)), true
}

// digits parses a run of ASCII digits.
func digits[T string | []byte](b T) (int, bool) {
	n := 0
	for i := range len(b) {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// daysIn returns the number of days of a month of the proleptic Gregorian
// calendar.
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
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
	if reason := dateError(s[:10]); reason != "" {
		return "invalid date element: " + reason
	}
	if reason := timeFormatError(s[11:]); reason != "" {
		return "invalid time element: " + reason
	}
	return ""
}

// dateError is time.Parse's error for the date s (10 bytes) in the layout
// 2006-01-02, as text, or "" for a date it accepts. A date written
// dddd-dd-dd is decided here, with time.Parse's words; any other string
// is left to time.Parse.
func dateError(s string) string {
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || s[4] != '-' || s[7] != '-' {
		return parseDateError(s)
	}
	switch {
	case month < 1 || month > 12:
		return `parsing time "` + s + `": month out of range`
	case day < 1 || day > daysIn(month, year):
		return `parsing time "` + s + `": day out of range`
	}
	return ""
}

// parseDateError is time.Parse's error for the date s, as text.
func parseDateError(s string) string {
	if _, err := time.Parse("2006-01-02", s); err != nil {
		return err.Error()
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
	for i, tok := range [3]string{s[0:2], s[3:5], s[6:8]} { // split at the colons
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
		for i, tok := range [2]string{s[0:2], s[3:]} { // split at the colon
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
