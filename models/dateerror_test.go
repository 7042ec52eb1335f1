package models

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDateErrorIsTimeParse holds dateError to time.Parse's error text on
// every month and day number of some years (leap or not, and year 0000),
// and on dates that are not written dddd-dd-dd.
func TestDateErrorIsTimeParse(t *testing.T) {
	want := func(s string) string {
		if _, err := time.Parse("2006-01-02", s); err != nil {
			return err.Error()
		}
		return ""
	}
	var dates []string
	for _, year := range []int{0, 1, 4, 100, 400, 1900, 2000, 2023, 2024, 2025, 9999} {
		for month := range 100 {
			for day := range 100 {
				dates = append(dates, fmt.Sprintf("%04d-%02d-%02d", year, month, day))
			}
		}
	}
	dates = append(dates, "2025-1-031", "2025/11/30", "202x-11-30", "2025-11-3x", "2025-x1-30",
		"+025-11-30", "2025-11- 3", "２０２５-1", "2025-11-30")
	for _, s := range dates {
		if got, want := dateError(s), want(s); got != want {
			t.Errorf("%q: got %q, want %q", s, got, want)
		}
	}
}

// TestValidatorQuotePlain holds validatorQuote's shortcut for plain
// strings to the quoting it skips: Go's %q, with double quotes left alone
// and single quotes escaped, between single quotes.
func TestValidatorQuotePlain(t *testing.T) {
	slow := func(s string) string {
		q := strconv.Quote(s)
		q = strings.ReplaceAll(q, `\"`, `"`)
		q = strings.ReplaceAll(q, `'`, `\'`)
		return "'" + q[1:len(q)-1] + "'"
	}
	inputs := []string{"", "2025-11-31T10:30:00.000Z", `say "hi"`, "it's", `a\b`, "tab\there", "é", "\x7f", "~ }"}
	for c := range 256 {
		inputs = append(inputs, string([]byte{'x', byte(c), 'y'}))
	}
	for _, s := range inputs {
		if got, want := validatorQuote(s), slow(s); got != want {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}
