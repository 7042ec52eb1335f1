package tasks_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
)

// The bounds of progress counts and max_retries are the schema's: tasks
// decides none of its own, and the error names the field the schema
// rejected.
func TestBoundsAreTheSchemas(t *testing.T) {
	const largest = 1<<53 - 1 // the maximum in schema/task_progress.schema.json and task_info.schema.json
	cases := []struct {
		name           string
		current, total int64
		pointer        string // "" when the schema accepts the report
	}{
		{"largest current and total", largest, largest, ""},
		{"current past the maximum", largest + 1, largest + 1, "/current"},
		{"total past the maximum", 1, largest + 1, "/total"},
		{"negative current", -1, 10, "/current"},
		{"negative total", 1, -1, "/total"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p tasks.Progress
			err := p.Report(c.current, c.total, "step")
			if c.pointer == "" {
				if err != nil {
					t.Fatalf("Report(%d, %d): %v, want nil", c.current, c.total, err)
				}
				return
			}
			var verr *models.ValidationError
			if !errors.Is(err, tasks.ErrInvalid) || !errors.As(err, &verr) || verr.Violations[0].InstancePath != c.pointer {
				t.Fatalf("Report(%d, %d): %v, want ErrInvalid with a violation at %s", c.current, c.total, err, c.pointer)
			}
			if p.Snapshot() != nil {
				t.Fatalf("a rejected report was recorded: %+v", p.Snapshot())
			}
		})
	}

	r := newRunner(t, fastOptions(nil))
	fn := func(context.Context, *tasks.Progress) (json.RawMessage, error) { return json.RawMessage(`1`), nil }
	_, err := r.Run(bg, tasks.Call{Timeout: time.Second, MaxRetries: largest + 1}, fn)
	var verr *models.ValidationError
	if !errors.Is(err, tasks.ErrInvalid) || !errors.As(err, &verr) || verr.Violations[0].InstancePath != "/max_retries" {
		t.Fatalf("MaxRetries 2^53: %v, want ErrInvalid with a violation at /max_retries", err)
	}
	if out, err := r.Run(bg, tasks.Call{Timeout: time.Second, MaxRetries: largest}, fn); err != nil || string(out.Result) != "1" {
		t.Fatalf("MaxRetries 2^53-1: %+v, %v, want the result", out, err)
	}
}
