package mcptasks_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// gate lets a test decide when the gated tool returns.
type gate struct {
	once sync.Once
	ch   chan struct{}
}

func newGate() *gate  { return &gate{ch: make(chan struct{})} }
func (g *gate) open() { g.once.Do(func() { close(g.ch) }) }

type gatedIn struct {
	Fail string `json:"fail,omitempty"`
}

type gatedOut struct {
	Answer int `json:"answer"`
}

type fastIn struct {
	N int `json:"n" jsonschema:"a number"`
}

type fastOut struct {
	Double int `json:"double"`
}

// testServer is a server with these tools:
//   - "gated" (taskSupport optional, timeout 50ms): reports progress 1/2,
//     waits for the gate, reports 2/2, answers {"answer": 42} or fails;
//   - "needs_task" (required): the same;
//   - "fast" (fallback wrapper, timeout 5s): doubles n;
//   - "plain": go-sdk's own tool, no execution member.
type testServer struct {
	*mcptasks.Server
	gate    *gate
	stopped atomic.Int32 // runs of gated that saw their context cancelled
}

type serverOpts struct {
	store    tasks.Store
	pageSize int
	owner    string
	shared   bool                    // Options.SharedTasks
	opts     func(*mcptasks.Options) // more options
}

func newTestServer(t testing.TB, o serverOpts) *testServer {
	t.Helper()
	r, err := tasks.NewRunner(tasks.Options{Store: o.store, Owner: o.owner, ProgressInterval: 10 * time.Millisecond,
		HeartbeatInterval: 50 * time.Millisecond, LeaseDuration: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(context.Background()) })
	s := mcp.NewServer(&mcp.Implementation{Name: "test", Version: "v0"}, nil)
	mo := mcptasks.Options{Runner: r, PollInterval: 20 * time.Millisecond, ListPageSize: o.pageSize, SharedTasks: o.shared}
	if o.opts != nil {
		o.opts(&mo)
	}
	srv, err := mcptasks.New(s, mo)
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{Server: srv, gate: newGate()}
	gated := func(ctx context.Context, in gatedIn, p *mcptasks.Progress) (gatedOut, error) {
		if err := p.Report(1, 2, "half"); err != nil {
			return gatedOut{}, err
		}
		select {
		case <-ts.gate.ch:
		case <-ctx.Done():
			ts.stopped.Add(1)
			return gatedOut{}, ctx.Err()
		}
		if err := p.Report(2, 2, "done"); err != nil {
			return gatedOut{}, err
		}
		if in.Fail != "" {
			return gatedOut{}, errors.New(in.Fail)
		}
		return gatedOut{Answer: 42}, nil
	}
	must(t, mcptasks.AddTool(srv, &mcp.Tool{Name: "gated"}, gated, mcptasks.ToolOptions{Timeout: 50 * time.Millisecond, TaskSupport: mcptasks.TaskOptional}))
	must(t, mcptasks.AddTool(srv, &mcp.Tool{Name: "needs_task"}, gated, mcptasks.ToolOptions{Timeout: 50 * time.Millisecond, TaskSupport: mcptasks.TaskRequired}))
	must(t, mcptasks.AddTool(srv, &mcp.Tool{Name: "fast"}, func(ctx context.Context, in fastIn, p *mcptasks.Progress) (fastOut, error) {
		return fastOut{Double: 2 * in.N}, nil
	}, mcptasks.ToolOptions{Timeout: 5 * time.Second}))
	s.AddTool(&mcp.Tool{Name: "plain", InputSchema: map[string]any{"type": "object"}}, func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "plain"}}}, nil
	})
	t.Cleanup(ts.gate.open)
	return ts
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// rawClient speaks JSON-RPC on the client end of an in-memory transport,
// so the tests see exactly what is on the wire; every message the server
// sends is checked against the schemas.
type rawClient struct {
	t       testing.TB
	conn    mcp.Connection
	check   *checker
	nextID  int64
	methods map[jsonrpc.ID]string
	notes   []*jsonrpc.Request
}

// connect starts ts on an in-memory pipe through Server.Connect (the
// lifting transport) and initializes with the protocol version.
func connect(t testing.TB, ts *testServer, version string) *rawClient {
	t.Helper()
	ct, st := mcp.NewInMemoryTransports()
	ss, err := ts.Connect(context.Background(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ts.gate.open(); ss.Close() })
	return dial(t, ct, version)
}

func dial(t testing.TB, ct mcp.Transport, version string) *rawClient {
	t.Helper()
	conn, err := ct.Connect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := &rawClient{t: t, conn: conn, check: newChecker(t), methods: map[jsonrpc.ID]string{}}
	var init map[string]any
	c.ok("initialize", map[string]any{"protocolVersion": version, "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "raw", "version": "0"}}, &init)
	c.notify("notifications/initialized", map[string]any{})
	return c
}

func (c *rawClient) send(method string, params any) jsonrpc.ID {
	c.t.Helper()
	c.nextID++
	id, _ := jsonrpc.MakeID(float64(c.nextID))
	raw, _ := json.Marshal(params)
	c.methods[id] = method
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

// read reads one message within the timeout; it checks it, and keeps
// notifications.
func (c *rawClient) read(timeout time.Duration) (jsonrpc.Message, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	msg, err := c.conn.Read(ctx)
	if err != nil {
		return nil, err
	}
	switch m := msg.(type) {
	case *jsonrpc.Response:
		if m.Error == nil {
			c.check.response(c.methods[m.ID], m.Result)
		}
	case *jsonrpc.Request:
		c.check.notification(m.Method, m.Params)
		c.notes = append(c.notes, m)
	}
	return msg, nil
}

// wait reads until the response to id.
func (c *rawClient) wait(id jsonrpc.ID) *jsonrpc.Response {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		msg, err := c.read(time.Until(deadline))
		if err != nil {
			c.t.Fatalf("read: %v", err)
		}
		if r, ok := msg.(*jsonrpc.Response); ok && r.ID == id {
			return r
		}
	}
	c.t.Fatalf("no response to %v", id)
	return nil
}

// waitNote reads until a notification matching f arrives.
func (c *rawClient) waitNote(what string, f func(*jsonrpc.Request) bool) *jsonrpc.Request {
	c.t.Helper()
	for _, n := range c.notes {
		if f(n) {
			return n
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		msg, err := c.read(time.Until(deadline))
		if err != nil {
			c.t.Fatalf("waiting for %s: %v", what, err)
		}
		if n, ok := msg.(*jsonrpc.Request); ok && f(n) {
			return n
		}
	}
	c.t.Fatalf("no %s", what)
	return nil
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

// errCode returns the JSON-RPC error code of r, failing when r has none.
func errCode(t testing.TB, r *jsonrpc.Response) (int64, string) {
	t.Helper()
	if r.Error == nil {
		t.Fatalf("want an error, got result %s", r.Result)
	}
	var we *jsonrpc.Error
	if !errors.As(r.Error, &we) {
		b, _ := json.Marshal(r.Error)
		if err := json.Unmarshal(b, &we); err != nil {
			t.Fatalf("error %v: %v", r.Error, err)
		}
	}
	return we.Code, we.Message
}

// callResult is what the tests read of a CallToolResult.
type callResult struct {
	Content []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"`
	StructuredContent json.RawMessage `json:"structuredContent"`
	IsError           bool            `json:"isError"`
	Meta              map[string]any  `json:"_meta"`
}

func (r callResult) text() string {
	if len(r.Content) == 0 {
		return ""
	}
	return r.Content[0].Text
}

// tool calls a tool without a task.
func (c *rawClient) tool(name string, args any) callResult {
	c.t.Helper()
	var r callResult
	c.ok("tools/call", map[string]any{"name": name, "arguments": args}, &r)
	return r
}

// createTask makes a task-augmented call and returns its Task.
func (c *rawClient) createTask(name string, args any, meta map[string]any) mcptasks.Task {
	c.t.Helper()
	var r struct {
		Task mcptasks.Task `json:"task"`
	}
	p := map[string]any{"name": name, "arguments": args, "task": map[string]any{"ttl": 60000}}
	if meta != nil {
		p["_meta"] = meta
	}
	c.ok("tools/call", p, &r)
	if r.Task.TaskID == "" {
		c.t.Fatalf("no task in the answer to a task-augmented call")
	}
	return r.Task
}

// pollStatus polls get_task_status until the status is one of want.
func (c *rawClient) pollStatus(ref string, want ...string) map[string]any {
	c.t.Helper()
	for range 500 {
		r := c.tool(mcptasks.ToolGetTaskStatus, map[string]any{"ref_id": ref})
		var resp map[string]any
		if err := json.Unmarshal(r.StructuredContent, &resp); err != nil {
			c.t.Fatalf("get_task_status: %v: %s", err, r.text())
		}
		for _, w := range want {
			if resp["status"] == w {
				return resp
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.t.Fatalf("task %s never reached %v", ref, want)
	return nil
}

func (c *rawClient) getTask(id string) mcptasks.Task {
	c.t.Helper()
	var task mcptasks.Task
	c.ok("tasks/get", map[string]any{"taskId": id}, &task)
	return task
}

func str(v any) string { return fmt.Sprint(v) }
