package models

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// unitPtr returns a pointer to a copy of v.
func unitPtr[T any](v T) *T { return &v }

// unitFixture reads models/testdata/unit/<name>.
func unitFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "unit", name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return data
}

// unitCompact removes the insignificant whitespace of a JSON fixture.
func unitCompact(t *testing.T, data []byte) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, data); err != nil {
		t.Fatalf("compact: %v", err)
	}
	return b.String()
}

// unitValidationError asserts that err is (or wraps) a *ValidationError.
func unitValidationError(t *testing.T, err error) *ValidationError {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not a *ValidationError", err, err)
	}
	return ve
}

// unitObjectKeys returns the keys of the JSON object data in the order they
// are written.
func unitObjectKeys(t *testing.T, data []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %s", data)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("token: %v", err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatalf("value of %v: %v", tok, err)
		}
	}
	return keys
}

// unitSchemaPropertyOrder returns the property names of a schema in the order
// the schema file lists them.
func unitSchemaPropertyOrder(t *testing.T, name string) []string {
	t.Helper()
	data, err := SchemaJSON(name)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Properties json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return unitObjectKeys(t, doc.Properties)
}

func unitFullTaskInfo() TaskInfo {
	return TaskInfo{
		RefID:  "ref-full",
		Status: TaskStatusFailed,
		Progress: &TaskProgress{
			Current:    unitPtr[int64](25),
			Total:      unitPtr[int64](100),
			Message:    unitPtr("step 25"),
			Percentage: unitPtr(25.0),
		},
		StartedAt:    1000.5,
		CompletedAt:  unitPtr(1010.0),
		Error:        unitPtr("boom"),
		RetryCount:   1,
		MaxRetries:   3,
		RetryHistory: []RetryInfo{{Attempt: 1, Error: "first", Timestamp: 1005.25}},
	}
}

func TestMarshalFullTaskInfoMatchesFixture(t *testing.T) {
	fixture := unitFixture(t, "task_info_full.json")
	got, err := Marshal(unitFullTaskInfo())
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	if want := unitCompact(t, fixture); string(got) != want {
		t.Errorf("Marshal:\n got %s\nwant %s", got, want)
	}
	var back TaskInfo
	if err := Unmarshal(fixture, &back); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if want := unitFullTaskInfo(); !reflect.DeepEqual(back, want) {
		t.Errorf("Unmarshal:\n got %+v\nwant %+v", back, want)
	}
}

func TestRoundTripKeepsZeroAndFalse(t *testing.T) {
	zeroRetries := NewTaskInfo("ref-zero", 1000)
	zeroRetries.MaxRetries = 0
	zeroRetries.Status = TaskStatusFailed

	noRetry := NewAsyncTaskResponse("ref-false", TaskStatusFailed, time.Unix(1000, 0).UTC())
	noRetry.CanRetry = false

	zeroProgress := TaskProgress{Current: unitPtr[int64](0), Total: unitPtr[int64](0), Message: unitPtr(""), Percentage: unitPtr(0.0)}

	tests := []struct {
		name     string
		value    any
		newEmpty func() any
		contains []string
	}{
		{"task_info retry_count and max_retries 0", zeroRetries, func() any { return new(TaskInfo) },
			[]string{`"retry_count":0`, `"max_retries":0`, `"started_at":1000`}},
		{"async_task_response can_retry false", noRetry, func() any { return new(AsyncTaskResponse) },
			[]string{`"can_retry":false`, `"retry_count":0`}},
		{"task_progress zeros", zeroProgress, func() any { return new(TaskProgress) },
			[]string{`"current":0`, `"total":0`, `"message":""`, `"percentage":0`}},
		{"retry_info timestamp 0", RetryInfo{Attempt: 1, Error: "", Timestamp: 0}, func() any { return new(RetryInfo) },
			[]string{`"timestamp":0`, `"error":""`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := Marshal(tc.value)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			for _, s := range tc.contains {
				if !strings.Contains(string(data), s) {
					t.Errorf("Marshal output %s does not contain %s", data, s)
				}
			}
			back := tc.newEmpty()
			if err := Unmarshal(data, back); err != nil {
				t.Fatalf("Unmarshal(%s): %v", data, err)
			}
			if got := reflect.ValueOf(back).Elem().Interface(); !reflect.DeepEqual(got, tc.value) {
				t.Errorf("round trip:\n got %+v\nwant %+v", got, tc.value)
			}
		})
	}
}

func TestUnmarshalFixtureWithFalse(t *testing.T) {
	var r AsyncTaskResponse
	if err := Unmarshal(unitFixture(t, "async_task_response_false.json"), &r); err != nil {
		t.Fatal(err)
	}
	if r.CanRetry {
		t.Error("can_retry false decoded as true (the default)")
	}
	if r.RetryCount != 0 {
		t.Errorf("retry_count = %d, want 0", r.RetryCount)
	}
}

func TestEmptyRetryHistoryIsOmittedAndComesBackEmpty(t *testing.T) {
	tests := []struct {
		name    string
		history []RetryInfo
	}{
		{"nil", nil},
		{"empty", []RetryInfo{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			task := NewTaskInfo("ref", 1000)
			task.RetryHistory = tc.history
			data, err := Marshal(task)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if strings.Contains(string(data), "retry_history") {
				t.Errorf("Marshal output %s has retry_history", data)
			}
			var back TaskInfo
			if err := Unmarshal(data, &back); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if back.RetryHistory == nil || len(back.RetryHistory) != 0 {
				t.Errorf("RetryHistory = %#v, want an empty non-nil slice", back.RetryHistory)
			}
		})
	}
	t.Run("non-empty is written", func(t *testing.T) {
		task := NewTaskInfo("ref", 1000)
		task.RetryHistory = []RetryInfo{{Attempt: 1, Error: "e", Timestamp: 1001}}
		data, err := Marshal(task)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		if want := `"retry_history":[{"attempt":1,"error":"e","timestamp":1001}]`; !strings.Contains(string(data), want) {
			t.Errorf("Marshal output %s does not contain %s", data, want)
		}
	})
}

func TestMarshalWritesNilPointersAsNull(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{"task_progress", TaskProgress{}, `{"current":null,"total":null,"message":null,"percentage":null}`},
		{"task_info", NewTaskInfo("r", 1), `{"ref_id":"r","status":"pending","progress":null,"started_at":1,"completed_at":null,"error":null,"retry_count":0,"max_retries":3}`},
		{"async_task_response", NewAsyncTaskResponse("r", TaskStatusPending, time.Unix(1, 0).UTC()),
			`{"ref_id":"r","status":"pending","progress":null,"started_at":"1970-01-01T00:00:01Z","eta_seconds":null,"error":null,"message":null,"retry_count":0,"can_retry":true}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Marshal(tc.value)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if string(got) != tc.want {
				t.Errorf("Marshal:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestMarshalFieldOrderFollowsSchema(t *testing.T) {
	tests := []struct {
		schema string
		value  any
	}{
		{"task_progress", TaskProgress{}},
		{"retry_info", RetryInfo{Attempt: 1}},
		{"task_info", unitFullTaskInfo()},
		{"async_task_response", NewAsyncTaskResponse("r", TaskStatusComplete, time.Unix(0, 0).UTC())},
	}
	for _, tc := range tests {
		t.Run(tc.schema, func(t *testing.T) {
			data, err := Marshal(tc.value)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			got := unitObjectKeys(t, data)
			want := unitSchemaPropertyOrder(t, tc.schema)
			if !slices.Equal(got, want) {
				t.Errorf("keys %v, want the schema's order %v", got, want)
			}
			if tc.schema == "task_info" || tc.schema == "async_task_response" {
				if got[0] != "ref_id" {
					t.Errorf("first key %q, want ref_id", got[0])
				}
			}
		})
	}
}

func TestMarshalRejectsWhatTheSchemaRejects(t *testing.T) {
	withTask := func(f func(*TaskInfo)) TaskInfo {
		task := NewTaskInfo("ref", 1000)
		f(&task)
		return task
	}
	withResponse := func(f func(*AsyncTaskResponse)) AsyncTaskResponse {
		r := NewAsyncTaskResponse("ref", TaskStatusProcessing, time.Unix(1000, 0).UTC())
		f(&r)
		return r
	}
	tests := []struct {
		name    string
		value   any
		schema  string
		path    string
		keyword string
		message string // a substring of the message; "" skips the check
	}{
		{"empty status", withTask(func(t *TaskInfo) { t.Status = "" }), "task_info", "/status", "enum", "value must be one of"},
		{"upper-case status", TaskStatus("FAILED"), "task_status", "", "enum", "value must be one of"},
		{"empty response status", withResponse(func(r *AsyncTaskResponse) { r.Status = "" }), "async_task_response", "/status", "enum", ""},
		{"negative retry_count", withTask(func(t *TaskInfo) { t.RetryCount = -1 }), "task_info", "/retry_count", "minimum", "must be at least 0, got -1"},
		{"negative max_retries", withTask(func(t *TaskInfo) { t.MaxRetries = -3 }), "task_info", "/max_retries", "minimum", "must be at least 0, got -3"},
		{"retry_count above 2^53-1", withTask(func(t *TaskInfo) { t.RetryCount = 1 << 53 }), "task_info", "/retry_count", "maximum", "must be at most 9007199254740991, got 9007199254740992"},
		{"percentage 150", TaskProgress{Percentage: unitPtr(150.0)}, "task_progress", "/percentage", "maximum", "must be at most 100, got 150"},
		{"nested percentage 150", withTask(func(t *TaskInfo) { t.Progress = &TaskProgress{Percentage: unitPtr(150.0)} }), "task_info", "/progress/percentage", "maximum", "must be at most 100, got 150"},
		{"negative current", TaskProgress{Current: unitPtr[int64](-1)}, "task_progress", "/current", "minimum", ""},
		{"attempt 0", RetryInfo{Attempt: 0, Error: "e"}, "retry_info", "/attempt", "minimum", "must be at least 1, got 0"},
		{"started_at after year 9999", withTask(func(t *TaskInfo) { t.StartedAt = 253402300800 }), "task_info", "/started_at", "maximum", ""},
		{"negative eta", withResponse(func(r *AsyncTaskResponse) { r.EtaSeconds = unitPtr(-1.0) }), "async_task_response", "/eta_seconds", "minimum", ""},
		{"NaN started_at", withTask(func(t *TaskInfo) { t.StartedAt = math.NaN() }), "task_info", "/started_at", KeywordGoValue, "NaN is not a JSON number"},
		{"+Inf completed_at", withTask(func(t *TaskInfo) { t.CompletedAt = unitPtr(math.Inf(1)) }), "task_info", "/completed_at", KeywordGoValue, "+Inf is not a JSON number"},
		{"-Inf nested percentage", withTask(func(t *TaskInfo) { t.Progress = &TaskProgress{Percentage: unitPtr(math.Inf(-1))} }), "task_info", "/progress/percentage", KeywordGoValue, "-Inf is not a JSON number"},
		{"NaN percentage", TaskProgress{Percentage: unitPtr(math.NaN())}, "task_progress", "/percentage", KeywordGoValue, "NaN is not a JSON number"},
		{"+Inf retry timestamp", withTask(func(t *TaskInfo) {
			t.RetryHistory = []RetryInfo{{Attempt: 1, Error: "a", Timestamp: 1}, {Attempt: 2, Error: "b", Timestamp: math.Inf(1)}}
		}), "task_info", "/retry_history/1/timestamp", KeywordGoValue, "+Inf is not a JSON number"},
		{"NaN retry_info timestamp", RetryInfo{Attempt: 1, Error: "e", Timestamp: math.NaN()}, "retry_info", "/timestamp", KeywordGoValue, ""},
		{"NaN eta", withResponse(func(r *AsyncTaskResponse) { r.EtaSeconds = unitPtr(math.NaN()) }), "async_task_response", "/eta_seconds", KeywordGoValue, "NaN is not a JSON number"},
		{"year 10000", withResponse(func(r *AsyncTaskResponse) { r.StartedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }),
			"async_task_response", "/started_at", KeywordGoValue, "year 10000 is outside 0000 to 9999"},
		{"year -1", withResponse(func(r *AsyncTaskResponse) { r.StartedAt = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC) }),
			"async_task_response", "/started_at", KeywordGoValue, "year -1 is outside 0000 to 9999"},
		{"offset with seconds", withResponse(func(r *AsyncTaskResponse) {
			r.StartedAt = time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("odd", 3601))
		}), "async_task_response", "/started_at", KeywordGoValue, "UTC offset of 3601 seconds is not a whole number of minutes"},
		{"negative offset with seconds", withResponse(func(r *AsyncTaskResponse) {
			r.StartedAt = time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("odd", -30))
		}), "async_task_response", "/started_at", KeywordGoValue, "UTC offset of -30 seconds"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range []any{tc.value, unitPtrAny(tc.value)} {
				data, err := Marshal(v)
				if err == nil {
					t.Fatalf("Marshal(%T) = %s, want an error", v, data)
				}
				if data != nil {
					t.Errorf("Marshal(%T) returned data %s with its error", v, data)
				}
				if errors.Is(err, ErrUnsupportedType) {
					t.Errorf("Marshal(%T) error %v wraps ErrUnsupportedType", v, err)
				}
				ve := unitValidationError(t, err)
				if ve.Schema != tc.schema {
					t.Errorf("Schema = %q, want %q", ve.Schema, tc.schema)
				}
				if len(ve.Violations) != 1 {
					t.Fatalf("violations %v, want exactly one", ve.Violations)
				}
				got := ve.Violations[0]
				if got.InstancePath != tc.path || got.Keyword != tc.keyword {
					t.Errorf("violation %q %q, want %q %q", got.InstancePath, got.Keyword, tc.path, tc.keyword)
				}
				if !strings.Contains(got.Message, tc.message) {
					t.Errorf("message %q does not contain %q", got.Message, tc.message)
				}
				// Validate gives exactly the verdict Marshal gives.
				if verr := Validate(v); verr == nil || verr.Error() != err.Error() {
					t.Errorf("Validate = %v, want %v", verr, err)
				}
			}
		})
	}
}

// unitPtrAny returns a pointer to a copy of the dynamic value of v.
func unitPtrAny(v any) any {
	p := reflect.New(reflect.TypeOf(v))
	p.Elem().Set(reflect.ValueOf(v))
	return p.Interface()
}

func TestUnmarshalUnsupportedTypes(t *testing.T) {
	data := []byte(`{"ref_id":"r","started_at":1}`)
	var n int
	var task TaskInfo
	taskPtr := &task
	tests := []struct {
		name   string
		target any
	}{
		{"*int", &n},
		{"*string", new(string)},
		{"*map", new(map[string]any)},
		{"*[]TaskInfo", new([]TaskInfo)},
		{"nil *TaskInfo", (*TaskInfo)(nil)},
		{"non-pointer TaskInfo", TaskInfo{}},
		{"non-pointer TaskStatus", TaskStatusPending},
		{"**TaskInfo", &taskPtr},
		{"nil interface", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Unmarshal(data, tc.target)
			if !errors.Is(err, ErrUnsupportedType) {
				t.Fatalf("Unmarshal into %T: error %v, want one wrapping ErrUnsupportedType", tc.target, err)
			}
			var ve *ValidationError
			if errors.As(err, &ve) {
				t.Errorf("unsupported type gave a *ValidationError: %v", err)
			}
		})
	}
	if n != 0 || !reflect.DeepEqual(task, TaskInfo{}) {
		t.Errorf("targets were modified: n=%d task=%+v", n, task)
	}
}

func TestMarshalAndValidateUnsupportedTypes(t *testing.T) {
	task := NewTaskInfo("r", 1)
	taskPtr := &task
	tests := []struct {
		name  string
		value any
	}{
		{"int", 42},
		{"string", "pending"},
		{"map", map[string]any{"ref_id": "r"}},
		{"nil *TaskInfo", (*TaskInfo)(nil)},
		{"nil *TaskStatus", (*TaskStatus)(nil)},
		{"**TaskInfo", &taskPtr},
		{"[]TaskInfo", []TaskInfo{task}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := Marshal(tc.value)
			if !errors.Is(err, ErrUnsupportedType) || data != nil {
				t.Errorf("Marshal(%T) = %s, %v; want nil and ErrUnsupportedType", tc.value, data, err)
			}
			if err := Validate(tc.value); !errors.Is(err, ErrUnsupportedType) {
				t.Errorf("Validate(%T) = %v, want ErrUnsupportedType", tc.value, err)
			}
		})
	}
}

func TestMarshalAndValidateNilInterface(t *testing.T) {
	call := func(f func() error) (panicked any, err error) {
		defer func() { panicked = recover() }()
		return nil, f()
	}
	for _, tc := range []struct {
		name string
		f    func() error
	}{
		{"Marshal", func() error { _, err := Marshal(nil); return err }},
		{"Validate", func() error { return Validate(nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := call(tc.f)
			if p != nil {
				t.Fatalf("%s(nil) panics (%v) instead of returning an error wrapping ErrUnsupportedType", tc.name, p)
			}
			if !errors.Is(err, ErrUnsupportedType) {
				t.Errorf("%s(nil) = %v, want ErrUnsupportedType", tc.name, err)
			}
		})
	}
}

func TestUnmarshalLeavesTargetUnchangedOnError(t *testing.T) {
	payloads := []struct {
		name      string
		data      string
		mustError bool
	}{
		{"malformed", `{"ref_id":`, true},
		{"empty", ``, true},
		{"trailing data", `{"ref_id":"r","started_at":1} {}`, true},
		{"not UTF-8", "{\"ref_id\":\"\xff\",\"started_at\":1}", true},
		{"missing ref_id", `{"started_at":1}`, true},
		{"negative retry_count", `{"ref_id":"r","started_at":1,"retry_count":-1}`, true},
		{"bad nested item", `{"ref_id":"r","started_at":1,"retry_history":[{"attempt":1,"error":"e","timestamp":1},{"attempt":0}]}`, true},
		{"validator panic", `{"ref_id":"r","started_at":1e1000000000}`, true},
		{"integer 0e500", `{"ref_id":"r","started_at":1,"retry_count":0e500}`, false},
	}
	for _, tc := range payloads {
		t.Run(tc.name, func(t *testing.T) {
			target := unitFullTaskInfo()
			err := Unmarshal([]byte(tc.data), &target)
			if tc.mustError && err == nil {
				t.Fatalf("Unmarshal(%s) succeeded, want an error", tc.data)
			}
			if err != nil && !reflect.DeepEqual(target, unitFullTaskInfo()) {
				t.Errorf("target changed on error %v:\n got %+v", err, target)
			}
		})
	}
}

func TestValidateAcceptsValueAndPointer(t *testing.T) {
	status := TaskStatusComplete
	progress := NewTaskProgress(1, 2)
	retry := RetryInfo{Attempt: 1, Error: "e", Timestamp: 1}
	task := unitFullTaskInfo()
	resp := task.ToAsyncTaskResponse(ResponseOptions{Now: time.Unix(2000, 0)})
	for _, v := range []any{status, &status, progress, &progress, retry, &retry, task, &task, resp, &resp} {
		if err := Validate(v); err != nil {
			t.Errorf("Validate(%T) = %v, want nil", v, err)
		}
	}
	bad := task
	bad.RetryCount = -1
	errValue, errPointer := Validate(bad), Validate(&bad)
	if errValue == nil || errPointer == nil || errValue.Error() != errPointer.Error() {
		t.Errorf("Validate(value) = %v, Validate(pointer) = %v; want the same error", errValue, errPointer)
	}
}

func TestValidateJSON(t *testing.T) {
	tests := []struct {
		name, schema, data string
		valid              bool
	}{
		{"status", "task_status", `"complete"`, true},
		{"bad status", "task_status", `"COMPLETE"`, false},
		{"progress", "task_progress", `{}`, true},
		{"bad progress", "task_progress", `{"percentage":101}`, false},
		{"retry", "retry_info", `{"attempt":1,"error":"e","timestamp":0}`, true},
		{"bad retry", "retry_info", `{"attempt":1}`, false},
		{"task", "task_info", `{"ref_id":"r","started_at":0}`, true},
		{"bad task", "task_info", `{"ref_id":"r"}`, false},
		{"response", "async_task_response", `{"ref_id":"r","status":"pending","started_at":"2024-01-01T00:00:00Z"}`, true},
		{"bad response", "async_task_response", `{"ref_id":"r","status":"pending","started_at":"yesterday"}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateJSON(tc.schema, []byte(tc.data))
			if tc.valid {
				if err != nil {
					t.Errorf("ValidateJSON = %v, want nil", err)
				}
				return
			}
			ve := unitValidationError(t, err)
			if ve.Schema != tc.schema {
				t.Errorf("Schema = %q, want %q", ve.Schema, tc.schema)
			}
		})
	}
	for _, name := range []string{"nope", "", "TaskInfo", "task_info.schema.json"} {
		t.Run("unknown "+name, func(t *testing.T) {
			err := ValidateJSON(name, []byte(`{}`))
			if !errors.Is(err, ErrUnsupportedType) {
				t.Errorf("ValidateJSON(%q) = %v, want an error wrapping ErrUnsupportedType", name, err)
			}
			var ve *ValidationError
			if errors.As(err, &ve) {
				t.Errorf("ValidateJSON(%q) gave a *ValidationError", name)
			}
		})
	}
}

func TestUnmarshalTaskStatus(t *testing.T) {
	tests := []struct {
		data string
		want TaskStatus
		ok   bool
	}{
		{`"failed"`, TaskStatusFailed, true},
		{` "cancelled" `, TaskStatusCancelled, true},
		{`"\u0070ending"`, TaskStatusPending, true},
		{`"FAILED"`, "", false},
		{`"Failed"`, "", false},
		{`""`, "", false},
		{`null`, "", false},
		{`1`, "", false},
		{`"failed" "failed"`, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.data, func(t *testing.T) {
			got := TaskStatus("unchanged")
			err := Unmarshal([]byte(tc.data), &got)
			if tc.ok {
				if err != nil || got != tc.want {
					t.Errorf("Unmarshal = %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Unmarshal(%s) = %q, want an error", tc.data, got)
			}
			unitValidationError(t, err)
			if got != "unchanged" {
				t.Errorf("target changed to %q on error", got)
			}
		})
	}
}

func TestUnmarshalExplicitNullAndMissingKeys(t *testing.T) {
	t.Run("task_info", func(t *testing.T) {
		got := unitFullTaskInfo() // non-nil pointers everywhere, to be overwritten
		if err := Unmarshal(unitFixture(t, "task_info_nulls.json"), &got); err != nil {
			t.Fatal(err)
		}
		want := TaskInfo{
			RefID:        "ref-nulls",
			Status:       TaskStatusPending, // missing: default
			StartedAt:    1000,
			MaxRetries:   3, // missing: default
			RetryHistory: []RetryInfo{},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got  %+v\nwant %+v", got, want)
		}
	})
	t.Run("async_task_response", func(t *testing.T) {
		got := AsyncTaskResponse{
			Progress:   &TaskProgress{},
			EtaSeconds: unitPtr(1.0),
			Error:      unitPtr("e"),
			Message:    unitPtr("m"),
			RetryCount: 7,
		}
		if err := Unmarshal(unitFixture(t, "async_task_response_nulls.json"), &got); err != nil {
			t.Fatal(err)
		}
		want := AsyncTaskResponse{
			RefID:     "ref-nulls",
			Status:    TaskStatusProcessing,
			StartedAt: time.Unix(1000, 0).UTC(),
			CanRetry:  true, // missing: default
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got  %+v\nwant %+v", got, want)
		}
	})
	t.Run("task_progress", func(t *testing.T) {
		got := NewTaskProgress(1, 2)
		got.Message = unitPtr("x")
		if err := Unmarshal([]byte(`{"current":null,"total":null,"message":null}`), &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, TaskProgress{}) {
			t.Errorf("got %+v, want all nil (percentage missing takes its default null)", got)
		}
	})
	t.Run("null where the schema forbids it", func(t *testing.T) {
		tests := []struct{ data, path string }{
			{`{"ref_id":null,"started_at":1}`, "/ref_id"},
			{`{"ref_id":"r","started_at":null}`, "/started_at"},
			{`{"ref_id":"r","started_at":1,"status":null}`, "/status"},
			{`{"ref_id":"r","started_at":1,"retry_count":null}`, "/retry_count"},
			{`{"ref_id":"r","started_at":1,"max_retries":null}`, "/max_retries"},
			{`{"ref_id":"r","started_at":1,"retry_history":null}`, "/retry_history"},
		}
		for _, tc := range tests {
			var got TaskInfo
			ve := unitValidationError(t, Unmarshal([]byte(tc.data), &got))
			if len(ve.Violations) != 1 || ve.Violations[0].InstancePath != tc.path {
				t.Errorf("%s: violations %v, want one at %s", tc.data, ve.Violations, tc.path)
			}
		}
	})
}

func TestUnmarshalMatchesKeysExactly(t *testing.T) {
	var got TaskInfo
	if err := Unmarshal(unitFixture(t, "task_info_case_keys.json"), &got); err != nil {
		t.Fatal(err)
	}
	if got.RetryCount != 0 {
		t.Errorf("RetryCount = %d, want 0 (RETRY_COUNT is an unknown key)", got.RetryCount)
	}
	if got.MaxRetries != 3 {
		t.Errorf("MaxRetries = %d, want the default 3 (MAX_RETRIES is an unknown key)", got.MaxRetries)
	}
	if got.Status != TaskStatusPending {
		t.Errorf("Status = %q, want the default pending (Status is an unknown key)", got.Status)
	}

	tests := []struct {
		data string
		want int64
	}{
		{`{"retry_count":0,"RETRY_COUNT":-5,"ref_id":"r","started_at":1}`, 0},
		{`{"RETRY_COUNT":-5,"retry_count":0,"ref_id":"r","started_at":1}`, 0},
		{`{"Retry_Count":2,"ref_id":"r","started_at":1}`, 0},
	}
	for _, tc := range tests {
		var got TaskInfo
		if err := Unmarshal([]byte(tc.data), &got); err != nil {
			t.Errorf("Unmarshal(%s): %v", tc.data, err)
			continue
		}
		if got.RetryCount != tc.want {
			t.Errorf("Unmarshal(%s): RetryCount = %d, want %d", tc.data, got.RetryCount, tc.want)
		}
	}

	var missing TaskInfo
	err := Unmarshal([]byte(`{"REF_ID":"r","started_at":1}`), &missing)
	ve := unitValidationError(t, err)
	if want := []Violation{{"/ref_id", "required", `missing required property "ref_id"`}}; !reflect.DeepEqual(ve.Violations, want) {
		t.Errorf("violations %v, want %v", ve.Violations, want)
	}
}

func TestUnmarshalIntegerForms(t *testing.T) {
	var got TaskInfo
	if err := Unmarshal(unitFixture(t, "task_info_integer_forms.json"), &got); err != nil {
		t.Fatal(err)
	}
	want := TaskInfo{
		RefID:      "ref-int",
		Status:     TaskStatusPending,
		StartedAt:  1000,
		RetryCount: 2,
		MaxRetries: 100,
		Progress: &TaskProgress{
			Current:    unitPtr[int64](2),
			Total:      unitPtr[int64](10),
			Percentage: unitPtr(20.0),
		},
		RetryHistory: []RetryInfo{{Attempt: 1, Error: "x", Timestamp: 0}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}

	tests := []struct {
		number string
		want   int64
		ok     bool
	}{
		{"2.0", 2, true},
		{"1e2", 100, true},
		{"1E2", 100, true},
		{"1e+2", 100, true},
		{"200e-2", 2, true},
		{"-0", 0, true},
		{"0.0", 0, true},
		{"9007199254740991", 9007199254740991, true},
		{"9007199254740991.0", 9007199254740991, true},
		{"2.5", 0, false},
		{"1e-1", 0, false},
		{"9007199254740992", 0, false},
		{"-1", 0, false},
		{`"2"`, 0, false},
		{"1e1000000000", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.number, func(t *testing.T) {
			var got TaskInfo
			err := Unmarshal([]byte(`{"ref_id":"r","started_at":0,"retry_count":`+tc.number+`}`), &got)
			if !tc.ok {
				unitValidationError(t, err)
				return
			}
			if err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if got.RetryCount != tc.want {
				t.Errorf("RetryCount = %d, want %d", got.RetryCount, tc.want)
			}
		})
	}
}

// The schema accepts any integer-valued number. The decoder refuses those
// written with a decimal exponent beyond ±400 even when their value is a
// small integer. Unmarshal's default limits refuse such numbers up front with
// a *ValidationError (keyword "limit"), but without limits the schema accepts
// the payload and decoding it fails with a plain error: no verdict.
func TestUnmarshalIntegerWithLargeExponent(t *testing.T) {
	tests := []struct {
		name, number string
		want         int64
	}{
		{"0e500", "0e500", 0},
		{"0e-500", "0e-500", 0},
		{"0.0e401", "0.0e401", 0},
		{"1 with 401 zeros e-401", "1" + strings.Repeat("0", 401) + "e-401", 1},
	}
	for _, tc := range tests {
		data := []byte(`{"ref_id":"r","started_at":0,"retry_count":` + tc.number + `}`)
		t.Run("default limits/"+tc.name, func(t *testing.T) {
			var got TaskInfo
			if err := Unmarshal(data, &got); err != nil {
				unitValidationError(t, err) // refused with a verdict
				return
			}
			if got.RetryCount != tc.want {
				t.Errorf("RetryCount = %d, want %d", got.RetryCount, tc.want)
			}
		})
		t.Run("no limits/"+tc.name, func(t *testing.T) {
			if err := (Limits{}).ValidateJSON("task_info", data); errors.Is(err, ErrValidatorFailed) {
				t.Skipf("validator failed: %v", err)
			}
			var got TaskInfo
			err := Limits{}.Unmarshal(data, &got)
			if err != nil {
				var ve *ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("retry_count %s: the schema accepts it but Limits{}.Unmarshal fails to decode it with a non-verdict error: %v", tc.name, err)
				}
				t.Fatalf("Unmarshal: %v", err)
			}
			if got.RetryCount != tc.want {
				t.Errorf("RetryCount = %d, want %d", got.RetryCount, tc.want)
			}
		})
	}
}

func TestUnmarshalDateTime(t *testing.T) {
	tests := []struct {
		name, value string
		want        time.Time
		offset      int
		ok          bool
	}{
		{"upper case", "1970-01-01T00:16:40Z", time.Unix(1000, 0), 0, true},
		{"lower case t and z", "1970-01-01t00:16:40z", time.Unix(1000, 0), 0, true},
		{"lower case with fraction", "1970-01-01t00:16:40.5z", time.Unix(1000, 5e8), 0, true},
		{"lower case t with offset", "1970-01-01t01:16:40+01:00", time.Unix(1000, 0), 3600, true},
		{"negative offset", "1969-12-31T23:46:40.25-00:30", time.Unix(1000, 25e7), -1800, true},
		{"year 9999 west of UTC", "9999-12-31T23:59:59-23:59", time.Date(10000, 1, 1, 23, 58, 59, 0, time.UTC), -(23*3600 + 59*60), true},
		{"leap second", "1970-01-01T00:16:60Z", time.Time{}, 0, false},
		{"space separator", "1970-01-01 00:16:40Z", time.Time{}, 0, false},
		{"no offset", "1970-01-01T00:16:40", time.Time{}, 0, false},
		{"Feb 30", "2023-02-30T00:00:00Z", time.Time{}, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(`{"ref_id":"r","status":"pending","started_at":"` + tc.value + `"}`)
			var got AsyncTaskResponse
			err := Unmarshal(data, &got)
			if !tc.ok {
				ve := unitValidationError(t, err)
				if ve.Violations[0].InstancePath != "/started_at" {
					t.Errorf("violations %v, want /started_at", ve.Violations)
				}
				return
			}
			if err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if !got.StartedAt.Equal(tc.want) {
				t.Errorf("StartedAt = %v, want the instant %v", got.StartedAt, tc.want.UTC())
			}
			if _, off := got.StartedAt.Zone(); off != tc.offset {
				t.Errorf("offset = %d, want %d", off, tc.offset)
			}
			// The decoded time is written back as an equivalent instant.
			out, err := Marshal(got)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			var again AsyncTaskResponse
			if err := Unmarshal(out, &again); err != nil || !again.StartedAt.Equal(tc.want) {
				t.Errorf("round trip of %s: %v, %v", out, again.StartedAt, err)
			}
		})
	}
}

func TestUnmarshalHugeExponentDoesNotPanic(t *testing.T) {
	tests := []struct {
		name, data string
	}{
		{"started_at", `{"ref_id":"r","started_at":1e1000000000}`},
		{"completed_at", `{"ref_id":"r","started_at":1,"completed_at":1e1000000000}`},
		{"percentage", `{"ref_id":"r","started_at":1,"progress":{"percentage":1e1000000000}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			target := unitFullTaskInfo()
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("Unmarshal panicked: %v", r)
					}
				}()
				err = Unmarshal([]byte(tc.data), &target)
			}()
			if err == nil {
				t.Fatal("Unmarshal succeeded, want an error")
			}
			// Without input limits the validator panics on this number and the
			// library reports ErrValidatorFailed; with them it is refused up
			// front with a *ValidationError. Either is a rejection.
			var ve *ValidationError
			if !errors.Is(err, ErrValidatorFailed) && !errors.As(err, &ve) {
				t.Errorf("error %v (%T) is neither ErrValidatorFailed nor a *ValidationError", err, err)
			}
			if !reflect.DeepEqual(target, unitFullTaskInfo()) {
				t.Errorf("target changed: %+v", target)
			}
			if verr := ValidateJSON("task_info", []byte(tc.data)); verr == nil || verr.Error() != err.Error() {
				t.Errorf("ValidateJSON = %v, want the error of Unmarshal, %v", verr, err)
			}
		})
	}
}

func TestViolationsAreSortedAndDeterministic(t *testing.T) {
	data := unitFixture(t, "task_info_many_violations.json")
	want := []Violation{
		{"/completed_at", "type", "got string, want null or number"},
		{"/error", "type", "got number, want null or string"},
		{"/max_retries", "type", "got number, want integer"},
		{"/progress/current", "minimum", "must be at least 0, got -1"},
		{"/progress/percentage", "maximum", "must be at most 100, got 101"},
		{"/progress/total", "type", "got string, want null or integer"},
		{"/ref_id", "required", `missing required property "ref_id"`},
		{"/retry_count", "minimum", "must be at least 0, got -1"},
		{"/retry_history/0/attempt", "minimum", "must be at least 1, got 0"},
		{"/retry_history/0/error", "type", "got null, want string"},
		{"/retry_history/0/timestamp", "minimum", "must be at least 0, got -1"},
		{"/retry_history/1/attempt", "required", `missing required property "attempt"`},
		{"/retry_history/1/error", "required", `missing required property "error"`},
		{"/retry_history/1/timestamp", "required", `missing required property "timestamp"`},
		{"/started_at", "minimum", "must be at least 0, got -1"},
		{"/status", "enum", "value must be one of 'pending', 'processing', 'complete', 'failed', 'cancelled'"},
	}
	var first string
	for i := range 20 {
		var got TaskInfo
		ve := unitValidationError(t, Unmarshal(data, &got))
		if ve.Schema != "task_info" {
			t.Fatalf("Schema = %q", ve.Schema)
		}
		if !reflect.DeepEqual(ve.Violations, want) {
			t.Fatalf("run %d: violations\n%v\nwant\n%v", i, ve.Violations, want)
		}
		sorted := slices.IsSortedFunc(ve.Violations, func(a, b Violation) int {
			return strings.Compare(a.InstancePath+"\x00"+a.Keyword+"\x00"+a.Message, b.InstancePath+"\x00"+b.Keyword+"\x00"+b.Message)
		})
		if !sorted {
			t.Fatalf("run %d: violations not sorted: %v", i, ve.Violations)
		}
		if i == 0 {
			first = ve.Error()
		} else if ve.Error() != first {
			t.Fatalf("run %d: Error() differs:\n%s\nvs\n%s", i, ve.Error(), first)
		}
	}
}
