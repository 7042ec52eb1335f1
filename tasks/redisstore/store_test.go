package redisstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

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
