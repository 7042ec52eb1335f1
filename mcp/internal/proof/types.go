package proof

import "github.com/modelcontextprotocol/go-sdk/mcp"

// Task is the 2025-11-25 Task object (schema.ts "interface Task").
type Task struct {
	TaskID        string `json:"taskId"`
	Status        string `json:"status"`
	StatusMessage string `json:"statusMessage,omitempty"`
	CreatedAt     string `json:"createdAt"`
	LastUpdatedAt string `json:"lastUpdatedAt"`
	// TTL is required on the wire; null means unlimited.
	TTL          *int64 `json:"ttl"`
	PollInterval *int64 `json:"pollInterval,omitempty"`
}

// Terminal reports whether status is completed, failed or cancelled.
func (t Task) Terminal() bool {
	return t.Status == "completed" || t.Status == "failed" || t.Status == "cancelled"
}

// TaskMetadata is params.task of a task-augmented request.
type TaskMetadata struct {
	TTL *int64 `json:"ttl,omitempty"`
}

// CreateTaskResult answers a task-augmented tools/call. Embedding
// mcp.ResultBase makes any struct an mcp.Result (shared.go:818-830).
type CreateTaskResult struct {
	mcp.ResultBase
	Task Task `json:"task"`
}

// TaskResult is the result of tasks/get and tasks/cancel: the Task's fields
// at the top level of the result, next to _meta.
type TaskResult struct {
	mcp.ResultBase
	Task
}

// TaskIDParams are the params of tasks/get, tasks/result and tasks/cancel.
type TaskIDParams struct {
	mcp.ParamsBase
	TaskID string `json:"taskId"`
}

// ListTasksParams are the params of tasks/list.
type ListTasksParams struct {
	mcp.ParamsBase
	Cursor string `json:"cursor,omitempty"`
}

// ListTasksResult is the result of tasks/list.
type ListTasksResult struct {
	mcp.ResultBase
	Tasks      []Task `json:"tasks"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// ToolExecution is Tool.execution; TaskSupport is forbidden, optional or
// required (absent means forbidden).
type ToolExecution struct {
	TaskSupport string `json:"taskSupport,omitempty"`
}

// toolWithExecution adds the execution member that mcp.Tool lacks. The
// embedded pointer keeps every other field; mcp.Tool has no MarshalJSON.
type toolWithExecution struct {
	*mcp.Tool
	Execution *ToolExecution `json:"execution,omitempty"`
}

// listToolsResult shadows ListToolsResult.Tools (depth 0 wins over the
// embedded field) and keeps _meta and nextCursor; the embedded pointer also
// makes it an mcp.Result.
type listToolsResult struct {
	*mcp.ListToolsResult
	Tools []toolWithExecution `json:"tools"`
}

// initializeResult shadows InitializeResult.Capabilities with a JSON object
// that has the "tasks" member ServerCapabilities lacks.
type initializeResult struct {
	*mcp.InitializeResult
	Capabilities map[string]any `json:"capabilities"`
}

// RelatedTaskMetaKey is the _meta key tying a message to its task.
const RelatedTaskMetaKey = "io.modelcontextprotocol/related-task"
