package tasks_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
)

// A client polls a task in each response format: every view it receives,
// while the task runs and once it is complete, is accepted by the view's
// schema and says is_complete false and is_async true; the result comes
// from Get.
func TestResponseView(t *testing.T) {
	r := newRunner(t, fastOptions(nil))
	release := make(chan struct{})
	out, err := r.Run(bg, tasks.Call{Timeout: time.Millisecond, Prefix: "view"}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		if err := p.Report(1, 2, "half way"); err != nil {
			return nil, err
		}
		select {
		case <-release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return json.RawMessage(`{"rows":2}`), nil
	})
	if err != nil || out.Async == nil {
		t.Fatalf("Run: %+v, %v; want an async response", out, err)
	}
	id := out.Async.RefID
	rt := "dict[str, int]"
	expected := &models.ExpectedSchema{ReturnType: &rt, Fields: map[string]string{"rows": "int"}, Example: json.RawMessage(`{"rows":0}`)}

	check := func(wantStatus models.TaskStatus) {
		t.Helper()
		for _, f := range []models.ResponseFormat{models.ResponseFormatMinimal, models.ResponseFormatStandard, models.ResponseFormatFull} {
			v, err := r.ResponseView(bg, id, f, expected)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			data, err := models.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			name, _ := f.SchemaName()
			if err := models.ValidateJSON(name, data); err != nil {
				t.Fatalf("%s view %s: %v", f, data, err)
			}
			var got struct {
				RefID      string            `json:"ref_id"`
				Status     models.TaskStatus `json:"status"`
				IsComplete *bool             `json:"is_complete"`
				IsAsync    *bool             `json:"is_async"`
				Expected   *json.RawMessage  `json:"expected_schema"`
			}
			if err := json.Unmarshal(data, &got); err != nil {
				t.Fatal(err)
			}
			if got.RefID != id || got.Status != wantStatus || got.IsComplete == nil || *got.IsComplete || got.IsAsync == nil || !*got.IsAsync {
				t.Errorf("%s view: %s, want status %s, is_complete false, is_async true", f, data, wantStatus)
			}
			if (got.Expected != nil) != (f == models.ResponseFormatFull) {
				t.Errorf("%s view: expected_schema in %s", f, data)
			}
		}
	}
	check(models.TaskStatusProcessing)
	close(release)
	for i := 0; ; i++ {
		rec, err := r.Get(bg, id)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Task.Status == models.TaskStatusComplete {
			if string(rec.Result) != `{"rows":2}` {
				t.Fatalf("result %s", rec.Result)
			}
			break
		}
		if i == 200 {
			t.Fatalf("task still %s after 2s", rec.Task.Status)
		}
		time.Sleep(10 * time.Millisecond)
	}
	check(models.TaskStatusComplete)

	if _, err := r.ResponseView(bg, id, "verbose", nil); !errors.As(err, new(*models.ValidationError)) {
		t.Errorf(`format "verbose": %v, want a *models.ValidationError`, err)
	}
	if _, err := r.ResponseView(bg, "view-unknown", models.ResponseFormatMinimal, nil); !errors.Is(err, tasks.ErrNotFound) {
		t.Errorf("unknown ref_id: %v, want ErrNotFound", err)
	}
}

// View works on a task as a store holds it, without a runner.
func TestView(t *testing.T) {
	task := models.NewTaskInfo("r-1", 1736937000)
	v, err := tasks.View(task, models.ResponseFormatMinimal, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := v.(*models.MinimalTaskResponse); !ok || m.RefID != "r-1" || m.Status != models.TaskStatusPending || !m.IsAsync || m.IsComplete {
		t.Fatalf("View: %#v", v)
	}
	task.Status = "bogus"
	if _, err := tasks.View(task, models.ResponseFormatMinimal, nil); !errors.As(err, new(*models.ValidationError)) {
		t.Fatalf("View of an invalid task: %v, want a *models.ValidationError", err)
	}
}

// A client asked for the minimal response format: the server answers a
// slow call with the minimal view, which the client checks with that
// view's schema.
func ExampleRunner_ResponseView() {
	ctx := context.Background()
	runner, err := tasks.NewRunner(tasks.Options{})
	if err != nil {
		panic(err)
	}
	defer runner.Close(ctx)

	done := make(chan struct{})
	defer close(done)
	out, err := runner.Run(ctx, tasks.Call{Timeout: 10 * time.Millisecond, ID: "search-1"},
		func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
			select {
			case <-done:
				return json.RawMessage(`[]`), nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		})
	if err != nil {
		panic(err)
	}
	view, err := runner.ResponseView(ctx, out.Async.RefID, models.ResponseFormatMinimal, nil)
	if err != nil {
		panic(err)
	}
	payload, _ := models.Marshal(view)
	fmt.Println(string(payload))
	fmt.Println(models.ValidateJSON("minimal_task_response", payload) == nil)
	// Output:
	// {"ref_id":"search-1","status":"processing","is_complete":false,"is_async":true}
	// true
}
