package mcptasks_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// sseMessages reads the JSON-RPC messages of an SSE body until it ends.
func sseMessages(body []byte) []wireMsg {
	var out []wireMsg
	sc := bufio.NewScanner(strings.NewReader(string(body)))
	sc.Buffer(make([]byte, 1<<16), 1<<22)
	for sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			out = append(out, decodeMsgs([]byte(data))...)
		}
	}
	return out
}

// TestStreamableHTTP checks the HTTP side without node: the body lift
// (a task-augmented tools/call through go-sdk's streamable handler),
// tasks/* through its early method check, and, on the session's GET
// stream, progress after the CreateTaskResult and the injected
// notifications/tasks/status; every message is checked by the tap.
func TestStreamableHTTP(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	check := newChecker(t)
	hs := loopbackServer(t, newTap(ts.HTTPHandler(nil, 0), check))
	c := &benchClient{tb: t, hc: &http.Client{}, url: hs.URL}
	c.post("initialize", map[string]any{"protocolVersion": "2025-11-25", "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "http", "version": "0"}})
	c.postRaw([]byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}`))

	// The standalone GET stream, read in the background.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, hs.URL, nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Mcp-Session-Id", c.session)
	req.Header.Set("Mcp-Protocol-Version", "2025-11-25")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET stream: HTTP %d", resp.StatusCode)
	}
	stream := make(chan wireMsg, 64)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				for _, m := range decodeMsgs([]byte(data)) {
					stream <- m
				}
			}
		}
		close(stream)
	}()
	time.Sleep(50 * time.Millisecond) // let the server register the stream

	msgs := sseMessages(c.post("tools/call", map[string]any{"name": "gated", "arguments": map[string]any{},
		"task": map[string]any{"ttl": 1000}, "_meta": map[string]any{"progressToken": "h1"}}))
	var created struct {
		Result struct {
			Task struct {
				TaskID string `json:"taskId"`
				Status string `json:"status"`
			} `json:"task"`
		} `json:"result"`
	}
	if len(msgs) != 1 || json.Unmarshal(mustJSON(t, msgs[0]), &created) != nil || created.Result.Task.Status != "working" {
		t.Fatalf("task-augmented call over HTTP: %+v", msgs)
	}
	id := created.Result.Task.TaskID
	ts.gate.open()
	var gotProgress, gotStatus bool
	for deadline := time.After(10 * time.Second); !gotStatus; {
		select {
		case m, ok := <-stream:
			if !ok {
				t.Fatal("GET stream ended")
			}
			if m.Method == "notifications/progress" && strings.Contains(string(m.Params), `"h1"`) {
				gotProgress = true
			}
			if m.Method == "notifications/tasks/status" && strings.Contains(string(m.Params), id) && strings.Contains(string(m.Params), `"completed"`) {
				gotStatus = true
			}
		case <-deadline:
			t.Fatalf("no completed notifications/tasks/status on the GET stream (progress seen: %v)", gotProgress)
		}
	}
	if !gotProgress {
		t.Error("no progress on the GET stream after the CreateTaskResult")
	}
	out := string(c.post("tasks/result", map[string]any{"taskId": id}))
	if !strings.Contains(out, `"answer":42`) || !strings.Contains(out, "io.modelcontextprotocol/related-task") {
		t.Errorf("tasks/result over HTTP: %s", out)
	}
	if out := string(c.post("tasks/list", map[string]any{})); !strings.Contains(out, id) {
		t.Errorf("tasks/list over HTTP: %s", out)
	}
	for _, kind := range []string{"mcp_create_task_result", "task:notifications/tasks/status", "tasks/result", "mcp_list_tasks_result"} {
		if check.seen(kind) == 0 {
			t.Errorf("the tap checked no %s", kind)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHTTPNoGetStream: without a GET stream, progress and status
// notifications after the CreateTaskResult have nowhere to go; the task
// still runs to its end and tasks/result answers.
func TestHTTPNoGetStream(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	check := newChecker(t)
	hs := loopbackServer(t, newTap(ts.HTTPHandler(nil, 0), check))
	c := &benchClient{tb: t, hc: &http.Client{Timeout: 10 * time.Second}, url: hs.URL}
	c.post("initialize", map[string]any{"protocolVersion": "2025-11-25", "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "http", "version": "0"}})
	c.postRaw([]byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}`))
	out := string(c.post("tools/call", map[string]any{"name": "gated", "arguments": map[string]any{},
		"task": map[string]any{}, "_meta": map[string]any{"progressToken": 5}}))
	i := strings.Index(out, `"taskId":"`)
	if i < 0 {
		t.Fatalf("no task: %s", out)
	}
	id := out[i+len(`"taskId":"`):]
	id = id[:strings.IndexByte(id, '"')]
	ts.gate.open()
	if res := string(c.post("tasks/result", map[string]any{"taskId": id})); !strings.Contains(res, `"answer":42`) {
		t.Errorf("tasks/result: %s", res)
	}
}
