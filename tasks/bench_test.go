package tasks_test

import (
	"context"
	"encoding/json"
	"runtime"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/tasks"
)

var benchResult = json.RawMessage(`{"rows":3,"ok":true}`)

func quick(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) { return benchResult, nil }

// BenchmarkDirectCall is the baseline: the function called directly.
func BenchmarkDirectCall(b *testing.B) {
	ctx := context.Background()
	p := new(tasks.Progress)
	for b.Loop() {
		if _, err := quick(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRunInTime is a call that finishes within its timeout.
func BenchmarkRunInTime(b *testing.B) {
	r, _ := tasks.NewRunner(tasks.Options{})
	defer r.Close(context.Background())
	ctx := context.Background()
	call := tasks.Call{Timeout: time.Minute}
	for b.Loop() {
		out, err := r.Run(ctx, call, quick)
		if err != nil || out.Result == nil {
			b.Fatal(out, err)
		}
	}
}

// BenchmarkPoll is one poll of a running task on a MemoryStore.
func BenchmarkPoll(b *testing.B) {
	s := tasks.NewMemoryStore(tasks.MemoryOptions{})
	r, _ := tasks.NewRunner(tasks.Options{Store: s})
	defer r.Close(context.Background())
	id := startBlocked(b, r)
	ctx := context.Background()
	for b.Loop() {
		if _, err := r.Get(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
}

func startBlocked(b *testing.B, r *tasks.Runner) string {
	out, err := r.Run(context.Background(), tasks.Call{Timeout: 0}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		p.Report(1, 2, "half way")
		<-ctx.Done()
		return nil, ctx.Err()
	})
	if err != nil || out.Async == nil {
		b.Fatal(out, err)
	}
	return out.Async.RefID
}

// BenchmarkInFlight10k holds 10,000 running tasks on a MemoryStore and
// reports the memory each costs (heap and goroutine stacks: the function's
// goroutine, its keeper, the stored bytes).
func BenchmarkInFlight10k(b *testing.B) {
	const n = 10_000
	for b.Loop() {
		perTask := inFlight(b, n)
		b.ReportMetric(perTask, "bytes/task")
	}
}

func inFlight(b *testing.B, n int) float64 {
	s := tasks.NewMemoryStore(tasks.MemoryOptions{})
	r, _ := tasks.NewRunner(tasks.Options{Store: s, HeartbeatInterval: 5 * time.Second, LeaseDuration: time.Minute})
	release := make(chan struct{})
	fn := func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		p.Report(1, 2, "waiting")
		<-release
		return benchResult, nil
	}
	before := memInUse()
	for range n {
		out, err := r.Run(context.Background(), tasks.Call{}, fn)
		if err != nil || out.Async == nil {
			b.Fatal(out, err)
		}
	}
	after := memInUse()
	if s.Len() != n {
		b.Fatalf("%d tasks stored, want %d", s.Len(), n)
	}
	close(release)
	r.Close(context.Background())
	return float64(after-before) / float64(n)
}

func memInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc + m.StackInuse
}
