// Package storetest is the behaviour every tasks.Store must have, as tests
// that any implementation runs against itself with [Run].
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
)

// NewStore returns an empty store whose finished tasks expire after ttl.
type NewStore func(t *testing.T, ttl time.Duration) tasks.Store

// Run runs every test of the suite as a subtest of t.
func Run(t *testing.T, newStore NewStore) {
	tests := []struct {
		name string
		fn   func(*testing.T, NewStore)
	}{
		{"CreateGet", testCreateGet},
		{"CreateRejectsInvalid", testCreateRejectsInvalid},
		{"UpdateCompareAndSet", testUpdateCAS},
		{"IllegalTransitionNotStored", testIllegal},
		{"Retry", testRetry},
		{"Result", testResult},
		{"ListFilterPaging", testList},
		{"Delete", testDelete},
		{"Key", testKey},
		{"TTL", testTTL},
		{"ConcurrentUpdates", testConcurrent},
		{"Requestor", testRequestor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newStore) })
	}
}

var ctx = context.Background()

// Running returns a processing record with the given ref_id.
func Running(id string) tasks.Record {
	ti := models.NewTaskInfo(id, 1_700_000_000.5)
	ti.Status = models.TaskStatusProcessing
	ti.MaxRetries = 1
	return tasks.Record{Task: ti, Owner: "runner-a", LeaseExpires: time.Now().Add(time.Minute).Truncate(time.Millisecond)}
}

func finish(rec tasks.Record, status models.TaskStatus) tasks.Record {
	c := 1_700_000_100.25
	rec.Task.Status, rec.Task.CompletedAt, rec.LeaseExpires = status, &c, time.Time{}
	if status == models.TaskStatusFailed {
		msg := "boom"
		rec.Task.Error = &msg
	}
	return rec
}

func mustCreate(t *testing.T, s tasks.Store, rec tasks.Record) tasks.Record {
	t.Helper()
	got, err := s.Create(ctx, rec)
	if err != nil {
		t.Fatalf("Create(%s): %v", rec.Task.RefID, err)
	}
	return got
}

func mustUpdate(t *testing.T, s tasks.Store, rec tasks.Record) tasks.Record {
	t.Helper()
	got, err := s.Update(ctx, rec)
	if err != nil {
		t.Fatalf("Update(%s): %v", rec.Task.RefID, err)
	}
	return got
}

func same(t *testing.T, got, want tasks.Record) {
	t.Helper()
	g, err := models.Marshal(got.Task)
	if err != nil {
		t.Fatalf("the store returned a task the schema rejects: %v", err)
	}
	w, err := models.Marshal(want.Task)
	if err != nil {
		t.Fatalf("the expected task is one the schema rejects: %v", err)
	}
	if string(g) != string(w) || got.Key != want.Key || got.Owner != want.Owner || got.Requestor != want.Requestor || got.Version != want.Version ||
		!got.LeaseExpires.Equal(want.LeaseExpires) || string(got.Result) != string(want.Result) {
		t.Fatalf("record differs:\n got %s key=%q owner=%q requestor=%q version=%d lease=%v result=%s\nwant %s key=%q owner=%q requestor=%q version=%d lease=%v result=%s",
			g, got.Key, got.Owner, got.Requestor, got.Version, got.LeaseExpires, got.Result, w, want.Key, want.Owner, want.Requestor, want.Version, want.LeaseExpires, want.Result)
	}
}

func testCreateGet(t *testing.T, newStore NewStore) {
	s := newStore(t, time.Minute)
	rec := Running("a")
	p := models.NewTaskProgress(3, 4)
	rec.Task.Progress = &p
	got := mustCreate(t, s, rec)
	if got.Version != 1 {
		t.Fatalf("Version = %d, want 1", got.Version)
	}
	rec.Version = 1
	read, err := s.Get(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	same(t, read, rec)
	if _, err := s.Create(ctx, rec); !errors.Is(err, tasks.ErrExists) {
		t.Fatalf("second Create: %v, want ErrExists", err)
	}
	if _, err := s.Get(ctx, "missing"); !errors.Is(err, tasks.ErrNotFound) {
		t.Fatalf("Get(missing): %v, want ErrNotFound", err)
	}
}

func testCreateRejectsInvalid(t *testing.T, newStore NewStore) {
	s := newStore(t, time.Minute)
	rec := Running("bad")
	rec.Task.RetryCount = -1
	_, err := s.Create(ctx, rec)
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Create(retry_count -1): %v, want a *models.ValidationError", err)
	}
	if _, err := s.Get(ctx, "bad"); !errors.Is(err, tasks.ErrNotFound) {
		t.Fatalf("invalid task was stored: Get gives %v", err)
	}
	rec = Running("bad2")
	rec.Task.StartedAt = -5
	if _, err := s.Create(ctx, rec); !errors.As(err, &ve) {
		t.Fatalf("Create(started_at -5): %v, want a *models.ValidationError", err)
	}
}

func testUpdateCAS(t *testing.T, newStore NewStore) {
	s := newStore(t, time.Minute)
	v1 := mustCreate(t, s, Running("a"))
	p := models.NewTaskProgress(1, 2)
	next := v1
	next.Task.Progress = &p
	v2 := mustUpdate(t, s, next)
	if v2.Version != 2 {
		t.Fatalf("Version after update = %d, want 2", v2.Version)
	}
	stale := v1
	stale.Task = finish(stale, models.TaskStatusComplete).Task
	if _, err := s.Update(ctx, stale); !errors.Is(err, tasks.ErrConflict) {
		t.Fatalf("Update with version 1: %v, want ErrConflict", err)
	}
	got, _ := s.Get(ctx, "a")
	same(t, got, v2)
	missing := Running("nope")
	missing.Version = 1
	if _, err := s.Update(ctx, missing); !errors.Is(err, tasks.ErrNotFound) {
		t.Fatalf("Update(missing): %v, want ErrNotFound", err)
	}
}

func testIllegal(t *testing.T, newStore NewStore) {
	s := newStore(t, time.Minute)
	done := mustUpdate(t, s, finish(mustCreate(t, s, Running("a")), models.TaskStatusComplete))
	for _, status := range []models.TaskStatus{models.TaskStatusProcessing, models.TaskStatusPending, models.TaskStatusCancelled} {
		next := done
		next.Task.Status = status
		next.Task.CompletedAt = nil
		if status == models.TaskStatusCancelled {
			next.Task.CompletedAt = done.Task.CompletedAt
		}
		if _, err := s.Update(ctx, next); !errors.Is(err, tasks.ErrIllegalTransition) {
			t.Fatalf("complete -> %s: %v, want ErrIllegalTransition", status, err)
		}
	}
	got, _ := s.Get(ctx, "a")
	same(t, got, done)

	run := mustCreate(t, s, Running("b"))
	back := run
	back.Task.Status = models.TaskStatusPending
	if _, err := s.Update(ctx, back); !errors.Is(err, tasks.ErrIllegalTransition) {
		t.Fatalf("processing -> pending: %v, want ErrIllegalTransition", err)
	}
	moved := run
	moved.Task.MaxRetries = 9
	if _, err := s.Update(ctx, moved); !errors.Is(err, tasks.ErrIllegalTransition) {
		t.Fatalf("max_retries change: %v, want ErrIllegalTransition", err)
	}
	got, _ = s.Get(ctx, "b")
	same(t, got, run)
}

func testRetry(t *testing.T, newStore NewStore) {
	s := newStore(t, time.Minute)
	failed := mustUpdate(t, s, finish(mustCreate(t, s, Running("a")), models.TaskStatusFailed))
	retry := failed
	retry.Task.Status, retry.Task.Error, retry.Task.CompletedAt = models.TaskStatusPending, nil, nil
	retry.Task.RetryCount = 1
	retry.Task.RetryHistory = []models.RetryInfo{{Attempt: 1, Error: "boom", Timestamp: 1_700_000_100.25}}
	retry.LeaseExpires = time.Now().Add(time.Minute).Truncate(time.Millisecond)
	pending := mustUpdate(t, s, retry)
	got, _ := s.Get(ctx, "a")
	same(t, got, pending)
	// Out of retries (max_retries 1): failed is final.
	run := pending
	run.Task.Status = models.TaskStatusProcessing
	failedAgain := mustUpdate(t, s, finish(mustUpdate(t, s, run), models.TaskStatusFailed))
	again := failedAgain
	again.Task.Status, again.Task.Error, again.Task.CompletedAt = models.TaskStatusPending, nil, nil
	again.Task.RetryCount = 2
	again.Task.RetryHistory = append(again.Task.RetryHistory, models.RetryInfo{Attempt: 2, Error: "boom", Timestamp: 1})
	if _, err := s.Update(ctx, again); !errors.Is(err, tasks.ErrIllegalTransition) {
		t.Fatalf("retry beyond max_retries: %v, want ErrIllegalTransition", err)
	}
}

func testResult(t *testing.T, newStore NewStore) {
	s := newStore(t, time.Minute)
	run := mustCreate(t, s, Running("a"))
	withResult := run
	withResult.Result = json.RawMessage(`{"n":1}`)
	if _, err := s.Update(ctx, withResult); !errors.Is(err, tasks.ErrInvalid) {
		t.Fatalf("result on a processing task: %v, want ErrInvalid", err)
	}
	done := finish(run, models.TaskStatusComplete)
	done.Result = json.RawMessage(`{"n":`)
	if _, err := s.Update(ctx, done); !errors.Is(err, tasks.ErrInvalid) {
		t.Fatalf("result not JSON: %v, want ErrInvalid", err)
	}
	done.Result = json.RawMessage(`{"n":[1,2,"three"]}`)
	stored := mustUpdate(t, s, done)
	got, _ := s.Get(ctx, "a")
	same(t, got, stored)
}

func testList(t *testing.T, newStore NewStore) {
	s := newStore(t, time.Minute)
	var running []string
	for i := range 25 {
		id := fmt.Sprintf("t%02d", i)
		rec := mustCreate(t, s, Running(id))
		if i%3 == 0 {
			mustUpdate(t, s, finish(rec, models.TaskStatusCancelled))
		} else {
			running = append(running, id)
		}
	}
	collect := func(status models.TaskStatus, limit int) []string {
		var ids []string
		opts := tasks.ListOptions{Status: status, Limit: limit}
		for range 100 {
			page, err := s.List(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Records) > limit {
				t.Fatalf("page of %d records, limit %d", len(page.Records), limit)
			}
			for _, r := range page.Records {
				if status != "" && r.Task.Status != status {
					t.Fatalf("List(%s) gave a %s task", status, r.Task.Status)
				}
				ids = append(ids, r.Task.RefID)
			}
			if page.Next == "" {
				return ids
			}
			opts.After = page.Next
		}
		t.Fatal("List never ended")
		return nil
	}
	if got := collect(models.TaskStatusProcessing, 4); fmt.Sprint(got) != fmt.Sprint(running) {
		t.Fatalf("processing tasks:\n got %v\nwant %v", got, running)
	}
	if got := collect("", 7); len(got) != 25 || got[0] != "t00" || got[24] != "t24" {
		t.Fatalf("all tasks: %v", got)
	}
	if got := collect(models.TaskStatusComplete, 5); len(got) != 0 {
		t.Fatalf("complete tasks: %v, want none", got)
	}
}

func testDelete(t *testing.T, newStore NewStore) {
	s := newStore(t, time.Minute)
	mustCreate(t, s, Running("a"))
	if err := s.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "a"); !errors.Is(err, tasks.ErrNotFound) {
		t.Fatalf("Get after Delete: %v", err)
	}
	if err := s.Delete(ctx, "a"); !errors.Is(err, tasks.ErrNotFound) {
		t.Fatalf("second Delete: %v, want ErrNotFound", err)
	}
	page, _ := s.List(ctx, tasks.ListOptions{})
	if len(page.Records) != 0 {
		t.Fatalf("List after Delete: %d records", len(page.Records))
	}
}

func testKey(t *testing.T, newStore NewStore) {
	s := newStore(t, time.Minute)
	a := Running("a")
	a.Key = "search:x"
	a = mustCreate(t, s, a)
	b := Running("b")
	b.Key = "search:x"
	_, err := s.Create(ctx, b)
	var inUse *tasks.KeyInUseError
	if !errors.As(err, &inUse) || inUse.RefID != "a" {
		t.Fatalf("Create with a held key: %v, want KeyInUseError naming a", err)
	}
	rekeyed := a
	rekeyed.Key = "search:y"
	if _, err := s.Update(ctx, rekeyed); !errors.Is(err, tasks.ErrInvalid) {
		t.Fatalf("Update changing the key: %v, want ErrInvalid", err)
	}
	mustUpdate(t, s, finish(a, models.TaskStatusComplete))
	mustCreate(t, s, b)
}

func testTTL(t *testing.T, newStore NewStore) {
	ttl := 300 * time.Millisecond
	s := newStore(t, ttl)
	mustUpdate(t, s, finish(mustCreate(t, s, Running("done")), models.TaskStatusComplete))
	mustCreate(t, s, Running("running"))
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := s.Get(ctx, "done")
		if errors.Is(err, tasks.ErrNotFound) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("finished task still there 5s after its TTL of %s", ttl)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := s.Get(ctx, "running"); err != nil {
		t.Fatalf("running task expired: %v", err)
	}
	page, err := s.List(ctx, tasks.ListOptions{})
	if err != nil || len(page.Records) != 1 {
		t.Fatalf("List after expiry: %d records, %v", len(page.Records), err)
	}
}

func testConcurrent(t *testing.T, newStore NewStore) {
	s := newStore(t, time.Minute)
	v1 := mustCreate(t, s, Running("a"))
	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			next := finish(v1, models.TaskStatusCancelled)
			if i%2 == 0 {
				next = finish(v1, models.TaskStatusComplete)
			}
			_, err := s.Update(ctx, next)
			switch {
			case err == nil:
				wins.Add(1)
			case !errors.Is(err, tasks.ErrConflict) && !errors.Is(err, tasks.ErrIllegalTransition):
				t.Errorf("Update: %v", err)
			}
		}()
	}
	wg.Wait()
	if n := wins.Load(); n != 1 {
		t.Fatalf("%d concurrent updates of one version succeeded, want 1", n)
	}
	got, _ := s.Get(ctx, "a")
	if got.Version != 2 {
		t.Fatalf("Version = %d, want 2", got.Version)
	}
}

// testRequestor: the requestor is kept, never changes, and List with
// ListOptions.Requestor gives that requestor's tasks only, a page at a
// time.
func testRequestor(t *testing.T, newStore NewStore) {
	s := newStore(t, time.Minute)
	var alice []string
	for i := range 12 {
		rec := Running(fmt.Sprintf("r%02d", i))
		rec.Requestor = "user:bob"
		if i%3 != 0 {
			rec.Requestor = "user:alice"
			alice = append(alice, rec.Task.RefID)
		}
		got := mustCreate(t, s, rec)
		rec.Version = 1
		same(t, got, rec)
		stored, err := s.Get(ctx, rec.Task.RefID)
		if err != nil {
			t.Fatal(err)
		}
		same(t, stored, rec)
		if i == 1 {
			moved := stored
			moved.Requestor = "user:bob"
			if _, err := s.Update(ctx, moved); !errors.Is(err, tasks.ErrInvalid) {
				t.Fatalf("Update changing the requestor: %v, want ErrInvalid", err)
			}
			mustUpdate(t, s, finish(stored, models.TaskStatusComplete))
		}
	}
	var got []string
	opts := tasks.ListOptions{Requestor: "user:alice", Limit: 3}
	for range 100 {
		page, err := s.List(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Records) > 3 {
			t.Fatalf("page of %d records, limit 3", len(page.Records))
		}
		for _, r := range page.Records {
			if r.Requestor != "user:alice" {
				t.Fatalf("List for user:alice gave %s of %q", r.Task.RefID, r.Requestor)
			}
			got = append(got, r.Task.RefID)
		}
		if page.Next == "" {
			break
		}
		opts.After = page.Next
	}
	if fmt.Sprint(got) != fmt.Sprint(alice) {
		t.Fatalf("alice's tasks:\n got %v\nwant %v", got, alice)
	}
	page, err := s.List(ctx, tasks.ListOptions{Requestor: "user:alice", Status: models.TaskStatusComplete})
	if err != nil || len(page.Records) != 1 || page.Records[0].Task.RefID != "r01" {
		t.Fatalf("alice's complete tasks: %+v, %v; want r01", page.Records, err)
	}
	page, err = s.List(ctx, tasks.ListOptions{Requestor: "user:nobody"})
	if err != nil || len(page.Records) != 0 {
		t.Fatalf("tasks of a requestor with none: %+v, %v", page.Records, err)
	}
}

// NewLimitedStore returns an empty store that allows each requestor at
// most limit pending or processing tasks.
type NewLimitedStore func(t *testing.T, limit int) tasks.Store

// RunInFlightLimit checks the limit per requestor: Create of one more
// pending or processing task than the limit gives an *InFlightLimitError
// naming the requestor, the count and the limit (and wrapping
// tasks.ErrFull); another requestor, a task without requestor and a
// finished task are not held back; a task that finishes or is deleted
// frees its place.
func RunInFlightLimit(t *testing.T, newStore NewLimitedStore) {
	s := newStore(t, 2)
	mk := func(id, req string) tasks.Record {
		r := Running(id)
		r.Requestor = req
		return r
	}
	a1 := mustCreate(t, s, mk("a1", "user:alice"))
	mustCreate(t, s, mk("a2", "user:alice"))
	_, err := s.Create(ctx, mk("a3", "user:alice"))
	var lim *tasks.InFlightLimitError
	if !errors.As(err, &lim) || !errors.Is(err, tasks.ErrFull) || lim.Requestor != "user:alice" || lim.InFlight != 2 || lim.Limit != 2 {
		t.Fatalf("Create beyond the limit: %v, want an InFlightLimitError for user:alice, 2 of 2", err)
	}
	if _, err := s.Get(ctx, "a3"); !errors.Is(err, tasks.ErrNotFound) {
		t.Fatalf("a refused task was stored: %v", err)
	}
	mustCreate(t, s, mk("b1", "user:bob"))
	mustCreate(t, s, mk("n1", ""))
	mustCreate(t, s, finish(mk("a0", "user:alice"), models.TaskStatusComplete))
	mustUpdate(t, s, finish(a1, models.TaskStatusComplete))
	mustCreate(t, s, mk("a3", "user:alice"))
	if _, err := s.Create(ctx, mk("a4", "user:alice")); !errors.As(err, &lim) {
		t.Fatalf("Create beyond the limit again: %v", err)
	}
	if err := s.Delete(ctx, "a2"); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, mk("a4", "user:alice"))
}
