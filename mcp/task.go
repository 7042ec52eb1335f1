package mcptasks

import (
	"fmt"
	"math"
	"time"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TaskStatus is the status of an MCP task (protocol revision 2025-11-25).
type TaskStatus string

// The statuses of an MCP task. input_required is never produced by this
// package (its tools do not ask the client for input) but is accepted on
// the way in.
const (
	StatusWorking       TaskStatus = "working"
	StatusInputRequired TaskStatus = "input_required"
	StatusCompleted     TaskStatus = "completed"
	StatusFailed        TaskStatus = "failed"
	StatusCancelled     TaskStatus = "cancelled"
)

// Terminal reports whether the status never changes again: completed,
// failed or cancelled.
func (s TaskStatus) Terminal() bool {
	return s == StatusCompleted || s == StatusFailed || s == StatusCancelled
}

// Task is the MCP Task object of protocol revision 2025-11-25: what
// tasks/get, tasks/cancel and notifications/tasks/status carry, and the
// task of a CreateTaskResult.
type Task struct {
	// TaskID is the task's ID: the runtime's ref_id.
	TaskID string `json:"taskId"`
	// Status is the task's status.
	Status TaskStatus `json:"status"`
	// StatusMessage is a human-readable message about the status: the
	// error of a failed task, the latest progress message of a working one.
	StatusMessage string `json:"statusMessage,omitempty"`
	// CreatedAt is when the task was created, RFC 3339.
	CreatedAt string `json:"createdAt"`
	// LastUpdatedAt is when the task's status last changed, RFC 3339.
	LastUpdatedAt string `json:"lastUpdatedAt"`
	// TTL is how long the task is kept, in milliseconds; nil (null on the
	// wire, where the member is required) means without limit.
	TTL *int64 `json:"ttl"`
	// PollInterval is the suggested time between two polls, in
	// milliseconds.
	PollInterval *int64 `json:"pollInterval,omitempty"`
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

// TaskResult is the result of tasks/get and tasks/cancel: the Task's
// members at the top level of the result.
type TaskResult struct {
	mcp.ResultBase
	Task
}

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

// RelatedTaskMetaKey is the _meta key that ties a message to its task.
const RelatedTaskMetaKey = "io.modelcontextprotocol/related-task"

// ConvertOptions fill the members of a Task that a TaskInfo does not hold.
type ConvertOptions struct {
	// TTL is the task's retention in milliseconds; nil means without limit.
	TTL *int64
	// PollInterval is the suggested poll interval in milliseconds; nil
	// leaves it out.
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
		CreatedAt:    formatUnix(t.StartedAt),
		TTL:          o.TTL,
		PollInterval: o.PollInterval,
	}
	out.LastUpdatedAt = out.CreatedAt
	if t.CompletedAt != nil && out.Status.Terminal() {
		out.LastUpdatedAt = formatUnix(*t.CompletedAt)
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
// completed_at. input_required has no runtime status and gives an error, as
// do unparsable times. The result is checked against the TaskInfo schema.
func ToTaskInfo(t Task) (models.TaskInfo, error) {
	if t.TaskID == "" {
		return models.TaskInfo{}, fmt.Errorf("mcptasks: taskId is empty")
	}
	started, err := parseUnix(t.CreatedAt)
	if err != nil {
		return models.TaskInfo{}, fmt.Errorf("mcptasks: task %s: createdAt: %w", t.TaskID, err)
	}
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
	if t.Status.Terminal() {
		done, err := parseUnix(t.LastUpdatedAt)
		if err != nil {
			return models.TaskInfo{}, fmt.Errorf("mcptasks: task %s: lastUpdatedAt: %w", t.TaskID, err)
		}
		done = math.Max(done, started)
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

// formatUnix formats Unix seconds as RFC 3339 in UTC, rounded to the
// millisecond (a float64 of Unix seconds holds about a microsecond).
func formatUnix(sec float64) string {
	return time.UnixMilli(int64(math.Round(sec * 1000))).UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

func parseUnix(s string) (float64, error) {
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, err
	}
	return float64(tm.Unix()) + float64(tm.Nanosecond())/1e9, nil
}
