package mcptasks_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/mcp/internal/fixture"
	"github.com/mcp-refcache/taskschema/models"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// checkedTransport hands every message the server writes on a stream
// transport (stdio) to the checker, with the method of the request a
// response answers.
type checkedTransport struct {
	mcp.Transport
	c *checker
}

func (t checkedTransport) Connect(ctx context.Context) (mcp.Connection, error) {
	conn, err := t.Transport.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &checkedConn{Connection: conn, c: t.c, methods: map[string]string{}}, nil
}

type checkedConn struct {
	mcp.Connection
	c       *checker
	mu      sync.Mutex
	methods map[string]string
}

func (cc *checkedConn) Read(ctx context.Context) (jsonrpc.Message, error) {
	m, err := cc.Connection.Read(ctx)
	if r, ok := m.(*jsonrpc.Request); ok && err == nil && r.IsCall() {
		cc.mu.Lock()
		cc.methods[fmt.Sprint(r.ID.Raw())] = r.Method
		cc.mu.Unlock()
	}
	return m, err
}

func (cc *checkedConn) Write(ctx context.Context, m jsonrpc.Message) error {
	switch m := m.(type) {
	case *jsonrpc.Response:
		if m.Error == nil {
			cc.mu.Lock()
			method := cc.methods[fmt.Sprint(m.ID.Raw())]
			cc.mu.Unlock()
			cc.c.response(method, m.Result)
		}
	case *jsonrpc.Request:
		if !m.IsCall() {
			cc.c.notification(m.Method, m.Params)
		}
	}
	return cc.Connection.Write(ctx, m)
}

// followWithGoClient: go-sdk v1.8.0's client at its default settings
// negotiates 2026-07-28, sees the tasks extension in the server's
// capabilities, calls the slow tool, gets a task (as a client that does
// not declare the extension, the timeout fallback's AsyncTaskResponse) and
// follows it with the polling tools to the result.
func followWithGoClient(t *testing.T, cs *mcp.ClientSession) {
	t.Helper()
	ir := cs.InitializeResult()
	if ir == nil || ir.ProtocolVersion != mcptasks.ExtProtocolVersion {
		t.Fatalf("negotiated %+v", ir)
	}
	if _, ok := ir.Capabilities.Extensions[mcptasks.ExtensionID]; !ok {
		t.Fatalf("the client does not see the extension: %+v", ir.Capabilities)
	}
	ctx := context.Background()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "slow_compute", Arguments: map[string]any{"seconds": 1, "label": "go-client"}})
	if err != nil || res.IsError {
		t.Fatalf("slow_compute: %+v, %v", res, err)
	}
	b, _ := json.Marshal(res.StructuredContent)
	var async models.AsyncTaskResponse
	if err := models.Unmarshal(b, &async); err != nil {
		t.Fatalf("slow_compute did not answer with a task: %s (%v)", b, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: mcptasks.ToolGetTaskStatus, Arguments: map[string]any{"ref_id": async.RefID}})
		if err != nil || st.IsError {
			t.Fatalf("get_task_status: %+v, %v", st, err)
		}
		if strings.Contains(fmt.Sprint(st.StructuredContent), "complete") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s not complete after 10s: %v", async.RefID, st.StructuredContent)
		}
		time.Sleep(50 * time.Millisecond)
	}
	out, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: mcptasks.ToolGetTaskResult, Arguments: map[string]any{"ref_id": async.RefID}})
	if err != nil || out.IsError || !strings.Contains(fmt.Sprint(out.StructuredContent), "go-client") {
		t.Fatalf("get_task_result: %+v, %v", out, err)
	}
}

func TestGoSDKClientStdio(t *testing.T) {
	srv, err := fixture.New(fixture.Options{})
	must(t, err)
	t.Cleanup(func() { srv.Runner().Close(context.Background()) })
	chk := newChecker(t)
	cr, sw := io.Pipe()
	sr, cw := io.Pipe()
	ss, err := srv.Connect(context.Background(), checkedTransport{Transport: &mcp.IOTransport{Reader: sr, Writer: sw}, c: chk}, nil)
	must(t, err)
	t.Cleanup(func() { ss.Close() })
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "go-sdk-default", Version: "v1.8.0"}, nil).
		Connect(context.Background(), &mcp.IOTransport{Reader: cr, Writer: cw}, nil)
	must(t, err)
	t.Cleanup(func() { cs.Close() })
	followWithGoClient(t, cs)
	if chk.seen("ext") == 0 || chk.seen("async_task_response") == 0 {
		t.Errorf("checked %v", chk.n)
	}
}

func TestGoSDKClientHTTP(t *testing.T) {
	srv, err := fixture.New(fixture.Options{})
	must(t, err)
	t.Cleanup(func() { srv.Runner().Close(context.Background()) })
	chk := newChecker(t)
	hs := httptest.NewServer(newTap(srv.HTTPHandler(nil, 0), chk))
	t.Cleanup(hs.Close)
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "go-sdk-default", Version: "v1.8.0"}, nil).
		Connect(context.Background(), &mcp.StreamableClientTransport{Endpoint: hs.URL}, nil)
	must(t, err)
	t.Cleanup(func() { cs.Close() })
	followWithGoClient(t, cs)
	if chk.seen("ext") == 0 || chk.seen("async_task_response") == 0 {
		t.Errorf("checked %v", chk.n)
	}
}

// TestExtTaskNotificationsStdio: subscriptions/listen with taskIds over
// stdio (framed by go-sdk's IOTransport) acknowledges the session's task,
// streams notifications/tasks until it completed, and ends with the
// listen's result; every message is checked against schema/.
func TestExtTaskNotificationsStdio(t *testing.T) {
	srv, err := fixture.New(fixture.Options{})
	must(t, err)
	t.Cleanup(func() { srv.Runner().Close(context.Background()) })
	chk := newChecker(t)
	cr, sw := io.Pipe()
	sr, cw := io.Pipe()
	ss, err := srv.Connect(context.Background(), checkedTransport{Transport: &mcp.IOTransport{Reader: sr, Writer: sw}, c: chk}, nil)
	must(t, err)
	t.Cleanup(func() { ss.Close() })
	lines := make(chan []byte, 100)
	go func() {
		sc := bufio.NewScanner(cr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines <- append([]byte(nil), sc.Bytes()...)
		}
		close(lines)
	}()
	meta := map[string]any{"io.modelcontextprotocol/protocolVersion": "2026-07-28",
		"io.modelcontextprotocol/clientCapabilities": map[string]any{"extensions": map[string]any{mcptasks.ExtensionID: map[string]any{}}}}
	send := func(id int, method string, params map[string]any) {
		params["_meta"] = meta
		b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
		if _, err := cw.Write(append(b, '\n')); err != nil {
			t.Fatal(err)
		}
	}
	next := func() wireMsg {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("the server closed the connection")
			}
			var m wireMsg
			must(t, json.Unmarshal(l, &m))
			return m
		case <-time.After(10 * time.Second):
			t.Fatal("no message for 10s")
		}
		return wireMsg{}
	}
	send(1, "tools/call", map[string]any{"name": "slow_compute", "arguments": map[string]any{"seconds": 1}})
	created := next()
	var task struct {
		TaskID string `json:"taskId"`
	}
	must(t, json.Unmarshal(created.Result, &task))
	if task.TaskID == "" {
		t.Fatalf("no task: %s", created.Result)
	}
	send(2, "subscriptions/listen", map[string]any{"notifications": map[string]any{"taskIds": []string{task.TaskID, "foreign"}}})
	ack := next()
	if ack.Method != "notifications/subscriptions/acknowledged" || !strings.Contains(string(ack.Params), `"taskIds":["`+task.TaskID+`"]`) {
		t.Fatalf("ack %s %s", ack.Method, ack.Params)
	}
	var last wireMsg
	for {
		m := next()
		if string(m.ID) == "2" {
			if m.Result == nil || !strings.Contains(string(last.Params), `"status":"completed"`) {
				t.Fatalf("the stream ended with %+v after %s", m, last.Params)
			}
			break
		}
		if m.Method != "notifications/tasks" {
			t.Fatalf("unexpected %s %s", m.Method, m.Params)
		}
		last = m
	}
	if chk.seen("ext:task:completed") == 0 {
		t.Errorf("no notification checked: %v", chk.n)
	}
}
