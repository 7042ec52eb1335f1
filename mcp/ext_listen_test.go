package mcptasks_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/models"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// listenFrame is the function a subscriptions/listen of task IDs runs in
// for as long as it follows its tasks (ext_listen.go).
const listenFrame = "taskschema/mcp.(*Server).followTasks("

// goroutinesIn reports how many goroutines have frame on their stack, and
// the stacks of those that do.
func goroutinesIn(frame string) (int, string) {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	var stacks []string
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte(frame)) {
			count++
			stacks = append(stacks, string(g))
		}
	}
	return count, strings.Join(stacks, "\n\n")
}

// waitFor polls cond until it holds or the deadline passes, and reports
// whether it held.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// runnerStatus is the task's status as the runner holds it.
func runnerStatus(t *testing.T, ts *testServer, id string) models.TaskStatus {
	t.Helper()
	rec, err := ts.Runner().Get(context.Background(), id)
	must(t, err)
	return rec.Task.Status
}

// TestExtStdioListenEndsWhenPeerLeaves: a subscriptions/listen of task IDs
// over stdio ends when the client goes away, even while its task is still
// working and nothing changes that would make a write fail; its
// goroutines do not outlive the connection.
func TestExtStdioListenEndsWhenPeerLeaves(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	t.Cleanup(ts.gate.open)
	if !waitFor(5*time.Second, func() bool { n, _ := goroutinesIn(listenFrame); return n == 0 }) {
		_, stacks := goroutinesIn(listenFrame)
		t.Fatalf("a listen of an earlier test is still running:\n%s", stacks)
	}
	base := runtime.NumGoroutine()

	cr, sw := io.Pipe()
	sr, cw := io.Pipe()
	chk := newChecker(t)
	ss, err := ts.Connect(context.Background(), checkedTransport{Transport: &mcp.IOTransport{Reader: sr, Writer: sw}, c: chk}, nil)
	must(t, err)
	t.Cleanup(func() { cw.Close(); cr.Close(); ss.Close() })
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
		t.Helper()
		params["_meta"] = meta
		b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
		if _, err := cw.Write(append(b, '\n')); err != nil {
			t.Fatal(err)
		}
	}
	next := func() wireMsg {
		t.Helper()
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

	// gated outlives its 50ms timeout and then waits for the gate, which
	// stays shut: the task is working and its state does not change.
	send(1, "tools/call", map[string]any{"name": "gated", "arguments": map[string]any{}})
	created := next()
	var task struct {
		TaskID     string `json:"taskId"`
		ResultType string `json:"resultType"`
	}
	must(t, json.Unmarshal(created.Result, &task))
	if task.TaskID == "" || task.ResultType != "task" {
		t.Fatalf("no task: %s %s", created.Result, created.Error)
	}
	send(2, "subscriptions/listen", map[string]any{"notifications": map[string]any{"taskIds": []string{task.TaskID}}})
	if ack := next(); ack.Method != "notifications/subscriptions/acknowledged" || !strings.Contains(string(ack.Params), `"taskIds":["`+task.TaskID+`"]`) {
		t.Fatalf("ack %s %s", ack.Method, ack.Params)
	}
	if m := next(); m.Method != "notifications/tasks" || !strings.Contains(string(m.Params), `"status":"working"`) {
		t.Fatalf("first notification %s %s", m.Method, m.Params)
	}
	if n, stacks := goroutinesIn(listenFrame); n != 1 {
		t.Fatalf("%d listens follow the task, want 1:\n%s", n, stacks)
	}
	if chk.seen("ext:task:working") == 0 {
		t.Fatalf("no notification checked: %v", chk.n)
	}

	// The client leaves: its end of both pipes closes.
	cw.Close()
	cr.Close()
	if !waitFor(5*time.Second, func() bool { n, _ := goroutinesIn(listenFrame); return n == 0 }) {
		_, stacks := goroutinesIn(listenFrame)
		t.Fatalf("the listen still follows its working task 5s after the client left:\n%s", stacks)
	}
	if st := runnerStatus(t, ts, task.TaskID); st != models.TaskStatusProcessing {
		t.Fatalf("the task is %q: the listen must have ended while it was still working", st)
	}

	// Once the task finishes and the session is closed, nothing the
	// connection started is left.
	ts.gate.open()
	if !waitFor(5*time.Second, func() bool { return runnerStatus(t, ts, task.TaskID) == models.TaskStatusComplete }) {
		t.Fatalf("the task did not complete: %q", runnerStatus(t, ts, task.TaskID))
	}
	ss.Close()
	if !waitFor(5*time.Second, func() bool { return runtime.NumGoroutine() <= base }) {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines 5s after the session closed, %d before it started:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
	}
}

// TestExtHTTPListenEndsWhenClientLeaves: a subscriptions/listen of task IDs
// over streamable HTTP ends when the client closes the response stream,
// even while its task is still working; the handler, its connection and
// their goroutines are freed.
func TestExtHTTPListenEndsWhenClientLeaves(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	chk := newChecker(t)
	hs := loopbackServer(t, newTap(ts.HTTPHandler(nil, 0), chk))
	t.Cleanup(ts.gate.open) // before hs.Close, which waits for a listen still running
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr}
	if !waitFor(5*time.Second, func() bool { n, _ := goroutinesIn(listenFrame); return n == 0 }) {
		_, stacks := goroutinesIn(listenFrame)
		t.Fatalf("a listen of an earlier test is still running:\n%s", stacks)
	}
	base := runtime.NumGoroutine()

	meta := map[string]any{"io.modelcontextprotocol/protocolVersion": "2026-07-28",
		"io.modelcontextprotocol/clientCapabilities": map[string]any{"extensions": map[string]any{mcptasks.ExtensionID: map[string]any{}}}}
	post := func(ctx context.Context, id int, method, name string, params map[string]any) *http.Response {
		t.Helper()
		params["_meta"] = meta
		body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, hs.URL, bytes.NewReader(body))
		must(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("MCP-Protocol-Version", "2026-07-28")
		req.Header.Set("Mcp-Method", method)
		if name != "" {
			req.Header.Set("Mcp-Name", name)
		}
		resp, err := client.Do(req)
		must(t, err)
		return resp
	}

	// gated outlives its 50ms timeout and then waits for the gate, which
	// stays shut: the task is working and its state does not change.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp := post(ctx, 1, "tools/call", "gated", map[string]any{"name": "gated", "arguments": map[string]any{}})
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	must(t, err)
	var task struct {
		TaskID     string `json:"taskId"`
		ResultType string `json:"resultType"`
	}
	for _, m := range append(sseMessages(data), decodeMsgs(data)...) {
		if string(m.ID) == "1" && m.Result != nil {
			must(t, json.Unmarshal(m.Result, &task))
		}
	}
	if task.TaskID == "" || task.ResultType != "task" {
		t.Fatalf("no task: HTTP %d %s", resp.StatusCode, data)
	}

	lctx, leave := context.WithCancel(context.Background())
	defer leave()
	resp = post(lctx, 2, "subscriptions/listen", "", map[string]any{"notifications": map[string]any{"taskIds": []string{task.TaskID}}})
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("listen: HTTP %d", resp.StatusCode)
	}
	events := make(chan wireMsg, 100)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<16), 1<<22)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				for _, m := range decodeMsgs([]byte(d)) {
					events <- m
				}
			}
		}
	}()
	next := func() wireMsg {
		t.Helper()
		select {
		case m, ok := <-events:
			if !ok {
				t.Fatal("the listen's stream ended")
			}
			return m
		case <-time.After(10 * time.Second):
			t.Fatal("no event for 10s")
		}
		return wireMsg{}
	}
	if ack := next(); ack.Method != "notifications/subscriptions/acknowledged" || !strings.Contains(string(ack.Params), `"taskIds":["`+task.TaskID+`"]`) {
		t.Fatalf("ack %s %s", ack.Method, ack.Params)
	}
	if m := next(); m.Method != "notifications/tasks" || !strings.Contains(string(m.Params), `"status":"working"`) {
		t.Fatalf("first notification %s %s", m.Method, m.Params)
	}
	if n, stacks := goroutinesIn(listenFrame); n != 1 {
		t.Fatalf("%d listens follow the task, want 1:\n%s", n, stacks)
	}
	if chk.seen("ext:task:working") == 0 {
		t.Fatalf("no notification checked: %v", chk.n)
	}

	// The client leaves: it closes the response stream (and so its
	// connection) while the task still works.
	leave()
	resp.Body.Close()
	if !waitFor(5*time.Second, func() bool { n, _ := goroutinesIn(listenFrame); return n == 0 }) {
		_, stacks := goroutinesIn(listenFrame)
		t.Fatalf("the listen still follows its working task 5s after the client left:\n%s", stacks)
	}
	if st := runnerStatus(t, ts, task.TaskID); st != models.TaskStatusProcessing {
		t.Fatalf("the task is %q: the listen must have ended while it was still working", st)
	}
	for range events { // the reader ends with the closed body
	}

	// Once the task finishes and idle connections are closed, nothing the
	// requests started is left.
	ts.gate.open()
	if !waitFor(5*time.Second, func() bool { return runnerStatus(t, ts, task.TaskID) == models.TaskStatusComplete }) {
		t.Fatalf("the task did not complete: %q", runnerStatus(t, ts, task.TaskID))
	}
	tr.CloseIdleConnections()
	if !waitFor(5*time.Second, func() bool { return runtime.NumGoroutine() <= base }) {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines 5s after the client left, %d before it came:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
	}
}
