package mcptasks_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/mcp/internal/demo"
	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// demoSession serves the example server (mcp/internal/demo, as
// mcp/examples/server runs it) over streamable HTTP on loopback, with the
// slow tool's timeout at 100ms, and connects go-sdk's client to it.
func demoSession(t *testing.T) (*mcp.ClientSession, *tasks.Runner) {
	cs, runner, _ := demoSessionWithRouter(t)
	return cs, runner
}

// demoSessionWithRouter is demoSession with a ProgressRouter installed as
// the client's progress notification handler.
func demoSessionWithRouter(t *testing.T) (*mcp.ClientSession, *tasks.Runner, *mcptasks.ProgressRouter) {
	t.Helper()
	srv, err := demo.New(demo.Options{SlowTimeout: 100 * time.Millisecond, PollInterval: 50 * time.Millisecond})
	must(t, err)
	t.Cleanup(func() { srv.Runner().Close(context.Background()) })
	mux := http.NewServeMux()
	mux.Handle("/mcp", srv.HTTPHandler(nil, 0))
	hs := loopbackServer(t, mux)
	router := mcptasks.NewProgressRouter()
	client := mcp.NewClient(&mcp.Implementation{Name: "call-test", Version: "v0"}, &mcp.ClientOptions{ProgressNotificationHandler: router.Handle})
	must(t, mcptasks.RegisterTaskMethods(client))
	must(t, mcp.AddSendingCustomMethod[*mcptasks.ListTasksParams, *listResult](client, "tasks/list"))
	ct := &mcptasks.ClientTransport{Transport: &mcp.StreamableClientTransport{Endpoint: hs.URL + "/mcp"}}
	cs, err := client.Connect(context.Background(), ct, &mcp.ClientSessionOptions{ProtocolVersion: mcptasks.ProtocolVersion})
	must(t, err)
	t.Cleanup(func() { cs.Close() })
	return cs, srv.Runner(), router
}

// listResult decodes tasks/list for the test.
type listResult struct {
	mcp.ResultBase
	Tasks []json.RawMessage `json:"tasks"`
}

func structured[T any](t *testing.T, res *mcp.CallToolResult) T {
	t.Helper()
	var v T
	b, err := json.Marshal(res.StructuredContent)
	must(t, err)
	must(t, json.Unmarshal(b, &v))
	return v
}

// recorder collects the updates of OnProgress.
type recorder struct {
	mu      sync.Mutex
	updates []mcptasks.Update
}

func (r *recorder) add(u mcptasks.Update) {
	r.mu.Lock()
	r.updates = append(r.updates, u)
	r.mu.Unlock()
}

func TestCallToolInTime(t *testing.T) {
	cs, _ := demoSession(t)
	var rec recorder
	res, err := mcptasks.CallTool(t.Context(), cs, &mcp.CallToolParams{Name: "fast", Arguments: map[string]any{"text": "hi"}}, &mcptasks.CallOptions{OnProgress: rec.add})
	must(t, err)
	if got := structured[demo.FastOutput](t, res); got.Echo != "hi" {
		t.Fatalf("echo %q", got.Echo)
	}
	if len(rec.updates) != 0 {
		t.Fatalf("an answer in time polled: %+v", rec.updates)
	}
}

// TestCallToolFallback: the slow tool outlives its timeout; CallTool polls
// and returns the tool's own result, with progress on the way.
func TestCallToolFallback(t *testing.T) {
	cs, _ := demoSession(t)
	var rec recorder
	// The direct call is the fallback answer: what CallTool hides.
	direct, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "slow", Arguments: map[string]any{"ms": 600}})
	must(t, err)
	if r := structured[map[string]any](t, direct); r["ref_id"] == nil {
		t.Fatalf("the slow tool answered in time: %v", r)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	res, err := mcptasks.CallTool(ctx, cs, &mcp.CallToolParams{Name: "slow", Arguments: map[string]any{"ms": 600}}, &mcptasks.CallOptions{OnProgress: rec.add})
	must(t, err)
	out := structured[demo.SlowOutput](t, res)
	if out.Steps != demo.Steps {
		t.Fatalf("result %+v, want the slow tool's output", out)
	}
	if len(rec.updates) < 2 || rec.updates[0].Status != "processing" || rec.updates[len(rec.updates)-1].Status != "complete" {
		t.Fatalf("updates %+v: want processing first and complete last", rec.updates)
	}
	sawProgress := false
	for _, u := range rec.updates {
		sawProgress = sawProgress || u.Progress != nil && u.Progress.Current != nil && *u.Progress.Current > 0
	}
	if !sawProgress {
		t.Fatalf("no progress in %+v", rec.updates)
	}
}

func TestCallToolFailed(t *testing.T) {
	cs, _ := demoSession(t)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	_, err := mcptasks.CallTool(ctx, cs, &mcp.CallToolParams{Name: "slow", Arguments: map[string]any{"ms": 300, "fail": "boom"}}, nil)
	if !errors.Is(err, mcptasks.ErrTaskFailed) {
		t.Fatalf("err %v, want ErrTaskFailed", err)
	}
}

// TestCallToolCancel: cancelling the caller's context cancels the task on
// the server.
func TestCallToolCancel(t *testing.T) {
	cs, runner := demoSession(t)
	ctx, cancel := context.WithCancel(t.Context())
	var (
		once  sync.Once
		refID string
	)
	opts := &mcptasks.CallOptions{OnProgress: func(u mcptasks.Update) {
		once.Do(func() { refID = u.RefID; cancel() })
	}}
	_, err := mcptasks.CallTool(ctx, cs, &mcp.CallToolParams{Name: "slow", Arguments: map[string]any{"ms": 60000}}, opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	var status models.TaskStatus
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		rec, err := runner.Get(context.Background(), refID)
		must(t, err)
		if status = rec.Task.Status; status == models.TaskStatusCancelled {
			return
		}
	}
	t.Fatalf("task %s is %s, want cancelled", refID, status)
}

// createTaskVia sends a task-augmented call in the form the server's lift
// gives it (go-sdk's CallToolParams has no "task" member) and finds the task
// with tasks/list.
func createTaskVia(t *testing.T, cs *mcp.ClientSession, args map[string]any) mcptasks.Task {
	t.Helper()
	p := &mcp.CallToolParams{Name: "slow", Arguments: args, Meta: mcp.Meta{mcptasks.TaskMetaKey: map[string]any{"ttl": 60000}}}
	if _, err := cs.CallTool(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	page, err := mcp.CallCustomMethod[*mcptasks.ListTasksParams, *listResult](t.Context(), cs, "tasks/list", &mcptasks.ListTasksParams{})
	must(t, err)
	for _, raw := range page.Tasks {
		var task mcptasks.Task
		must(t, models.Unmarshal(raw, &task))
		if task.Status == mcptasks.StatusWorking {
			return task
		}
	}
	t.Fatalf("no working task in %d", len(page.Tasks))
	return mcptasks.Task{}
}

// TestCallToolTask: with CallOptions.Task the call is task-augmented
// (params.task on the wire, through ClientTransport), the server answers
// with a CreateTaskResult, and CallTool follows the task to its result.
func TestCallToolTask(t *testing.T) {
	cs, runner := demoSession(t)
	var rec recorder
	ttl := int64(60000)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	res, err := mcptasks.CallTool(ctx, cs, &mcp.CallToolParams{Name: "slow", Arguments: map[string]any{"ms": 300}},
		&mcptasks.CallOptions{Task: &mcptasks.TaskMetadata{TTL: &ttl}, OnProgress: rec.add})
	must(t, err)
	if out := structured[demo.SlowOutput](t, res); out.Steps != demo.Steps {
		t.Fatalf("result %+v", out)
	}
	if len(rec.updates) < 2 || rec.updates[0].Status != "working" || rec.updates[len(rec.updates)-1].Status != "completed" {
		t.Fatalf("updates %+v: want working first, completed last (a task, not the fallback)", rec.updates)
	}
	if _, err := runner.Get(context.Background(), rec.updates[0].RefID); err != nil {
		t.Fatalf("task %s: %v", rec.updates[0].RefID, err)
	}
	// A fast tool asked for a task is followed the same way.
	res, err = mcptasks.CallTool(ctx, cs, &mcp.CallToolParams{Name: "fast", Arguments: map[string]any{"text": "t"}}, &mcptasks.CallOptions{Task: &mcptasks.TaskMetadata{}})
	must(t, err)
	if got := structured[demo.FastOutput](t, res); got.Echo != "t" {
		t.Fatalf("echo %q", got.Echo)
	}
}

// TestCallToolTaskProgress: with a ProgressRouter, the progress
// notifications of a task (sent after the CreateTaskResult until the task
// ends) reach OnProgress; a Task's status alone holds no progress.
func TestCallToolTaskProgress(t *testing.T) {
	cs, _, router := demoSessionWithRouter(t)
	var rec recorder
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	_, err := mcptasks.CallTool(ctx, cs, &mcp.CallToolParams{Name: "slow", Arguments: map[string]any{"ms": 400}},
		&mcptasks.CallOptions{Task: &mcptasks.TaskMetadata{}, OnProgress: rec.add, Progress: router})
	must(t, err)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var steps []int64
	for _, u := range rec.updates {
		if u.Status == "" && u.Progress != nil && u.Progress.Current != nil {
			steps = append(steps, *u.Progress.Current)
			if u.Progress.Total == nil || *u.Progress.Total != demo.Steps || u.Progress.Percentage == nil {
				t.Errorf("notification %+v: want total %d and a percentage", *u.Progress, demo.Steps)
			}
		}
	}
	if len(steps) == 0 {
		t.Fatalf("no progress notification in %+v", rec.updates)
	}
}

// TestCallToolTaskCancel: cancelling the caller's context cancels the task
// with tasks/cancel.
func TestCallToolTaskCancel(t *testing.T) {
	cs, runner := demoSession(t)
	ctx, cancel := context.WithCancel(t.Context())
	var (
		once sync.Once
		id   string
	)
	_, err := mcptasks.CallTool(ctx, cs, &mcp.CallToolParams{Name: "slow", Arguments: map[string]any{"ms": 60000}},
		&mcptasks.CallOptions{Task: &mcptasks.TaskMetadata{}, OnProgress: func(u mcptasks.Update) { once.Do(func() { id = u.RefID; cancel() }) }})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	rec, err := runner.Get(context.Background(), id)
	must(t, err)
	if rec.Task.Status != models.TaskStatusCancelled {
		t.Fatalf("task %s is %s, want cancelled", id, rec.Task.Status)
	}
}

func TestWaitTask(t *testing.T) {
	cs, _ := demoSession(t)
	task := createTaskVia(t, cs, map[string]any{"ms": 300})
	var rec recorder
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	res, err := mcptasks.WaitTask(ctx, cs, task, &mcptasks.CallOptions{OnProgress: rec.add})
	must(t, err)
	if out := structured[demo.SlowOutput](t, res); out.Steps != demo.Steps {
		t.Fatalf("result %+v", out)
	}
	if last := rec.updates[len(rec.updates)-1]; last.Status != "completed" || last.RefID != task.TaskID {
		t.Fatalf("last update %+v", last)
	}
}

func TestWaitTaskCancel(t *testing.T) {
	cs, _ := demoSession(t)
	task := createTaskVia(t, cs, map[string]any{"ms": 60000})
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	if _, err := mcptasks.WaitTask(ctx, cs, task, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
	got, err := mcp.CallCustomMethod[*mcptasks.TaskIDParams, *mcptasks.TaskResult](t.Context(), cs, "tasks/get", &mcptasks.TaskIDParams{TaskID: task.TaskID})
	must(t, err)
	if got.Task.Status != mcptasks.StatusCancelled {
		t.Fatalf("task is %s, want cancelled", got.Task.Status)
	}
}

// TestTypeScriptCallTool runs callTool of the TypeScript package
// (clients/typescript/test/e2e-client.mjs, on the official SDK's client)
// against the example server over streamable HTTP on loopback.
func TestTypeScriptCallTool(t *testing.T) {
	dir, _ := filepath.Abs(filepath.Join("..", "clients", "typescript"))
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "dist", "src", "client.js"))
	}
	if err != nil {
		if requireE2E() {
			t.Fatalf("the TypeScript callTool test cannot run: %v (install Node.js 20+ and run `npm ci && npm run build` in clients/typescript)", err)
		}
		t.Skipf("node or clients/typescript/dist missing (%v); run `npm ci && npm run build` in clients/typescript", err)
	}
	srv, err := demo.New(demo.Options{SlowTimeout: 100 * time.Millisecond, PollInterval: 50 * time.Millisecond})
	must(t, err)
	t.Cleanup(func() { srv.Runner().Close(context.Background()) })
	mux := http.NewServeMux()
	mux.Handle("/mcp", srv.HTTPHandler(nil, 0))
	hs := loopbackServer(t, mux)
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "test/e2e-client.mjs", hs.URL+"/mcp")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("e2e-client.mjs: %v\n%s", err, out)
	}
	ok := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var c struct {
			Check string `json:"check"`
			OK    bool   `json:"ok"`
		}
		if json.Unmarshal([]byte(line), &c) == nil && c.Check != "" {
			ok[c.Check] = c.OK
		}
	}
	for _, name := range []string{"in_time", "fallback", "failed", "cancel", "task", "task_cancel"} {
		if !ok[name] {
			t.Errorf("check %s did not pass\n%s", name, out)
		}
	}
}

// TestCallToolTaskInMemory: the same over the in-memory transport, where
// ClientTransport rewrites on the connection, not on HTTP bodies.
func TestCallToolTaskInMemory(t *testing.T) {
	srv, err := demo.New(demo.Options{SlowTimeout: 100 * time.Millisecond, PollInterval: 50 * time.Millisecond})
	must(t, err)
	t.Cleanup(func() { srv.Runner().Close(context.Background()) })
	ct, st := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(t.Context(), st, nil)
	must(t, err)
	t.Cleanup(func() { ss.Close() })
	router := mcptasks.NewProgressRouter()
	client := mcp.NewClient(&mcp.Implementation{Name: "call-test", Version: "v0"}, &mcp.ClientOptions{ProgressNotificationHandler: router.Handle})
	must(t, mcptasks.RegisterTaskMethods(client))
	cs, err := client.Connect(t.Context(), &mcptasks.ClientTransport{Transport: ct}, &mcp.ClientSessionOptions{ProtocolVersion: mcptasks.ProtocolVersion})
	must(t, err)
	t.Cleanup(func() { cs.Close() })
	var rec recorder
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	res, err := mcptasks.CallTool(ctx, cs, &mcp.CallToolParams{Name: "slow", Arguments: map[string]any{"ms": 300}},
		&mcptasks.CallOptions{Task: &mcptasks.TaskMetadata{}, OnProgress: rec.add, Progress: router})
	must(t, err)
	if out := structured[demo.SlowOutput](t, res); out.Steps != demo.Steps {
		t.Fatalf("result %+v", out)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.updates[0].Status != "working" {
		t.Fatalf("first update %+v: want a task", rec.updates[0])
	}
}
