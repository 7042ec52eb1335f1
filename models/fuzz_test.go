package models

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/mcp-refcache/taskschema/internal/jsonread"
)

// Each fuzz target checks the one-verdict invariant (see verdict_test.go)
// with the v6 validator as the oracle, seeded from testdata/seeds/<schema>/
// and the shared corpus in ../tests/. Run one with, for example:
//
//	go test -run='^$' -fuzz='^FuzzTaskInfo$' -fuzztime=1m ./models

func FuzzTaskStatus(f *testing.F)   { fuzzVerdict[TaskStatus](f, "task_status") }
func FuzzTaskProgress(f *testing.F) { fuzzVerdict[TaskProgress](f, "task_progress") }
func FuzzRetryInfo(f *testing.F)    { fuzzVerdict[RetryInfo](f, "retry_info") }
func FuzzTaskInfo(f *testing.F)     { fuzzVerdict[TaskInfo](f, "task_info") }
func FuzzAsyncTaskResponse(f *testing.F) {
	fuzzVerdict[AsyncTaskResponse](f, "async_task_response")
}

func FuzzResponseFormat(f *testing.F) { fuzzVerdict[ResponseFormat](f, "response_format") }
func FuzzExpectedSchema(f *testing.F) { fuzzVerdict[ExpectedSchema](f, "expected_schema") }
func FuzzMinimalTaskResponse(f *testing.F) {
	fuzzVerdict[MinimalTaskResponse](f, "minimal_task_response")
}
func FuzzStandardTaskResponse(f *testing.F) {
	fuzzVerdict[StandardTaskResponse](f, "standard_task_response")
}
func FuzzFullTaskResponse(f *testing.F) { fuzzVerdict[FullTaskResponse](f, "full_task_response") }

func FuzzAsyncTaskPage(f *testing.F) { fuzzVerdict[AsyncTaskPage](f, "async_task_page") }
func FuzzMCPTaskStatus(f *testing.F) { fuzzVerdict[MCPTaskStatus](f, "mcp_task_status") }
func FuzzMCPTask(f *testing.F)       { fuzzVerdict[MCPTask](f, "mcp_task") }
func FuzzMCPCreateTaskResult(f *testing.F) {
	fuzzVerdict[MCPCreateTaskResult](f, "mcp_create_task_result")
}
func FuzzMCPListTasksResult(f *testing.F) {
	fuzzVerdict[MCPListTasksResult](f, "mcp_list_tasks_result")
}

func FuzzMCPExtTaskStatus(f *testing.F) { fuzzVerdict[MCPExtTaskStatus](f, "mcp_ext_task_status") }
func FuzzMCPExtResultTypeTask(f *testing.F) {
	fuzzVerdict[MCPExtResultTypeTask](f, "mcp_ext_result_type_task")
}
func FuzzMCPExtResultTypeComplete(f *testing.F) {
	fuzzVerdict[MCPExtResultTypeComplete](f, "mcp_ext_result_type_complete")
}
func FuzzMCPExtTaskError(f *testing.F)  { fuzzVerdict[MCPExtTaskError](f, "mcp_ext_task_error") }
func FuzzMCPExtToolResult(f *testing.F) { fuzzVerdict[MCPExtToolResult](f, "mcp_ext_tool_result") }
func FuzzMCPExtCreateTaskResult(f *testing.F) {
	fuzzVerdict[MCPExtCreateTaskResult](f, "mcp_ext_create_task_result")
}
func FuzzMCPExtDetailedTask(f *testing.F) {
	fuzzVerdict[MCPExtDetailedTask](f, "mcp_ext_detailed_task")
}
func FuzzMCPExtAckResult(f *testing.F) { fuzzVerdict[MCPExtAckResult](f, "mcp_ext_ack_result") }

func FuzzTaskInput(f *testing.F) { fuzzVerdict[TaskInput](f, "task_input") }

func fuzzVerdict[T any](f *testing.F, name string) {
	s := oracle(f, name)
	for _, data := range seedFiles(f, name) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkVerdict[T](t, s, name, data)
	})
}

// FuzzCheck is the differential target of the Marshal side: for Go values
// built from the fuzzer's inputs, Validate (the generated checks) accepts
// exactly what the oracle accepts — the v6 validator on the writer's
// output, after the Go-value rules (no NaN or infinity, valid UTF-8, a time
// RFC 3339 can write) — and lists exactly the oracle's violations; an
// accepted value survives Marshal and Unmarshal unchanged.
func FuzzCheck(f *testing.F) {
	f.Add("ref", "processing", 1000.5, 1010.0, true, int64(1), int64(3), int64(25), int64(100), 25.0, "msg", 12.5, int64(1736937000), int64(5), 60)
	f.Add("", "", -1.0, math.NaN(), false, int64(-1), int64(-1), int64(-1), int64(0), 150.0, "\xff", -1.0, int64(-62135596800), int64(0), 1441)
	f.Add("r", "cancelled", 253402300799.0, 0.0, true, int64(9007199254740991), int64(0), int64(0), int64(0), 100.0, "", 0.0, int64(253402300799), int64(999999999), -1439)
	oracles := map[string]*jsonschema.Schema{}
	for _, name := range SchemaNames() {
		oracles[name] = oracle(f, name)
	}
	f.Fuzz(func(t *testing.T, ref, status string, started, completed float64, hasCompleted bool,
		retry, maxRetries, current, total int64, pct float64, msg string, eta float64, unix, nsec int64, offsetMinutes int) {
		progress := TaskProgress{Current: &current, Total: &total, Message: &msg, Percentage: &pct}
		info := TaskInfo{RefID: ref, Status: TaskStatus(status), Progress: &progress, StartedAt: started,
			RetryCount: retry, MaxRetries: maxRetries, Error: &msg,
			RetryHistory: []RetryInfo{{Attempt: retry, Error: msg, Timestamp: completed}}}
		if hasCompleted {
			info.CompletedAt = &completed
		}
		zone := time.FixedZone("", offsetMinutes*60+int(nsec%7))
		resp := AsyncTaskResponse{RefID: ref, Status: TaskStatus(status), Progress: &progress,
			StartedAt: time.Unix(unix, nsec).In(zone), EtaSeconds: &eta, Message: &msg, RetryCount: retry, CanRetry: hasCompleted}
		checkValue(t, oracles["task_status"], TaskStatus(status))
		checkValue(t, oracles["task_progress"], progress)
		checkValue(t, oracles["retry_info"], info.RetryHistory[0])
		checkValue(t, oracles["task_info"], info)
		checkValue(t, oracles["async_task_response"], resp)
	})
}

// FuzzCheckViews: the same for the views and ExpectedSchema, with any
// bytes as the example (json.RawMessage) and any strings in fields.
func FuzzCheckViews(f *testing.F) {
	f.Add("ref", "processing", false, true, "rows", "int", []byte(`{"rows": [1, 2.50]}`), 1.5, int64(1736937000))
	f.Add("", "done", true, false, "\xff", "", []byte(`{"a":1,"a":2}`), -1.0, int64(-62135596800))
	f.Add("r", "failed", false, true, "k", "v", []byte(`"\ud800"`), math.Inf(1), int64(253402300799))
	f.Add("r", "complete", false, true, "", "\u2028", []byte(` null `), 0.0, int64(0))
	f.Add("r", "pending", false, true, "a", "b", []byte(`[[[[1e400]]]]`), 0.0, int64(0))
	oracles := map[string]*jsonschema.Schema{}
	for _, name := range SchemaNames() {
		oracles[name] = oracle(f, name)
	}
	f.Fuzz(func(t *testing.T, ref, status string, isComplete, isAsync bool, key, value string, example []byte, eta float64, unix int64) {
		expected := ExpectedSchema{ReturnType: &value, Fields: map[string]string{key: value}, Example: example, Description: &key}
		msg := value
		minimal := MinimalTaskResponse{RefID: ref, Status: TaskStatus(status), IsComplete: isComplete, IsAsync: isAsync}
		standard := StandardTaskResponse{RefID: ref, Status: TaskStatus(status), IsComplete: isComplete, IsAsync: isAsync,
			StartedAt: time.Unix(unix, 0).UTC(), Message: &msg}
		full := FullTaskResponse{RefID: ref, Status: TaskStatus(status), IsComplete: isComplete, IsAsync: isAsync,
			StartedAt: standard.StartedAt, Message: &msg, EtaSeconds: &eta, Error: &key, CanRetry: isAsync, ExpectedSchema: &expected}
		checkValue(t, oracles["response_format"], ResponseFormat(status))
		checkValue(t, oracles["expected_schema"], expected)
		checkValue(t, oracles["minimal_task_response"], minimal)
		checkValue(t, oracles["standard_task_response"], standard)
		checkValue(t, oracles["full_task_response"], full)
	})
}

func checkValue[T any](t *testing.T, s *jsonschema.Schema, v T) {
	t.Helper()
	want := len(goValueViolations(reflect.ValueOf(v), "")) == 0
	var out []byte
	var doc any
	if want {
		// The generated writer, which TestWriterMatchesEncodingJSON holds
		// to encoding/json's output; json.Marshal itself would call the
		// model's MarshalJSON, which checks first.
		out = appendModel(new(jsonread.Extent), nil, v)
		if !json.Valid(out) {
			t.Fatalf("the writer wrote invalid JSON for %+v after the Go-value rules passed: %s", v, out)
		}
		// Validate judges a Go value by its schema; a json.RawMessage in it
		// is read within the ceilings of the limits (see validRaw), and
		// Marshal alone applies its limits.
		doc, want = oracleVerdictWithin(s, out, LimitCeilings())
	}
	err := Validate(v)
	if (err == nil) != want {
		t.Fatalf("Validate = %v, oracle valid = %v\nvalue: %+v\njson: %s", err, want, v, out)
	}
	if err != nil {
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("Validate error is not a *ValidationError: %v", err)
		}
		if doc != nil {
			// A value with a JSON form that the schema rejects: Validate
			// lists exactly the validator's violations of its encoding.
			whole, verr := validateWith(s, ve.Schema, doc)
			if verr != nil {
				t.Fatal(verr)
			}
			if !sameViolations(ve.Violations, newValidationError(ve.Schema, whole).Violations) {
				t.Fatalf("violations differ\ngenerated: %v\nvalidator: %v\njson: %s", ve.Violations, whole, out)
			}
		}
		return
	}
	// Marshal decides from what the writers measured of the
	// json.RawMessage values exactly what reading its whole encoding
	// back decides, with the same words: under the default limits and
	// under limits near what the writers write themselves.
	id, _ := schemaOf(reflect.TypeOf(v))
	for _, l := range []Limits{DefaultLimits(), {MaxDepth: 3, MaxNumberLength: 25, MaxExponent: 324}, {MaxDepth: 5, MaxNumberLength: 30, MaxExponent: 330}} {
		got, gotErr := l.Marshal(v)
		want, wantErr := readBack(l.effective(), id, out)
		if string(got) != string(want) || (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
			t.Fatalf("limits %+v: Marshal gives %s, %v; reading back %s, %v", l, got, gotErr, want, wantErr)
		}
	}
	data, err := Marshal(v)
	if err != nil {
		// Marshal refuses, beside what Validate refuses, an encoding beyond
		// its limits (keyword limit): a schema-valid value may be too large
		// for DefaultLimits, such as a 101-digit number as an example.
		var ve *ValidationError
		if !errors.As(err, &ve) || len(ve.Violations) == 0 || !allKeyword(ve.Violations, KeywordLimit) {
			t.Fatalf("Marshal after Validate passed: %v", err)
		}
		return
	}
	var back T
	if err := Unmarshal(data, &back); err != nil {
		t.Fatalf("Unmarshal(Marshal(v)): %v\njson: %s", err, data)
	}
	if !sameValue(reflect.ValueOf(v), reflect.ValueOf(back)) {
		t.Fatalf("round trip changed the value\nbefore: %+v\nafter:  %+v\njson: %s", v, back, data)
	}
}

func allKeyword(vs []Violation, keyword string) bool {
	for _, v := range vs {
		if v.Keyword != keyword {
			return false
		}
	}
	return true
}
