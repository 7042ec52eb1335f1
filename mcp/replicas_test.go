package mcptasks_test

import (
	"context"
	"encoding/json"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/tasks/redisstore"
	"github.com/redis/go-redis/v9"
)

// startRedis starts a redis-server of its own on a free loopback port
// (no persistence) and stops it after the test; the same start and stop
// as the tests of tasks/redisstore.
func startRedis(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server is not on PATH (%v): this test needs a real Redis; install the Debian package redis-server (.ci/run does)", err)
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
		t.Fatalf("start redis-server: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-done })
	addr := "127.0.0.1:" + strconv.Itoa(port)
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); ; {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return addr
		}
		select {
		case <-done:
			t.Fatalf("redis-server exited at start: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not answer within 10s: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestReplicasShareTasks runs two servers, each with its own runner, on
// one Redis: what one replica started, the other answers for.
func TestReplicasShareTasks(t *testing.T) {
	addr := startRedis(t)
	newStore := func() *redisstore.Store {
		rdb := redis.NewClient(&redis.Options{Addr: addr})
		t.Cleanup(func() { rdb.Close() })
		return redisstore.New(rdb, redisstore.Options{Prefix: "mcp-replicas:"})
	}
	// Two sessions without authentication see each other's tasks only
	// with SharedTasks (TestOwnershipAcrossReplicas: without it).
	a := newTestServer(t, serverOpts{store: newStore(), owner: "replica-a", shared: true})
	b := newTestServer(t, serverOpts{store: newStore(), owner: "replica-b", shared: true})
	ca := connect(t, a, "2025-11-25")
	cb := connect(t, b, "2025-11-25")

	// MCP Tasks: started on A, seen, listed and awaited on B.
	task := ca.createTask("gated", map[string]any{}, nil)
	if got := cb.getTask(task.TaskID); got.Status != mcptasks.StatusWorking {
		t.Fatalf("tasks/get on B: %+v", got)
	}
	var list struct {
		Tasks []mcptasks.Task `json:"tasks"`
	}
	cb.ok("tasks/list", map[string]any{}, &list)
	if len(list.Tasks) != 1 || list.Tasks[0].TaskID != task.TaskID {
		t.Errorf("tasks/list on B: %+v", list.Tasks)
	}
	id := cb.send("tasks/result", map[string]any{"taskId": task.TaskID})
	a.gate.open()
	var res callResult
	if r := cb.wait(id); r.Error != nil {
		t.Fatalf("tasks/result on B: %v", r.Error)
	} else if err := json.Unmarshal(r.Result, &res); err != nil || string(res.StructuredContent) != `{"answer":42}` {
		t.Errorf("tasks/result on B: %s", r.Result)
	}

	// Cancelled on B while it runs on A: A's run stops (within a
	// heartbeat) and the task stays cancelled.
	b.gate.open()
	a.gate = newGate()
	running := ca.createTask("gated", map[string]any{}, nil)
	var cancelled mcptasks.Task
	cb.ok("tasks/cancel", map[string]any{"taskId": running.TaskID}, &cancelled)
	if cancelled.Status != mcptasks.StatusCancelled {
		t.Fatalf("tasks/cancel on B: %+v", cancelled)
	}
	if code, msg := errCode(t, ca.call("tasks/cancel", map[string]any{"taskId": running.TaskID})); code != -32602 || !strings.Contains(msg, "cancelled") {
		t.Errorf("second cancel on A: %d %s", code, msg)
	}
	// A sees the cancel within a heartbeat; on a loaded machine that can
	// take longer than the interval, so wait for it, at most 5 seconds.
	for deadline := time.Now().Add(5 * time.Second); a.stopped.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if got := ca.getTask(running.TaskID); got.Status != mcptasks.StatusCancelled {
		t.Errorf("on A after the cancel on B: %+v", got)
	}
	if a.stopped.Load() != 1 {
		t.Errorf("A's run was not stopped by the cancel on B (%d runs stopped)", a.stopped.Load())
	}

	// The timeout fallback: started on A, polled and fetched on B.
	a.gate = newGate()
	r := ca.tool("gated", map[string]any{})
	var resp struct {
		RefID string `json:"ref_id"`
	}
	if err := json.Unmarshal(r.StructuredContent, &resp); err != nil || resp.RefID == "" {
		t.Fatalf("fallback on A: %s", r.StructuredContent)
	}
	a.gate.open()
	cb.pollStatus(resp.RefID, "complete")
	if got := cb.tool(mcptasks.ToolGetTaskResult, map[string]any{"ref_id": resp.RefID}); string(got.StructuredContent) != `{"answer":42}` {
		t.Errorf("get_task_result on B: %+v", got)
	}
}
