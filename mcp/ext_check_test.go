package mcptasks_test

import (
	"encoding/json"
)

// extResponse checks a result of protocol revision 2026-07-28, which
// carries resultType; it reports whether the result was one.
func (c *checker) extResponse(method string, result json.RawMessage) bool {
	c.t.Helper()
	var probe struct {
		ResultType *string         `json:"resultType"`
		TaskID     *string         `json:"taskId"`
		Task       json.RawMessage `json:"task"`
		SC         json.RawMessage `json:"structuredContent"`
		IsError    bool            `json:"isError"`
	}
	if json.Unmarshal(result, &probe) != nil || probe.ResultType == nil {
		return false
	}
	c.count("ext")
	switch {
	case method == "tools/call" && *probe.ResultType == "task":
		c.validate("mcp_ext_create_task_result", result)
		for _, k := range []string{"task", "result", "error", "inputRequests", "requestState", "ttl", "pollInterval"} {
			if has(result, k) {
				c.fail("a CreateTaskResult with %q: %s", k, result)
			}
		}
	case method == "tools/call" && *probe.ResultType == "input_required":
		c.count("ext:input_required")
		if probe.TaskID != nil || !has(result, "inputRequests") {
			c.fail("an InputRequiredResult with a taskId or without inputRequests: %s", result)
		}
	case method == "tools/call":
		c.validate("mcp_ext_result_type_complete", json.RawMessage(`"`+*probe.ResultType+`"`))
		if probe.TaskID != nil || probe.Task != nil {
			c.fail("a complete tools/call result with a task: %s", result)
		}
		c.structured(probe.SC, probe.IsError)
	case method == "tasks/get":
		c.validate("mcp_ext_result_type_complete", json.RawMessage(`"`+*probe.ResultType+`"`))
		c.extDetailed(method, result)
	case method == "tasks/update" || method == "tasks/cancel":
		c.validate("mcp_ext_ack_result", result)
		for _, k := range []string{"taskId", "status", "result", "error", "inputRequests"} {
			if has(result, k) {
				c.fail("%s acknowledgement with %q: %s", method, k, result)
			}
		}
	default:
		c.validate("mcp_ext_result_type_complete", json.RawMessage(`"`+*probe.ResultType+`"`))
	}
	return true
}

// extDetailed checks a DetailedTask (tasks/get, notifications/tasks): the
// schema, and result, error and inputRequests exactly with their status.
func (c *checker) extDetailed(where string, data json.RawMessage) {
	c.t.Helper()
	c.validate("mcp_ext_detailed_task", data)
	var t struct {
		Status string          `json:"status"`
		Result json.RawMessage `json:"result"`
	}
	if json.Unmarshal(data, &t) != nil {
		c.fail("%s: not an object: %s", where, data)
		return
	}
	pairs := map[string]string{"completed": "result", "failed": "error", "input_required": "inputRequests"}
	for st, k := range pairs {
		if (t.Status == st) != has(data, k) {
			c.fail("%s: status %s with %q present=%v: %s", where, t.Status, k, has(data, k), data)
		}
	}
	var reqs struct {
		InputRequests map[string]struct {
			Method string `json:"method"`
			Params struct {
				Mode *string `json:"mode"`
			} `json:"params"`
		} `json:"inputRequests"`
	}
	_ = json.Unmarshal(data, &reqs)
	for k, r := range reqs.InputRequests {
		switch {
		case r.Method != "elicitation/create" && r.Method != "sampling/createMessage":
			c.fail("%s: inputRequests[%s] has method %q", where, k, r.Method)
		case r.Method == "elicitation/create" && r.Params.Mode != nil && *r.Params.Mode != "form" && *r.Params.Mode != "url":
			c.fail("%s: inputRequests[%s] has elicitation mode %q", where, k, *r.Params.Mode)
		}
	}
	if t.Result != nil {
		var r struct {
			Meta map[string]any `json:"_meta"`
		}
		_ = json.Unmarshal(t.Result, &r)
		if _, ok := r.Meta["io.modelcontextprotocol/related-task"]; ok {
			c.fail("%s: an inlined result with the related-task _meta: %s", where, data)
		}
		c.validate("mcp_ext_tool_result", t.Result)
	}
	c.count("ext:task:" + t.Status)
}

// has reports whether the JSON object has the member.
func has(obj json.RawMessage, key string) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(obj, &m) != nil {
		return false
	}
	_, ok := m[key]
	return ok
}
