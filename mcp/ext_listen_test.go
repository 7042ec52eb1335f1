package mcptasks_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
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
	if n, stacks := goroutinesIn(listenFrame); n != 0 {
		t.Fatalf("a listen is running before the test starts:\n%s", stacks)
	}
	base := runtime.NumGoroutine()

	cr, sw := io.Pipe()
	sr, cw := io.Pipe()
	ss, err := ts.Connect(context.Background(), &mcp.IOTransport{Reader: sr, Writer: sw}, nil)
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
