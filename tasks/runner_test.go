package tasks_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
)

var bg = context.Background()

// fastOptions are runner options with short intervals for tests.
func fastOptions(s tasks.Store) tasks.Options {
	return tasks.Options{Store: s, LeaseDuration: 2 * time.Second, HeartbeatInterval: 50 * time.Millisecond,
		ProgressInterval: 20 * time.Millisecond, StoreTimeout: time.Second}
}

func newRunner(t *testing.T, opts tasks.Options) *tasks.Runner {
	t.Helper()
	r, err := tasks.NewRunner(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(bg, 5*time.Second)
		defer cancel()
		if err := r.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return r
}

// waitFor polls the task until done says so, for at most 5 seconds.
func waitFor(t *testing.T, r *tasks.Runner, id string, done func(tasks.Record) bool) tasks.Record {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		rec, err := r.Get(bg, id)
		if err == nil && done(rec) {
			return rec
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s: condition not met after 5s; last %+v, %v", id, rec.Task, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func finished(rec tasks.Record) bool {
	return tasks.IsFinished(rec.Task.Status) && rec.Task.IsTerminal()
}

// gate is a function that blocks until released and counts its starts.
type gate struct {
	release chan struct{}
	starts  atomic.Int32
	result  string
}

func newGate() *gate { return &gate{release: make(chan struct{}), result: `{"ok":true}`} }

func (g *gate) fn(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
	g.starts.Add(1)
	select {
	case <-g.release:
		return json.RawMessage(g.result), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func TestRunInTime(t *testing.T) {
	s := tasks.NewMemoryStore(tasks.MemoryOptions{})
	r := newRunner(t, fastOptions(s))
	out, err := r.Run(bg, tasks.Call{Timeout: 5 * time.Second}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		return json.RawMessage(`[1,2]`), nil
	})
	if err != nil || out.Async != nil || string(out.Result) != `[1,2]` {
		t.Fatalf("Run = %+v, %v; want the result [1,2]", out, err)
	}
	if s.Len() != 0 {
		t.Fatalf("a run in time left %d tasks in the store", s.Len())
	}
	_, err = r.Run(bg, tasks.Call{Timeout: 5 * time.Second}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		return nil, errors.New("no such file")
	})
	if err == nil || err.Error() != "no such file" {
		t.Fatalf("failing function: %v", err)
	}
}

func TestRunAsyncSameGoroutine(t *testing.T) {
	r := newRunner(t, fastOptions(nil))
	g := newGate()
	reqCtx, cancelReq := context.WithCancel(bg)
	out, err := r.Run(reqCtx, tasks.Call{Timeout: 20 * time.Millisecond, Prefix: "search"}, g.fn)
	if err != nil || out.Async == nil {
		t.Fatalf("Run = %+v, %v; want an AsyncTaskResponse", out, err)
	}
	if err := models.Validate(out.Async); err != nil {
		t.Fatalf("response is not schema-valid: %v", err)
	}
	if out.Async.Status != models.TaskStatusProcessing || !strings.HasPrefix(out.Async.RefID, "search-") {
		t.Fatalf("response %+v", out.Async)
	}
	cancelReq() // the request ends; the task must go on
	time.Sleep(50 * time.Millisecond)
	if rec, _ := r.Get(bg, out.Async.RefID); rec.Task.Status != models.TaskStatusProcessing {
		t.Fatalf("after the request's cancellation the task is %s", rec.Task.Status)
	}
	close(g.release)
	rec := waitFor(t, r, out.Async.RefID, finished)
	if rec.Task.Status != models.TaskStatusComplete || string(rec.Result) != g.result || rec.Task.CompletedAt == nil {
		t.Fatalf("final record %+v result %s", rec.Task, rec.Result)
	}
	if n := g.starts.Load(); n != 1 {
		t.Fatalf("function started %d times, want 1", n)
	}
}

func TestDeduplication(t *testing.T) {
	r := newRunner(t, fastOptions(nil))
	g := newGate()
	call := tasks.Call{Timeout: 10 * time.Millisecond, Key: "report:42"}
	first, err := r.Run(bg, call, g.fn)
	if err != nil || first.Async == nil {
		t.Fatal(first, err)
	}
	second, err := r.Run(bg, call, g.fn)
	if err != nil || second.Async == nil || second.Async.RefID != first.Async.RefID {
		t.Fatalf("second call: %+v, %v; want the first task %s", second.Async, err, first.Async.RefID)
	}
	// A joiner waiting while the task finishes gets the result.
	done := make(chan tasks.Outcome)
	go func() {
		out, _ := r.Run(bg, tasks.Call{Timeout: 5 * time.Second, Key: "report:42"}, g.fn)
		done <- out
	}()
	time.Sleep(20 * time.Millisecond)
	close(g.release)
	if out := <-done; string(out.Result) != g.result {
		t.Fatalf("joined call got %+v", out)
	}
	if n := g.starts.Load(); n != 1 {
		t.Fatalf("function started %d times for one key, want 1", n)
	}
	// Once finished, the key starts a new task.
	g2 := newGate()
	close(g2.release)
	if out, err := r.Run(bg, call, g2.fn); err != nil || string(out.Result) != g2.result || g2.starts.Load() != 1 {
		t.Fatalf("call after the task finished: %+v, %v", out, err)
	}
}

func TestCallerID(t *testing.T) {
	r := newRunner(t, fastOptions(nil))
	g := newGate()
	defer close(g.release)
	out, err := r.Run(bg, tasks.Call{ID: "client-7", Timeout: time.Millisecond}, g.fn)
	if err != nil || out.Async.RefID != "client-7" {
		t.Fatalf("Run with ID: %+v, %v", out, err)
	}
	if _, err := r.Run(bg, tasks.Call{ID: "client-7", Timeout: time.Millisecond}, g.fn); !errors.Is(err, tasks.ErrExists) {
		t.Fatalf("second Run with the same ID: %v, want ErrExists", err)
	}
	for _, bad := range []string{"", "a\nb", strings.Repeat("x", 257), "\xff"} {
		_, err := r.Run(bg, tasks.Call{ID: bad, Timeout: time.Millisecond}, g.fn)
		if bad != "" && !errors.Is(err, tasks.ErrInvalid) {
			t.Errorf("ID %q: %v, want ErrInvalid", bad, err)
		}
	}
}

func TestNewRefID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id, err := tasks.NewRefID("")
		if err != nil || len(id) != 32 || seen[id] {
			t.Fatalf("NewRefID = %q, %v (repeated: %v)", id, err, seen[id])
		}
		seen[id] = true
	}
	if id, err := tasks.NewRefID("tool.search_v2"); err != nil || !strings.HasPrefix(id, "tool.search_v2-") || len(id) != 15+32 {
		t.Fatalf("with prefix: %q, %v", id, err)
	}
	for _, bad := range []string{"a b", "a/b", strings.Repeat("p", 65)} {
		if _, err := tasks.NewRefID(bad); !errors.Is(err, tasks.ErrInvalid) {
			t.Errorf("prefix %q: %v, want ErrInvalid", bad, err)
		}
	}
}

// countingStore counts the updates of a store.
type countingStore struct {
	tasks.Store
	updates atomic.Int32
}

func (c *countingStore) Update(ctx context.Context, rec tasks.Record) (tasks.Record, error) {
	c.updates.Add(1)
	return c.Store.Update(ctx, rec)
}

func TestProgress(t *testing.T) {
	cs := &countingStore{Store: tasks.NewMemoryStore(tasks.MemoryOptions{})}
	opts := fastOptions(cs)
	opts.ProgressInterval, opts.HeartbeatInterval = 100*time.Millisecond, time.Second
	r := newRunner(t, opts)
	step := make(chan struct{})
	var reports atomic.Int32
	out, err := r.Run(bg, tasks.Call{Timeout: time.Millisecond}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		<-step
		deadline := time.Now().Add(500 * time.Millisecond)
		for i := int64(0); time.Now().Before(deadline); i++ {
			if err := p.Report(i%100, 50, fmt.Sprintf("item %d", i)); err != nil {
				return nil, err
			}
			reports.Add(1)
			time.Sleep(100 * time.Microsecond)
		}
		<-step
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	id := out.Async.RefID
	before := cs.updates.Load()
	step <- struct{}{}
	rec := waitFor(t, r, id, func(rec tasks.Record) bool { return rec.Task.Progress != nil })
	step <- struct{}{}
	waitFor(t, r, id, finished)
	writes := cs.updates.Load() - before
	// 500ms of reports at a 100ms interval: at most 6 progress writes, plus
	// processing->complete and a heartbeat.
	if writes > 8 || reports.Load() < 100 {
		t.Fatalf("%d reports gave %d store writes; want at most 8", reports.Load(), writes)
	}
	p := rec.Task.Progress
	if p.Percentage == nil || *p.Percentage < 0 || *p.Percentage > 100 || p.Total == nil || *p.Total != 50 {
		t.Fatalf("progress %+v", p)
	}
	if pct := *p.Percentage; *p.Current >= 50 && pct != 100 {
		t.Fatalf("current %d of 50 gave percentage %v, want 100 (clamped)", *p.Current, pct)
	}
}

func TestProgressReport(t *testing.T) {
	r := newRunner(t, fastOptions(nil))
	errs := make(chan error, 4)
	started := make(chan struct{})
	out, _ := r.Run(bg, tasks.Call{Timeout: time.Millisecond}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		errs <- p.Report(150, 100, "over")
		if got := p.Snapshot(); got == nil || *got.Percentage != 100 {
			t.Errorf("150 of 100: %+v, want 100%%", got)
		}
		errs <- p.Report(-1, 10, "")
		close(started)
		<-ctx.Done()
		errs <- p.Report(1, 10, "after cancel")
		errs <- nil
		return nil, ctx.Err()
	})
	<-started
	if _, err := r.Cancel(bg, out.Async.RefID); err != nil {
		t.Fatal(err)
	}
	if err := <-errs; err != nil {
		t.Fatalf("Report(150, 100): %v", err)
	}
	if err := <-errs; !errors.Is(err, tasks.ErrInvalid) {
		t.Fatalf("Report(-1, 10): %v, want ErrInvalid", err)
	}
	if err := <-errs; !errors.Is(err, tasks.ErrCancelled) {
		t.Fatalf("Report after Cancel: %v, want ErrCancelled", err)
	}
}

func TestZeroProgress(t *testing.T) {
	var p tasks.Progress // as a test calling a Func directly would use it
	if err := p.Report(2, 4, "half"); err != nil || p.Cancelled() || *p.Snapshot().Percentage != 50 {
		t.Fatalf("zero Progress: %v, cancelled %v, %+v", err, p.Cancelled(), p.Snapshot())
	}
}

func TestRetries(t *testing.T) {
	r := newRunner(t, fastOptions(nil))
	var calls atomic.Int32
	hold := make(chan struct{})
	out, err := r.Run(bg, tasks.Call{Timeout: time.Millisecond, MaxRetries: 2}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		<-hold
		if n := calls.Add(1); n < 3 {
			return nil, fmt.Errorf("attempt %d failed", n)
		}
		return json.RawMessage(`"third time"`), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	close(hold)
	rec := waitFor(t, r, out.Async.RefID, finished)
	ti := rec.Task
	if ti.Status != models.TaskStatusComplete || ti.RetryCount != 2 || ti.MaxRetries != 2 || len(ti.RetryHistory) != 2 {
		t.Fatalf("task %+v", ti)
	}
	for i, h := range ti.RetryHistory {
		if int(h.Attempt) != i+1 || h.Error != fmt.Sprintf("attempt %d failed", i+1) || h.Timestamp < ti.StartedAt {
			t.Fatalf("retry_history[%d] = %+v", i, h)
		}
	}

	out, err = r.Run(bg, tasks.Call{Timeout: time.Millisecond, MaxRetries: 1, RetryDelay: time.Millisecond}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		time.Sleep(5 * time.Millisecond)
		return nil, errors.New("always")
	})
	if err != nil {
		t.Fatal(err)
	}
	rec = waitFor(t, r, out.Async.RefID, finished)
	if ti := rec.Task; ti.Status != models.TaskStatusFailed || *ti.Error != "always" || ti.RetryCount != 1 || ti.CanRetry() {
		t.Fatalf("task out of retries: %+v", ti)
	}

	// In time, retries happen within the call.
	calls.Store(0)
	res, err := r.Run(bg, tasks.Call{Timeout: 5 * time.Second, MaxRetries: 3}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		if calls.Add(1) < 3 {
			return nil, errors.New("flaky")
		}
		return json.RawMessage(`1`), nil
	})
	if err != nil || string(res.Result) != "1" || calls.Load() != 3 {
		t.Fatalf("in-time retries: %+v, %v, %d calls", res, err, calls.Load())
	}
}

func TestCancel(t *testing.T) {
	r := newRunner(t, fastOptions(nil))

	// Running: cancelled at once, the function's context too.
	g := newGate()
	out, _ := r.Run(bg, tasks.Call{Timeout: time.Millisecond}, g.fn)
	ti, err := r.Cancel(bg, out.Async.RefID)
	if err != nil || ti.Status != models.TaskStatusCancelled || ti.CompletedAt == nil {
		t.Fatalf("Cancel = %+v, %v", ti, err)
	}
	if rec, _ := r.Get(bg, out.Async.RefID); rec.Task.Status != models.TaskStatusCancelled {
		t.Fatalf("after Cancel the task is %s", rec.Task.Status)
	}
	if _, err := r.Cancel(bg, out.Async.RefID); !errors.Is(err, tasks.ErrFinished) {
		t.Fatalf("second Cancel: %v, want ErrFinished", err)
	}

	// Pending (waiting to retry): cancelled at once.
	out, _ = r.Run(bg, tasks.Call{Timeout: time.Millisecond, MaxRetries: 1, RetryDelay: time.Hour}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		time.Sleep(10 * time.Millisecond)
		return nil, errors.New("first attempt fails")
	})
	waitFor(t, r, out.Async.RefID, func(rec tasks.Record) bool { return rec.Task.Status == models.TaskStatusPending })
	if ti, err := r.Cancel(bg, out.Async.RefID); err != nil || ti.Status != models.TaskStatusCancelled || ti.RetryCount != 1 {
		t.Fatalf("Cancel of a pending task = %+v, %v", ti, err)
	}

	// Before the timeout (caller's own ID): the call returns ErrCancelled.
	g2 := newGate()
	done := make(chan error)
	go func() {
		_, err := r.Run(bg, tasks.Call{ID: "mine", Timeout: 5 * time.Second}, g2.fn)
		done <- err
	}()
	for g2.starts.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	if _, err := r.Cancel(bg, "mine"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, tasks.ErrCancelled) {
		t.Fatalf("Run of a task cancelled in time: %v, want ErrCancelled", err)
	}
	if _, err := r.Cancel(bg, "never-was"); !errors.Is(err, tasks.ErrNotFound) {
		t.Fatalf("Cancel of an unknown task: %v", err)
	}
}

func TestPanic(t *testing.T) {
	r := newRunner(t, fastOptions(nil))
	_, err := r.Run(bg, tasks.Call{Timeout: 5 * time.Second}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		panic("index out of range")
	})
	var pe *tasks.PanicError
	if !errors.As(err, &pe) || err.Error() != "panic: index out of range" || len(pe.Stack) == 0 {
		t.Fatalf("in-time panic: %v", err)
	}
	out, _ := r.Run(bg, tasks.Call{Timeout: time.Millisecond}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		time.Sleep(10 * time.Millisecond)
		panic(fmt.Errorf("disk %d is full", 7)) // a panic with an error value

	})
	rec := waitFor(t, r, out.Async.RefID, finished)
	if rec.Task.Status != models.TaskStatusFailed || !strings.HasPrefix(*rec.Task.Error, "panic: disk 7 is full") {
		t.Fatalf("panicking task: %+v", rec.Task)
	}
}

func TestInvalidResult(t *testing.T) {
	r := newRunner(t, fastOptions(nil))
	_, err := r.Run(bg, tasks.Call{Timeout: 5 * time.Second}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		return json.RawMessage(`{"a":`), nil
	})
	if err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Fatalf("invalid JSON result: %v", err)
	}
}

func TestCrashedOwner(t *testing.T) {
	s := tasks.NewMemoryStore(tasks.MemoryOptions{})
	for _, status := range []models.TaskStatus{models.TaskStatusProcessing, models.TaskStatusPending} {
		id := "orphan-" + string(status)
		ti := models.NewTaskInfo(id, float64(time.Now().Unix()))
		ti.Status = status
		if _, err := s.Create(bg, tasks.Record{Task: ti, Owner: "replica-dead", LeaseExpires: time.Now().Add(-time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
	live := models.NewTaskInfo("alive", float64(time.Now().Unix()))
	live.Status = models.TaskStatusProcessing
	s.Create(bg, tasks.Record{Task: live, Owner: "replica-b", LeaseExpires: time.Now().Add(time.Minute)})
	r := newRunner(t, fastOptions(s))
	rec, err := r.Get(bg, "orphan-processing")
	if err != nil || rec.Task.Status != models.TaskStatusFailed || !strings.Contains(*rec.Task.Error, `owner "replica-dead" stopped renewing its lease`) {
		t.Fatalf("Get of a task whose lease expired: %+v, %v", rec.Task, err)
	}
	if n, err := r.ReapExpired(bg); n != 1 || err != nil {
		t.Fatalf("ReapExpired = %d, %v; want 1 (the pending one)", n, err)
	}
	if rec, _ := s.Get(bg, "orphan-pending"); rec.Task.Status != models.TaskStatusFailed {
		t.Fatalf("pending orphan is %s", rec.Task.Status)
	}
	if rec, _ := r.Get(bg, "alive"); rec.Task.Status != models.TaskStatusProcessing {
		t.Fatalf("a task with a live lease was reaped: %s", rec.Task.Status)
	}
}

func TestLeaseRenewed(t *testing.T) {
	opts := fastOptions(nil)
	opts.LeaseDuration, opts.HeartbeatInterval = 500*time.Millisecond, 20*time.Millisecond
	r := newRunner(t, opts)
	g := newGate()
	out, _ := r.Run(bg, tasks.Call{Timeout: time.Millisecond}, g.fn)
	time.Sleep(1500 * time.Millisecond) // three leases
	if rec, _ := r.Get(bg, out.Async.RefID); rec.Task.Status != models.TaskStatusProcessing {
		t.Fatalf("a running task with heartbeats is %s: %v", rec.Task.Status, rec.Task.Error)
	}
	close(g.release)
	if rec := waitFor(t, r, out.Async.RefID, finished); rec.Task.Status != models.TaskStatusComplete {
		t.Fatalf("final status %s", rec.Task.Status)
	}
}

func TestClose(t *testing.T) {
	r, _ := tasks.NewRunner(fastOptions(nil))
	g := newGate()
	out, _ := r.Run(bg, tasks.Call{Timeout: time.Millisecond}, g.fn)
	if err := r.Close(bg); err != nil {
		t.Fatal(err)
	}
	rec, _ := r.Get(bg, out.Async.RefID)
	if rec.Task.Status != models.TaskStatusFailed || *rec.Task.Error != "runner closed before the task finished" {
		t.Fatalf("task after Close: %+v", rec.Task)
	}
	if _, err := r.Run(bg, tasks.Call{}, g.fn); !errors.Is(err, tasks.ErrClosed) {
		t.Fatalf("Run after Close: %v", err)
	}
}
