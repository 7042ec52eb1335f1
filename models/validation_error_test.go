package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestViolationString(t *testing.T) {
	tests := []struct {
		v    Violation
		want string
	}{
		{Violation{"", "type", "got string, want object"}, "(root): type: got string, want object"},
		{Violation{"", KeywordJSON, "payload is empty"}, "(root): json: payload is empty"},
		{Violation{"/retry_count", "minimum", "must be at least 0, got -1"}, "/retry_count: minimum: must be at least 0, got -1"},
		{Violation{"/retry_history/0/attempt", "minimum", "must be at least 1, got 0"}, "/retry_history/0/attempt: minimum: must be at least 1, got 0"},
		{Violation{"/a~1b~0c", "required", `missing required property "a/b~c"`}, `/a~1b~0c: required: missing required property "a/b~c"`},
		{Violation{"/", "type", "x"}, "/: type: x"},
		{Violation{}, "(root): : "},
	}
	for _, tc := range tests {
		if got := tc.v.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.v, got, tc.want)
		}
		if got := fmt.Sprint(tc.v); got != tc.want {
			t.Errorf("fmt.Sprint(%#v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestValidationErrorText(t *testing.T) {
	tests := []struct {
		name string
		err  *ValidationError
		want string
	}{
		{
			"one violation",
			&ValidationError{Schema: "task_info", Violations: []Violation{{"/retry_count", "minimum", "must be at least 0, got -1"}}},
			"taskschema: invalid task_info: /retry_count: minimum: must be at least 0, got -1",
		},
		{
			"one violation at the root",
			&ValidationError{Schema: "task_status", Violations: []Violation{{"", "enum", "value must be one of 'pending'"}}},
			"taskschema: invalid task_status: (root): enum: value must be one of 'pending'",
		},
		{
			"two violations",
			&ValidationError{Schema: "task_info", Violations: []Violation{
				{"", KeywordJSON, "malformed"},
				{"/ref_id", "required", `missing required property "ref_id"`},
			}},
			"taskschema: invalid task_info: 2 violations:\n" +
				" - (root): json: malformed\n" +
				` - /ref_id: required: missing required property "ref_id"`,
		},
		{
			"three violations",
			&ValidationError{Schema: "async_task_response", Violations: []Violation{
				{"/can_retry", "type", "got string, want boolean"},
				{"/eta_seconds", "minimum", "must be at least 0, got -1"},
				{"/started_at", KeywordGoValue, "NaN is not a JSON number"},
			}},
			"taskschema: invalid async_task_response: 3 violations:\n" +
				" - /can_retry: type: got string, want boolean\n" +
				" - /eta_seconds: minimum: must be at least 0, got -1\n" +
				" - /started_at: go-value: NaN is not a JSON number",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.err.Error()
			if got != tc.want {
				t.Errorf("Error() =\n%s\nwant\n%s", got, tc.want)
			}
			if len(tc.err.Violations) == 1 && strings.Contains(got, "\n") {
				t.Errorf("one violation gave several lines: %q", got)
			}
			if n := strings.Count(got, "\n"); len(tc.err.Violations) > 1 && n != len(tc.err.Violations) {
				t.Errorf("%d violations gave %d line breaks", len(tc.err.Violations), n)
			}
		})
	}
}

func TestValidationErrorFromUnmarshal(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"one", `{"ref_id":"r","started_at":1,"retry_count":-1}`,
			"taskschema: invalid task_info: /retry_count: minimum: must be at least 0, got -1"},
		{"several", `{"started_at":-1}`,
			"taskschema: invalid task_info: 2 violations:\n" +
				` - /ref_id: required: missing required property "ref_id"` + "\n" +
				" - /started_at: minimum: must be at least 0, got -1"},
		{"not JSON", `{"ref_id":`,
			"taskschema: invalid task_info: (root): json: malformed JSON: unexpected end of input, want a JSON value (at byte 10)"},
		{"empty", ``,
			"taskschema: invalid task_info: (root): json: payload is empty (at byte 0)"},
		{"not an object", `[]`,
			"taskschema: invalid task_info: (root): type: got array, want object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var task TaskInfo
			err := Unmarshal([]byte(tc.data), &task)
			if err == nil {
				t.Fatal("Unmarshal succeeded")
			}
			if err.Error() != tc.want {
				t.Errorf("Error() =\n%s\nwant\n%s", err.Error(), tc.want)
			}
			// errors.As finds it through wrapping too.
			var ve *ValidationError
			if !errors.As(fmt.Errorf("context: %w", err), &ve) || ve.Schema != "task_info" {
				t.Errorf("errors.As through a wrapper failed: %v", err)
			}
		})
	}
}

func TestViolationJSON(t *testing.T) {
	v := Violation{InstancePath: "/retry_count", Keyword: "minimum", Message: "must be at least 0, got -1"}
	got, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"instancePath":"/retry_count","keyword":"minimum","message":"must be at least 0, got -1"}`
	if string(got) != want {
		t.Errorf("json.Marshal(Violation) = %s, want %s", got, want)
	}
	var back Violation
	if err := json.Unmarshal(got, &back); err != nil || back != v {
		t.Errorf("round trip = %+v, %v; want %+v", back, err, v)
	}
}

// TestViolationsFollowArrayOrder checks that array indices sort as numbers:
// the violation of item 2 comes before that of item 10, as in the payload.
func TestViolationsFollowArrayOrder(t *testing.T) {
	var items []string
	for range 12 {
		items = append(items, `{"attempt":0,"error":"e","timestamp":1}`)
	}
	data := []byte(`{"ref_id":"r","started_at":1,"retry_history":[` + strings.Join(items, ",") + `]}`)
	var ti TaskInfo
	var ve *ValidationError
	if err := Unmarshal(data, &ti); !errors.As(err, &ve) {
		t.Fatalf("got %v, want a *ValidationError", err)
	}
	if len(ve.Violations) != 12 {
		t.Fatalf("got %d violations, want 12: %v", len(ve.Violations), ve)
	}
	for i, v := range ve.Violations {
		if want := fmt.Sprintf("/retry_history/%d/attempt", i); v.InstancePath != want {
			t.Errorf("violation %d is at %s, want %s", i, v.InstancePath, want)
		}
	}
}

// TestViolationQuotesNumbersAsWritten checks that a number that breaks a
// bound is quoted in the message exactly as the payload wrote it.
func TestViolationQuotesNumbersAsWritten(t *testing.T) {
	tests := []struct {
		schema, payload, pointer, message string
	}{
		{"task_info", `{"ref_id":"r","started_at":253402300799.5}`, "/started_at", "must be at most 253402300799, got 253402300799.5"},
		{"task_info", `{"ref_id":"r","started_at":-1.50E+2}`, "/started_at", "must be at least 0, got -1.50E+2"},
		{"task_info", `{"ref_id":"r","started_at":1,"retry_count":-1.0}`, "/retry_count", "must be at least 0, got -1.0"},
		{"task_info", `{"ref_id":"r","started_at":1,"retry_history":[{"attempt":1,"error":"e","timestamp":1},{"attempt":1,"error":"e","timestamp":-0.5e0}]}`, "/retry_history/1/timestamp", "must be at least 0, got -0.5e0"},
		{"task_progress", `{"percentage":100.00000000000000001}`, "/percentage", "must be at most 100, got 100.00000000000000001"},
		{"task_progress", `{"percentage":-1e-400}`, "/percentage", "must be at least 0, got -1e-400"},
		{"task_progress", `{"current":90071992547409920e-1}`, "/current", "must be at most 9007199254740991, got 90071992547409920e-1"},
	}
	for _, tc := range tests {
		t.Run(tc.payload, func(t *testing.T) {
			var ve *ValidationError
			if err := ValidateJSON(tc.schema, []byte(tc.payload)); !errors.As(err, &ve) {
				t.Fatalf("got %v, want a *ValidationError", err)
			}
			if len(ve.Violations) != 1 {
				t.Fatalf("got %v, want one violation", ve)
			}
			if v := ve.Violations[0]; v.InstancePath != tc.pointer || v.Message != tc.message {
				t.Errorf("got %s: %s, want %s: %s", v.InstancePath, v.Message, tc.pointer, tc.message)
			}
		})
	}
}

// TestSyntaxViolationsNameTheCharacter checks that a payload's stray
// character is named, not shown as the mojibake of its first byte.
func TestSyntaxViolationsNameTheCharacter(t *testing.T) {
	tests := []struct {
		payload, want string
	}{
		{"\uFEFF{\"ref_id\":\"r\",\"started_at\":1}", "malformed JSON: unexpected byte-order mark (U+FEFF), want a JSON value (at byte 0)"},
		{"{\"ref_id\":\"r\",\"started_at\":\u00A01}", "malformed JSON: unexpected U+00A0 NO-BREAK SPACE, want a JSON value (at byte 27)"},
		{"{\"ref_id\":\"r\xE9\",\"started_at\":1}", "payload is not valid UTF-8: byte 0xE9 (at byte 12)"},
	}
	for _, tc := range tests {
		var ve *ValidationError
		if err := ValidateJSON("task_info", []byte(tc.payload)); !errors.As(err, &ve) {
			t.Fatalf("%q: got %v, want a *ValidationError", tc.payload, err)
		}
		if len(ve.Violations) != 1 || ve.Violations[0].Message != tc.want || ve.Violations[0].Keyword != KeywordJSON {
			t.Errorf("%q: got %v, want the message %q", tc.payload, ve.Violations, tc.want)
		}
	}
}

// TestRejectionTextIsItsOwn holds the violations of a rejection, whose
// pointers and messages share room in the error's block (and, past it, in
// blocks that grow), to their values after later payloads reuse nothing of
// them: each error keeps its own text.
func TestRejectionTextIsItsOwn(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"ref_id":"r","status":"pending","retry_count":-1,"max_retries":-2,"retry_history":[`)
	for i := range 12 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"attempt":%d,"error":%d,"timestamp":-%d}`, -i, i, i+1)
	}
	b.WriteString(`]}`)
	payloads := [][]byte{
		[]byte(b.String()), // dozens of violations, far more text than the block holds
		[]byte(`{"attempt":0,"error":null,"timestamp":1736937031500}`),
		[]byte(`"canceled"`),
		[]byte(`{"current":42.5,"total":120,"message":"m","percentage":135.4}`),
	}
	targets := []func() any{
		func() any { return new(TaskInfo) },
		func() any { return new(RetryInfo) },
		func() any { return new(TaskStatus) },
		func() any { return new(TaskProgress) },
	}
	var kept []*ValidationError
	var want [][]Violation
	for round := range 3 {
		for i, p := range payloads {
			var ve *ValidationError
			if !errors.As(Unmarshal(p, targets[i]()), &ve) {
				t.Fatalf("payload %d: no *ValidationError", i)
			}
			if round == 0 {
				kept = append(kept, ve)
				own := make([]Violation, len(ve.Violations))
				for j, v := range ve.Violations { // copies that share no bytes with the error
					own[j] = Violation{strings.Clone(v.InstancePath), strings.Clone(v.Keyword), strings.Clone(v.Message)}
				}
				want = append(want, own)
				// The first payload is here to overflow the block.
				if i == 0 && len(ve.Violations) < 30 {
					t.Fatalf("payload 0: only %d violations", len(ve.Violations))
				}
			} else if !slices.Equal(ve.Violations, want[i]) {
				t.Errorf("payload %d, round %d: violations differ from the first round's", i, round)
			}
		}
		runtime.GC()
	}
	for i, ve := range kept {
		if !slices.Equal(ve.Violations, want[i]) {
			t.Errorf("payload %d: the kept error changed after later calls:\n%v\nwant\n%v", i, ve.Violations, want[i])
		}
		for _, v := range ve.Violations {
			if !strings.HasPrefix(v.InstancePath, "/") && v.InstancePath != "" || v.Message == "" {
				t.Errorf("payload %d: malformed violation %+v", i, v)
			}
		}
	}
}
