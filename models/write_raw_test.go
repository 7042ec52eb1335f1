package models

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/internal/jsonread"
)

// nest returns inner inside k arrays.
func nest(k int, inner string) string {
	return strings.Repeat("[", k) + inner + strings.Repeat("]", k)
}

// rawModels build a value around a json.RawMessage: an ExpectedSchema, in
// which the example sits in the top object, and a FullTaskResponse, in
// which it sits one object deeper.
var rawModels = map[string]func(raw json.RawMessage) any{
	"expected_schema": func(raw json.RawMessage) any { return ExpectedSchema{Example: raw} },
	"full_task_response": func(raw json.RawMessage) any {
		return FullTaskResponse{RefID: "r", Status: TaskStatusProcessing, IsAsync: true,
			StartedAt: time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC), ExpectedSchema: &ExpectedSchema{Example: raw}}
	},
}

// Marshal measures the json.RawMessage values it writes instead of reading
// its whole encoding back; at each edge of each limit, for the example at
// two depths, it must decide and word its refusal exactly as reading the
// encoding back does (readBack), and as Unmarshal with the same limits.
func TestMarshalRawAtLimitEdges(t *testing.T) {
	digits := func(n int) string { return "1" + strings.Repeat("0", n-1) }
	deep := DefaultLimits()
	deep.MaxDepth = 10
	long := DefaultLimits()
	long.MaxNumberLength = 30
	wide := DefaultLimits()
	wide.MaxExponent = 330
	type tc struct {
		model  string
		raw    string
		limits Limits
		accept bool
	}
	var tests []tc
	for model, at := range map[string]int{"expected_schema": 1, "full_task_response": 2} {
		tests = append(tests,
			// MaxDepth: the example's arrays are counted from where it sits.
			tc{model, nest(10-at, "1"), deep, true},
			tc{model, nest(11-at, "1"), deep, false},
			tc{model, " [ " + nest(8-at, "{ }") + " ] ", deep, true},
			tc{model, "[" + nest(9-at, "{}") + "]", deep, false},
			tc{model, `{"a":` + nest(9-at, "0") + `,"b":[]}`, deep, true},
			tc{model, `{"a":[],"b":` + nest(10-at, "0") + `}`, deep, false},
			tc{model, nest(64-at, "null"), DefaultLimits(), true},
			tc{model, nest(65-at, "null"), DefaultLimits(), false},
			// MaxNumberLength, above the 24 characters the writers reach.
			tc{model, "[" + digits(30) + "]", long, true},
			tc{model, "[" + digits(31) + "]", long, false},
			tc{model, "-" + digits(29), long, true},
			tc{model, "-" + digits(30), long, false},
			tc{model, `{"n":` + digits(100) + `}`, DefaultLimits(), true},
			tc{model, `{"n":` + digits(101) + `}`, DefaultLimits(), false},
			// MaxExponent, above the 324 that the writers reach.
			tc{model, "1e330", wide, true},
			tc{model, "[1E-0331]", wide, false},
			tc{model, "-2.5e+0331", wide, false},
			tc{model, "[0.1e400]", DefaultLimits(), true},
			tc{model, "[0.1e401]", DefaultLimits(), false},
			// The first value beyond a limit is the one the message names.
			tc{model, "[1e999," + nest(70, "") + "]", DefaultLimits(), false},
			tc{model, "[" + nest(70, "") + ",1e999]", DefaultLimits(), false},
			tc{model, `["1e999 [[[",` + digits(101) + "]", DefaultLimits(), false},
			// Limits below what the writers write: the encoding is read back.
			tc{model, "[12345]", Limits{MaxNumberLength: 5}, true},
			tc{model, "[123456]", Limits{MaxNumberLength: 5}, false},
			tc{model, "1e5", Limits{MaxExponent: 5}, true},
			tc{model, "1e6", Limits{MaxExponent: 5}, false},
			tc{model, "null", Limits{MaxDepth: at}, true},
			tc{model, "[]", Limits{MaxDepth: at}, false},
			tc{model, "[]", Limits{MaxDepth: at + 1}, true},
			tc{model, `"` + strings.Repeat("x", 400) + `"`, Limits{MaxBytes: 400}, false},
		)
	}
	for _, tt := range tests {
		v := rawModels[tt.model](json.RawMessage(tt.raw))
		id, _ := schemaOf(reflect.TypeOf(v))
		name := tt.model + " " + tt.raw
		if len(name) > 80 {
			name = name[:80]
		}
		if err := Validate(v); err != nil {
			t.Fatalf("%s: Validate: %v", name, err)
		}
		written := appendModel(new(jsonread.Extent), nil, v)
		want, wantErr := readBack(tt.limits.effective(), id, written)
		got, err := tt.limits.Marshal(v)
		if (wantErr == nil) != tt.accept {
			t.Errorf("%s, %+v: readBack gives %v, want accepted %v", name, tt.limits, wantErr, tt.accept)
		}
		unmarshalErr := tt.limits.Unmarshal(written, rawTarget(tt.model))
		if (unmarshalErr == nil) != tt.accept {
			t.Errorf("%s, %+v: Unmarshal of the encoding gives %v, want accepted %v", name, tt.limits, unmarshalErr, tt.accept)
		}
		if wantErr == nil {
			if err != nil || string(got) != string(want) {
				t.Errorf("%s, %+v: Marshal gives %s, %v; want %s", name, tt.limits, got, err, want)
			}
			continue
		}
		var ve *ValidationError
		if got != nil || !errors.As(err, &ve) || len(ve.Violations) != 1 || ve.Violations[0].Keyword != KeywordLimit {
			t.Errorf("%s, %+v: Marshal gives %d bytes, %v; want one limit violation", name, tt.limits, len(got), err)
			continue
		}
		if err.Error() != wantErr.Error() {
			t.Errorf("%s, %+v: Marshal says\n%v\nreading back says\n%v", name, tt.limits, err, wantErr)
		}
		if want := "beyond a limit: " + unmarshalErr.(*ValidationError).Violations[0].Message; !strings.Contains(err.Error(), "MaxBytes") && !strings.HasSuffix(err.Error(), want) {
			t.Errorf("%s, %+v: Marshal says %v, Unmarshal %v", name, tt.limits, err, unmarshalErr)
		}
	}
}

func rawTarget(model string) any {
	if model == "expected_schema" {
		return new(ExpectedSchema)
	}
	return new(FullTaskResponse)
}

// encoded reads the encoding back only when a measure of its
// json.RawMessage values, or its size, is beyond a limit: otherwise it
// returns the bytes as the writers wrote them, unread (here, bytes that are
// not JSON at all, which reading would refuse).
func TestEncodedReadsBackOnlyBeyondAMeasure(t *testing.T) {
	data := []byte("not JSON")
	l := DefaultLimits()
	for _, tt := range []struct {
		id       schemaID
		raw      jsonread.Extent
		readBack bool
	}{
		{schemaExpectedSchema, jsonread.Extent{}, false},
		{schemaExpectedSchema, jsonread.Extent{Depth: 63, NumberLength: 100, Exponent: 400}, false},
		{schemaExpectedSchema, jsonread.Extent{Depth: 64}, true},
		{schemaFullTaskResponse, jsonread.Extent{Depth: 62}, false},
		{schemaFullTaskResponse, jsonread.Extent{Depth: 63}, true},
		{schemaFullTaskResponse, jsonread.Extent{NumberLength: 101}, true},
		{schemaFullTaskResponse, jsonread.Extent{Exponent: 401}, true},
		{schemaTaskInfo, jsonread.Extent{}, false},
	} {
		out, err := encoded(l, tt.id, data, tt.raw)
		if tt.readBack {
			if err == nil || !strings.Contains(err.Error(), "does not read back") {
				t.Errorf("%s %+v: got %s, %v; want the encoding read back and refused", tt.id, tt.raw, out, err)
			}
		} else if err != nil || string(out) != string(data) {
			t.Errorf("%s %+v: got %s, %v; want the encoding unread", tt.id, tt.raw, out, err)
		}
	}
}
