package mcptasks_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestInitializeDeclaresTasks(t *testing.T) {
	for _, tc := range []struct {
		version string
		want    string
	}{
		{"2025-11-25", `{"cancel":{},"list":{},"requests":{"tools":{"call":{}}}}`},
		{"2025-06-18", `null`},
		{"2025-03-26", `null`},
	} {
		t.Run(tc.version, func(t *testing.T) {
			ts := newTestServer(t, serverOpts{})
			ct, st := mcp.NewInMemoryTransports()
			ss, err := ts.Connect(context.Background(), st, nil)
			must(t, err)
			defer ss.Close()
			conn, _ := ct.Connect(context.Background())
			c := &rawClient{t: t, conn: conn, check: newChecker(t), methods: map[jsonrpc.ID]string{}}
			var res struct {
				ProtocolVersion string         `json:"protocolVersion"`
				Capabilities    map[string]any `json:"capabilities"`
			}
			c.ok("initialize", map[string]any{"protocolVersion": tc.version, "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "raw", "version": "0"}}, &res)
			if res.ProtocolVersion != tc.version {
				t.Errorf("protocolVersion %q", res.ProtocolVersion)
			}
			if got, _ := json.Marshal(res.Capabilities["tasks"]); string(got) != tc.want {
				t.Errorf("capabilities.tasks = %s, want %s", got, tc.want)
			}
			if _, ok := res.Capabilities["tools"]; !ok {
				t.Errorf("capabilities lost the tools member: %v", res.Capabilities)
			}
		})
	}
}

func TestToolsListExecution(t *testing.T) {
	c := connect(t, newTestServer(t, serverOpts{}), "2025-11-25")
	var res struct {
		Tools []map[string]any `json:"tools"`
	}
	c.ok("tools/list", map[string]any{}, &res)
	want := map[string]string{"gated": `{"taskSupport":"optional"}`, "needs_task": `{"taskSupport":"required"}`, "plain": `null`, "fast": `null`,
		"get_task_status": `null`, "get_task_result": `null`, "cancel_task": `null`, "list_tasks": `null`}
	if len(res.Tools) != len(want) {
		t.Fatalf("tools %v", res.Tools)
	}
	for _, tool := range res.Tools {
		name := str(tool["name"])
		got, _ := json.Marshal(tool["execution"])
		if string(got) != want[name] {
			t.Errorf("%s: execution %s, want %s", name, got, want[name])
		}
		if tool["inputSchema"] == nil {
			t.Errorf("%s lost inputSchema", name)
		}
	}
}

func TestFallbackInTime(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	c := connect(t, ts, "2025-11-25")
	r := c.tool("fast", map[string]any{"n": 21})
	if r.IsError || string(r.StructuredContent) != `{"double":42}` || r.text() != `{"double":42}` {
		t.Fatalf("fast: %+v", r)
	}
	page, err := ts.Runner().Store().List(context.Background(), tasks.ListOptions{})
	must(t, err)
	if len(page.Records) != 0 {
		t.Errorf("a call in time left %d tasks in the store", len(page.Records))
	}
	// Arguments are checked against the input schema.
	bad := c.tool("fast", map[string]any{"n": "twenty"})
	if !bad.IsError || !strings.Contains(bad.text(), "n") || bad.StructuredContent != nil {
		t.Errorf("bad arguments: %+v", bad)
	}
}

func TestFallbackLate(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	c := connect(t, ts, "2025-11-25")
	r := c.tool("gated", map[string]any{})
	var resp models.AsyncTaskResponse
	must(t, models.Unmarshal(r.StructuredContent, &resp))
	if resp.Status != models.TaskStatusProcessing || !strings.HasPrefix(resp.RefID, "gated-") || r.text() != string(r.StructuredContent) {
		t.Fatalf("fallback answer %s", r.StructuredContent)
	}
	// Not complete yet: get_task_result says so.
	if early := c.tool(mcptasks.ToolGetTaskResult, map[string]any{"ref_id": resp.RefID}); !early.IsError || !strings.Contains(early.text(), "processing") {
		t.Errorf("early get_task_result: %+v", early)
	}
	var list struct {
		Tasks []models.AsyncTaskResponse `json:"tasks"`
	}
	lr := c.tool(mcptasks.ToolListTasks, map[string]any{"status": "processing"})
	must(t, json.Unmarshal(lr.StructuredContent, &list))
	if len(list.Tasks) != 1 || list.Tasks[0].RefID != resp.RefID {
		t.Errorf("list_tasks: %s", lr.StructuredContent)
	}
	ts.gate.open()
	c.pollStatus(resp.RefID, "complete")
	res := c.tool(mcptasks.ToolGetTaskResult, map[string]any{"ref_id": resp.RefID})
	if res.IsError || string(res.StructuredContent) != `{"answer":42}` {
		t.Errorf("get_task_result: %+v", res)
	}
	// The same task through MCP Tasks.
	if task := c.getTask(resp.RefID); task.Status != mcptasks.StatusCompleted {
		t.Errorf("tasks/get of a fallback task: %+v", task)
	}
	if none := c.tool(mcptasks.ToolGetTaskStatus, map[string]any{"ref_id": "nope"}); !none.IsError || !strings.Contains(none.text(), "nope") {
		t.Errorf("unknown ref_id: %+v", none)
	}
	if c.check.seen("async_task_response") < 3 {
		t.Errorf("checked %d AsyncTaskResponses", c.check.seen("async_task_response"))
	}
}

func TestCancelTool(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	c := connect(t, ts, "2025-06-18") // no MCP Tasks: the fallback tools alone
	r := c.tool("gated", map[string]any{})
	var resp models.AsyncTaskResponse
	must(t, models.Unmarshal(r.StructuredContent, &resp))
	cr := c.tool(mcptasks.ToolCancelTask, map[string]any{"ref_id": resp.RefID})
	var cancelled models.AsyncTaskResponse
	must(t, models.Unmarshal(cr.StructuredContent, &cancelled))
	if cancelled.Status != models.TaskStatusCancelled {
		t.Errorf("cancel_task: %s", cr.StructuredContent)
	}
	again := c.tool(mcptasks.ToolCancelTask, map[string]any{"ref_id": resp.RefID})
	if !again.IsError || !strings.Contains(again.text(), "cancelled") {
		t.Errorf("second cancel_task: %+v", again)
	}
	ts.gate.open() // the function returns after its cancellation; the task stays cancelled
	time.Sleep(50 * time.Millisecond)
	c.pollStatus(resp.RefID, "cancelled")
}

func TestTaskAugmentedCall(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	c := connect(t, ts, "2025-11-25")
	task := c.createTask("gated", map[string]any{}, map[string]any{"progressToken": "tok"})
	if task.Status != mcptasks.StatusWorking || task.Ttl == nil || task.PollInterval != 20 {
		t.Fatalf("created %+v", task)
	}
	// Progress after the CreateTaskResult, with the request's token.
	c.waitNote("progress 1/2", func(n *jsonrpc.Request) bool {
		return n.Method == "notifications/progress" && strings.Contains(string(n.Params), `"tok"`) && strings.Contains(string(n.Params), `"half"`)
	})
	var got mcptasks.Task
	for range 200 { // the runner writes progress every ProgressInterval
		if got = c.getTask(task.TaskID); got.StatusMessage == "half" {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got.Status != mcptasks.StatusWorking || got.StatusMessage != "half" {
		t.Errorf("tasks/get while working: %+v", got)
	}
	// tasks/result blocks until the task is terminal.
	id := c.send("tasks/result", map[string]any{"taskId": task.TaskID})
	if msg, err := c.read(100 * time.Millisecond); err == nil {
		if r, ok := msg.(*jsonrpc.Response); ok && r.ID == id {
			t.Fatalf("tasks/result answered before the task ended: %s", r.Result)
		}
	}
	ts.gate.open()
	r := c.wait(id)
	var res callResult
	must(t, json.Unmarshal(r.Result, &res))
	if string(res.StructuredContent) != `{"answer":42}` || res.IsError {
		t.Errorf("tasks/result: %s", r.Result)
	}
	rel, _ := res.Meta[mcptasks.RelatedTaskMetaKey].(map[string]any)
	if rel["taskId"] != task.TaskID {
		t.Errorf("related-task _meta: %v", res.Meta)
	}
	note := c.waitNote("notifications/tasks/status", func(n *jsonrpc.Request) bool { return n.Method == "notifications/tasks/status" })
	var st mcptasks.Task
	must(t, json.Unmarshal(note.Params, &st))
	if st.TaskID != task.TaskID || st.Status != mcptasks.StatusCompleted {
		t.Errorf("status notification %s", note.Params)
	}
	if got := c.getTask(task.TaskID); got.Status != mcptasks.StatusCompleted || got.LastUpdatedAt.Before(got.CreatedAt) {
		t.Errorf("tasks/get after: %+v", got)
	}
	if c.check.seen("task") < 4 {
		t.Errorf("checked %d Tasks", c.check.seen("task"))
	}
}

// TestTaskNeedsLift shows what the lift is for: through go-sdk's own
// connection, params.task is dropped and the call runs without a task.
func TestTaskNeedsLift(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	ts.gate.open()
	ct, st := mcp.NewInMemoryTransports()
	ss, err := ts.MCP().Connect(context.Background(), st, nil) // not ts.Connect
	must(t, err)
	defer ss.Close()
	c := dial(t, ct, "2025-11-25")
	r := c.call("tools/call", map[string]any{"name": "gated", "arguments": map[string]any{}, "task": map[string]any{"ttl": 1000}})
	if r.Error != nil || strings.Contains(string(r.Result), `"task"`) || !strings.Contains(string(r.Result), `"answer":42`) {
		t.Fatalf("without the lift: %v %s", r.Error, r.Result)
	}
}

func TestFailedTask(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	c := connect(t, ts, "2025-11-25")
	ts.gate.open()
	task := c.createTask("gated", map[string]any{"fail": "disk full"}, nil)
	var res callResult
	c.ok("tasks/result", map[string]any{"taskId": task.TaskID}, &res)
	if !res.IsError || !strings.Contains(res.text(), "disk full") {
		t.Errorf("tasks/result of a failed task: %+v", res)
	}
	if got := c.getTask(task.TaskID); got.Status != mcptasks.StatusFailed || got.StatusMessage != "disk full" {
		t.Errorf("tasks/get: %+v", got)
	}
	note := c.waitNote("failed status", func(n *jsonrpc.Request) bool {
		return n.Method == "notifications/tasks/status" && strings.Contains(string(n.Params), `"failed"`)
	})
	if !strings.Contains(string(note.Params), task.TaskID) {
		t.Errorf("status notification %s", note.Params)
	}
}

func TestCancelTask(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	c := connect(t, ts, "2025-11-25")
	task := c.createTask("gated", map[string]any{}, nil)
	var got mcptasks.Task
	c.ok("tasks/cancel", map[string]any{"taskId": task.TaskID}, &got)
	if got.Status != mcptasks.StatusCancelled {
		t.Fatalf("tasks/cancel: %+v", got)
	}
	c.waitNote("cancelled status", func(n *jsonrpc.Request) bool {
		return n.Method == "notifications/tasks/status" && strings.Contains(string(n.Params), `"cancelled"`)
	})
	ts.gate.open()
	time.Sleep(30 * time.Millisecond) // the function has returned; its result is discarded
	if after := c.getTask(task.TaskID); after.Status != mcptasks.StatusCancelled {
		t.Errorf("after the function returned: %+v", after)
	}
	code, msg := errCode(t, c.call("tasks/cancel", map[string]any{"taskId": task.TaskID}))
	if code != jsonrpc.CodeInvalidParams || !strings.Contains(msg, "cancelled") {
		t.Errorf("second cancel: %d %s", code, msg)
	}
	var res callResult
	c.ok("tasks/result", map[string]any{"taskId": task.TaskID}, &res)
	if !res.IsError {
		t.Errorf("tasks/result of a cancelled task: %+v", res)
	}
	for _, m := range []string{"tasks/get", "tasks/result", "tasks/cancel"} {
		if code, _ := errCode(t, c.call(m, map[string]any{"taskId": "no-such-task"})); code != jsonrpc.CodeInvalidParams {
			t.Errorf("%s of an unknown task: code %d", m, code)
		}
		if code, _ := errCode(t, c.call(m, map[string]any{})); code != jsonrpc.CodeInvalidParams {
			t.Errorf("%s without taskId: code %d", m, code)
		}
	}
}

func TestListPaging(t *testing.T) {
	ts := newTestServer(t, serverOpts{pageSize: 2})
	ts.gate.open()
	c := connect(t, ts, "2025-11-25")
	var ids []string
	for range 5 {
		ids = append(ids, c.createTask("gated", map[string]any{}, nil).TaskID)
	}
	var listed []string
	cursor := ""
	for page := 0; page < 10; page++ {
		var res struct {
			Tasks      []mcptasks.Task `json:"tasks"`
			NextCursor string          `json:"nextCursor"`
		}
		p := map[string]any{}
		if cursor != "" {
			p["cursor"] = cursor
		}
		c.ok("tasks/list", p, &res)
		if len(res.Tasks) > 2 {
			t.Fatalf("page of %d", len(res.Tasks))
		}
		for _, task := range res.Tasks {
			listed = append(listed, task.TaskID)
		}
		if cursor = res.NextCursor; cursor == "" {
			break
		}
	}
	slices.Sort(ids)
	if !slices.Equal(listed, ids) {
		t.Errorf("listed %v, want %v", listed, ids)
	}
	if code, _ := errCode(t, c.call("tasks/list", map[string]any{"cursor": "!!"})); code != jsonrpc.CodeInvalidParams {
		t.Errorf("bad cursor: code %d", code)
	}
}

func TestTaskSupportErrors(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	ts.gate.open()
	c := connect(t, ts, "2025-11-25")
	for _, name := range []string{"plain", "fast"} {
		r := c.call("tools/call", map[string]any{"name": name, "arguments": map[string]any{}, "task": map[string]any{}})
		if code, _ := errCode(t, r); code != jsonrpc.CodeMethodNotFound {
			t.Errorf("%s with a task: code %d", name, code)
		}
	}
	if code, _ := errCode(t, c.call("tools/call", map[string]any{"name": "needs_task", "arguments": map[string]any{}})); code != jsonrpc.CodeMethodNotFound {
		t.Errorf("needs_task without a task: code %d", code)
	}
	if code, _ := errCode(t, c.call("tools/call", map[string]any{"name": "gated", "arguments": map[string]any{"fail": 3}, "task": map[string]any{}})); code != jsonrpc.CodeInvalidParams {
		t.Errorf("task with bad arguments: code %d", code)
	}
	if code, _ := errCode(t, c.call("tools/call", map[string]any{"name": "gated", "arguments": map[string]any{}, "task": map[string]any{"ttl": "long"}})); code != jsonrpc.CodeInvalidParams {
		t.Errorf("task with a bad ttl: code %d", code)
	}
	task := c.createTask("needs_task", map[string]any{}, nil)
	if task.Status != mcptasks.StatusWorking {
		t.Errorf("needs_task with a task: %+v", task)
	}
	// An older protocol version has no tasks: params.task is ignored and
	// the call runs as a normal one.
	old := connect(t, ts, "2025-06-18")
	var r callResult
	old.ok("tools/call", map[string]any{"name": "gated", "arguments": map[string]any{}, "task": map[string]any{}}, &r)
	if string(r.StructuredContent) != `{"answer":42}` {
		t.Errorf("task on 2025-06-18: %+v", r)
	}
}

// TestCancelNotifiesCreator: a task created on one session and cancelled
// from another (tasks shared) sends its cancelled status to the session
// that created it.
func TestCancelNotifiesCreator(t *testing.T) {
	ts := newTestServer(t, serverOpts{shared: true})
	a := connect(t, ts, "2025-11-25")
	b := connect(t, ts, "2025-11-25")
	task := a.createTask("gated", map[string]any{}, nil)
	var got mcptasks.Task
	b.ok("tasks/cancel", map[string]any{"taskId": task.TaskID}, &got)
	if got.Status != mcptasks.StatusCancelled {
		t.Fatalf("tasks/cancel: %+v", got)
	}
	a.waitNote("cancelled status on the creating session", func(n *jsonrpc.Request) bool {
		return n.Method == "notifications/tasks/status" && strings.Contains(string(n.Params), task.TaskID) && strings.Contains(string(n.Params), `"cancelled"`)
	})
}
