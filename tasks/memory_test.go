package tasks_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/mcp-refcache/taskschema/tasks/storetest"
)

func TestMemoryStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, ttl time.Duration) tasks.Store {
		return tasks.NewMemoryStore(tasks.MemoryOptions{TTL: ttl})
	})
}

func TestMemoryStoreInFlightLimit(t *testing.T) {
	storetest.RunInFlightLimit(t, func(t *testing.T, limit int) tasks.Store {
		return tasks.NewMemoryStore(tasks.MemoryOptions{MaxInFlightPerRequestor: limit})
	})
}

func TestMemoryStoreCap(t *testing.T) {
	ctx := context.Background()
	s := tasks.NewMemoryStore(tasks.MemoryOptions{MaxTasks: 3})
	var recs []tasks.Record
	for i := range 3 {
		rec, err := s.Create(ctx, storetest.Running(fmt.Sprint(i)))
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	if _, err := s.Create(ctx, storetest.Running("3")); !errors.Is(err, tasks.ErrFull) {
		t.Fatalf("fourth running task: %v, want ErrFull", err)
	}
	c := 1_700_000_200.0
	for _, i := range []int{1, 0} { // 1 finishes first
		rec := recs[i]
		rec.Task.Status, rec.Task.CompletedAt, rec.LeaseExpires = models.TaskStatusComplete, &c, time.Time{}
		if _, err := s.Update(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Create(ctx, storetest.Running("3")); err != nil {
		t.Fatalf("Create with a finished task to evict: %v", err)
	}
	if _, err := s.Get(ctx, "1"); !errors.Is(err, tasks.ErrNotFound) {
		t.Fatalf("the task that finished first was not evicted: %v", err)
	}
	for _, id := range []string{"0", "2", "3"} {
		if _, err := s.Get(ctx, id); err != nil {
			t.Fatalf("Get(%s): %v", id, err)
		}
	}
	if s.Len() != 3 {
		t.Fatalf("Len = %d, want 3", s.Len())
	}
}
