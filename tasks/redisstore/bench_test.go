package redisstore_test

import (
	"context"
	"encoding/json"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/mcp-refcache/taskschema/tasks/redisstore"
)

var benchResult = json.RawMessage(`{"rows":3,"ok":true}`)

func quick(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) { return benchResult, nil }

func benchRunner(b *testing.B) (*tasks.Runner, *server) {
	srv := startRedis(b, false)
	s := redisstore.New(srv.client(b), redisstore.Options{Prefix: "bench:"})
	r, err := tasks.NewRunner(tasks.Options{Store: s, HeartbeatInterval: 5 * time.Second, LeaseDuration: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close(context.Background()) })
	return r, srv
}

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

// BenchmarkRunInTime is a call that finishes within its timeout, with a
// RedisStore (which it does not touch: only a task that outlives its
// timeout is stored).
func BenchmarkRunInTime(b *testing.B) {
	r, _ := benchRunner(b)
	ctx := context.Background()
	for b.Loop() {
		if out, err := r.Run(ctx, tasks.Call{Timeout: time.Minute}, quick); err != nil || out.Result == nil {
			b.Fatal(out, err)
		}
	}
}

// BenchmarkPoll is one poll of a running task on Redis over loopback.
func BenchmarkPoll(b *testing.B) {
	r, _ := benchRunner(b)
	release := make(chan struct{})
	defer close(release)
	out, err := r.Run(context.Background(), tasks.Call{}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		p.Report(1, 2, "half way")
		<-release
		return nil, nil
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		if _, err := r.Get(ctx, out.Async.RefID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInFlight1k holds 1,000 running tasks on Redis and reports the
// memory each costs in this process and in redis-server (used_memory).
func BenchmarkInFlight1k(b *testing.B) {
	const n = 1000
	srv := startRedis(b, false)
	c := srv.client(b)
	for b.Loop() {
		r, err := tasks.NewRunner(tasks.Options{Store: redisstore.New(c, redisstore.Options{Prefix: prefix()}),
			HeartbeatInterval: 5 * time.Second, LeaseDuration: time.Minute})
		if err != nil {
			b.Fatal(err)
		}
		release := make(chan struct{})
		fn := func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
			p.Report(1, 2, "waiting")
			<-release
			return benchResult, nil
		}
		goBefore, redisBefore := memInUse(), usedMemory(b, c.Info(context.Background(), "memory").Val())
		for range n {
			if out, err := r.Run(context.Background(), tasks.Call{}, fn); err != nil || out.Async == nil {
				b.Fatal(out, err)
			}
		}
		goAfter, redisAfter := memInUse(), usedMemory(b, c.Info(context.Background(), "memory").Val())
		b.ReportMetric(float64(goAfter-goBefore)/n, "go-bytes/task")
		b.ReportMetric(float64(redisAfter-redisBefore)/n, "redis-bytes/task")
		close(release)
		r.Close(context.Background()) // waits for the tasks to finish
	}
}

func usedMemory(b *testing.B, info string) int64 {
	for line := range strings.SplitSeq(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatal("no used_memory in INFO memory")
	return 0
}

func memInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc + m.StackInuse)
}
