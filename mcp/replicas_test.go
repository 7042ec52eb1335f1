package mcptasks_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/tasks/redisstore"
	"github.com/mcp-refcache/taskschema/tasks/redisstore/redistest"
	"github.com/redis/go-redis/v9"
)

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

// startRedis starts a redis-server of the test's own (redistest.Start).
func startRedis(t *testing.T) string { return redistest.Start(t) }
