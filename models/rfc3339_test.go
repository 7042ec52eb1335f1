package models

import (
	"regexp"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// parseRFC3339 against its oracle: the schema's pattern as a regular
// expression, the validator's "date-time" format, and time.Parse for the
// value (in the zone zoneOf gives its offset).

// rfc3339Oracle compiles {"type": "string", "format": "date-time", "pattern":
// rfc3339Pattern} with the format asserted, as the registry compiles the
// schemas.
func rfc3339Oracle(t testing.TB) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	doc := map[string]any{"type": "string", "format": "date-time", "pattern": rfc3339Pattern}
	if err := c.AddResource("https://example.test/dt.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("https://example.test/dt.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var rfc3339Regexp = regexp.MustCompile(rfc3339Pattern)

// checkRFC3339 fails unless parseRFC3339 accepts s exactly when the pattern
// and the format do, with the value time.Parse gives.
func checkRFC3339(t *testing.T, oracle *jsonschema.Schema, s string) {
	t.Helper()
	got, ok := parseRFC3339([]byte(s))
	want := oracle.Validate(s) == nil
	if want && !rfc3339Regexp.MatchString(s) {
		t.Fatalf("%q: the validator accepts what the pattern refuses", s)
	}
	if ok != want {
		t.Fatalf("%q: parseRFC3339 ok=%v, pattern and format valid=%v", s, ok, want)
	}
	if !ok {
		return
	}
	upper := []byte(s)
	upper[10] = 'T'
	if c := upper[len(upper)-1]; c == 'z' {
		upper[len(upper)-1] = 'Z'
	}
	parsed, err := time.Parse(time.RFC3339Nano, string(upper))
	if err != nil {
		t.Fatalf("%q: time.Parse: %v", s, err)
	}
	_, offset := parsed.Zone()
	if wantT := parsed.In(zoneOf(offset)); got != wantT {
		t.Fatalf("%q: parseRFC3339 = %v, time.Parse = %v", s, got, wantT)
	}
}

var rfc3339Cases = []string{
	"2025-01-15T10:30:00Z", "2025-01-15t10:30:00z", "2025-01-15T10:30:00+05:30", "2025-01-15T10:30:00-00:00",
	"2025-01-15T10:30:00.123456789123Z", "2025-01-15T10:30:00.5+23:59", "2024-02-29T00:00:00Z",
	"2023-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2000-02-29T23:59:59Z", "0000-01-01T00:00:00Z",
	"0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999-23:59", "2025-01-15T23:59:60Z",
	"2025-01-15T10:30:00+24:00", "2025-01-15T10:30:00+01:60", "2025-01-15T24:00:00Z", "2025-01-15T10:60:00Z",
	"2025-13-15T10:30:00Z", "2025-00-15T10:30:00Z", "2025-04-31T10:30:00Z", "2025-01-15T10:30:00.Z",
	"2025-01-15T10:30:00", "2025-01-15 10:30:00Z", "2025-01-15T10:30:00+0530", "2025-01-15T10:30:00++1:00",
	"+025-01-15T10:30:00Z", "2025-01-15T10:30:00Z\n", "２025-01-15T10:30:00Z", "2025-1-15T10:30:00Z",
	"2025-01-15T10:30:00.123", "2025-01-15T10:30:00+-1:00", "2025-01-15T1a:30:00Z",
}

func TestParseRFC3339(t *testing.T) {
	oracle := rfc3339Oracle(t)
	for _, s := range rfc3339Cases {
		checkRFC3339(t, oracle, s)
	}
	// The schemas' date-times have exactly the pattern parseRFC3339 decides
	// (gen refuses any other).
	if asyncTaskResponseStartedAtPattern != rfc3339Pattern {
		t.Errorf("started_at's pattern %q is not rfc3339Pattern", asyncTaskResponseStartedAtPattern)
	}
}

// FuzzRFC3339 compares parseRFC3339 with the schema's pattern as a regular
// expression plus the validator's "date-time" format plus time.Parse.
func FuzzRFC3339(f *testing.F) {
	for _, s := range rfc3339Cases {
		f.Add(s)
	}
	oracle := rfc3339Oracle(f)
	f.Fuzz(func(t *testing.T, s string) {
		if !validString(s) {
			return // a payload is valid UTF-8 before a date-time is read
		}
		checkRFC3339(t, oracle, s)
	})
}
