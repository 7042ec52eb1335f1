package redisstore_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/mcp-refcache/taskschema/tasks/redisstore"
)

// helperEnv, when set, makes the test binary a runner process (see
// runnerProcess) instead of running the tests.
const helperEnv = "TASKSCHEMA_RUNNER_PROCESS"

// workHandler is the function every runner of these tests registers as
// "work": it reports progress, then runs until released (args {"ms": n}:
// n milliseconds) or cancelled, and says who ran it.
func workHandler(owner string, started chan<- string) tasks.Handler {
	return func(ctx context.Context, args json.RawMessage, p *tasks.Progress) (json.RawMessage, error) {
		var a struct {
			MS int `json:"ms"`
		}
		json.Unmarshal(args, &a)
		p.Report(1, 2, "working on "+owner)
		if started != nil {
			started <- owner
		}
		select {
		case <-time.After(time.Duration(a.MS) * time.Millisecond):
			return json.Marshal(map[string]string{"ran_by": owner})
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
}

// runnerProcess is a runner in a process of its own: it submits the call
// its environment describes, prints "task <ref_id>" once the task is
// stored and its function runs, and then runs until killed.
func runnerProcess() int {
	lease, _ := time.ParseDuration(os.Getenv("LEASE"))
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})
	s := redisstore.New(rdb, redisstore.Options{Prefix: os.Getenv("PREFIX")})
	r, err := tasks.NewRunner(tasks.Options{Store: s, Owner: os.Getenv("OWNER"), LeaseDuration: lease, HeartbeatInterval: lease / 5})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	started := make(chan string, 1)
	r.Register("work", workHandler(os.Getenv("OWNER"), started))
	retries, _ := strconv.ParseInt(os.Getenv("MAX_RETRIES"), 10, 64)
	call := tasks.Call{Timeout: time.Millisecond, Key: os.Getenv("KEY"), MaxRetries: retries, Func: "work", Args: json.RawMessage(`{"ms":600000}`)}
	out, err := r.Run(context.Background(), call, nil)
	if err != nil || out.Async == nil {
		fmt.Fprintln(os.Stderr, "run:", err)
		return 2
	}
	<-started
	fmt.Printf("task %s\n", out.Async.RefID)
	select {}
}

// runnerProc is a runner process of a test.
type runnerProc struct {
	cmd *exec.Cmd
	id  string // the task it submitted
}

// startRunnerProcess starts the test binary as a runner process and waits
// for the ref_id of its task.
func startRunnerProcess(t *testing.T, srv *server, prefix, owner string, lease time.Duration, env ...string) *runnerProc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=1", "REDIS_ADDR="+srv.addr(), "PREFIX="+prefix, "OWNER="+owner, "LEASE="+lease.String())
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &runnerProc{cmd: cmd}
	t.Cleanup(func() { p.kill() })
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- l
		io.Copy(io.Discard, stdout)
	}()
	select {
	case l := <-line:
		if !strings.HasPrefix(l, "task ") {
			t.Fatalf("runner process %d said %q", cmd.Process.Pid, l)
		}
		p.id = strings.TrimSpace(strings.TrimPrefix(l, "task "))
	case <-time.After(15 * time.Second):
		t.Fatalf("runner process %d gave no task within 15s", cmd.Process.Pid)
	}
	return p
}

// kill kills the process by its pid with SIGKILL (no chance to write
// anything) and waits for it.
func (p *runnerProc) kill() {
	if p.cmd.ProcessState != nil {
		return
	}
	syscall.Kill(p.cmd.Process.Pid, syscall.SIGKILL)
	p.cmd.Wait()
}

// recorder keeps the events of a runner.
type recorder struct {
	ch chan tasks.Event
}

func newRecorder() *recorder { return &recorder{ch: make(chan tasks.Event, 1000)} }

func (r *recorder) on(e tasks.Event) { r.ch <- e }

// next returns the next event of the given kind, within 15s.
func (r *recorder) next(t *testing.T, kind tasks.EventKind) tasks.Event {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case e := <-r.ch:
			if e.Kind == kind {
				return e
			}
		case <-deadline:
			t.Fatalf("no %s event within 15s", kind)
		}
	}
}

func liveRunner(t *testing.T, s tasks.Store, owner string, lease time.Duration, rec *recorder) *tasks.Runner {
	t.Helper()
	r, err := tasks.NewRunner(tasks.Options{Store: s, Owner: owner, LeaseDuration: lease, HeartbeatInterval: lease / 5, OnEvent: rec.on})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(bg, 10*time.Second)
		defer cancel()
		r.Close(ctx)
	})
	r.Register("work", func(ctx context.Context, args json.RawMessage, p *tasks.Progress) (json.RawMessage, error) {
		return json.Marshal(map[string]string{"ran_by": owner})
	})
	return r
}

// TestKilledRunnerProcessTaskRunsElsewhere: a runner process is killed
// (SIGKILL, by its pid) while its task runs; the live runner's background
// reaper takes the task over once the lease expired and runs it again:
// retry_count 1, a RetryInfo naming the dead owner, the result of the live
// runner. It logs the time from the kill to the takeover, in leases.
func TestKilledRunnerProcessTaskRunsElsewhere(t *testing.T) {
	srv := startRedis(t, false)
	pfx := prefix()
	const lease = 500 * time.Millisecond
	s := redisstore.New(srv.client(t), redisstore.Options{Prefix: pfx})
	events := newRecorder()
	b := liveRunner(t, s, "replica-b", lease, events)
	a := startRunnerProcess(t, srv, pfx, "replica-a", lease, "MAX_RETRIES=2")
	a.kill()
	killed := time.Now()
	e := events.next(t, tasks.EventReaped)
	took := time.Since(killed)
	if e.RefID != a.id || !e.Retried {
		t.Fatalf("reaped %+v, want task %s taken over", e, a.id)
	}
	t.Logf("taken over and run again %s after the kill = %.2f leases = %.1f heartbeats (lease %s, reaper every lease/2)",
		took, float64(took)/float64(lease), float64(took)/float64(lease/5), lease)
	ctx, cancel := context.WithTimeout(bg, 10*time.Second)
	defer cancel()
	rec, err := b.Wait(ctx, a.id)
	if err != nil || string(rec.Result) != `{"ran_by":"replica-b"}` || rec.Task.RetryCount != 1 || len(rec.Task.RetryHistory) != 1 ||
		!strings.Contains(rec.Task.RetryHistory[0].Error, `owner "replica-a" stopped renewing its lease`) {
		t.Fatalf("after the takeover: %+v result %s, %v", rec.Task, rec.Result, err)
	}
}

// TestKilledRunnerProcessCancel: cancelling the task of a killed runner
// process answers at once with the task cancelled, before and after its
// lease expired (before: Cancel spun about a second and gave a conflict).
func TestKilledRunnerProcessCancel(t *testing.T) {
	srv := startRedis(t, false)
	pfx := prefix()
	const lease = 300 * time.Millisecond
	s := redisstore.New(srv.client(t), redisstore.Options{Prefix: pfx})
	b, err := tasks.NewRunner(tasks.Options{Store: s, Owner: "replica-b", LeaseDuration: lease, ReapInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer closeSoon(b)
	for _, after := range []time.Duration{0, 2 * lease} {
		a := startRunnerProcess(t, srv, pfx, "replica-a", lease, "MAX_RETRIES=3")
		a.kill()
		time.Sleep(after)
		start := time.Now()
		got, err := b.Cancel(bg, a.id)
		if err != nil || got.Status != "cancelled" {
			t.Fatalf("Cancel %s after the kill: %+v, %v", after, got, err)
		}
		if d := time.Since(start); d > 500*time.Millisecond {
			t.Fatalf("Cancel %s after the kill took %s", after, d)
		}
	}
}

// TestKilledRunnerProcessKeyReused: after a killed runner's lease expired,
// a call with its task's key on a live runner runs its own function and
// gets its own result; the dead task, whose key is taken, fails for good
// (can_retry false) instead of running a second time.
func TestKilledRunnerProcessKeyReused(t *testing.T) {
	srv := startRedis(t, false)
	pfx := prefix()
	const lease = 300 * time.Millisecond
	s := redisstore.New(srv.client(t), redisstore.Options{Prefix: pfx})
	events := newRecorder()
	a := startRunnerProcess(t, srv, pfx, "replica-a", lease, "MAX_RETRIES=2", "KEY=report")
	a.kill()
	time.Sleep(2 * lease)
	b, err := tasks.NewRunner(tasks.Options{Store: s, Owner: "replica-b", LeaseDuration: lease, ReapInterval: -1, OnEvent: events.on})
	if err != nil {
		t.Fatal(err)
	}
	defer closeSoon(b)
	var ran atomic.Int32
	release := make(chan struct{})
	out, err := b.Run(bg, tasks.Call{Timeout: 50 * time.Millisecond, Key: "report"}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		ran.Add(1)
		<-release
		return json.RawMessage(`"mine"`), nil
	})
	if err != nil || out.Async == nil || out.Async.RefID == a.id || ran.Load() != 1 {
		t.Fatalf("call with the dead task's key: %+v, %v (ran %d); want a task of its own", out.Async, err, ran.Load())
	}
	b.Register("work", func(ctx context.Context, args json.RawMessage, p *tasks.Progress) (json.RawMessage, error) {
		t.Error("the dead task ran again while its key was held by a new task")
		return nil, nil
	})
	if _, err := b.ReapExpired(bg); err != nil {
		t.Fatal(err)
	}
	rec, err := b.Get(bg, a.id)
	if err != nil || rec.Task.Status != "failed" || rec.Task.CanRetry() || !strings.Contains(*rec.Task.Error, "its key is held by task") {
		t.Fatalf("the dead task: %+v, %v", rec.Task, err)
	}
	close(release)
	ctx, cancel := context.WithTimeout(bg, 5*time.Second)
	defer cancel()
	if rec, err := b.Wait(ctx, out.Async.RefID); err != nil || string(rec.Result) != `"mine"` {
		t.Fatalf("the new task: %+v %s, %v", rec.Task, rec.Result, err)
	}
}

// closeSoon closes a runner of a test, waiting at most 5s for its tasks
// (a failed test may leave a function blocked).
func closeSoon(r *tasks.Runner) {
	ctx, cancel := context.WithTimeout(bg, 5*time.Second)
	defer cancel()
	r.Close(ctx)
}
