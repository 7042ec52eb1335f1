package models_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/models"
)

// viewKeys are the keys each view writes, in mcp-refcache's order.
var viewKeys = map[models.ResponseFormat][]string{
	models.ResponseFormatMinimal:  {"ref_id", "status", "is_complete", "is_async"},
	models.ResponseFormatStandard: {"ref_id", "status", "is_complete", "is_async", "started_at", "progress", "message"},
	models.ResponseFormatFull: {"ref_id", "status", "is_complete", "is_async", "started_at", "progress", "message",
		"eta_seconds", "error", "retry_count", "can_retry", "expected_schema"},
}

func sampleResponse(status models.TaskStatus) models.AsyncTaskResponse {
	task := models.NewTaskInfo("search-1", 1736937000.5)
	task.Status = status
	p := models.NewTaskProgress(3, 4)
	task.Progress = &p
	if status == models.TaskStatusFailed {
		msg := "upstream timed out"
		task.Error = &msg
		task.RetryCount = 3
	}
	return task.ToAsyncTaskResponse(models.ResponseOptions{Now: time.Unix(1736937010, 0)})
}

func sampleExpected() *models.ExpectedSchema {
	rt := "list[str]"
	return &models.ExpectedSchema{ReturnType: &rt, Fields: map[string]string{"b": "int", "a": "str"}, Example: json.RawMessage(`[ "x" ]`)}
}

// Each view of a response of each status is written with exactly its keys,
// is_complete false and is_async true, and is accepted by its schema (by
// name, as a client checks it) and by no smaller view's schema's omission.
func TestViews(t *testing.T) {
	for _, status := range []models.TaskStatus{models.TaskStatusPending, models.TaskStatusProcessing,
		models.TaskStatusComplete, models.TaskStatusFailed, models.TaskStatusCancelled} {
		resp := sampleResponse(status)
		for _, f := range []models.ResponseFormat{models.ResponseFormatMinimal, models.ResponseFormatStandard, models.ResponseFormatFull} {
			t.Run(string(status)+"/"+string(f), func(t *testing.T) {
				v, err := resp.View(f, sampleExpected())
				if err != nil {
					t.Fatal(err)
				}
				out, err := models.Marshal(v)
				if err != nil {
					t.Fatal(err)
				}
				name, ok := f.SchemaName()
				if !ok {
					t.Fatalf("%s has no schema", f)
				}
				if err := models.ValidateJSON(name, out); err != nil {
					t.Fatalf("ValidateJSON(%s, %s): %v", name, out, err)
				}
				var got map[string]json.RawMessage
				if err := json.Unmarshal(out, &got); err != nil {
					t.Fatal(err)
				}
				if keys := slices.Sorted(maps.Keys(got)); !slices.Equal(keys, slices.Sorted(slices.Values(viewKeys[f]))) {
					t.Errorf("keys %v, want %v", keys, viewKeys[f])
				}
				if string(got["is_complete"]) != "false" || string(got["is_async"]) != "true" || string(got["status"]) != `"`+string(status)+`"` {
					t.Errorf("%s", out)
				}
				// Every view reads back into its model type unchanged.
				back, _ := models.NewValue(name)
				if err := models.Unmarshal(out, back); err != nil {
					t.Fatal(err)
				}
				if again, _ := models.Marshal(back); string(again) != string(out) {
					t.Errorf("read back and written again:\n%s\nwant\n%s", again, out)
				}
			})
		}
	}
}

// The full view carries what the response and the expected schema hold,
// and copies them.
func TestFullView(t *testing.T) {
	resp := sampleResponse(models.TaskStatusFailed)
	expected := sampleExpected()
	full := resp.Full(expected)
	out, err := models.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"ref_id":"search-1","status":"failed","is_complete":false,"is_async":true,"started_at":"2025-01-15T10:30:00.5Z",` +
		`"progress":{"current":3,"total":4,"message":null,"percentage":75},"message":"Task failed: upstream timed out",` +
		`"eta_seconds":3.166666666666667,"error":"upstream timed out","retry_count":3,"can_retry":false,` +
		`"expected_schema":{"return_type":"list[str]","fields":{"a":"str","b":"int"},"example":["x"],"description":null}}`
	if string(out) != want {
		t.Errorf("Full:\n got %s\nwant %s", out, want)
	}
	expected.Fields["c"] = "bool"
	*resp.Progress.Current = 4
	*resp.Message = "changed"
	if len(full.ExpectedSchema.Fields) != 2 || *full.Progress.Current != 3 || *full.Message == "changed" {
		t.Error("the view shares memory with the response or the expected schema")
	}
	if resp.Full(nil).ExpectedSchema != nil {
		t.Error("Full(nil) has an expected_schema")
	}
}

// A minimal view is what the AsyncTaskResponse schema rejects (started_at
// is required there), and the reason the views have schemas of their own.
func TestMinimalViewIsNotAnAsyncTaskResponse(t *testing.T) {
	out, err := models.Marshal(sampleResponse(models.TaskStatusProcessing).Minimal())
	if err != nil {
		t.Fatal(err)
	}
	if err := models.ValidateJSON("minimal_task_response", out); err != nil {
		t.Fatal(err)
	}
	var verr *models.ValidationError
	if err := models.ValidateJSON("async_task_response", out); !errors.As(err, &verr) || verr.Violations[0].InstancePath != "/started_at" {
		t.Fatalf("async_task_response accepted %s: %v", out, err)
	}
}

// What View, Marshal and Validate refuse.
func TestViewRefuses(t *testing.T) {
	resp := sampleResponse(models.TaskStatusProcessing)
	for _, c := range []struct {
		name    string
		err     func() error
		pointer string
	}{
		{"unknown format", func() error { _, err := resp.View("verbose", nil); return err }, ""},
		{"invalid status", func() error {
			r := resp
			r.Status = "running"
			_, err := r.View(models.ResponseFormatMinimal, nil)
			return err
		}, "/status"},
		{"example not JSON", func() error {
			_, err := resp.View(models.ResponseFormatFull, &models.ExpectedSchema{Example: json.RawMessage(`{"a":1,"a":2}`)})
			return err
		}, "/expected_schema/example"},
		{"example not UTF-8", func() error {
			_, err := resp.View(models.ResponseFormatFull, &models.ExpectedSchema{Example: json.RawMessage("\"\xa4\"")})
			return err
		}, "/expected_schema/example"},
		{"field type not UTF-8", func() error {
			_, err := resp.View(models.ResponseFormatFull, &models.ExpectedSchema{Fields: map[string]string{"a": "\xff"}})
			return err
		}, "/expected_schema/fields/a"},
		{"is_async false", func() error { v := resp.Minimal(); v.IsAsync = false; _, err := models.Marshal(v); return err }, "/is_async"},
		{"is_complete true", func() error { v := resp.Standard(); v.IsComplete = true; return models.Validate(v) }, "/is_complete"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var verr *models.ValidationError
			if err := c.err(); !errors.As(err, &verr) || verr.Violations[0].InstancePath != c.pointer {
				t.Fatalf("got %v, want a *ValidationError at %q", err, c.pointer)
			}
		})
	}
	if _, ok := models.ResponseFormat("verbose").SchemaName(); ok {
		t.Error(`"verbose" has a schema name`)
	}
}

// Any JSON value in example is kept as written, without insignificant
// space; null reads as nil and is written as null.
func TestExpectedSchemaExample(t *testing.T) {
	for in, want := range map[string]string{
		`{"example": { "a" : [1, 2.50, "\u00e9"] }}`: `{"return_type":null,"fields":null,"example":{"a":[1,2.50,"\u00e9"]},"description":null}`,
		`{"example": 18446744073709551616}`:          `{"return_type":null,"fields":null,"example":18446744073709551616,"description":null}`,
		`{"example": null, "fields": {}}`:            `{"return_type":null,"fields":{},"example":null,"description":null}`,
		`{}`:                                         `{"return_type":null,"fields":null,"example":null,"description":null}`,
	} {
		var e models.ExpectedSchema
		if err := models.Unmarshal([]byte(in), &e); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		out, err := models.Marshal(e)
		if err != nil || string(out) != want {
			t.Errorf("%s: got %s, %v; want %s", in, out, err, want)
		}
	}
}

func ExampleAsyncTaskResponse_View() {
	task := models.NewTaskInfo("search-3f9c", 1736937000)
	task.Status = models.TaskStatusProcessing
	resp := task.ToAsyncTaskResponse(models.ResponseOptions{Message: "indexing", Now: time.Unix(1736937005, 0)})

	for _, f := range []models.ResponseFormat{models.ResponseFormatMinimal, models.ResponseFormatStandard} {
		view, err := resp.View(f, nil)
		if err != nil {
			panic(err)
		}
		out, _ := models.Marshal(view)
		name, _ := f.SchemaName()
		// A client checks what it received with the view's schema.
		fmt.Println(string(out), models.ValidateJSON(name, out) == nil)
	}
	// Output:
	// {"ref_id":"search-3f9c","status":"processing","is_complete":false,"is_async":true} true
	// {"ref_id":"search-3f9c","status":"processing","is_complete":false,"is_async":true,"started_at":"2025-01-15T10:30:00Z","progress":null,"message":"indexing"} true
}
