package tasks

import (
	"context"
	"fmt"

	"github.com/mcp-refcache/taskschema/models"
)

// View returns the view of the task's AsyncTaskResponse that format
// selects (mcp-refcache's response formats minimal, standard and full; see
// [models.AsyncTaskResponse.View]) as a pointer to the view's model type,
// checked against the view's schema. expected, the shape of the result to
// come, goes into the full view only; nil writes null.
//
// A view never carries the result: is_complete is false and is_async true
// whatever the status, and a client that sees status complete fetches the
// result by ref_id ([Runner.Get]).
func View(t models.TaskInfo, format models.ResponseFormat, expected *models.ExpectedSchema) (any, error) {
	resp, err := response(t)
	if err != nil {
		return nil, err
	}
	v, err := resp.View(format, expected)
	if err != nil {
		return nil, fmt.Errorf("tasks: %s view of task %s: %w", format, t.RefID, err)
	}
	return v, nil
}

// ResponseView returns the view that format selects of the task with the
// given ref_id, as [Runner.Get] finds it (see [View]).
func (r *Runner) ResponseView(ctx context.Context, refID string, format models.ResponseFormat, expected *models.ExpectedSchema) (any, error) {
	rec, err := r.Get(ctx, refID)
	if err != nil {
		return nil, err
	}
	return View(rec.Task, format, expected)
}
