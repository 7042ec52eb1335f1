package proof

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// gate lets a test decide when the slow tool returns.
type gate struct {
	once sync.Once
	ch   chan struct{}
}

func newGate() *gate  { return &gate{ch: make(chan struct{})} }
func (g *gate) open() { g.once.Do(func() { close(g.ch) }) }

// newServer builds the proof server: tool "slow" (taskSupport optional)
// reports progress, waits for the gate, and answers; tool "plain" has no
// execution member; tool "needs_task" requires a task.
func newServer(t *testing.T, toy *Toy, g *gate, afterGate func(ctx context.Context, req *mcp.CallToolRequest)) *mcp.Server {
	t.Helper()
	s := mcp.NewServer(&mcp.Implementation{Name: "proof", Version: "v0"}, nil)
	slow := func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if tok := req.Params.GetProgressToken(); tok != nil {
			if err := req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: tok, Progress: 1, Total: 2, Message: "half"}); err != nil {
				t.Logf("progress before gate: %v", err)
			}
		}
		select {
		case <-g.ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if afterGate != nil {
			afterGate(ctx, req)
		}
		return &mcp.CallToolResult{
			Content:           []mcp.Content{&mcp.TextContent{Text: "done"}},
			StructuredContent: map[string]any{"answer": 42},
		}, nil
	}
	obj := map[string]any{"type": "object"}
	s.AddTool(&mcp.Tool{Name: "slow", InputSchema: obj}, slow)
	s.AddTool(&mcp.Tool{Name: "plain", InputSchema: obj}, func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "plain"}}}, nil
	})
	s.AddTool(&mcp.Tool{Name: "needs_task", InputSchema: obj}, slow)
	s.AddReceivingMiddleware(toy.Middleware(map[string]string{"slow": "optional", "needs_task": "required"}))
	if err := toy.Register(s); err != nil {
		t.Fatal(err)
	}
	return s
}

// rawClient speaks JSON-RPC on the client end of an in-memory transport,
// so the tests see exactly what is on the wire.
type rawClient struct {
	t      *testing.T
	conn   mcp.Connection
	nextID int64
	notes  []*jsonrpc.Request
}

func (c *rawClient) send(method string, params any) jsonrpc.ID {
	c.t.Helper()
	c.nextID++
	id, _ := jsonrpc.MakeID(float64(c.nextID)) // MakeID takes float64 or string
	raw, _ := json.Marshal(params)
	if err := c.conn.Write(context.Background(), &jsonrpc.Request{ID: id, Method: method, Params: raw}); err != nil {
		c.t.Fatalf("write %s: %v", method, err)
	}
	return id
}

func (c *rawClient) notify(method string, params any) {
	raw, _ := json.Marshal(params)
	if err := c.conn.Write(context.Background(), &jsonrpc.Request{Method: method, Params: raw}); err != nil {
		c.t.Fatalf("notify %s: %v", method, err)
	}
}

// wait reads until the response to id, keeping notifications.
func (c *rawClient) wait(id jsonrpc.ID) *jsonrpc.Response {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		msg, err := c.conn.Read(ctx)
		if err != nil {
			c.t.Fatalf("read: %v", err)
		}
		switch m := msg.(type) {
		case *jsonrpc.Response:
			if m.ID == id {
				return m
			}
		case *jsonrpc.Request:
			c.notes = append(c.notes, m)
		}
	}
}

func (c *rawClient) call(method string, params any) *jsonrpc.Response {
	c.t.Helper()
	return c.wait(c.send(method, params))
}

func (c *rawClient) ok(method string, params any, into any) {
	c.t.Helper()
	r := c.call(method, params)
	if r.Error != nil {
		c.t.Fatalf("%s: error %v", method, r.Error)
	}
	if err := json.Unmarshal(r.Result, into); err != nil {
		c.t.Fatalf("%s: %v in %s", method, err, r.Result)
	}
}

func errCode(t *testing.T, r *jsonrpc.Response) int64 {
	t.Helper()
	var we *jsonrpc.Error
	if r.Error == nil {
		t.Fatalf("want an error, got result %s", r.Result)
	}
	b, _ := json.Marshal(r.Error)
	if err := json.Unmarshal(b, &we); err != nil {
		t.Fatalf("error %v: %v", r.Error, err)
	}
	return we.Code
}

func (c *rawClient) notesOf(method string) []json.RawMessage {
	var out []json.RawMessage
	for _, n := range c.notes {
		if n.Method == method {
			out = append(out, n.Params)
		}
	}
	return out
}

// connect starts the server on an in-memory pipe; with wrap, the server
// side goes through the lifting Transport and Toy.Notify writes
// notifications/tasks/status on it.
func connect(t *testing.T, toy *Toy, g *gate, wrap bool) *rawClient {
	t.Helper()
	ct, st := mcp.NewInMemoryTransports()
	s := newServer(t, toy, g, nil)
	var transport mcp.Transport = st
	var closing atomic.Bool
	if wrap {
		wt := &Transport{Transport: st}
		transport = wt
		toy.Notify = func(_ *mcp.ServerSession, task Task) {
			if err := wt.Conn().Notify(context.Background(), "notifications/tasks/status", task); err != nil && !closing.Load() {
				t.Errorf("notify: %v", err)
			}
		}
	}
	ss, err := s.Connect(context.Background(), transport, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closing.Store(true); ss.Close(); g.open() })
	conn, err := ct.Connect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := &rawClient{t: t, conn: conn}
	var init map[string]any
	c.ok("initialize", map[string]any{"protocolVersion": "2025-11-25", "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "raw", "version": "0"}}, &init)
	c.notify("notifications/initialized", map[string]any{})
	return c
}

func TestInitializeDeclaresTasks(t *testing.T) {
	ct, st := mcp.NewInMemoryTransports()
	toy := &Toy{}
	s := newServer(t, toy, newGate(), nil)
	ss, err := s.Connect(context.Background(), &Transport{Transport: st}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	conn, _ := ct.Connect(context.Background())
	c := &rawClient{t: t, conn: conn}
	var res struct {
		ProtocolVersion string         `json:"protocolVersion"`
		Capabilities    map[string]any `json:"capabilities"`
	}
	c.ok("initialize", map[string]any{"protocolVersion": "2025-11-25", "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "raw", "version": "0"}}, &res)
	if res.ProtocolVersion != "2025-11-25" {
		t.Errorf("protocolVersion %q", res.ProtocolVersion)
	}
	got, _ := json.Marshal(res.Capabilities["tasks"])
	if string(got) != `{"cancel":{},"list":{},"requests":{"tools":{"call":{}}}}` {
		t.Errorf("capabilities.tasks = %s", got)
	}
	if _, ok := res.Capabilities["tools"]; !ok {
		t.Errorf("capabilities lost the tools member: %v", res.Capabilities)
	}
}

func TestToolsListExecution(t *testing.T) {
	c := connect(t, &Toy{}, newGate(), true)
	var res struct {
		Tools []map[string]any `json:"tools"`
	}
	c.ok("tools/list", map[string]any{}, &res)
	want := map[string]string{"slow": `{"taskSupport":"optional"}`, "needs_task": `{"taskSupport":"required"}`, "plain": `null`}
	if len(res.Tools) != len(want) {
		t.Fatalf("tools %v", res.Tools)
	}
	for _, tool := range res.Tools {
		name := tool["name"].(string)
		got, _ := json.Marshal(tool["execution"])
		if string(got) != want[name] {
			t.Errorf("%s: execution %s, want %s", name, got, want[name])
		}
		if tool["inputSchema"] == nil {
			t.Errorf("%s lost inputSchema", name)
		}
	}
}

func TestTaskAugmentedCall(t *testing.T) {
	g := newGate()
	c := connect(t, &Toy{PollInterval: 50}, g, true)
	var created struct {
		Task    Task `json:"task"`
		Content any  `json:"content"`
	}
	c.ok("tools/call", map[string]any{"name": "slow", "arguments": map[string]any{}, "task": map[string]any{"ttl": 60000}, "_meta": map[string]any{"progressToken": "p1"}}, &created)
	task := created.Task
	if task.TaskID == "" || task.Status != "working" || task.TTL == nil || *task.TTL != 60000 || created.Content != nil {
		t.Fatalf("CreateTaskResult %+v", created)
	}
	var got TaskResult
	c.ok("tasks/get", map[string]any{"taskId": task.TaskID}, &got)
	if got.Status != "working" || got.TaskID != task.TaskID {
		t.Fatalf("tasks/get %+v", got)
	}
	// tasks/result blocks until the task is terminal.
	id := c.send("tasks/result", map[string]any{"taskId": task.TaskID})
	g.open()
	r := c.wait(id)
	var result struct {
		Content           []map[string]any `json:"content"`
		StructuredContent map[string]any   `json:"structuredContent"`
		Meta              map[string]any   `json:"_meta"`
	}
	if r.Error != nil {
		t.Fatal(r.Error)
	}
	json.Unmarshal(r.Result, &result)
	if len(result.Content) != 1 || result.Content[0]["text"] != "done" || result.StructuredContent["answer"] != float64(42) {
		t.Errorf("tasks/result %s", r.Result)
	}
	if rel, _ := result.Meta[RelatedTaskMetaKey].(map[string]any); rel["taskId"] != task.TaskID {
		t.Errorf("tasks/result _meta %v", result.Meta)
	}
	if _, leaked := result.Meta[TaskMetaKey]; leaked {
		t.Errorf("private key leaked")
	}
	c.ok("tasks/get", map[string]any{"taskId": task.TaskID}, &got)
	if got.Status != "completed" {
		t.Errorf("after result: %+v", got)
	}
	if n := c.notesOf("notifications/progress"); len(n) != 1 || !json.Valid(n[0]) {
		t.Errorf("progress notifications %s", n)
	} else {
		var p map[string]any
		json.Unmarshal(n[0], &p)
		if p["progressToken"] != "p1" || p["progress"] != float64(1) || p["total"] != float64(2) || p["message"] != "half" {
			t.Errorf("progress %s", n[0])
		}
	}
	st := c.notesOf("notifications/tasks/status")
	if len(st) != 1 {
		t.Fatalf("tasks/status notifications %s", st)
	}
	var stTask Task
	json.Unmarshal(st[0], &stTask)
	if stTask.TaskID != task.TaskID || stTask.Status != "completed" {
		t.Errorf("status notification %s", st[0])
	}
}

// Without the transport wrapper go-sdk drops params.task and runs the tool
// synchronously: the answer is a CallToolResult, not a CreateTaskResult.
func TestTaskDroppedWithoutLift(t *testing.T) {
	g := newGate()
	g.open()
	c := connect(t, &Toy{}, g, false)
	var res map[string]any
	c.ok("tools/call", map[string]any{"name": "slow", "arguments": map[string]any{}, "task": map[string]any{"ttl": 1000}}, &res)
	if _, ok := res["task"]; ok {
		t.Fatalf("unexpected task: %v", res)
	}
	if _, ok := res["content"]; !ok {
		t.Fatalf("want a CallToolResult, got %v", res)
	}
}

func TestTaskSupportErrors(t *testing.T) {
	c := connect(t, &Toy{}, newGate(), true)
	if code := errCode(t, c.call("tools/call", map[string]any{"name": "plain", "arguments": map[string]any{}, "task": map[string]any{}})); code != jsonrpc.CodeMethodNotFound {
		t.Errorf("task on a forbidden tool: code %d", code)
	}
	if code := errCode(t, c.call("tools/call", map[string]any{"name": "needs_task", "arguments": map[string]any{}})); code != jsonrpc.CodeMethodNotFound {
		t.Errorf("required tool without task: code %d", code)
	}
	for _, m := range []string{"tasks/get", "tasks/result", "tasks/cancel"} {
		if code := errCode(t, c.call(m, map[string]any{"taskId": "nope"})); code != jsonrpc.CodeInvalidParams {
			t.Errorf("%s unknown task: code %d", m, code)
		}
	}
}

func TestCancel(t *testing.T) {
	g := newGate()
	c := connect(t, &Toy{}, g, true)
	var created CreateTaskResult
	c.ok("tools/call", map[string]any{"name": "slow", "arguments": map[string]any{}, "task": map[string]any{}}, &created)
	var got TaskResult
	c.ok("tasks/cancel", map[string]any{"taskId": created.Task.TaskID}, &got)
	if got.Status != "cancelled" {
		t.Fatalf("cancel: %+v", got)
	}
	r := c.call("tasks/cancel", map[string]any{"taskId": created.Task.TaskID})
	if code := errCode(t, r); code != jsonrpc.CodeInvalidParams {
		t.Errorf("second cancel: code %d", code)
	}
	g.open()
	c.ok("tasks/get", map[string]any{"taskId": created.Task.TaskID}, &got)
	if got.Status != "cancelled" {
		t.Errorf("a cancelled task must stay cancelled: %+v", got)
	}
}

func TestListPaging(t *testing.T) {
	c := connect(t, &Toy{}, newGate(), true)
	ids := map[string]bool{}
	for range 3 {
		var created CreateTaskResult
		c.ok("tools/call", map[string]any{"name": "slow", "arguments": map[string]any{}, "task": map[string]any{}}, &created)
		ids[created.Task.TaskID] = true
	}
	var page ListTasksResult
	c.ok("tasks/list", nil, &page) // params may be absent
	if len(page.Tasks) != 2 || page.NextCursor == "" {
		t.Fatalf("page 1: %+v", page)
	}
	seen := len(page.Tasks)
	cursor := page.NextCursor
	page = ListTasksResult{}
	c.ok("tasks/list", map[string]any{"cursor": cursor}, &page)
	seen += len(page.Tasks)
	if len(page.Tasks) != 1 || page.NextCursor != "" || seen != len(ids) {
		t.Fatalf("page 2: %+v", page)
	}
	if code := errCode(t, c.call("tasks/list", map[string]any{"cursor": "bogus"})); code != jsonrpc.CodeInvalidParams {
		t.Errorf("bad cursor: code %d", code)
	}
}

func ExampleTask() {
	ttl := int64(60000)
	b, _ := json.Marshal(Task{TaskID: "t1", Status: "working", CreatedAt: "2025-11-25T10:30:00Z", LastUpdatedAt: "2025-11-25T10:30:00Z", TTL: &ttl})
	fmt.Println(string(b))
	b, _ = json.Marshal(Task{TaskID: "t2", Status: "completed", CreatedAt: "2025-11-25T10:30:00Z", LastUpdatedAt: "2025-11-25T10:31:00Z"})
	fmt.Println(string(b))
	// Output:
	// {"taskId":"t1","status":"working","createdAt":"2025-11-25T10:30:00Z","lastUpdatedAt":"2025-11-25T10:30:00Z","ttl":60000}
	// {"taskId":"t2","status":"completed","createdAt":"2025-11-25T10:30:00Z","lastUpdatedAt":"2025-11-25T10:31:00Z","ttl":null}
}
