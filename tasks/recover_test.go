package tasks_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
)

// leaseWatch records, for every write of a task that keeps its lease, how
// long before the previous lease ran out it landed (negative: after).
type leaseWatch struct {
	tasks.Store
	mu     sync.Mutex
	leases map[string]time.Time
	worst  time.Duration
	writes int
	late   int
}

func (w *leaseWatch) Update(ctx context.Context, rec tasks.Record) (tasks.Record, error) {
	now := time.Now()
	got, err := w.Store.Update(ctx, rec)
	w.mu.Lock()
	defer w.mu.Unlock()
	if prev, ok := w.leases[rec.Task.RefID]; ok && err == nil {
		margin := prev.Sub(now)
		if w.writes == 0 || margin < w.worst {
			w.worst = margin
		}
		if margin <= 0 {
			w.late++
		}
		w.writes++
	}
	if err == nil {
		w.leases[rec.Task.RefID] = rec.LeaseExpires
	}
	return got, err
}

func (w *leaseWatch) Create(ctx context.Context, rec tasks.Record) (tasks.Record, error) {
	got, err := w.Store.Create(ctx, rec)
	if err == nil {
		w.mu.Lock()
		w.leases[rec.Task.RefID] = rec.LeaseExpires
		w.mu.Unlock()
	}
	return got, err
}

// TestRenewalBeforeExpiry: with a lease of 500ms and a heartbeat of 300ms
// (options the runner accepts), every renewal lands before the lease it
// renews runs out, with a quarter of the lease to spare (before: the keeper
// ticked every 300ms and renewed when 300ms had passed, so renewals came up
// to 600ms apart, after the lease expired, every other one late). One late
// renewal is tolerated: a loaded machine (-race, shared cores) can delay
// the keeper's goroutine by more than the quarter lease it has to spare.
func TestRenewalBeforeExpiry(t *testing.T) {
	w := &leaseWatch{Store: tasks.NewMemoryStore(tasks.MemoryOptions{}), leases: map[string]time.Time{}}
	r := newRunner(t, tasks.Options{Store: w, LeaseDuration: 500 * time.Millisecond, HeartbeatInterval: 300 * time.Millisecond, ReapInterval: -1})
	g := newGate()
	out, err := r.Run(bg, tasks.Call{Timeout: time.Millisecond}, g.fn)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2500 * time.Millisecond)
	close(g.release)
	waitFor(t, r, out.Async.RefID, finished)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.writes < 5 {
		t.Fatalf("%d renewals in 2.5s", w.writes)
	}
	t.Logf("%d writes, %d late, the closest %s before the lease ran out (lease 500ms)", w.writes, w.late, w.worst)
	if w.late > 1 {
		t.Fatalf("%d of %d renewals landed after the lease they renewed ran out (worst %s late)", w.late, w.writes, -w.worst)
	}
}

// deadStore stands for a runner that died: once dead, every store call of
// its runner fails, so it writes nothing more.
type deadStore struct {
	tasks.Store
	dead atomic.Bool
}

var errDead = errors.New("process killed (test)")

func (d *deadStore) Update(ctx context.Context, rec tasks.Record) (tasks.Record, error) {
	if d.dead.Load() {
		return tasks.Record{}, errDead
	}
	return d.Store.Update(ctx, rec)
}

func (d *deadStore) ClaimKey(ctx context.Context, key, id string, until time.Time) (string, error) {
	if d.dead.Load() {
		return "", errDead
	}
	return d.Store.ClaimKey(ctx, key, id, until)
}

// work is a registered function: it runs until released or cancelled and
// says which runner ran it.
type work struct {
	release chan struct{}
	starts  atomic.Int32
}

func (w *work) handler(owner string) tasks.Handler {
	return func(ctx context.Context, args json.RawMessage, p *tasks.Progress) (json.RawMessage, error) {
		w.starts.Add(1)
		select {
		case <-w.release:
			return json.Marshal(map[string]any{"ran_by": owner, "args": args})
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func recoveryRunners(t *testing.T, lease time.Duration) (a, b *tasks.Runner, dead *deadStore, w *work) {
	s := tasks.NewMemoryStore(tasks.MemoryOptions{})
	dead = &deadStore{Store: s}
	w = &work{release: make(chan struct{})}
	opts := func(st tasks.Store, owner string) tasks.Options {
		return tasks.Options{Store: st, Owner: owner, LeaseDuration: lease, HeartbeatInterval: lease / 5, ProgressInterval: lease / 10}
	}
	a, b = newRunner(t, opts(dead, "runner-a")), newRunner(t, opts(s, "runner-b"))
	for _, r := range []*tasks.Runner{a, b} {
		if err := r.Register("work", w.handler(r.Owner())); err != nil {
			t.Fatal(err)
		}
	}
	return a, b, dead, w
}

// TestTakeOver: when a task's owner dies, a live runner's background
// reaper takes it over without anyone polling, records the failure
// (retry_count 1, a RetryInfo) and runs the registered function again with
// the call's arguments (before: the task was failed with can_retry true
// and no one ever ran it).
func TestTakeOver(t *testing.T) {
	a, b, dead, w := recoveryRunners(t, 300*time.Millisecond)
	out, err := a.Run(bg, tasks.Call{Timeout: time.Millisecond, Func: "work", Args: json.RawMessage(`{"n":7}`), MaxRetries: 2}, nil)
	if err != nil || out.Async == nil {
		t.Fatalf("Run: %+v, %v", out, err)
	}
	id := out.Async.RefID
	waitFor(t, b, id, func(r tasks.Record) bool { return w.starts.Load() == 1 })
	dead.dead.Store(true)
	killed := time.Now()
	deadline := time.Now().Add(10 * time.Second)
	for w.starts.Load() < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the task was not run again within 10s of its owner's death")
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("run again %s after the owner died (lease 300ms)", time.Since(killed))
	rec, _ := b.Store().Get(bg, id)
	if rec.Owner != "runner-b" || rec.Task.RetryCount != 1 || len(rec.Task.RetryHistory) != 1 ||
		!strings.Contains(rec.Task.RetryHistory[0].Error, `owner "runner-a" stopped renewing its lease`) {
		t.Fatalf("taken over: owner %q, %+v", rec.Owner, rec.Task)
	}
	close(w.release)
	ctx, cancel := context.WithTimeout(bg, 5*time.Second)
	defer cancel()
	rec, err = b.Wait(ctx, id)
	if err != nil || rec.Task.Status != models.TaskStatusComplete {
		t.Fatalf("Wait: %+v, %v", rec.Task, err)
	}
	var res struct {
		RanBy string          `json:"ran_by"`
		Args  json.RawMessage `json:"args"`
	}
	if json.Unmarshal(rec.Result, &res); res.RanBy != "runner-b" || string(res.Args) != `{"n":7}` {
		t.Fatalf("result %s", rec.Result)
	}
}

// TestDeadOwnerNotRetriable: a task whose owner died and that cannot run
// again (no registered function, or no retries left) fails for good with
// can_retry false (before: can_retry stayed true and no one retried).
func TestDeadOwnerNotRetriable(t *testing.T) {
	a, b, dead, w := recoveryRunners(t, 300*time.Millisecond)
	g := newGate()
	plain, _ := a.Run(bg, tasks.Call{Timeout: time.Millisecond, MaxRetries: 3}, g.fn)
	spent, _ := a.Run(bg, tasks.Call{Timeout: time.Millisecond, Func: "work", MaxRetries: 0}, nil)
	waitFor(t, b, spent.Async.RefID, func(r tasks.Record) bool { return w.starts.Load() == 1 })
	dead.dead.Store(true)
	for _, id := range []string{plain.Async.RefID, spent.Async.RefID} {
		ctx, cancel := context.WithTimeout(bg, 5*time.Second)
		rec, err := b.Wait(ctx, id)
		cancel()
		if err != nil || rec.Task.Status != models.TaskStatusFailed || rec.Task.CanRetry() || !rec.Task.IsTerminal() {
			t.Fatalf("task %s: %+v, %v; want failed with can_retry false", id, rec.Task, err)
		}
		resp, _ := b.Response(bg, id)
		if resp.CanRetry {
			t.Fatalf("task %s: response says can_retry", id)
		}
	}
	close(g.release)
	close(w.release)
}

// TestCancelDeadOwner: cancelling a task whose owner died answers at once
// with the task cancelled, in every state the owner may have died in
// (before: a task failed between retries spun about a second and gave
// ErrConflict).
func TestCancelDeadOwner(t *testing.T) {
	s := tasks.NewMemoryStore(tasks.MemoryOptions{})
	r := newRunner(t, tasks.Options{Store: s, ReapInterval: -1})
	past := time.Now().Add(-time.Second)
	for _, status := range []models.TaskStatus{models.TaskStatusPending, models.TaskStatusProcessing, models.TaskStatusFailed} {
		ti := models.NewTaskInfo("dead-"+string(status), float64(time.Now().Unix()))
		ti.Status = status
		if status == models.TaskStatusFailed {
			msg, c := "boom", float64(time.Now().Unix())
			ti.Error, ti.CompletedAt = &msg, &c
		}
		if _, err := s.Create(bg, tasks.Record{Task: ti, Owner: "dead", LeaseExpires: past, Func: "gone"}); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		got, err := r.Cancel(bg, ti.RefID)
		if err != nil || got.Status != models.TaskStatusCancelled {
			t.Fatalf("Cancel of a %s task whose owner died: %+v, %v", status, got, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("Cancel of a %s task whose owner died took %s", status, d)
		}
		if rec, _ := r.Get(bg, ti.RefID); rec.Task.Status != models.TaskStatusCancelled {
			t.Fatalf("Get after Cancel: %s", rec.Task.Status)
		}
	}
}

// TestKeyAfterLeaseExpired: after a dead owner's lease ran out, a new call
// with its key runs its own function and gets its own result (before: it
// got the dead task's failure and its function was stopped).
func TestKeyAfterLeaseExpired(t *testing.T) {
	a, b, dead, w := recoveryRunners(t, 300*time.Millisecond)
	g := newGate()
	old, _ := a.Run(bg, tasks.Call{Timeout: time.Millisecond, Key: "report"}, g.fn)
	waitFor(t, b, old.Async.RefID, func(r tasks.Record) bool { return g.starts.Load() == 1 })
	dead.dead.Store(true)
	time.Sleep(400 * time.Millisecond) // the lease runs out
	g2 := newGate()
	close(g2.release)
	out, err := b.Run(bg, tasks.Call{Timeout: 2 * time.Second, Key: "report"}, g2.fn)
	if err != nil || string(out.Result) != g2.result || g2.starts.Load() != 1 {
		t.Fatalf("new call with the key: %+v, %v (its function started %d times)", out, err, g2.starts.Load())
	}
	close(g.release)
	close(w.release)
}

// TestGetAfterCancelWhileWaiting: a task cancelled while its call still
// waits for it is stored as cancelled (before: it was never stored, and Get
// said not found once the function returned).
func TestGetAfterCancelWhileWaiting(t *testing.T) {
	r := newRunner(t, fastOptions(nil))
	started := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		_, err := r.Run(bg, tasks.Call{Timeout: 5 * time.Second, ID: "waited"}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
			started <- "waited"
			<-ctx.Done()
			return nil, ctx.Err()
		})
		done <- err
	}()
	id := <-started
	if got, err := r.Cancel(bg, id); err != nil || got.Status != models.TaskStatusCancelled {
		t.Fatalf("Cancel: %+v, %v", got, err)
	}
	if err := <-done; !errors.Is(err, tasks.ErrCancelled) {
		t.Fatalf("the waiting call got %v", err)
	}
	if rec, err := r.Get(bg, id); err != nil || rec.Task.Status != models.TaskStatusCancelled {
		t.Fatalf("Get after Cancel: %+v, %v", rec.Task, err)
	}
}
