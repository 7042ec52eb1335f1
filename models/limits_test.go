package models

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestLimits(t *testing.T) {
	nested := func(depth int) string {
		return `{"ref_id":"r","started_at":1,"x":` + strings.Repeat("[", depth-1) + strings.Repeat("]", depth-1) + "}"
	}
	small := Limits{MaxBytes: 200, MaxDepth: 4, MaxNumberLength: 10, MaxExponent: 20}
	tests := []struct {
		name    string
		limits  Limits
		payload string
		limited bool
	}{
		{"bytes at the limit", small, `{"ref_id":"` + strings.Repeat("a", 200-28) + `","started_at":1}`, false},
		{"bytes over the limit", small, `{"ref_id":"` + strings.Repeat("a", 200-27) + `","started_at":1}`, true},
		{"depth at the limit", small, nested(4), false},
		{"depth over the limit", small, nested(5), true},
		{"brackets inside strings do not count", small, `{"ref_id":"[[[[[[{{{{","started_at":1}`, false},
		{"escaped quote inside a string", small, `{"ref_id":"\"[[[[[[","started_at":1}`, false},
		{"number at the length limit", small, `{"ref_id":"r","started_at":1.00000000}`, false},
		{"number over the length limit", small, `{"ref_id":"r","started_at":1.000000000}`, true},
		{"exponent at the limit", small, `{"ref_id":"r","started_at":1e-20}`, false},
		{"exponent over the limit", small, `{"ref_id":"r","started_at":1E+21}`, true},
		{"digits inside strings are not numbers", small, `{"ref_id":"1e99999999999","started_at":1}`, false},
		{"default: 1 MiB", DefaultLimits(), `{"ref_id":"` + strings.Repeat("a", 1<<20) + `","started_at":1}`, true},
		{"default: depth 64", DefaultLimits(), nested(65), true},
		{"default: depth 64 is fine", DefaultLimits(), nested(64), false},
		{"default: exponent 400", DefaultLimits(), `{"ref_id":"r","started_at":1e-400}`, false},
		{"default: exponent 401", DefaultLimits(), `{"ref_id":"r","started_at":1e-401}`, true},
		{"default: the validator-panic number", DefaultLimits(), `{"ref_id":"r","started_at":1e1000000000}`, true},
		{"zero limits are the ceilings: depth 1000", Limits{}, nested(1000), false},
		{"zero limits are the ceilings: depth 1001", Limits{}, nested(1001), true},
		{"above the ceiling is the ceiling", Limits{MaxDepth: 1 << 30}, nested(1001), true},
		{"negative is the ceiling", Limits{MaxDepth: -1}, nested(1001), true},
		{"zero limits: exponent 1000", Limits{}, `{"ref_id":"r","started_at":1e-1000}`, false},
		{"zero limits: exponent 1001", Limits{}, `{"ref_id":"r","started_at":1e-1001}`, true},
		{"zero limits: number of 1001 characters", Limits{}, `{"ref_id":"r","started_at":1.` + strings.Repeat("0", 999) + `}`, true},
		{"zero limits: the validator-panic number", Limits{}, `{"ref_id":"r","started_at":1e1000000000}`, true},
		{"zero limits: 64 MiB", Limits{}, `{"ref_id":"` + strings.Repeat("a", 64<<20) + `","started_at":1}`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ti TaskInfo
			err := tc.limits.Unmarshal([]byte(tc.payload), &ti)
			var ve *ValidationError
			isLimit := errors.As(err, &ve) && len(ve.Violations) == 1 && ve.Violations[0].Keyword == KeywordLimit
			if isLimit != tc.limited {
				t.Fatalf("limited = %v, want %v (err: %v)", isLimit, tc.limited, err)
			}
			if !tc.limited && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tc.limited && !strings.Contains(ve.Violations[0].Message, "Max") {
				t.Fatalf("message does not name the limit: %q", ve.Violations[0].Message)
			}
		})
	}
}

// The v6 validator panics on 1e1000000000 in a field with a minimum (a nil
// *big.Rat); no Limits value lets such a number through any more, but should
// the validator panic, the panic must come back as an error, never escape.
func TestValidatorPanicIsRecovered(t *testing.T) {
	reg, err := loadRegistry()
	if err != nil {
		t.Fatal(err)
	}
	doc := map[string]any{"ref_id": "r", "started_at": json.Number("1e1000000000")}
	if _, err := validateWith(reg.compiled[schemaTaskInfo], "task_info", doc); !errors.Is(err, ErrValidatorFailed) {
		t.Fatalf("got %v, want an error wrapping ErrValidatorFailed", err)
	}
}

// TestLimitCeilings checks that every limit of Limits{} is its ceiling, and
// that the ceilings are no looser than the defaults.
func TestLimitCeilings(t *testing.T) {
	c, d := LimitCeilings(), DefaultLimits()
	if got := (Limits{}).effective(); got != c {
		t.Errorf("Limits{} is %+v, want the ceilings %+v", got, c)
	}
	if got := d.effective(); got != d {
		t.Errorf("the defaults become %+v, want them unchanged", got)
	}
	if c.MaxBytes < d.MaxBytes || c.MaxDepth < d.MaxDepth || c.MaxNumberLength < d.MaxNumberLength ||
		c.MaxExponent < d.MaxExponent || c.MaxViolations < d.MaxViolations {
		t.Errorf("a ceiling is below its default: %+v, %+v", c, d)
	}
}

// TestReadAllCeiling checks that Limits{}.ReadAll stops at the MaxBytes
// ceiling instead of reading without end.
func TestReadAllCeiling(t *testing.T) {
	max := LimitCeilings().MaxBytes
	r := io.LimitReader(zeroReader{}, int64(max)+100)
	_, err := Limits{}.ReadAll(r, "task_info")
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Violations[0].Keyword != KeywordLimit {
		t.Fatalf("got %v, want a limit violation", err)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestDefaultLimitsWithinCeilings holds the shortcut of unmarshal, which
// takes DefaultLimits as they are, without clamping them to the ceilings.
func TestDefaultLimitsWithinCeilings(t *testing.T) {
	if d := DefaultLimits(); d.effective() != d {
		t.Errorf("DefaultLimits %+v are not within the ceilings: %+v", d, d.effective())
	}
}
