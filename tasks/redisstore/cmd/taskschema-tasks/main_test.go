package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/mcp-refcache/taskschema/tasks/redisstore"
	"github.com/redis/go-redis/v9"
)

// startRedis starts a redis-server of the test's own on a free loopback
// port, without persistence, and kills it at the end (as the tests of
// package redisstore do).
func startRedis(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server is not on PATH (%v): install the Debian package redis-server", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(path, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", t.TempDir(),
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", "")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-done })
	addr := "127.0.0.1:" + strconv.Itoa(port)
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); c.Ping(context.Background()).Err() != nil; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("redis-server did not answer within 10s")
		}
	}
	return addr
}

func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestInspector: list, get and cancel against a real redis-server where a
// runner keeps one running task (alice's) and one complete task (bob's);
// the runner sees the cancel and stops its function.
func TestInspector(t *testing.T) {
	addr := startRedis(t)
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { rdb.Close() })
	store := redisstore.New(rdb, redisstore.Options{Prefix: "insp:"})
	r, err := tasks.NewRunner(tasks.Options{Store: store, Owner: "replica-a", HeartbeatInterval: 50 * time.Millisecond, LeaseDuration: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(context.Background()) })
	stopped := make(chan struct{})
	running, err := r.Run(context.Background(), tasks.Call{Prefix: "a", Requestor: "user:alice"}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		<-ctx.Done()
		close(stopped)
		return nil, ctx.Err()
	})
	if err != nil || running.Async == nil {
		t.Fatal(running, err)
	}
	done, err := r.Run(context.Background(), tasks.Call{Prefix: "b", Requestor: "user:bob"}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		return json.RawMessage(`{"n":1}`), nil
	})
	if err != nil || done.Async == nil {
		t.Fatal(done, err)
	}
	doneID := done.Async.RefID
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if rec, err := store.Get(context.Background(), doneID); err == nil && rec.Task.Status == models.TaskStatusComplete {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("task b never completed: %+v %v", rec.Task, err)
		}
	}
	runID := running.Async.RefID
	base := []string{"-redis", addr, "-prefix", "insp:"}

	code, out, errOut := cli(t, append(base, "list")...)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || !strings.Contains(lines[0], `"ref_id":"`+runID) || !strings.Contains(lines[1], `"ref_id":"`+doneID) {
		t.Fatalf("list: %d %q %q", code, out, errOut)
	}
	var rec record
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil || rec.Requestor != "user:alice" || rec.Owner != "replica-a" || rec.LeaseExpires == nil {
		t.Errorf("list line: %s (%v)", lines[0], err)
	}
	if code, out, _ := cli(t, append(base, "list", "-requestor", "user:bob")...); code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, doneID) {
		t.Errorf("list -requestor user:bob: %d %q", code, out)
	}
	if code, out, _ := cli(t, append(base, "list", "-status", "complete")...); code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, doneID) {
		t.Errorf("list -status complete: %d %q", code, out)
	}
	if code, out, _ := cli(t, append(base, "get", doneID)...); code != 0 || !strings.Contains(out, `"result":{"n":1}`) || !strings.Contains(out, `"requestor":"user:bob"`) {
		t.Errorf("get: %d %q", code, out)
	}
	if code, _, errOut := cli(t, append(base, "get", "nope")...); code != 1 || !strings.Contains(errOut, "not found") {
		t.Errorf("get of an unknown task: %d %q", code, errOut)
	}

	code, out, errOut = cli(t, append(base, "cancel", runID)...)
	if code != 0 || !strings.Contains(out, `"status":"cancelled"`) {
		t.Fatalf("cancel: %d %q %q", code, out, errOut)
	}
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("the runner did not stop the cancelled task's function within 5s")
	}
	if code, _, errOut := cli(t, append(base, "cancel", doneID)...); code != 1 || !strings.Contains(errOut, "finished") {
		t.Errorf("cancel of a complete task: %d %q", code, errOut)
	}
	for _, bad := range [][]string{{"list", "-status", "done"}, {"get"}, {"frobnicate"}, {"list", "-limit", "0"}} {
		if code, _, errOut := cli(t, append(base, bad...)...); code != 2 || !strings.Contains(errOut, "usage") {
			t.Errorf("%v: exit %d, %q; want 2 with the usage", bad, code, errOut)
		}
	}
}
