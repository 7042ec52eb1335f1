package tasks_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
)

// TestRetryBackoff: the waits between retries double (RetryDelay 20ms:
// at least 10, 20, 40 and 80ms with the jitter's lower half); before, each
// wait was RetryDelay.
func TestRetryBackoff(t *testing.T) {
	r := newRunner(t, fastOptions(nil))
	var mu sync.Mutex
	var starts []time.Time
	out, err := r.Run(bg, tasks.Call{Timeout: time.Millisecond, MaxRetries: 4, RetryDelay: 20 * time.Millisecond},
		func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
			mu.Lock()
			starts = append(starts, time.Now())
			mu.Unlock()
			return nil, errors.New("flaky")
		})
	if err != nil {
		t.Fatal(err)
	}
	rec := waitFor(t, r, out.Async.RefID, finished)
	if rec.Task.Status != models.TaskStatusFailed || rec.Task.RetryCount != 4 {
		t.Fatalf("%+v", rec.Task)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(starts) != 5 {
		t.Fatalf("%d runs, want 5", len(starts))
	}
	for i := 1; i < len(starts); i++ {
		least := 10 * time.Millisecond << (i - 1)
		if gap := starts[i].Sub(starts[i-1]); gap < least {
			t.Fatalf("wait before retry %d: %s, want at least %s (doubling from 20ms, jitter down to half)", i, gap, least)
		}
	}
}

// TestPermanent: an error marked Permanent fails the task at once, for
// good, whatever retries are left (before: every error was retried).
func TestPermanent(t *testing.T) {
	r := newRunner(t, fastOptions(nil))
	var runs atomic.Int32
	out, _ := r.Run(bg, tasks.Call{Timeout: time.Millisecond, MaxRetries: 3}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		runs.Add(1)
		time.Sleep(50 * time.Millisecond) // outlives the call's timeout
		return nil, tasks.Permanent(errors.New("no such file"))
	})
	rec := waitFor(t, r, out.Async.RefID, finished)
	if runs.Load() != 1 || rec.Task.Status != models.TaskStatusFailed || rec.Task.CanRetry() {
		t.Fatalf("ran %d times; %+v", runs.Load(), rec.Task)
	}
	if !tasks.IsPermanent(tasks.Permanent(errors.New("x"))) || tasks.IsPermanent(errors.New("x")) || tasks.Permanent(nil) != nil {
		t.Fatal("IsPermanent/Permanent")
	}
	// Within the call's timeout the caller gets the error itself.
	_, err := r.Run(bg, tasks.Call{Timeout: time.Second, MaxRetries: 3}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		return nil, tasks.Permanent(errors.New("bad input"))
	})
	if !tasks.IsPermanent(err) {
		t.Fatalf("in-time permanent error: %v", err)
	}
}

// TestManualRetry: a task failed for good is run again by hand as a new
// task with the same function and arguments.
func TestManualRetry(t *testing.T) {
	r := newRunner(t, fastOptions(nil))
	var runs atomic.Int32
	r.Register("fetch", func(ctx context.Context, args json.RawMessage, p *tasks.Progress) (json.RawMessage, error) {
		if runs.Add(1) == 1 {
			time.Sleep(20 * time.Millisecond) // outlives the call's timeout of 0
			return nil, errors.New("upstream down")
		}
		time.Sleep(20 * time.Millisecond)
		return args, nil
	})
	out, err := r.Run(bg, tasks.Call{Timeout: 0, Func: "fetch", Args: json.RawMessage(`{"url":"x"}`)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	failed := waitFor(t, r, out.Async.RefID, finished)
	if failed.Task.Status != models.TaskStatusFailed {
		t.Fatalf("%+v", failed.Task)
	}
	again, err := r.Retry(bg, out.Async.RefID, 5*time.Second)
	if err != nil || string(again.Result) != `{"url":"x"}` {
		t.Fatalf("Retry: %+v, %v", again, err)
	}
	if _, err := r.Retry(bg, "nope", 0); !errors.Is(err, tasks.ErrNotFound) {
		t.Fatalf("Retry of an unknown task: %v", err)
	}
	g := newGate()
	running, _ := r.Run(bg, tasks.Call{Timeout: time.Millisecond}, g.fn)
	if _, err := r.Retry(bg, running.Async.RefID, 0); !errors.Is(err, tasks.ErrInvalid) {
		t.Fatalf("Retry of a running task: %v", err)
	}
	close(g.release)
}
