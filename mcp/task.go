package mcptasks

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Task is the MCP Task object of protocol revision 2025-11-25: the result
// of tasks/get and tasks/cancel, the task of a CreateTaskResult, the params
// of notifications/tasks/status. It is the model generated from
// schema/mcp_task.schema.json: its MarshalJSON and UnmarshalJSON check it
// against the schema.
type Task = models.MCPTask

// TaskStatus is the status of an MCP task (schema/mcp_task_status.schema.json).
type TaskStatus = models.MCPTaskStatus

// The statuses of an MCP task. input_required is never produced by this
// package (its tools do not ask the client for input).
const (
	StatusWorking       = models.MCPTaskStatusWorking
	StatusInputRequired = models.MCPTaskStatusInputRequired
	StatusCompleted     = models.MCPTaskStatusCompleted
	StatusFailed        = models.MCPTaskStatusFailed
	StatusCancelled     = models.MCPTaskStatusCancelled
)

// Terminal reports whether the status never changes again: completed,
// failed or cancelled.
func Terminal(s TaskStatus) bool {
	return s == StatusCompleted || s == StatusFailed || s == StatusCancelled
}

// TaskMetadata is params.task of a task-augmented request: the retention
// the requestor asks for, in milliseconds.
type TaskMetadata struct {
	// TTL is the requested retention in milliseconds; nil means the
	// receiver's default.
	TTL *int64 `json:"ttl,omitempty"`
}

// CreateTaskResult is the answer to a task-augmented tools/call.
type CreateTaskResult struct {
	mcp.ResultBase
	// Task is the task just created.
	Task Task `json:"task"`
}

// MarshalJSON writes the result as models.Marshal writes an
// MCPCreateTaskResult, checked against its schema.
func (r CreateTaskResult) MarshalJSON() ([]byte, error) {
	return models.Marshal(models.MCPCreateTaskResult{Task: r.Task})
}

// TaskResult is the result of tasks/get and tasks/cancel: the Task's
// members at the top level of the result.
type TaskResult struct {
	mcp.ResultBase
	Task Task
	ext  json.RawMessage // a result of the tasks extension, as it came (see UnmarshalJSON)
}

// MarshalJSON writes the Task, checked against its schema.
func (r TaskResult) MarshalJSON() ([]byte, error) { return models.Marshal(r.Task) }

// TaskIDParams are the params of tasks/get, tasks/result and tasks/cancel.
type TaskIDParams struct {
	mcp.ParamsBase
	// TaskID names the task.
	TaskID string `json:"taskId"`
}

// ListTasksParams are the params of tasks/list.
type ListTasksParams struct {
	mcp.ParamsBase
	// Cursor is the nextCursor of the previous page, or "".
	Cursor string `json:"cursor,omitempty"`
}

// ListTasksResult is the result of tasks/list.
type ListTasksResult struct {
	mcp.ResultBase
	// Tasks is one page of tasks.
	Tasks []Task `json:"tasks"`
	// NextCursor is present when more tasks remain.
	NextCursor string `json:"nextCursor,omitempty"`
}

// MarshalJSON writes the page, nextCursor only when more tasks remain, and
// checks it against schema/mcp_list_tasks_result.schema.json.
func (r ListTasksResult) MarshalJSON() ([]byte, error) {
	type page ListTasksResult // without this method
	if r.Tasks == nil {
		r.Tasks = []Task{}
	}
	b, err := json.Marshal(page{Tasks: r.Tasks, NextCursor: r.NextCursor})
	if err != nil {
		return nil, err
	}
	if err := models.ValidateJSON("mcp_list_tasks_result", b); err != nil {
		return nil, err
	}
	return b, nil
}

// RelatedTaskMetaKey is the _meta key that ties a message to its task.
const RelatedTaskMetaKey = "io.modelcontextprotocol/related-task"

// ConvertOptions fill the members of a Task that a TaskInfo does not hold.
type ConvertOptions struct {
	// TTL is the task's retention in milliseconds; nil means without limit
	// (null).
	TTL *int64
	// PollInterval is the suggested poll interval in milliseconds; nil
	// means the schema's default, 1000.
	PollInterval *int64
}

// StatusOf maps a runtime status to an MCP task status:
//
//	pending    -> working
//	processing -> working
//	complete   -> completed
//	failed     -> failed (working when retries are left: the runner moves
//	              the task back to pending at once)
//	cancelled  -> cancelled
func StatusOf(t models.TaskInfo) TaskStatus {
	switch t.Status {
	case models.TaskStatusComplete:
		return StatusCompleted
	case models.TaskStatusFailed:
		if !t.IsTerminal() {
			return StatusWorking
		}
		return StatusFailed
	case models.TaskStatusCancelled:
		return StatusCancelled
	}
	return StatusWorking
}

// FromTaskInfo converts a runtime task to an MCP Task (see [StatusOf] for
// the status): taskId is the ref_id; createdAt is started_at;
// lastUpdatedAt is completed_at when the task has finished, else
// started_at (the MCP status does not change between pending, processing
// and retries); statusMessage is the error of a failed task, "cancelled"
// of a cancelled one, and the latest progress message otherwise.
func FromTaskInfo(t models.TaskInfo, o ConvertOptions) Task {
	out := Task{
		TaskID:       t.RefID,
		Status:       StatusOf(t),
		CreatedAt:    unixTime(t.StartedAt),
		Ttl:          o.TTL,
		PollInterval: 1000,
	}
	if o.PollInterval != nil {
		out.PollInterval = *o.PollInterval
	}
	out.LastUpdatedAt = out.CreatedAt
	if t.CompletedAt != nil && Terminal(out.Status) {
		out.LastUpdatedAt = unixTime(*t.CompletedAt)
	}
	switch {
	case out.Status == StatusFailed && t.Error != nil:
		out.StatusMessage = *t.Error
	case out.Status == StatusCancelled:
		out.StatusMessage = "The task was cancelled."
	case t.Progress != nil && t.Progress.Message != nil:
		out.StatusMessage = *t.Progress.Message
	}
	return out
}

// ToTaskInfo converts an MCP Task to a runtime task, the inverse of
// [FromTaskInfo] as far as a Task tells: working -> processing, completed
// -> complete, failed -> failed (statusMessage becomes the error),
// cancelled -> cancelled; a terminal task's lastUpdatedAt becomes
// completed_at. input_required has no runtime status and gives an error,
// as does a task the MCPTask schema rejects. The result is checked against
// the TaskInfo schema.
func ToTaskInfo(t Task) (models.TaskInfo, error) {
	if t.TaskID == "" {
		return models.TaskInfo{}, fmt.Errorf("mcptasks: taskId is empty")
	}
	if err := models.Validate(t); err != nil {
		return models.TaskInfo{}, fmt.Errorf("mcptasks: task %s: %w", t.TaskID, err)
	}
	started := unixSeconds(t.CreatedAt)
	info := models.NewTaskInfo(t.TaskID, started)
	info.MaxRetries = 0
	switch t.Status {
	case StatusWorking:
		info.Status = models.TaskStatusProcessing
	case StatusCompleted:
		info.Status = models.TaskStatusComplete
	case StatusFailed:
		info.Status = models.TaskStatusFailed
		msg := t.StatusMessage
		if msg == "" {
			msg = "failed"
		}
		info.Error = &msg
	case StatusCancelled:
		info.Status = models.TaskStatusCancelled
	default:
		return models.TaskInfo{}, fmt.Errorf("mcptasks: task %s: status %q has no TaskInfo status", t.TaskID, t.Status)
	}
	if Terminal(t.Status) {
		done := math.Max(unixSeconds(t.LastUpdatedAt), started)
		info.CompletedAt = &done
	} else if t.StatusMessage != "" {
		msg := t.StatusMessage
		info.Progress = &models.TaskProgress{Message: &msg}
	}
	if err := models.Validate(info); err != nil {
		return models.TaskInfo{}, fmt.Errorf("mcptasks: task %s: %w", t.TaskID, err)
	}
	return info, nil
}

// unixTime converts Unix seconds to a time in UTC, rounded to the
// millisecond (a float64 of Unix seconds holds about a microsecond).
func unixTime(sec float64) time.Time {
	return time.UnixMilli(int64(math.Round(sec * 1000))).UTC()
}

// unixSeconds converts a time to Unix seconds.
func unixSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}
