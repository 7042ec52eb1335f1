package redisstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/mcp-refcache/taskschema/tasks/redisstore"
	"github.com/mcp-refcache/taskschema/tasks/storetest"
)

var bg = context.Background()

func TestStore(t *testing.T) {
	srv := startRedis(t, false)
	c := srv.client(t)
	storetest.Run(t, func(t *testing.T, ttl time.Duration) tasks.Store {
		return redisstore.New(c, redisstore.Options{Prefix: prefix(), TTL: ttl})
	})
}

func TestStoreInFlightLimit(t *testing.T) {
	srv := startRedis(t, false)
	c := srv.client(t)
	storetest.RunInFlightLimit(t, func(t *testing.T, limit int) tasks.Store {
		return redisstore.New(c, redisstore.Options{Prefix: prefix(), MaxInFlightPerRequestor: limit})
	})
	// A task whose hash went without a write of its end (lost, or removed
	// by hand) does not hold its requestor's place for ever.
	s := redisstore.New(c, redisstore.Options{Prefix: "lim:", MaxInFlightPerRequestor: 1})
	rec := storetest.Running("c1")
	rec.Requestor = "user:carol"
	if _, err := s.Create(bg, rec); err != nil {
		t.Fatal(err)
	}
	rec.Task.RefID = "c2"
	if _, err := s.Create(bg, rec); !errors.Is(err, tasks.ErrFull) {
		t.Fatalf("second task of carol: %v, want the limit", err)
	}
	c.Del(bg, "lim:t:c1")
	if _, err := s.Create(bg, rec); err != nil {
		t.Fatalf("after c1's hash went: %v", err)
	}
	if ttl := c.PTTL(bg, "lim:rf:user:carol").Val(); ttl <= 0 {
		t.Fatalf("the requestor's in-flight set has no expiry (PTTL %v)", ttl)
	}
}

func TestStoreRejectsWhatAnotherProgramWrote(t *testing.T) {
	srv := startRedis(t, false)
	c := srv.client(t)
	s := redisstore.New(c, redisstore.Options{Prefix: "x:"})
	cases := map[string]map[string]string{
		"retry_count -1": {"task": `{"ref_id":"a","started_at":1,"retry_count":-1}`, "st": "pending", "ver": "1"},
		"not JSON":       {"task": `{"ref_id":"a",`, "st": "pending", "ver": "1"},
		"bad version":    {"task": `{"ref_id":"a","started_at":1}`, "st": "pending", "ver": "x"},
		"result pending": {"task": `{"ref_id":"a","started_at":1}`, "st": "pending", "ver": "1", "result": `{}`},
		"other ref_id":   {"task": `{"ref_id":"b","started_at":1}`, "st": "pending", "ver": "1"},
	}
	for name, h := range cases {
		c.Del(bg, "x:t:a")
		if err := c.HSet(bg, "x:t:a", h).Err(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(bg, "a"); !errors.Is(err, tasks.ErrInvalid) {
			t.Errorf("%s: Get = %v, want ErrInvalid", name, err)
		}
	}
	c.Del(bg, "x:t:a")
	c.HSet(bg, "x:t:a", map[string]string{"task": `{"ref_id":"a","started_at":1}`, "st": "pending", "ver": "3"})
	rec, err := s.Get(bg, "a")
	if err != nil || rec.Task.MaxRetries != 3 || rec.Task.Status != models.TaskStatusPending || rec.Version != 3 {
		t.Fatalf("valid task with defaults: %+v, %v", rec, err)
	}
}

func TestIndexesPruned(t *testing.T) {
	srv := startRedis(t, false)
	c := srv.client(t)
	s := redisstore.New(c, redisstore.Options{Prefix: "p:", TTL: 50 * time.Millisecond})
	at := 1_700_000_100.0
	for _, id := range []string{"a", "b", "c"} {
		rec, _ := s.Create(bg, storetest.Running(id))
		rec.Task.Status, rec.Task.CompletedAt, rec.LeaseExpires = models.TaskStatusComplete, &at, time.Time{}
		if _, err := s.Update(bg, rec); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(200 * time.Millisecond)
	s.Create(bg, storetest.Running("d")) // prunes a, b and c
	for key, want := range map[string]int64{"p:all": 1, "p:s:complete": 0, "p:s:processing": 1, "p:expiry": 0} {
		if n := c.ZCard(bg, key).Val(); n != want {
			t.Errorf("%s holds %d entries, want %d", key, n, want)
		}
	}
}

func TestTTLByExpire(t *testing.T) {
	srv := startRedis(t, false)
	c := srv.client(t)
	s := redisstore.New(c, redisstore.Options{Prefix: "ttl:", TTL: 90 * time.Second})
	rec, _ := s.Create(bg, storetest.Running("a"))
	if ttl := c.PTTL(bg, "ttl:t:a").Val(); ttl != -1 {
		t.Fatalf("running task has TTL %v, want none", ttl)
	}
	at := 1_700_000_100.0
	rec.Task.Status, rec.Task.CompletedAt, rec.LeaseExpires = models.TaskStatusCancelled, &at, time.Time{}
	if _, err := s.Update(bg, rec); err != nil {
		t.Fatal(err)
	}
	if ttl := c.PTTL(bg, "ttl:t:a").Val(); ttl <= 80*time.Second || ttl > 90*time.Second {
		t.Fatalf("finished task has TTL %v, want about 90s", ttl)
	}
}

// TestCorruptRecordsSkipped: a hash that is not a valid task and a key of
// the wrong type in the indexes are skipped and reported (with their Redis
// key), left where they are, and stop neither List nor the reaper, which
// takes over the valid tasks around them (before: List failed for every
// task, and Get gave a raw WRONGTYPE).
func TestCorruptRecordsSkipped(t *testing.T) {
	srv := startRedis(t, false)
	c := srv.client(t)
	s := redisstore.New(c, redisstore.Options{Prefix: "bad:"})
	for _, id := range []string{"a", "c", "e"} {
		rec := storetest.Running(id)
		rec.LeaseExpires = time.Now().Add(-time.Second).Truncate(time.Millisecond)
		rec.Owner, rec.Func = "dead", "work"
		if _, err := s.Create(bg, rec); err != nil {
			t.Fatal(err)
		}
	}
	c.HSet(bg, "bad:t:b", map[string]string{"task": `{"ref_id":"b",`, "st": "processing", "ver": "1"})
	c.Set(bg, "bad:t:d", "not a hash", 0)
	for _, set := range []string{"bad:all", "bad:s:processing"} {
		c.ZAdd(bg, set, redis.Z{Member: "b"}, redis.Z{Member: "d"})
	}
	c.ZAdd(bg, "bad:leases", redis.Z{Member: "b", Score: 1}, redis.Z{Member: "d", Score: 1}) // long expired
	if _, err := s.Get(bg, "d"); !errors.Is(err, tasks.ErrInvalid) || !strings.Contains(err.Error(), "bad:t:d") || strings.HasPrefix(err.Error(), "WRONGTYPE") {
		t.Fatalf("Get of a key of the wrong type: %v", err)
	}
	page, err := s.List(bg, tasks.ListOptions{Status: models.TaskStatusProcessing, Limit: 2})
	if err != nil || len(page.Records) != 2 || page.Records[0].Task.RefID != "a" || page.Records[1].Task.RefID != "c" || len(page.Corrupt) != 2 {
		t.Fatalf("List: %+v, %v; want a, c and two corrupt records", page, err)
	}
	for i, want := range []string{"b", "d"} {
		var ce *tasks.CorruptError
		if !errors.As(page.Corrupt[i], &ce) || ce.RefID != want || ce.Location != "redis key bad:t:"+want {
			t.Fatalf("corrupt %d: %+v", i, page.Corrupt[i])
		}
	}
	var corrupt []string
	var mu sync.Mutex
	r, err := tasks.NewRunner(tasks.Options{Store: s, Owner: "live", LeaseDuration: time.Minute, ReapInterval: -1,
		OnEvent: func(e tasks.Event) {
			if e.Kind == tasks.EventCorrupt {
				mu.Lock()
				corrupt = append(corrupt, e.RefID)
				mu.Unlock()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer closeSoon(r)
	r.Register("work", func(ctx context.Context, args json.RawMessage, p *tasks.Progress) (json.RawMessage, error) {
		return json.RawMessage(`1`), nil
	})
	n, err := r.ReapExpired(bg)
	if n != 3 || err != nil {
		t.Fatalf("ReapExpired = %d, %v; want the 3 valid tasks", n, err)
	}
	mu.Lock()
	if fmt.Sprint(corrupt) != "[b d]" {
		t.Fatalf("corrupt records reported: %v", corrupt)
	}
	mu.Unlock()
	if c.Type(bg, "bad:t:d").Val() != "string" || c.HGet(bg, "bad:t:b", "task").Val() != `{"ref_id":"b",` {
		t.Fatal("a corrupt record was changed")
	}
}

// listCounter counts List calls.
type listCounter struct {
	*redisstore.Store
	lists int
}

func (c *listCounter) List(ctx context.Context, opts tasks.ListOptions) (tasks.Page, error) {
	c.lists++
	return c.Store.List(ctx, opts)
}

// TestReapFromLeaseIndex: the reaper reads the tasks whose lease ran out
// from the lease index (ListExpired), not by listing every running task;
// tasks with a live lease, finished tasks and taken-over tasks are not in
// its range.
func TestReapFromLeaseIndex(t *testing.T) {
	srv := startRedis(t, false)
	s := &listCounter{Store: redisstore.New(srv.client(t), redisstore.Options{Prefix: "li:"})}
	past, future := time.Now().Add(-time.Second).Truncate(time.Millisecond), time.Now().Add(time.Hour).Truncate(time.Millisecond)
	for i := range 30 {
		rec := storetest.Running(fmt.Sprintf("t%02d", i))
		rec.Owner, rec.Func, rec.LeaseExpires = "dead", "work", past
		if i%3 == 0 {
			rec.LeaseExpires = future
		}
		if _, err := s.Create(bg, rec); err != nil {
			t.Fatal(err)
		}
	}
	page, err := s.ListExpired(bg, time.Now(), 0, 100)
	if err != nil || len(page.Records) != 20 {
		t.Fatalf("ListExpired: %d records, %v; want 20", len(page.Records), err)
	}
	r, err := tasks.NewRunner(tasks.Options{Store: s, Owner: "live", LeaseDuration: time.Minute, ReapInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer closeSoon(r)
	r.Register("work", func(ctx context.Context, args json.RawMessage, p *tasks.Progress) (json.RawMessage, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	if n, err := r.ReapExpired(bg); n != 20 || err != nil || s.lists != 0 {
		t.Fatalf("ReapExpired = %d, %v with %d List calls; want 20 from the index alone", n, err, s.lists)
	}
	if page, err := s.ListExpired(bg, time.Now(), 0, 100); err != nil || len(page.Records) != 0 {
		t.Fatalf("after the takeover: %d expired, %v", len(page.Records), err)
	}
}
