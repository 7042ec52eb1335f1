package tasks_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
)

// getCounter counts Get calls.
type getCounter struct {
	tasks.Store
	gets atomic.Int32
}

func (c *getCounter) Get(ctx context.Context, id string) (tasks.Record, error) {
	c.gets.Add(1)
	return c.Store.Get(ctx, id)
}

// TestWaitWithoutPolling: Wait returns as soon as the task ends, woken by
// the store's notification, with a handful of reads, although the runner's
// heartbeat (its fallback) is 6s.
func TestWaitWithoutPolling(t *testing.T) {
	ms := tasks.NewMemoryStore(tasks.MemoryOptions{})
	a := newRunner(t, tasks.Options{Store: ms, Owner: "a", LeaseDuration: time.Minute})
	cs := &getCounter{Store: ms}
	b := newRunner(t, tasks.Options{Store: struct {
		*getCounter
		tasks.Notifier
	}{cs, ms}, Owner: "b", LeaseDuration: time.Minute, ReapInterval: -1})
	g := newGate()
	out, _ := a.Run(bg, tasks.Call{Timeout: time.Millisecond}, g.fn)
	go func() {
		time.Sleep(300 * time.Millisecond)
		close(g.release)
	}()
	ctx, cancel := context.WithTimeout(bg, 5*time.Second)
	defer cancel()
	start := time.Now()
	rec, err := b.Wait(ctx, out.Async.RefID)
	if err != nil || rec.Task.Status != models.TaskStatusComplete {
		t.Fatalf("Wait: %+v, %v", rec.Task, err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("Wait took %s", d)
	}
	if n := cs.gets.Load(); n > 6 {
		t.Fatalf("Wait read the task %d times", n)
	}
	// A context that ends stops the wait.
	g2 := newGate()
	defer close(g2.release)
	out2, _ := a.Run(bg, tasks.Call{Timeout: time.Millisecond}, g2.fn)
	short, cancel2 := context.WithTimeout(bg, 50*time.Millisecond)
	defer cancel2()
	if _, err := b.Wait(short, out2.Async.RefID); err != context.DeadlineExceeded {
		t.Fatalf("Wait with an ended context: %v", err)
	}
}
