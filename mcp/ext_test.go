package mcptasks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/mcp/internal/fixture"
	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// extServer serves the conformance fixture over HTTP behind the tap that
// validates every message it sends.
func extServer(t *testing.T) (*httptest.Server, *checker) {
	t.Helper()
	srv, err := fixture.New(fixture.Options{})
	must(t, err)
	t.Cleanup(func() { srv.Runner().Close(context.Background()) })
	c := newChecker(t)
	hs := httptest.NewServer(newTap(srv.HTTPHandler(nil, 0), c))
	t.Cleanup(hs.Close)
	return hs, c
}

// extClient speaks protocol revision 2026-07-28 over raw HTTP.
type extClient struct {
	t   *testing.T
	url string
	id  int
}

type rpcReply struct {
	status int
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int64           `json:"code"`
		Message string          `json:"message"`
		Data    json.RawMessage `json:"data"`
	} `json:"error"`
}

// call sends one request; ext declares the tasks extension in the
// request's client capabilities; headers override the routing headers
// ("" removes one).
func (c *extClient) call(method string, params map[string]any, ext bool, headers map[string]string) rpcReply {
	c.t.Helper()
	c.id++
	caps := map[string]any{"elicitation": map[string]any{}}
	if ext {
		caps["extensions"] = map[string]any{mcptasks.ExtensionID: map[string]any{}}
	}
	if params == nil {
		params = map[string]any{}
	}
	params["_meta"] = map[string]any{"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": caps}
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": c.id, "method": method, "params": params})
	req, _ := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", "2026-07-28")
	req.Header.Set("Mcp-Method", method)
	if name, ok := params["name"].(string); ok {
		req.Header.Set("Mcp-Name", name)
	}
	if id, ok := params["taskId"].(string); ok {
		req.Header.Set("Mcp-Name", id)
	}
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	must(c.t, err)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	for _, m := range append(sseMessages(data), decodeMsgs(data)...) {
		if string(m.ID) == fmt.Sprint(c.id) {
			var r rpcReply
			full, _ := json.Marshal(map[string]any{"result": m.Result, "error": m.Error})
			must(c.t, json.Unmarshal(full, &r))
			r.status = resp.StatusCode
			return r
		}
	}
	c.t.Fatalf("%s: no response with id %d in HTTP %d %s", method, c.id, resp.StatusCode, data)
	return rpcReply{}
}

func (c *extClient) ok(method string, params map[string]any, ext bool) map[string]any {
	c.t.Helper()
	r := c.call(method, params, ext, nil)
	if r.Error != nil {
		c.t.Fatalf("%s: error %d %s", method, r.Error.Code, r.Error.Message)
	}
	var m map[string]any
	must(c.t, json.Unmarshal(r.Result, &m))
	return m
}

func (c *extClient) code(method string, params map[string]any, ext bool, headers map[string]string) (int64, int, json.RawMessage) {
	c.t.Helper()
	r := c.call(method, params, ext, headers)
	if r.Error == nil {
		c.t.Fatalf("%s: want an error, got %s", method, r.Result)
	}
	return r.Error.Code, r.status, r.Error.Data
}

// poll calls tasks/get until the status is one of want, for 10 seconds.
func (c *extClient) poll(id string, want ...string) map[string]any {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := c.ok("tasks/get", map[string]any{"taskId": id}, true)
		for _, w := range want {
			if got["status"] == w {
				return got
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("task %s: status %v after 10s, want %v", id, got["status"], want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestExtDiscoverAndGating(t *testing.T) {
	hs, chk := extServer(t)
	c := &extClient{t: t, url: hs.URL}
	d := c.ok("server/discover", nil, false)
	caps := d["capabilities"].(map[string]any)
	if _, ok := caps["tasks"]; ok {
		t.Fatalf("server/discover has capabilities.tasks: %v", caps)
	}
	if ext, _ := caps["extensions"].(map[string]any); ext[mcptasks.ExtensionID] == nil {
		t.Fatalf("server/discover lacks the extension: %v", caps)
	}
	// Without the extension on the request: tasks/* and a task-only tool are -32021, HTTP 400.
	for _, m := range []string{"tasks/get", "tasks/update", "tasks/cancel"} {
		params := map[string]any{"taskId": "x", "inputResponses": map[string]any{}}
		if code, status, data := c.code(m, params, false, nil); code != mcptasks.CodeMissingRequiredClientCapability || status != http.StatusBadRequest ||
			!strings.Contains(string(data), `"requiredCapabilities":{"extensions":{"io.modelcontextprotocol/tasks":{}}}`) {
			t.Errorf("%s without the extension: %d HTTP %d %s", m, code, status, data)
		}
	}
	if code, _, data := c.code("tools/call", map[string]any{"name": "failing_job", "arguments": map[string]any{}}, false, nil); code != -32021 || !strings.Contains(string(data), mcptasks.ExtensionID) {
		t.Errorf("task-only tool without the extension: %d %s", code, data)
	}
	// A task-supporting tool for a non-declaring client: a result, no task.
	r := c.ok("tools/call", map[string]any{"name": "slow_compute", "arguments": map[string]any{"seconds": 0}}, false)
	if r["resultType"] != "complete" || r["taskId"] != nil {
		t.Errorf("non-declaring client got %v", r)
	}
	// The same client opting in on one request gets a task.
	r = c.ok("tools/call", map[string]any{"name": "slow_compute", "arguments": map[string]any{"seconds": 30}}, true)
	if r["resultType"] != "task" || r["taskId"] == nil {
		t.Fatalf("declaring request got %v", r)
	}
	id := r["taskId"].(string)
	c.ok("tasks/cancel", map[string]any{"taskId": id}, true)
	// Removed methods, unknown tasks.
	for _, m := range []string{"tasks/result", "tasks/list"} {
		if code, _, _ := c.code(m, map[string]any{"taskId": id}, true, nil); code != -32601 {
			t.Errorf("%s: %d, want -32601", m, code)
		}
	}
	for _, m := range []string{"tasks/get", "tasks/cancel", "tasks/update"} {
		if code, _, _ := c.code(m, map[string]any{"taskId": "no-such-task", "inputResponses": map[string]any{}}, true, nil); code != -32602 {
			t.Errorf("%s of an unknown task: %d, want -32602", m, code)
		}
	}
	// Mcp-Name: absent is accepted, a mismatch is -32020 with HTTP 400.
	if r := c.call("tasks/get", map[string]any{"taskId": id}, true, map[string]string{"Mcp-Name": ""}); r.Error != nil {
		t.Errorf("tasks/get without Mcp-Name: %v", r.Error)
	}
	if code, status, _ := c.code("tasks/get", map[string]any{"taskId": id}, true, map[string]string{"Mcp-Name": "another-task"}); code != mcptasks.CodeHeaderMismatch || status != http.StatusBadRequest {
		t.Errorf("mismatched Mcp-Name: %d HTTP %d", code, status)
	}
	if chk.seen("ext") == 0 || chk.seen("mcp_ext_ack_result") == 0 {
		t.Errorf("checked %v", chk.n)
	}
}

func TestExtServerDecidedTasks(t *testing.T) {
	hs, chk := extServer(t)
	c := &extClient{t: t, url: hs.URL}
	// In time: a plain result.
	if r := c.ok("tools/call", map[string]any{"name": "slow_compute", "arguments": map[string]any{"seconds": 0, "label": "now"}}, true); r["resultType"] != "complete" {
		t.Fatalf("fast call: %v", r)
	}
	// Late: a flat CreateTaskResult, resolvable at once, completed with the result inlined.
	r := c.ok("tools/call", map[string]any{"name": "slow_compute", "arguments": map[string]any{"seconds": 0.5, "label": "late"}}, true)
	if r["resultType"] != "task" || r["status"] != "working" || r["ttlMs"] == nil {
		t.Fatalf("late call: %v", r)
	}
	id := r["taskId"].(string)
	if got := c.ok("tasks/get", map[string]any{"taskId": id}, true); got["taskId"] != id {
		t.Fatalf("tasks/get right after: %v", got)
	}
	done := c.poll(id, "completed", "failed", "cancelled")
	res, _ := done["result"].(map[string]any)
	if done["status"] != "completed" || res == nil || !strings.Contains(fmt.Sprint(res["structuredContent"]), "late") {
		t.Fatalf("finished: %v", done)
	}
	// Cancel is idempotent on a finished task.
	if a := c.ok("tasks/cancel", map[string]any{"taskId": id}, true); a["resultType"] != "complete" || a["status"] != nil {
		t.Fatalf("cancel of a finished task: %v", a)
	}
	// A tool error: completed with isError.
	id = c.ok("tools/call", map[string]any{"name": "failing_job", "arguments": map[string]any{}}, true)["taskId"].(string)
	if got := c.poll(id, "completed", "failed"); got["status"] != "completed" || got["result"].(map[string]any)["isError"] != true {
		t.Fatalf("tool error: %v", got)
	}
	// A panic: failed with an inlined JSON-RPC error, no result.
	id = c.ok("tools/call", map[string]any{"name": "protocol_error_job", "arguments": map[string]any{}}, true)["taskId"].(string)
	got := c.poll(id, "completed", "failed")
	e, _ := got["error"].(map[string]any)
	if got["status"] != "failed" || got["result"] != nil || e["code"] != float64(-32603) || !strings.Contains(fmt.Sprint(e["message"]), "panic") {
		t.Fatalf("panic: %v", got)
	}
	// Cancelling a running task settles it to cancelled.
	id = c.ok("tools/call", map[string]any{"name": "slow_compute", "arguments": map[string]any{"seconds": 60}}, true)["taskId"].(string)
	c.ok("tasks/cancel", map[string]any{"taskId": id}, true)
	if got := c.poll(id, "completed", "failed", "cancelled"); got["status"] != "cancelled" {
		t.Fatalf("after cancel: %v", got)
	}
	for _, k := range []string{"mcp_ext_create_task_result", "ext:task:completed", "ext:task:failed", "ext:task:cancelled", "ext:task:working"} {
		if chk.seen(k) == 0 {
			t.Errorf("no %s checked: %v", k, chk.n)
		}
	}
}

func TestExtInputRequired(t *testing.T) {
	hs, chk := extServer(t)
	c := &extClient{t: t, url: hs.URL}
	id := c.ok("tools/call", map[string]any{"name": "multi_input", "arguments": map[string]any{}}, true)["taskId"].(string)
	var reqs map[string]any
	deadline := time.Now().Add(10 * time.Second)
	for len(reqs) < 2 {
		got := c.poll(id, "input_required")
		reqs, _ = got["inputRequests"].(map[string]any)
		if time.Now().After(deadline) {
			t.Fatalf("inputRequests %v", reqs)
		}
	}
	keys := make([]string, 0, 2)
	for k, v := range reqs {
		if v.(map[string]any)["method"] != "elicitation/create" {
			t.Fatalf("request %s: %v", k, v)
		}
		keys = append(keys, k)
	}
	answer := func(k, name string) {
		a := c.ok("tasks/update", map[string]any{"taskId": id, "inputResponses": map[string]any{k: map[string]any{"action": "accept", "content": map[string]any{"name": name}}}}, true)
		if a["resultType"] != "complete" || a["taskId"] != nil {
			t.Fatalf("tasks/update ack %v", a)
		}
	}
	answer(keys[0], "first")
	answer(keys[0], "again") // idempotent per key: ignored
	got := c.ok("tasks/get", map[string]any{"taskId": id}, true)
	left, _ := got["inputRequests"].(map[string]any)
	if got["status"] != "input_required" || len(left) != 1 || left[keys[1]] == nil {
		t.Fatalf("after one answer: %v", got)
	}
	answer(keys[1], "second")
	done := c.poll(id, "completed", "failed", "cancelled")
	if done["status"] != "completed" || !strings.Contains(fmt.Sprint(done["result"]), "first") || strings.Contains(fmt.Sprint(done["result"]), "again") {
		t.Fatalf("finished: %v", done)
	}
	// The multi round-trip phase before a task: input_required without a task, then the task.
	r := c.ok("tools/call", map[string]any{"name": "test_tool_with_task", "arguments": map[string]any{}}, true)
	in, _ := r["inputRequests"].(map[string]any)
	if r["resultType"] != "input_required" || r["taskId"] != nil || in["user_name"] == nil {
		t.Fatalf("round 1: %v", r)
	}
	r = c.ok("tools/call", map[string]any{"name": "test_tool_with_task", "arguments": map[string]any{},
		"inputResponses": map[string]any{"user_name": map[string]any{"action": "accept", "content": map[string]any{"name": "Alice"}}}}, true)
	if r["resultType"] != "task" {
		t.Fatalf("round 2: %v", r)
	}
	if got := c.poll(r["taskId"].(string), "completed", "failed"); !strings.Contains(fmt.Sprint(got["result"]), "Hello, Alice!") {
		t.Fatalf("greeting: %v", got)
	}
	if chk.seen("ext:task:input_required") == 0 || chk.seen("ext:input_required") == 0 {
		t.Errorf("checked %v", chk.n)
	}
}

// An error never echoes a long tool name, and keeps its data.
func TestExtErrorsClipped(t *testing.T) {
	hs, _ := extServer(t)
	c := &extClient{t: t, url: hs.URL}
	long := strings.Repeat("x", 5000)
	r := c.call("tools/call", map[string]any{"name": long, "arguments": map[string]any{}}, true, map[string]string{"Mcp-Name": long})
	if r.Error == nil || len(r.Error.Message) > 600 {
		t.Fatalf("unknown long tool: %+v", r.Error)
	}
}

// TestExtTTL: a task is readable for its ttlMs from creation; a running
// task outlives the TTL (its ttlMs grows), a finished one is kept the TTL
// after it finished and is then unknown.
func TestExtTTL(t *testing.T) {
	const ttl = 300 * time.Millisecond
	r, err := tasks.NewRunner(tasks.Options{Store: tasks.NewMemoryStore(tasks.MemoryOptions{TTL: ttl})})
	must(t, err)
	t.Cleanup(func() { r.Close(context.Background()) })
	srv, err := fixture.New(fixture.Options{Runner: r, TTL: ttl})
	must(t, err)
	hs := httptest.NewServer(newTap(srv.HTTPHandler(nil, 0), newChecker(t)))
	t.Cleanup(hs.Close)
	c := &extClient{t: t, url: hs.URL}
	created := c.ok("tools/call", map[string]any{"name": "slow_compute", "arguments": map[string]any{"seconds": 3}}, true)
	if created["ttlMs"].(float64) < float64(ttl.Milliseconds()) {
		t.Fatalf("ttlMs at creation: %v", created["ttlMs"])
	}
	id := created["taskId"].(string)
	time.Sleep(2 * ttl) // past the TTL from creation, still running
	got := c.ok("tasks/get", map[string]any{"taskId": id}, true)
	if got["status"] != "working" || got["ttlMs"].(float64) < float64((2*ttl+ttl).Milliseconds()) {
		t.Fatalf("running past the TTL: %v", got)
	}
	done := c.poll(id, "completed", "failed", "cancelled")
	if done["status"] != "completed" {
		t.Fatalf("the TTL stopped the work: %v", done)
	}
	createdAt, _ := time.Parse(time.RFC3339Nano, done["createdAt"].(string))
	finished, _ := time.Parse(time.RFC3339Nano, done["lastUpdatedAt"].(string))
	if want := finished.Sub(createdAt) + ttl; done["ttlMs"].(float64) != float64(want.Milliseconds()) {
		t.Fatalf("finished: ttlMs %v, want %d (finish - creation + TTL)", done["ttlMs"], want.Milliseconds())
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := c.call("tasks/get", map[string]any{"taskId": id}, true, nil)
		if r.Error != nil {
			if r.Error.Code != -32602 || time.Since(finished) < ttl {
				t.Fatalf("after %s: %+v", time.Since(finished), r.Error)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still readable 10s after its ttlMs")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestExtRequiredAlwaysTask: a tool with required task support answers a
// declaring client with a task even when its work is instant.
func TestExtRequiredAlwaysTask(t *testing.T) {
	r, err := tasks.NewRunner(tasks.Options{})
	must(t, err)
	t.Cleanup(func() { r.Close(context.Background()) })
	srv, err := mcptasks.New(mcp.NewServer(&mcp.Implementation{Name: "t", Version: "0"}, nil), mcptasks.Options{Runner: r})
	must(t, err)
	type none struct{}
	must(t, mcptasks.AddTool(srv, &mcp.Tool{Name: "instant"}, func(context.Context, none, *mcptasks.Progress) (none, error) { return none{}, nil },
		mcptasks.ToolOptions{TaskSupport: mcptasks.TaskRequired}))
	hs := httptest.NewServer(newTap(srv.HTTPHandler(nil, 0), newChecker(t)))
	t.Cleanup(hs.Close)
	c := &extClient{t: t, url: hs.URL}
	for i := range 500 {
		if got := c.ok("tools/call", map[string]any{"name": "instant", "arguments": map[string]any{}}, true); got["resultType"] != "task" {
			t.Fatalf("call %d: %v", i, got)
		}
	}
}

// TestExtTaskNotifications: subscriptions/listen with taskIds acknowledges
// the requestor's known tasks only, sends notifications/tasks with the full
// task on each change (validated by the tap), and ends once they finished.
func TestExtTaskNotifications(t *testing.T) {
	hs, chk := extServer(t)
	c := &extClient{t: t, url: hs.URL}
	id := c.ok("tools/call", map[string]any{"name": "slow_compute", "arguments": map[string]any{"seconds": 1, "label": "watched"}}, true)["taskId"].(string)
	listen := func(ext bool) (int, []wireMsg) {
		caps := map[string]any{}
		if ext {
			caps["extensions"] = map[string]any{mcptasks.ExtensionID: map[string]any{}}
		}
		body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 77, "method": "subscriptions/listen", "params": map[string]any{
			"_meta":         map[string]any{"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": caps},
			"notifications": map[string]any{"taskIds": []string{id, "no-such-task"}}}})
		req, _ := http.NewRequest(http.MethodPost, hs.URL, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("MCP-Protocol-Version", "2026-07-28")
		req.Header.Set("Mcp-Method", "subscriptions/listen")
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		resp, err := http.DefaultClient.Do(req.WithContext(ctx))
		must(t, err)
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, append(sseMessages(data), decodeMsgs(data)...)
	}
	if status, msgs := listen(false); status != http.StatusBadRequest || len(msgs) != 1 || !strings.Contains(string(msgs[0].Error), "-32021") {
		t.Fatalf("without the extension: HTTP %d %+v", status, msgs)
	}
	status, msgs := listen(true)
	if status != http.StatusOK || len(msgs) < 3 {
		t.Fatalf("listen: HTTP %d, %d messages", status, len(msgs))
	}
	if msgs[0].Method != "notifications/subscriptions/acknowledged" || !strings.Contains(string(msgs[0].Params), `"taskIds":["`+id+`"]`) {
		t.Fatalf("first message %s %s", msgs[0].Method, msgs[0].Params)
	}
	var statuses []string
	for _, m := range msgs[1 : len(msgs)-1] {
		var p struct {
			TaskID string `json:"taskId"`
			Status string `json:"status"`
		}
		must(t, json.Unmarshal(m.Params, &p))
		if m.Method != "notifications/tasks" || p.TaskID != id {
			t.Fatalf("notification %s %s", m.Method, m.Params)
		}
		statuses = append(statuses, p.Status)
	}
	if statuses[0] != "working" || statuses[len(statuses)-1] != "completed" || !has(msgs[len(msgs)-2].Params, "result") {
		t.Fatalf("statuses %v, last %s", statuses, msgs[len(msgs)-2].Params)
	}
	if end := msgs[len(msgs)-1]; string(end.ID) != "77" || end.Result == nil {
		t.Fatalf("the stream does not end with the listen's result: %+v", end)
	}
	if chk.seen("ext:task:completed") == 0 {
		t.Errorf("no notification checked: %v", chk.n)
	}
}
