package tasks_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
)

// TestShutdownDrains: Shutdown stops taking calls, lets a task that ends
// before the deadline complete, cancels the one that does not and names
// it; that one, named and with a retry left, is taken over by another
// runner well within a lease (its lease was ended).
func TestShutdownDrains(t *testing.T) {
	s := tasks.NewMemoryStore(tasks.MemoryOptions{})
	const lease = 3 * time.Second
	a, err := tasks.NewRunner(tasks.Options{Store: s, Owner: "a", LeaseDuration: lease, ReapInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	var ranOnB atomic.Int32
	b := newRunner(t, tasks.Options{Store: s, Owner: "b", LeaseDuration: lease, ReapInterval: 50 * time.Millisecond})
	b.Register("stuck", func(ctx context.Context, args json.RawMessage, p *tasks.Progress) (json.RawMessage, error) {
		ranOnB.Add(1)
		return json.RawMessage(`"b"`), nil
	})
	a.Register("stuck", func(ctx context.Context, args json.RawMessage, p *tasks.Progress) (json.RawMessage, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	quick, _ := a.Run(bg, tasks.Call{Timeout: time.Millisecond}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		time.Sleep(100 * time.Millisecond)
		return json.RawMessage(`1`), nil
	})
	stuck, _ := a.Run(bg, tasks.Call{Timeout: time.Millisecond, Func: "stuck", MaxRetries: 1}, nil)
	ctx, cancel := context.WithTimeout(bg, 400*time.Millisecond)
	defer cancel()
	var runErr atomic.Value
	go func() {
		time.Sleep(50 * time.Millisecond)
		_, err := a.Run(bg, tasks.Call{}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) { return nil, nil })
		runErr.Store(fmt.Sprint(err))
	}()
	start := time.Now()
	cancelled, err := a.Shutdown(ctx)
	if err != nil || len(cancelled) != 1 || cancelled[0] != stuck.Async.RefID {
		t.Fatalf("Shutdown: %v, %v; want [%s]", cancelled, err, stuck.Async.RefID)
	}
	if d := time.Since(start); d < 350*time.Millisecond {
		t.Fatalf("Shutdown returned after %s, before its deadline", d)
	}
	if got := runErr.Load(); got != fmt.Sprint(tasks.ErrClosed) {
		t.Fatalf("Run during the drain: %v, want ErrClosed", got)
	}
	if rec, _ := s.Get(bg, quick.Async.RefID); rec.Task.Status != models.TaskStatusComplete {
		t.Fatalf("the task that ended during the drain is %s", rec.Task.Status)
	}
	handed := time.Now()
	rec := waitFor(t, b, stuck.Async.RefID, func(r tasks.Record) bool { return r.Task.Status == models.TaskStatusComplete })
	if d := time.Since(handed); d > lease/2 || ranOnB.Load() != 1 || rec.Owner != "b" || rec.Task.RetryCount != 1 {
		t.Fatalf("taken over by b after %s (lease %s), ran %d times: %+v", d, lease, ranOnB.Load(), rec)
	}
	if _, err := a.Run(bg, tasks.Call{}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) { return nil, nil }); !errors.Is(err, tasks.ErrClosed) {
		t.Fatalf("Run after Shutdown: %v", err)
	}
}
