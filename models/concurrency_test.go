package models

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"
)

// concurrencyOp is one call into the package and the check of its result.
// run returns "" when the result is the expected one, and otherwise what is
// wrong.
type concurrencyOp struct {
	name string
	run  func() string
}

// wantViolations checks that err is a *ValidationError for schema with
// exactly the violations want, each "POINTER KEYWORD", in order.
func wantViolations(err error, schema string, want ...string) string {
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return fmt.Sprintf("want a *ValidationError, got %v", err)
	}
	got := make([]string, len(ve.Violations))
	for i, v := range ve.Violations {
		if v.Message == "" {
			return fmt.Sprintf("violation %d has no message: %v", i, ve)
		}
		got[i] = v.InstancePath + " " + v.Keyword
	}
	if ve.Schema != schema || !slices.Equal(got, want) {
		return fmt.Sprintf("got %s %q, want %s %q", ve.Schema, got, schema, want)
	}
	// Error() formats the messages, through the shared message printer.
	if ve.Error() == "" {
		return "empty Error()"
	}
	return ""
}

// unmarshalOp returns an op that unmarshals payload into a fresh T and
// compares the result with want (when check is nil) or checks the error.
func unmarshalOp[T any](name, payload string, want T, check func(error) string) concurrencyOp {
	return concurrencyOp{name: name, run: func() string {
		var got T
		err := Unmarshal([]byte(payload), &got)
		if check != nil {
			if msg := check(err); msg != "" {
				return msg
			}
			if !reflect.ValueOf(got).IsZero() {
				return fmt.Sprintf("target changed on error: %+v", got)
			}
			return ""
		}
		if err != nil {
			return fmt.Sprintf("unexpected error: %v", err)
		}
		if !sameValue(reflect.ValueOf(got), reflect.ValueOf(want)) {
			return fmt.Sprintf("got %+v, want %+v", got, want)
		}
		return ""
	}}
}

// TestConcurrentUse runs many goroutines that validate, marshal and
// unmarshal the same and different models at once, valid and invalid,
// sharing values that they only read, and checks every result in every
// goroutine. Run it with -race. The goroutines start together behind a
// barrier, with a registry that is not built yet, so that the first calls
// race with the compilation of the schemas.
func TestConcurrentUse(t *testing.T) {
	const goroutines, iterations = 16, 200

	// A fresh registry for this test: the first calls below build it.
	saved := loadRegistry
	loadRegistry = sync.OnceValues(buildRegistry)
	t.Cleanup(func() { loadRegistry = saved })

	ptrTo := func(v float64) *float64 { return &v }
	ptrTo64 := func(v int64) *int64 { return &v }
	strPtr := func(v string) *string { return &v }

	// Values shared by every goroutine, which only read them.
	sharedTask := TaskInfo{
		RefID:      "shared",
		Status:     TaskStatusProcessing,
		Progress:   &TaskProgress{Current: ptrTo64(1), Total: ptrTo64(4), Message: strPtr("m"), Percentage: ptrTo(25)},
		StartedAt:  1700000000,
		RetryCount: 1,
		MaxRetries: 3,
		RetryHistory: []RetryInfo{
			{Attempt: 1, Error: "boom", Timestamp: 1700000001.5},
		},
	}
	sharedTaskJSON := `{"ref_id":"shared","status":"processing","progress":{"current":1,"total":4,"message":"m","percentage":25},` +
		`"started_at":1700000000,"completed_at":null,"error":null,"retry_count":1,"max_retries":3,` +
		`"retry_history":[{"attempt":1,"error":"boom","timestamp":1700000001.5}]}`
	sharedResponse := AsyncTaskResponse{
		RefID:      "shared",
		Status:     TaskStatusFailed,
		StartedAt:  time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("", 2*3600)),
		Error:      strPtr("boom"),
		RetryCount: 2,
		CanRetry:   false,
	}
	sharedResponseJSON := `{"ref_id":"shared","status":"failed","progress":null,"started_at":"2024-01-02T03:04:05+02:00",` +
		`"eta_seconds":null,"error":"boom","message":null,"retry_count":2,"can_retry":false}`
	badTask := TaskInfo{RefID: "bad", Status: "done", StartedAt: -1, RetryCount: -2, MaxRetries: 3}
	taskBefore, responseBefore, badBefore := cloneTask(sharedTask), sharedResponse, badTask

	ops := []concurrencyOp{
		unmarshalOp("unmarshal task_info", sharedTaskJSON, sharedTask, nil),
		unmarshalOp("unmarshal task_info defaults", `{"ref_id":"r","started_at":0,"RETRY_COUNT":7}`,
			TaskInfo{RefID: "r", Status: TaskStatusPending, MaxRetries: 3, RetryHistory: []RetryInfo{}}, nil),
		unmarshalOp("unmarshal task_info invalid",
			`{"ref_id":1,"status":"done","started_at":-1,"retry_count":1.5,"progress":{"percentage":101}}`, TaskInfo{},
			func(err error) string {
				return wantViolations(err, "task_info",
					"/progress/percentage maximum", "/ref_id type", "/retry_count type", "/started_at minimum", "/status enum")
			}),
		unmarshalOp("unmarshal task_info malformed", `{"ref_id":"r",`, TaskInfo{},
			func(err error) string { return wantViolations(err, "task_info", " "+KeywordJSON) }),
		unmarshalOp("unmarshal task_info too deep", `{"ref_id":"r","started_at":1,"x":`+nestedArrays(100)+`}`, TaskInfo{},
			func(err error) string { return wantViolations(err, "task_info", " "+KeywordLimit) }),
		unmarshalOp("unmarshal async_task_response", sharedResponseJSON, sharedResponse, nil),
		unmarshalOp("unmarshal async_task_response invalid",
			`{"ref_id":"r","status":"pending","started_at":"2024-13-01T00:00:00Z","eta_seconds":-1}`, AsyncTaskResponse{},
			func(err error) string {
				return wantViolations(err, "async_task_response", "/eta_seconds minimum", "/started_at format")
			}),
		unmarshalOp("unmarshal task_progress", `{"current":2,"total":2.0,"percentage":-0}`,
			TaskProgress{Current: ptrTo64(2), Total: ptrTo64(2), Percentage: ptrTo(0)}, nil),
		unmarshalOp("unmarshal retry_info invalid", `{"attempt":0,"timestamp":1e12}`, RetryInfo{},
			func(err error) string {
				return wantViolations(err, "retry_info", "/attempt minimum", "/error required", "/timestamp maximum")
			}),
		unmarshalOp("unmarshal task_status", `"cancelled"`, TaskStatusCancelled, nil),
		unmarshalOp("unmarshal task_status invalid", `"CANCELLED"`, TaskStatus(""),
			func(err error) string { return wantViolations(err, "task_status", " enum") }),
		{"marshal shared task_info", func() string {
			out, err := Marshal(&sharedTask)
			if err != nil || string(out) != sharedTaskJSON {
				return fmt.Sprintf("got %s, %v; want %s", out, err, sharedTaskJSON)
			}
			return ""
		}},
		{"marshal shared async_task_response", func() string {
			out, err := Marshal(sharedResponse)
			if err != nil || string(out) != sharedResponseJSON {
				return fmt.Sprintf("got %s, %v; want %s", out, err, sharedResponseJSON)
			}
			return ""
		}},
		{"validate shared task_info", func() string {
			if err := Validate(sharedTask); err != nil {
				return err.Error()
			}
			return ""
		}},
		{"validate shared invalid task_info", func() string {
			return wantViolations(Validate(&badTask), "task_info", "/retry_count minimum", "/started_at minimum", "/status enum")
		}},
		{"marshal shared invalid task_info", func() string {
			out, err := Marshal(badTask)
			if out != nil {
				return fmt.Sprintf("Marshal wrote %s for an invalid value", out)
			}
			return wantViolations(err, "task_info", "/retry_count minimum", "/started_at minimum", "/status enum")
		}},
		{"convert shared task_info and marshal", func() string {
			resp := sharedTask.ToAsyncTaskResponse(ResponseOptions{Now: time.Unix(1700000010, 0)})
			out, err := Marshal(resp)
			if err != nil {
				return err.Error()
			}
			var back AsyncTaskResponse
			if err := Unmarshal(out, &back); err != nil {
				return err.Error()
			}
			if !sameValue(reflect.ValueOf(back), reflect.ValueOf(resp)) {
				return fmt.Sprintf("round trip: got %+v, want %+v", back, resp)
			}
			return ""
		}},
		{"validate json by name", func() string {
			for _, name := range SchemaNames() {
				if err := ValidateJSON(name, []byte(`{}`)); (err == nil) != (name == "task_progress" || name == "expected_schema") {
					return fmt.Sprintf("ValidateJSON(%s, {}) = %v", name, err)
				}
			}
			return ""
		}},
		{"marshal fresh value", func() string {
			task := NewTaskInfo("fresh", 1)
			out, err := Marshal(task)
			want := `{"ref_id":"fresh","status":"pending","progress":null,"started_at":1,"completed_at":null,"error":null,"retry_count":0,"max_retries":3}`
			if err != nil || string(out) != want {
				return fmt.Sprintf("got %s, %v; want %s", out, err, want)
			}
			return ""
		}},
	}

	start := make(chan struct{})
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			failures := 0
			for i := range iterations {
				// Each goroutine walks the ops from its own offset, so the
				// same and different ops run at the same time.
				op := ops[(g+i)%len(ops)]
				if msg := op.run(); msg != "" {
					t.Errorf("goroutine %d, iteration %d, %s: %s", g, i, op.name, msg)
					if failures++; failures == 5 {
						return
					}
				}
			}
		}()
	}
	close(start)
	wg.Wait()

	if !sameValue(reflect.ValueOf(sharedTask), reflect.ValueOf(taskBefore)) ||
		!sameValue(reflect.ValueOf(sharedResponse), reflect.ValueOf(responseBefore)) ||
		!sameValue(reflect.ValueOf(badTask), reflect.ValueOf(badBefore)) {
		t.Errorf("a shared value changed")
	}
}

// cloneTask returns a deep copy of a TaskInfo.
func cloneTask(t TaskInfo) TaskInfo {
	c := t
	if t.Progress != nil {
		p := *t.Progress
		c.Progress = &p
	}
	c.RetryHistory = slices.Clone(t.RetryHistory)
	return c
}

// nestedArrays returns n nested empty arrays.
func nestedArrays(n int) string {
	b := make([]byte, 0, 2*n)
	for range n {
		b = append(b, '[')
	}
	for range n {
		b = append(b, ']')
	}
	return string(b)
}
