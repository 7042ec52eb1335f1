package models

import "time"

// NewTaskInfo returns the TaskInfo of a task with the given reference ID that
// started at startedAt (Unix seconds), with every other field set to its
// schema default: status pending, no progress, retry_count 0, max_retries 3
// and an empty retry history.
func NewTaskInfo(refID string, startedAt float64) TaskInfo {
	t := defaultTaskInfo()
	t.RefID = refID
	t.StartedAt = startedAt
	return t
}

// NewAsyncTaskResponse returns an AsyncTaskResponse with the given reference
// ID, status and start time, and every other field set to its schema default:
// no progress, ETA, error or message, retry_count 0 and can_retry true.
func NewAsyncTaskResponse(refID string, status TaskStatus, startedAt time.Time) AsyncTaskResponse {
	r := defaultAsyncTaskResponse()
	r.RefID = refID
	r.Status = status
	r.StartedAt = startedAt
	return r
}
