package tasks_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/mcp-refcache/taskschema/tasks"
)

// TestRunnerStoresRequestor: Call.Requestor is the stored task's
// Requestor from its first write to its last, and a store at its limit
// per requestor refuses the task before the function runs on.
func TestRunnerStoresRequestor(t *testing.T) {
	s := tasks.NewMemoryStore(tasks.MemoryOptions{MaxInFlightPerRequestor: 1})
	r := newRunner(t, fastOptions(s))
	release := make(chan struct{})
	fn := func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		select {
		case <-release:
			return json.RawMessage(`1`), nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	out, err := r.Run(bg, tasks.Call{Requestor: "user:alice"}, fn)
	if err != nil || out.Async == nil {
		t.Fatalf("Run: %+v, %v", out, err)
	}
	id := out.Async.RefID
	if rec, err := s.Get(bg, id); err != nil || rec.Requestor != "user:alice" {
		t.Fatalf("stored: %+v, %v; want requestor user:alice", rec, err)
	}
	_, err = r.Run(bg, tasks.Call{Requestor: "user:alice"}, fn)
	var lim *tasks.InFlightLimitError
	if !errors.As(err, &lim) || lim.Limit != 1 || lim.InFlight != 1 {
		t.Fatalf("second task of user:alice: %v, want an InFlightLimitError", err)
	}
	close(release)
	rec := waitFor(t, r, id, finished)
	if rec.Requestor != "user:alice" {
		t.Fatalf("finished: requestor %q", rec.Requestor)
	}
	if _, err := r.Run(bg, tasks.Call{Requestor: "user:alice"}, fn); err != nil {
		t.Fatalf("after the first ended: %v", err)
	}
}
