package models

import (
	"errors"
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
		{"zero limits are no limits", Limits{}, nested(100), false},
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

// Without the exponent limit, the v6 validator panics on 1e1000000000 in a
// field with a minimum (a nil *big.Rat); the panic must come back as an
// error, never escape.
func TestValidatorPanicIsRecovered(t *testing.T) {
	var ti TaskInfo
	err := Limits{}.Unmarshal([]byte(`{"ref_id":"r","started_at":1e1000000000}`), &ti)
	if !errors.Is(err, ErrValidatorFailed) {
		t.Fatalf("got %v, want an error wrapping ErrValidatorFailed", err)
	}
	if err := (Limits{}).ValidateJSON("task_progress", []byte(`{"percentage":-1e1000000000}`)); !errors.Is(err, ErrValidatorFailed) {
		t.Fatalf("task_progress: got %v, want ErrValidatorFailed", err)
	}
}
