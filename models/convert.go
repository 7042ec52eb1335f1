package models

import (
	"fmt"
	"math"
	"time"
)

// ResponseOptions are the optional inputs of [TaskInfo.ToAsyncTaskResponse].
type ResponseOptions struct {
	// Message is the response's message; "" gives the default message for
	// the task's status.
	Message string
	// EtaSeconds is the response's ETA; nil estimates it from the progress.
	EtaSeconds *float64
	// Now is the current time, used for the elapsed time of a running task;
	// the zero time means time.Now().
	Now time.Time
}

// ToAsyncTaskResponse returns the response a server sends for the task
// (mcp-refcache's AsyncTaskResponse.from_task_info):
//   - ref_id, status, progress, error and retry_count are the task's
//     (copies: changing the response leaves the task alone);
//   - started_at is started_at as an RFC 3339 time in UTC;
//   - can_retry is [TaskInfo.CanRetry];
//   - message is opts.Message, or a default by status: for processing the
//     progress message if it is not empty, else "Task is processing
//     (ref_id=<id>)"; for failed "Task failed: <error>" ("unknown error" when
//     there is none); a fixed sentence for pending, complete and cancelled;
//   - eta_seconds is opts.EtaSeconds, or [EstimateETA] from the progress and
//     the elapsed time, or null when it cannot be estimated.
func (t TaskInfo) ToAsyncTaskResponse(opts ResponseOptions) AsyncTaskResponse {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	r := NewAsyncTaskResponse(t.RefID, t.Status, t.StartedTime())
	if t.Progress != nil {
		r.Progress = t.Progress.clone()
	}
	if t.Error != nil {
		r.Error = ptr(*t.Error)
	}
	r.RetryCount = t.RetryCount
	r.CanRetry = t.CanRetry()
	message := opts.Message
	if message == "" {
		message = t.defaultMessage()
	}
	r.Message = &message
	r.EtaSeconds = opts.EtaSeconds
	if r.EtaSeconds == nil && t.Progress != nil {
		if eta, ok := EstimateETA(*t.Progress, t.ElapsedSeconds(now)); ok {
			r.EtaSeconds = &eta
		}
	}
	return r
}

func (t TaskInfo) defaultMessage() string {
	switch t.Status {
	case TaskStatusProcessing:
		if t.Progress != nil && t.Progress.Message != nil && *t.Progress.Message != "" {
			return *t.Progress.Message
		}
		return fmt.Sprintf("Task is processing (ref_id=%s)", t.RefID)
	case TaskStatusPending:
		return fmt.Sprintf("Task is queued and will start shortly (ref_id=%s)", t.RefID)
	case TaskStatusFailed:
		if t.Error != nil && *t.Error != "" {
			return "Task failed: " + *t.Error
		}
		return "Task failed: unknown error"
	case TaskStatusCancelled:
		return fmt.Sprintf("Task was cancelled (ref_id=%s)", t.RefID)
	case TaskStatusComplete:
		return fmt.Sprintf("Task is complete (ref_id=%s)", t.RefID)
	}
	return fmt.Sprintf("Task status is %q (ref_id=%s)", t.Status, t.RefID)
}

// maxETASeconds is the largest eta_seconds the schema accepts (2^53 - 1).
const maxETASeconds = 1<<53 - 1

// EstimateETA estimates the seconds left from the rate of progress so far,
// given the seconds elapsed: (total - current) / (current / elapsed). It is
// 0 when current has reached total, and false (no estimate) when current or
// total is unknown, current or elapsed is not positive, or the estimate
// exceeds what the schema allows. It is never negative.
func EstimateETA(p TaskProgress, elapsedSeconds float64) (float64, bool) {
	if p.Current == nil || p.Total == nil || *p.Current <= 0 {
		return 0, false
	}
	current, total := *p.Current, *p.Total
	if current >= total {
		return 0, true
	}
	if !(elapsedSeconds > 0) || math.IsInf(elapsedSeconds, 0) {
		return 0, false
	}
	eta := float64(total-current) / (float64(current) / elapsedSeconds)
	if math.IsNaN(eta) || eta < 0 || eta > maxETASeconds {
		return 0, false
	}
	return eta, true
}

// clone returns a copy of p that shares no pointers with it.
func (p TaskProgress) clone() *TaskProgress {
	c := TaskProgress{}
	if p.Current != nil {
		c.Current = ptr(*p.Current)
	}
	if p.Total != nil {
		c.Total = ptr(*p.Total)
	}
	if p.Message != nil {
		c.Message = ptr(*p.Message)
	}
	if p.Percentage != nil {
		c.Percentage = ptr(*p.Percentage)
	}
	return &c
}

func ptr[T any](v T) *T { return &v }
