package mcptasks_test

import (
	"encoding/json"
	"sync"
	"testing"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/models"
)

// checker validates every payload the server sends in a test against the
// schemas of schema/, by the method of the request it answers, and counts
// what it checked so that a test can require that each kind was seen.
type checker struct {
	t  testing.TB
	mu sync.Mutex
	n  map[string]int
}

func newChecker(t testing.TB) *checker { return &checker{t: t, n: map[string]int{}} }

func (c *checker) count(kind string) {
	c.mu.Lock()
	c.n[kind]++
	c.mu.Unlock()
}

// seen returns how many payloads of the kind were checked.
func (c *checker) seen(kind string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[kind]
}

func (c *checker) fail(format string, args ...any) {
	c.t.Helper()
	c.t.Errorf(format, args...)
}

// validate checks data against the schema with the given stem.
func (c *checker) validate(stem string, data []byte) {
	c.t.Helper()
	if err := models.ValidateJSON(stem, data); err != nil {
		c.fail("payload rejected by schema %s: %v\n%s", stem, err, data)
		return
	}
	c.count(stem)
}

// response checks the result of a request with the given method.
func (c *checker) response(method string, result json.RawMessage) {
	c.t.Helper()
	c.count(method)
	if c.extResponse(method, result) { // protocol revision 2026-07-28 (ext_check_test.go)
		return
	}
	switch method {
	case "tools/call", "tasks/result":
		var r struct {
			Task              json.RawMessage `json:"task"`
			StructuredContent json.RawMessage `json:"structuredContent"`
			IsError           bool            `json:"isError"`
			Meta              map[string]struct {
				TaskID string `json:"taskId"`
			} `json:"_meta"`
		}
		if err := json.Unmarshal(result, &r); err != nil {
			c.fail("%s: %v in %s", method, err, result)
			return
		}
		if r.Task != nil {
			c.validate("mcp_create_task_result", result)
			c.task("create_task_result", r.Task)
			return
		}
		if method == "tasks/result" {
			if r.Meta[mcptasks.RelatedTaskMetaKey].TaskID == "" {
				c.fail("tasks/result without the related-task _meta: %s", result)
			}
		}
		c.structured(r.StructuredContent, r.IsError)
	case "tasks/get", "tasks/cancel":
		c.task(method, result)
	case "tasks/list":
		c.validate("mcp_list_tasks_result", result)
		var r struct {
			Tasks []json.RawMessage `json:"tasks"`
		}
		if err := json.Unmarshal(result, &r); err != nil || r.Tasks == nil {
			c.fail("tasks/list: no tasks array in %s", result)
			return
		}
		for _, t := range r.Tasks {
			c.task("tasks/list", t)
		}
		c.count("tasks/list")
	}
}

// notification checks a notification the server sent.
func (c *checker) notification(method string, params json.RawMessage) {
	c.t.Helper()
	if method == "notifications/tasks" {
		c.extDetailed(method, params)
	}
	if method == "notifications/tasks/status" {
		c.task(method, params)
	}
	if method == "notifications/progress" {
		c.count(method)
	}
}

// structured checks a tool's structuredContent: an AsyncTaskResponse, a
// list_tasks page, or a tool's own output (checked by the tool).
func (c *checker) structured(sc json.RawMessage, isError bool) {
	c.t.Helper()
	if isError {
		if sc != nil {
			c.fail("an isError result with structuredContent %s", sc)
		}
		return
	}
	var probe struct {
		RefID *string           `json:"ref_id"`
		Tasks []json.RawMessage `json:"tasks"`
	}
	if json.Unmarshal(sc, &probe) != nil {
		c.fail("structuredContent is not an object: %s", sc)
		return
	}
	switch {
	case probe.RefID != nil:
		c.validate("async_task_response", sc)
	case probe.Tasks != nil:
		c.validate("async_task_page", sc)
		for _, t := range probe.Tasks {
			c.validate("async_task_response", t)
		}
		c.count("list_tasks")
	default:
		c.count("tool_output")
	}
}

// task checks an MCP Task against schema/mcp_task.schema.json.
func (c *checker) task(where string, data json.RawMessage) {
	c.t.Helper()
	c.validate("mcp_task", data)
	c.count("task")
	c.count("task:" + where)
}
