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

// failingStore fails writes while its switches are on.
type failingStore struct {
	tasks.Store
	failUpdates atomic.Bool
	failCreates atomic.Bool
	failed      atomic.Int32
}

var errDisk = errors.New("disk full (test)")

func (f *failingStore) Update(ctx context.Context, rec tasks.Record) (tasks.Record, error) {
	if f.failUpdates.Load() {
		f.failed.Add(1)
		return tasks.Record{}, errDisk
	}
	return f.Store.Update(ctx, rec)
}

func (f *failingStore) Create(ctx context.Context, rec tasks.Record) (tasks.Record, error) {
	if f.failCreates.Load() {
		return tasks.Record{}, errDisk
	}
	return f.Store.Create(ctx, rec)
}

func TestFunctionIgnoringCancellation(t *testing.T) {
	r := newRunner(t, fastOptions(nil))
	returned := make(chan struct{})
	ignore := func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		defer close(returned)
		time.Sleep(300 * time.Millisecond) // never looks at ctx
		return json.RawMessage(`"done anyway"`), nil
	}
	out, err := r.Run(bg, tasks.Call{Timeout: time.Millisecond, Key: "slow"}, ignore)
	if err != nil {
		t.Fatal(err)
	}
	id := out.Async.RefID
	if ti, err := r.Cancel(bg, id); err != nil || ti.Status != models.TaskStatusCancelled {
		t.Fatalf("Cancel = %+v, %v", ti, err)
	}
	if rec, _ := r.Get(bg, id); rec.Task.Status != models.TaskStatusCancelled {
		t.Fatalf("status right after Cancel: %s, want cancelled at once", rec.Task.Status)
	}
	// The key is free again while the old function still runs.
	g := newGate()
	close(g.release)
	if out2, err := r.Run(bg, tasks.Call{Timeout: 5 * time.Second, Key: "slow"}, g.fn); err != nil || string(out2.Result) != g.result {
		t.Fatalf("new call with the key: %+v, %v", out2, err)
	}
	<-returned
	time.Sleep(50 * time.Millisecond)
	rec, _ := r.Get(bg, id)
	if rec.Task.Status != models.TaskStatusCancelled || rec.Result != nil {
		t.Fatalf("after the function returned: %+v result %s; want cancelled, no result", rec.Task, rec.Result)
	}
}

func TestStoreFailsMidRun(t *testing.T) {
	fs := &failingStore{Store: tasks.NewMemoryStore(tasks.MemoryOptions{})}
	r := newRunner(t, fastOptions(fs))
	step := make(chan struct{})
	out, err := r.Run(bg, tasks.Call{Timeout: time.Millisecond}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		for i := range 20 {
			p.Report(int64(i), 20, "working")
			time.Sleep(5 * time.Millisecond)
		}
		<-step
		return json.RawMessage(`"survived"`), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	fs.failUpdates.Store(true) // progress, heartbeats and the final write fail
	close(step)
	time.Sleep(300 * time.Millisecond)
	if fs.failed.Load() < 2 {
		t.Fatalf("only %d writes were attempted during the outage", fs.failed.Load())
	}
	if rec, _ := fs.Store.Get(bg, out.Async.RefID); rec.Task.Status != models.TaskStatusProcessing {
		t.Fatalf("during the outage the stored task is %s", rec.Task.Status)
	}
	fs.failUpdates.Store(false) // back within the lease: the final write goes through
	rec := waitFor(t, r, out.Async.RefID, finished)
	if rec.Task.Status != models.TaskStatusComplete || string(rec.Result) != `"survived"` {
		t.Fatalf("after the outage: %+v %s", rec.Task, rec.Result)
	}
}

func TestStoreLostForALease(t *testing.T) {
	s := tasks.NewMemoryStore(tasks.MemoryOptions{})
	fs := &failingStore{Store: s}
	opts := fastOptions(fs)
	opts.LeaseDuration = 300 * time.Millisecond
	r := newRunner(t, opts)
	other := newRunner(t, fastOptions(s)) // a replica that still reaches the store
	stopped := make(chan error, 1)
	out, err := r.Run(bg, tasks.Call{Timeout: time.Millisecond}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		<-ctx.Done()
		stopped <- context.Cause(ctx)
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	fs.failUpdates.Store(true)
	rec := waitFor(t, other, out.Async.RefID, func(rec tasks.Record) bool { return rec.Task.Status == models.TaskStatusFailed })
	if !strings.Contains(*rec.Task.Error, "stopped renewing its lease") {
		t.Fatalf("error %q", *rec.Task.Error)
	}
	select {
	case <-stopped: // the owner gave up once the store refused it for longer than a lease
	case <-time.After(5 * time.Second):
		t.Fatal("the function of a task whose owner lost the store was never cancelled")
	}
}

func TestStoreCreateFails(t *testing.T) {
	fs := &failingStore{Store: tasks.NewMemoryStore(tasks.MemoryOptions{})}
	fs.failCreates.Store(true)
	r := newRunner(t, fastOptions(fs))
	stopped := make(chan struct{})
	_, err := r.Run(bg, tasks.Call{Timeout: time.Millisecond, ID: "x"}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		<-ctx.Done()
		close(stopped)
		return nil, nil
	})
	if !errors.Is(err, errDisk) {
		t.Fatalf("Run when the store refuses the task: %v, want the store's error", err)
	}
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("function left running for a task no one can see")
	}
	if _, err := fs.Get(bg, "x"); !errors.Is(err, tasks.ErrNotFound) {
		t.Fatalf("Get: %v", err)
	}
}

func TestManyPollersAndCancellers(t *testing.T) {
	r := newRunner(t, fastOptions(nil))
	out, _ := r.Run(bg, tasks.Call{Timeout: time.Millisecond}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		for i := int64(0); ; i++ {
			if err := p.Report(i%1000, 1000, "spinning"); err != nil {
				return nil, err
			}
			time.Sleep(100 * time.Microsecond)
		}
	})
	id := out.Async.RefID
	var wins, finishedErrs atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if i%5 == 0 {
				_, err := r.Cancel(bg, id)
				switch {
				case err == nil:
					wins.Add(1)
				case errors.Is(err, tasks.ErrFinished):
					finishedErrs.Add(1)
				default:
					t.Errorf("Cancel: %v", err)
				}
				return
			}
			for range 50 {
				resp, err := r.Response(bg, id)
				if err != nil {
					t.Errorf("poll: %v", err)
					return
				}
				if err := models.Validate(resp); err != nil {
					t.Errorf("invalid response: %v", err)
				}
				if resp.Status != models.TaskStatusProcessing && resp.Status != models.TaskStatusCancelled {
					t.Errorf("poll saw status %s", resp.Status)
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	if wins.Load() != 1 || finishedErrs.Load() != 7 {
		t.Fatalf("%d cancels succeeded and %d got ErrFinished; want 1 and 7", wins.Load(), finishedErrs.Load())
	}
	if rec := waitFor(t, r, id, finished); rec.Task.Status != models.TaskStatusCancelled {
		t.Fatalf("final status %s", rec.Task.Status)
	}
}

func TestManyCallsOneKey(t *testing.T) {
	r := newRunner(t, fastOptions(nil))
	g := newGate()
	var wg sync.WaitGroup
	refs := make(chan string, 64)
	results := make(chan string, 64)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			timeout := time.Millisecond
			if i%2 == 0 {
				timeout = 5 * time.Second // these wait for the result
			}
			out, err := r.Run(bg, tasks.Call{Timeout: timeout, Key: "same"}, g.fn)
			switch {
			case err != nil:
				t.Errorf("Run: %v", err)
			case out.Async != nil:
				refs <- out.Async.RefID
			default:
				results <- string(out.Result)
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	close(g.release)
	wg.Wait()
	close(refs)
	close(results)
	if n := g.starts.Load(); n != 1 {
		t.Fatalf("64 calls with one key started the function %d times", n)
	}
	first := ""
	for id := range refs {
		if first == "" {
			first = id
		}
		if id != first {
			t.Fatalf("calls with one key got tasks %s and %s", first, id)
		}
	}
	for res := range results {
		if res != g.result {
			t.Fatalf("result %s", res)
		}
	}
}

// resendingStore sends every Create twice, as a client library does when
// the reply to a durable write is lost (go-redis after a read timeout): the
// second send finds the task there already.
type resendingStore struct {
	tasks.Store
	clash bool // store a different owner's task under the ref_id first
}

func (s *resendingStore) Create(ctx context.Context, rec tasks.Record) (tasks.Record, error) {
	first := rec
	if s.clash {
		first.Owner = "another-replica"
	}
	if _, err := s.Store.Create(ctx, first); err != nil {
		return tasks.Record{}, err
	}
	return s.Store.Create(ctx, rec) // ErrExists
}

func TestCreateReplyLost(t *testing.T) {
	for _, tc := range []struct {
		name    string
		clash   bool
		wantErr bool
	}{
		{name: "own write resent", clash: false},
		{name: "another owner's task", clash: true, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &resendingStore{Store: tasks.NewMemoryStore(tasks.MemoryOptions{}), clash: tc.clash}
			r := newRunner(t, fastOptions(s))
			g := newGate()
			out, err := r.Run(bg, tasks.Call{Timeout: time.Millisecond}, g.fn)
			if tc.wantErr {
				if !errors.Is(err, tasks.ErrExists) {
					t.Fatalf("Run = %+v, %v; want ErrExists", out, err)
				}
				close(g.release)
				return
			}
			if err != nil || out.Async == nil {
				t.Fatalf("Run = %+v, %v; want the AsyncTaskResponse", out, err)
			}
			close(g.release)
			rec := waitFor(t, r, out.Async.RefID, func(r tasks.Record) bool { return r.Task.Status == models.TaskStatusComplete })
			if string(rec.Result) != g.result {
				t.Fatalf("result %s, want %s", rec.Result, g.result)
			}
		})
	}
}
