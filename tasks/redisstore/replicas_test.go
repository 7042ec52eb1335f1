package redisstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/mcp-refcache/taskschema/tasks/redisstore"
)

func replica(t *testing.T, s tasks.Store, name string, lease time.Duration) *tasks.Runner {
	t.Helper()
	r, err := tasks.NewRunner(tasks.Options{Store: s, Owner: name, LeaseDuration: lease,
		HeartbeatInterval: 50 * time.Millisecond, ProgressInterval: 20 * time.Millisecond, StoreTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(bg, 10*time.Second)
		defer cancel()
		if err := r.Close(ctx); err != nil {
			t.Errorf("Close %s: %v", name, err)
		}
	})
	return r
}

func waitFor(t *testing.T, r *tasks.Runner, id string, within time.Duration, ok func(tasks.Record) bool) tasks.Record {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		rec, err := r.Get(bg, id)
		if err == nil && ok(rec) {
			return rec
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s: condition not met within %s; last %+v, %v", id, within, rec.Task, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestTwoReplicasPollAndComplete(t *testing.T) {
	srv := startRedis(t, false)
	s := redisstore.New(srv.client(t), redisstore.Options{Prefix: prefix()})
	a, b := replica(t, s, "replica-a", 5*time.Second), replica(t, s, "replica-b", 5*time.Second)
	step := make(chan struct{})
	out, err := a.Run(bg, tasks.Call{Timeout: 10 * time.Millisecond, Prefix: "index"}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		p.Report(1, 4, "scanning")
		<-step
		return json.RawMessage(`{"files":4}`), nil
	})
	if err != nil || out.Async == nil {
		t.Fatalf("submit on A: %+v, %v", out, err)
	}
	id := out.Async.RefID
	rec := waitFor(t, b, id, 5*time.Second, func(r tasks.Record) bool { return r.Task.Progress != nil })
	if rec.Task.Status != models.TaskStatusProcessing || *rec.Task.Progress.Percentage != 25 || rec.Owner != "replica-a" {
		t.Fatalf("B sees %+v owner %q", rec.Task, rec.Owner)
	}
	resp, err := b.Response(bg, id)
	if err != nil || models.Validate(resp) != nil || resp.Message == nil || *resp.Message != "scanning" {
		t.Fatalf("B's response %+v, %v", resp, err)
	}
	close(step)
	rec = waitFor(t, b, id, 5*time.Second, func(r tasks.Record) bool { return r.Task.Status == models.TaskStatusComplete })
	if string(rec.Result) != `{"files":4}` {
		t.Fatalf("result on B: %s", rec.Result)
	}
}

func TestCancelOnOtherReplica(t *testing.T) {
	srv := startRedis(t, false)
	s := redisstore.New(srv.client(t), redisstore.Options{Prefix: prefix()})
	a, b := replica(t, s, "replica-a", 5*time.Second), replica(t, s, "replica-b", 5*time.Second)
	stopped := make(chan time.Time, 1)
	out, err := a.Run(bg, tasks.Call{Timeout: 10 * time.Millisecond}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		<-ctx.Done()
		stopped <- time.Now()
		return json.RawMessage(`"too late"`), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cancelled, err := b.Cancel(bg, out.Async.RefID)
	at := time.Now()
	if err != nil || cancelled.Status != models.TaskStatusCancelled {
		t.Fatalf("Cancel on B: %+v, %v", cancelled, err)
	}
	select {
	case when := <-stopped:
		if d := when.Sub(at); d > time.Second {
			t.Fatalf("A's function stopped %s after B cancelled it (heartbeat 50ms)", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("A's function was never cancelled")
	}
	time.Sleep(100 * time.Millisecond)
	rec, _ := a.Get(bg, out.Async.RefID)
	if rec.Task.Status != models.TaskStatusCancelled || rec.Result != nil {
		t.Fatalf("after cancel: %+v result %s", rec.Task, rec.Result)
	}
	if _, err := a.Cancel(bg, out.Async.RefID); !errors.Is(err, tasks.ErrFinished) {
		t.Fatalf("Cancel of a cancelled task on A: %v", err)
	}
}

// TestKeyAcrossReplicas: the same key submitted on A and B at the same
// time starts the function once: the key is claimed in the store before the
// function starts (before, each replica started it and the later one
// stopped its own run when it stored the task).
func TestKeyAcrossReplicas(t *testing.T) {
	srv := startRedis(t, false)
	s := redisstore.New(srv.client(t), redisstore.Options{Prefix: prefix()})
	a, b := replica(t, s, "replica-a", 5*time.Second), replica(t, s, "replica-b", 5*time.Second)
	for round := range 20 {
		release := make(chan struct{})
		var starts atomic.Int32
		fn := func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
			starts.Add(1)
			select {
			case <-release:
			case <-ctx.Done():
			}
			return json.RawMessage(`"done"`), nil
		}
		key := fmt.Sprint("k", round)
		var outs [2]tasks.Outcome
		var errs [2]error
		var wg sync.WaitGroup
		for i, r := range []*tasks.Runner{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				outs[i], errs[i] = r.Run(bg, tasks.Call{Timeout: 30 * time.Millisecond, Key: key}, fn)
			}()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil || outs[0].Async == nil || outs[1].Async == nil || outs[0].Async.RefID != outs[1].Async.RefID {
			t.Fatalf("round %d: A %+v %v, B %+v %v; want one task for both", round, outs[0].Async, errs[0], outs[1].Async, errs[1])
		}
		close(release)
		if n := starts.Load(); n != 1 {
			t.Fatalf("round %d: the function started %d times for one key on two replicas", round, n)
		}
		waitFor(t, a, outs[0].Async.RefID, 5*time.Second, func(r tasks.Record) bool { return r.Task.Status == models.TaskStatusComplete })
	}
}

// partitioned is a store that fails every call while cut is set.
type partitioned struct {
	tasks.Store
	cut atomic.Bool
}

var errCut = errors.New("network unreachable (test)")

func (p *partitioned) Update(ctx context.Context, rec tasks.Record) (tasks.Record, error) {
	if p.cut.Load() {
		return tasks.Record{}, errCut
	}
	return p.Store.Update(ctx, rec)
}

func (p *partitioned) Get(ctx context.Context, id string) (tasks.Record, error) {
	if p.cut.Load() {
		return tasks.Record{}, errCut
	}
	return p.Store.Get(ctx, id)
}

func TestCrashedOwnerFailedByOtherReplica(t *testing.T) {
	srv := startRedis(t, false)
	s := redisstore.New(srv.client(t), redisstore.Options{Prefix: prefix()})
	cutA := &partitioned{Store: s}
	a, b := replica(t, cutA, "replica-a", 300*time.Millisecond), replica(t, s, "replica-b", 300*time.Millisecond)
	release := make(chan struct{})
	out, err := a.Run(bg, tasks.Call{Timeout: 10 * time.Millisecond}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		select {
		case <-release:
		case <-ctx.Done():
		}
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cutA.cut.Store(true) // A can no longer renew its lease: to B, A has crashed
	rec := waitFor(t, b, out.Async.RefID, 5*time.Second, func(r tasks.Record) bool { return r.Task.Status == models.TaskStatusFailed })
	if !strings.Contains(*rec.Task.Error, `owner "replica-a" stopped renewing its lease`) {
		t.Fatalf("error %q", *rec.Task.Error)
	}
	cutA.cut.Store(false)
	close(release)
	time.Sleep(200 * time.Millisecond)
	if rec, _ := b.Get(bg, out.Async.RefID); rec.Task.Status != models.TaskStatusFailed {
		t.Fatalf("A overwrote the failed task after its lease expired: %s", rec.Task.Status)
	}
}

// TestRedisRestart kills redis-server (SIGKILL) while tasks run and starts
// it again on the same files: calls during the outage get errors, no task
// that Create acknowledged is lost, none completes twice.
func TestRedisRestart(t *testing.T) {
	srv := startRedis(t, true)
	c := srv.client(t)
	s := redisstore.New(c, redisstore.Options{Prefix: "restart:"})
	var completes sync.Map // ref_id -> *atomic.Int32 of successful writes of status complete
	counting := &completeCounter{Store: s, counts: &completes}
	r := replica(t, counting, "replica-a", 10*time.Second)

	const n = 20
	var runs [n]atomic.Int32
	var ids []string
	begin := make(chan struct{})
	for i := range n {
		out, err := r.Run(bg, tasks.Call{Timeout: time.Millisecond}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
			runs[i].Add(1)
			<-begin
			time.Sleep(time.Duration(i%5) * 150 * time.Millisecond)
			return json.RawMessage(fmt.Sprint(i)), nil
		})
		if err != nil {
			t.Fatalf("submit %d: %v", i, err)
		}
		ids = append(ids, out.Async.RefID)
	}
	close(begin)
	srv.stop()
	if _, err := r.Run(bg, tasks.Call{Timeout: time.Millisecond}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		time.Sleep(50 * time.Millisecond)
		return nil, nil
	}); err == nil {
		t.Fatal("Run while Redis is down: no error")
	}
	if _, err := r.Get(bg, ids[0]); err == nil {
		t.Fatal("Get while Redis is down: no error")
	}
	time.Sleep(700 * time.Millisecond) // tasks finish while Redis is down
	srv.start()
	for i, id := range ids {
		rec := waitFor(t, r, id, 15*time.Second, func(r tasks.Record) bool { return r.Task.Status == models.TaskStatusComplete })
		if string(rec.Result) != fmt.Sprint(i) {
			t.Fatalf("task %d: result %s", i, rec.Result)
		}
		if runs[i].Load() != 1 {
			t.Fatalf("task %d ran %d times", i, runs[i].Load())
		}
		// A write that Redis made durable just before it was killed may have
		// lost its reply; then the runner finds the task complete and writes
		// no more. So: at most one acknowledged write of complete.
		if v, ok := completes.Load(id); ok && v.(*atomic.Int32).Load() > 1 {
			t.Fatalf("task %d completed %d times", i, v.(*atomic.Int32).Load())
		}
	}
}

type completeCounter struct {
	tasks.Store
	counts *sync.Map
}

func (c *completeCounter) Update(ctx context.Context, rec tasks.Record) (tasks.Record, error) {
	got, err := c.Store.Update(ctx, rec)
	if err == nil && rec.Task.Status == models.TaskStatusComplete {
		v, _ := c.counts.LoadOrStore(rec.Task.RefID, new(atomic.Int32))
		v.(*atomic.Int32).Add(1)
	}
	return got, err
}

// readCounter counts Get calls, and keeps the store's notifications.
type readCounter struct {
	*redisstore.Store
	gets atomic.Int32
}

func (c *readCounter) Get(ctx context.Context, id string) (tasks.Record, error) {
	c.gets.Add(1)
	return c.Store.Get(ctx, id)
}

// TestWaitAcrossReplicas: B waits for a task that runs on A and is woken
// by Redis pub/sub when it ends, not by polling: a handful of reads
// although B's heartbeat (its fallback) is 6s.
func TestWaitAcrossReplicas(t *testing.T) {
	srv := startRedis(t, false)
	pfx := prefix()
	sa := redisstore.New(srv.client(t), redisstore.Options{Prefix: pfx})
	sb := &readCounter{Store: redisstore.New(srv.client(t), redisstore.Options{Prefix: pfx})}
	defer sb.Close()
	a, _ := tasks.NewRunner(tasks.Options{Store: sa, Owner: "a", LeaseDuration: time.Minute})
	defer closeSoon(a)
	b, _ := tasks.NewRunner(tasks.Options{Store: sb, Owner: "b", LeaseDuration: time.Minute, ReapInterval: -1})
	defer closeSoon(b)
	release := make(chan struct{})
	out, err := a.Run(bg, tasks.Call{Timeout: time.Millisecond}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		<-release
		return json.RawMessage(`"ok"`), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		close(release)
	}()
	ctx, cancel := context.WithTimeout(bg, 5*time.Second)
	defer cancel()
	start := time.Now()
	rec, err := b.Wait(ctx, out.Async.RefID)
	if err != nil || string(rec.Result) != `"ok"` {
		t.Fatalf("Wait: %+v %s, %v", rec.Task, rec.Result, err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("Wait took %s", d)
	}
	if n := sb.gets.Load(); n > 6 {
		t.Fatalf("Wait read the task %d times", n)
	}
}

// TestCancelLatencyAcrossReplicas measures how long after B cancels a task
// its function on A sees its context cancelled, in heartbeats of A (20
// cancels each way, heartbeat 50ms, cancels spread over A's heartbeat
// cycle): with the store's notifications (A watches its tasks, Redis
// pub/sub), and without (a store that hides them: A learns of the cancel
// when it next renews the lease, within a heartbeat plus the keeper's tick
// plus a store round trip). It logs the mean and the worst of each, and
// fails above 10 heartbeats (a loaded machine delays goroutines; a cancel
// that does not arrive is what it catches).
func TestCancelLatencyAcrossReplicas(t *testing.T) {
	srv := startRedis(t, false)
	const hb = 50 * time.Millisecond
	for _, mode := range []string{"notified", "heartbeat"} {
		var s tasks.Store = redisstore.New(srv.client(t), redisstore.Options{Prefix: prefix()})
		if mode == "heartbeat" {
			s = struct{ tasks.Store }{s} // no Watch
		}
		a, b := replica(t, s, "replica-a", 5*time.Second), replica(t, s, "replica-b", 5*time.Second)
		var total, worst time.Duration
		const n = 20
		for i := range n {
			stopped := make(chan time.Time, 1)
			out, err := a.Run(bg, tasks.Call{Timeout: time.Millisecond}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
				<-ctx.Done()
				stopped <- time.Now()
				return nil, ctx.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Duration(i) * hb / n)
			at := time.Now() // from the call of Cancel
			if _, err := b.Cancel(bg, out.Async.RefID); err != nil {
				t.Fatal(err)
			}
			select {
			case when := <-stopped:
				d := when.Sub(at)
				total += d
				worst = max(worst, d)
			case <-time.After(5 * time.Second):
				t.Fatalf("%s: A's function was never cancelled", mode)
			}
		}
		mean := total / n
		t.Logf("cross-replica cancel, %s: mean %s = %.2f heartbeats, worst %s = %.2f heartbeats (heartbeat %s, %d cancels)",
			mode, mean, float64(mean)/float64(hb), worst, float64(worst)/float64(hb), hb, n)
		if worst > 10*hb {
			t.Fatalf("%s: a cancel took %s to reach the function on the other replica, more than 10 heartbeats", mode, worst)
		}
	}
}

// TestWaitSurvivesRedisRestart: redis-server is killed (SIGKILL) and
// started again on its files while B waits for a task running on A; once
// the task completes, B's Wait returns it (the subscription is renewed, or
// the waiter's bounded fallback reads the task); the reads that fail
// during the outage do not end the wait.
func TestWaitSurvivesRedisRestart(t *testing.T) {
	srv := startRedis(t, true)
	pfx := prefix()
	sa := redisstore.New(srv.client(t), redisstore.Options{Prefix: pfx})
	sb := redisstore.New(srv.client(t), redisstore.Options{Prefix: pfx})
	defer sb.Close()
	a := replica(t, sa, "replica-a", 5*time.Second)
	b := replica(t, sb, "replica-b", 5*time.Second)
	release := make(chan struct{})
	out, err := a.Run(bg, tasks.Call{Timeout: time.Millisecond}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		<-release
		return json.RawMessage(`"after the restart"`), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(bg, 20*time.Second)
		defer cancel()
		rec, err := b.Wait(ctx, out.Async.RefID)
		if err == nil && string(rec.Result) != `"after the restart"` {
			err = fmt.Errorf("result %s", rec.Result)
		}
		got <- err
	}()
	time.Sleep(100 * time.Millisecond)
	srv.stop()
	time.Sleep(time.Second) // several of B's heartbeats: its reads fail meanwhile
	srv.start()
	close(release)
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("Wait across a Redis restart: %v", err)
		}
	case <-time.After(25 * time.Second):
		t.Fatal("Wait never returned")
	}
}

// TestWatchPrefixWithPatternCharacters: a prefix with characters special
// to Redis patterns still gets its notifications (the subscription's
// pattern escapes them): Wait returns at the task's end, long before its
// 6s heartbeat fallback.
func TestWatchPrefixWithPatternCharacters(t *testing.T) {
	srv := startRedis(t, false)
	s := redisstore.New(srv.client(t), redisstore.Options{Prefix: "a[b]*?:"})
	defer s.Close()
	r, _ := tasks.NewRunner(tasks.Options{Store: s, LeaseDuration: time.Minute, ReapInterval: -1})
	defer closeSoon(r)
	ch, stop, err := s.Watch(bg, "x")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	defer free() // before r.Close, so that a failure does not leave Close waiting
	out, _ := r.Run(bg, tasks.Call{Timeout: time.Millisecond, ID: "x"}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		<-release
		return nil, nil
	})
	select {
	case st := <-ch:
		if st != models.TaskStatusProcessing {
			t.Fatalf("notified %q, want processing", st)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("no notification of the task's creation within 3s")
	}
	free()
	ctx, cancel := context.WithTimeout(bg, 3*time.Second)
	defer cancel()
	if _, err := r.Wait(ctx, out.Async.RefID); err != nil {
		t.Fatalf("Wait: %v", err)
	}
}
