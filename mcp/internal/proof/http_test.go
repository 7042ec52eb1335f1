package proof

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// httpClient speaks streamable HTTP by hand, so the test needs no node.
type httpClient struct {
	t       *testing.T
	url     string
	session string
	id      int
}

type wireMsg struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int64  `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// readSSE sends the JSON messages of an SSE body to out until it ends.
func readSSE(r io.Reader, out chan<- wireMsg) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<22)
	for sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			var m wireMsg
			if json.Unmarshal([]byte(data), &m) == nil {
				out <- m
			}
		}
	}
}

func (c *httpClient) post(method string, params any, notification bool) []wireMsg {
	c.t.Helper()
	msg := map[string]any{"jsonrpc": "2.0", "method": method, "params": params}
	if !notification {
		c.id++
		msg["id"] = c.id
	}
	body, _ := json.Marshal(msg)
	req, _ := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", "2025-11-25")
	if c.session != "" {
		req.Header.Set("Mcp-Session-Id", c.session)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	if sid := resp.Header.Get("Mcp-Session-Id"); sid != "" {
		c.session = sid
	}
	if resp.StatusCode == http.StatusAccepted {
		return nil
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		c.t.Fatalf("%s: HTTP %d %s", method, resp.StatusCode, b)
	}
	var out []wireMsg
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "text/event-stream" {
		ch := make(chan wireMsg, 64)
		go func() { readSSE(resp.Body, ch); close(ch) }()
		for m := range ch {
			out = append(out, m)
		}
		return out
	}
	var m wireMsg
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		c.t.Fatal(err)
	}
	return append(out, m)
}

// result returns the response among msgs, failing on a JSON-RPC error.
func (c *httpClient) result(msgs []wireMsg, into any) {
	c.t.Helper()
	for _, m := range msgs {
		if len(m.ID) == 0 {
			continue
		}
		if m.Error != nil {
			c.t.Fatalf("error %d %s", m.Error.Code, m.Error.Message)
		}
		if err := json.Unmarshal(m.Result, into); err != nil {
			c.t.Fatal(err)
		}
		return
	}
	c.t.Fatalf("no response in %v", msgs)
}

// TestStreamableHTTP proves the HTTP mechanisms without node: the body lift
// (task-augmented tools/call), custom tasks/* methods through go-sdk's
// early method check, progress after the CreateTaskResult on the GET
// stream, and notifications/tasks/status injected into the GET stream.
func TestStreamableHTTP(t *testing.T) {
	srv := httptest.NewServer(NewHTTPHandler())
	defer srv.Close()
	c := &httpClient{t: t, url: srv.URL}
	var init struct {
		Capabilities map[string]any `json:"capabilities"`
	}
	c.result(c.post("initialize", map[string]any{"protocolVersion": "2025-11-25", "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "raw", "version": "0"}}, false), &init)
	if init.Capabilities["tasks"] == nil || c.session == "" {
		t.Fatalf("initialize: %v, session %q", init.Capabilities, c.session)
	}
	c.post("notifications/initialized", map[string]any{}, true)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	get, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	get.Header.Set("Accept", "text/event-stream")
	get.Header.Set("Mcp-Session-Id", c.session)
	get.Header.Set("Mcp-Protocol-Version", "2025-11-25")
	resp, err := http.DefaultClient.Do(get)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET stream: %v %v", err, resp)
	}
	defer resp.Body.Close()
	stream := make(chan wireMsg, 64)
	// go-sdk writes the GET stream's headers after it registered the stream
	// (streamable.go acquireStream), so from here on it takes notifications.
	go readSSE(resp.Body, stream)

	var created CreateTaskResult
	c.result(c.post("tools/call", map[string]any{"name": "slow", "arguments": map[string]any{"ms": 200}, "task": map[string]any{"ttl": 60000}, "_meta": map[string]any{"progressToken": "tok"}}, false), &created)
	if created.Task.Status != "working" || created.Task.TaskID == "" {
		t.Fatalf("CreateTaskResult %+v", created)
	}
	var res struct {
		Meta map[string]any `json:"_meta"`
	}
	c.result(c.post("tasks/result", map[string]any{"taskId": created.Task.TaskID}, false), &res)
	if rel, _ := res.Meta[RelatedTaskMetaKey].(map[string]any); rel["taskId"] != created.Task.TaskID {
		t.Fatalf("tasks/result _meta %v", res.Meta)
	}
	progress, status := 0, ""
	for status != "completed" || progress < 4 {
		select {
		case m := <-stream:
			switch m.Method {
			case "notifications/progress":
				progress++
			case "notifications/tasks/status":
				var task Task
				json.Unmarshal(m.Params, &task)
				if task.TaskID == created.Task.TaskID {
					status = task.Status
				}
			}
		case <-ctx.Done():
			t.Fatalf("GET stream: %d progress notifications, status %q", progress, status)
		}
	}
}
