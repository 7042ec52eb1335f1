package proof

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Toy is a process-local task table, enough to prove the protocol
// mechanisms. The real server uses the task runtime's store instead.
type Toy struct {
	// Notify, when set, is called on every status change (after the change).
	Notify func(ss *mcp.ServerSession, t Task)
	// PollInterval is advertised in every task, in milliseconds.
	PollInterval int64

	mu    sync.Mutex
	tasks map[string]*toyTask
	order []string
}

type toyTask struct {
	task   Task
	ss     *mcp.ServerSession
	done   chan struct{}
	result *mcp.CallToolResult
	err    error
	cancel context.CancelFunc
}

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (t *Toy) create(ss *mcp.ServerSession, ttl *int64, cancel context.CancelFunc) Task {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tasks == nil {
		t.tasks = map[string]*toyTask{}
	}
	ts := now()
	poll := t.PollInterval
	task := Task{TaskID: newID(), Status: "working", CreatedAt: ts, LastUpdatedAt: ts, TTL: ttl, PollInterval: &poll}
	t.tasks[task.TaskID] = &toyTask{task: task, ss: ss, done: make(chan struct{}), cancel: cancel}
	t.order = append(t.order, task.TaskID)
	return task
}

// finish records the outcome of the underlying tools/call. A cancelled task
// stays cancelled.
func (t *Toy) finish(id string, res mcp.Result, err error) {
	t.mu.Lock()
	tt := t.tasks[id]
	if tt == nil || tt.task.Terminal() {
		t.mu.Unlock()
		return
	}
	tt.task.LastUpdatedAt = now()
	switch r, _ := res.(*mcp.CallToolResult); {
	case err != nil:
		tt.err = err
		tt.task.Status, tt.task.StatusMessage = "failed", err.Error()
	case r != nil && r.IsError:
		tt.result = r
		tt.task.Status = "failed"
	default:
		tt.result = r
		tt.task.Status = "completed"
	}
	close(tt.done)
	task, ss := tt.task, tt.ss
	t.mu.Unlock()
	if t.Notify != nil {
		t.Notify(ss, task)
	}
}

func invalidParams(format string, args ...any) error {
	return &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: fmt.Sprintf(format, args...)}
}

func (t *Toy) get(id string) (*toyTask, Task, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	tt := t.tasks[id]
	if tt == nil {
		return nil, Task{}, invalidParams("Failed to retrieve task: Task not found")
	}
	return tt, tt.task, nil
}

func (t *Toy) cancelTask(id string) (Task, error) {
	t.mu.Lock()
	tt := t.tasks[id]
	if tt == nil {
		t.mu.Unlock()
		return Task{}, invalidParams("Failed to retrieve task: Task not found")
	}
	if tt.task.Terminal() {
		st := tt.task.Status
		t.mu.Unlock()
		return Task{}, invalidParams("Cannot cancel task: already in terminal status '%s'", st)
	}
	tt.cancel()
	tt.task.Status, tt.task.StatusMessage, tt.task.LastUpdatedAt = "cancelled", "The task was cancelled by request.", now()
	tt.err = &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: "task cancelled"}
	close(tt.done)
	task, ss := tt.task, tt.ss
	t.mu.Unlock()
	if t.Notify != nil {
		t.Notify(ss, task)
	}
	return task, nil
}

func (t *Toy) list(cursor string, pageSize int) ([]Task, string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	start := 0
	if cursor != "" {
		i := slices.Index(t.order, cursor)
		if i < 0 {
			return nil, "", invalidParams("Invalid cursor")
		}
		start = i
	}
	end := min(start+pageSize, len(t.order))
	out := make([]Task, 0, end-start)
	for _, id := range t.order[start:end] {
		out = append(out, t.tasks[id].task)
	}
	next := ""
	if end < len(t.order) {
		next = t.order[end]
	}
	return out, next, nil
}
