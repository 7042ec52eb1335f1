package tasks

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/mcp-refcache/taskschema/models"
)

// TransitionError says why an update breaks the task lifecycle;
// errors.Is(err, ErrIllegalTransition) is true for it.
type TransitionError struct {
	RefID    string            // the task
	From, To models.TaskStatus // the stored status and the one asked for
	Reason   string            // which rule the update breaks
}

// Error says which task, which transition and why.
func (e *TransitionError) Error() string {
	return fmt.Sprintf("tasks: task %s: illegal transition %s -> %s: %s", e.RefID, e.From, e.To, e.Reason)
}

// Is makes errors.Is(err, ErrIllegalTransition) true.
func (e *TransitionError) Is(target error) bool { return target == ErrIllegalTransition }

// CheckTransition reports whether a store may replace task from with task
// to. The lifecycle is pending -> processing -> complete | failed |
// cancelled, pending -> cancelled, and failed -> pending while retry_count <
// max_retries; a pending or processing task may also be rewritten in its
// status (progress, lease). Beyond the status:
//   - ref_id, started_at and max_retries never change;
//   - failed -> pending increments retry_count by one and appends exactly
//     one RetryInfo whose attempt is the new retry_count; no other transition
//     changes retry_count or retry_history;
//   - a complete, failed or cancelled task has completed_at, a failed one an
//     error; a pending or processing one has neither.
//
// Complete, cancelled, and failed with no retries left never change.
//
// A task that will not run again although it could (its owner died and no
// runner can run it: see [Runner.ReapExpired]) is given up: pending,
// processing, or failed with retries left -> failed with retry_count set to
// max_retries, so that can_retry is false. When retry_count rises, exactly
// one RetryInfo whose attempt is the new retry_count is appended (its
// error says why); when it is max_retries already, nothing is appended.
func CheckTransition(from, to models.TaskInfo) error {
	if reason := transitionFault(&from, &to); reason != "" {
		return &TransitionError{RefID: from.RefID, From: from.Status, To: to.Status, Reason: reason}
	}
	return nil
}

// transitionFault says why from may not become to, or returns "".
func transitionFault(from, to *models.TaskInfo) string {
	switch {
	case to.RefID != from.RefID:
		return fmt.Sprintf("ref_id changes from %q to %q", from.RefID, to.RefID)
	case to.StartedAt != from.StartedAt:
		return "started_at changes"
	case to.MaxRetries != from.MaxRetries:
		return "max_retries changes"
	case from.IsTerminal():
		return "the task has finished"
	}
	if msg := checkShape(to); msg != "" {
		return msg
	}
	if to.Status == models.TaskStatusFailed && to.RetryCount == to.MaxRetries && from.Status != models.TaskStatusProcessing ||
		to.Status == models.TaskStatusFailed && from.Status == models.TaskStatusProcessing && to.RetryCount > from.RetryCount {
		return givenUpFault(from, to)
	}
	legal := false
	switch from.Status {
	case models.TaskStatusPending:
		legal = to.Status == models.TaskStatusPending || to.Status == models.TaskStatusProcessing || to.Status == models.TaskStatusCancelled
	case models.TaskStatusProcessing:
		legal = to.Status != models.TaskStatusPending
	case models.TaskStatusFailed:
		legal = to.Status == models.TaskStatusPending
	}
	if !legal {
		return "not a step of the lifecycle"
	}
	if from.Status == models.TaskStatusFailed {
		if to.RetryCount != from.RetryCount+1 {
			return fmt.Sprintf("a retry must increment retry_count (from %d, got %d)", from.RetryCount, to.RetryCount)
		}
		if len(to.RetryHistory) != len(from.RetryHistory)+1 || !slices.Equal(to.RetryHistory[:len(from.RetryHistory)], from.RetryHistory) {
			return "a retry must append exactly one RetryInfo to retry_history"
		}
		if last := to.RetryHistory[len(to.RetryHistory)-1]; last.Attempt != to.RetryCount {
			return fmt.Sprintf("the appended RetryInfo has attempt %d, want %d", last.Attempt, to.RetryCount)
		}
		return ""
	}
	if to.RetryCount != from.RetryCount || !slices.Equal(to.RetryHistory, from.RetryHistory) {
		return "retry_count and retry_history change only on failed -> pending"
	}
	return ""
}

// givenUpFault says why to is not from given up (see CheckTransition), or
// returns "".
func givenUpFault(from, to *models.TaskInfo) string {
	if to.RetryCount != to.MaxRetries {
		return "a task given up has retry_count equal to max_retries"
	}
	if to.RetryCount == from.RetryCount {
		if !slices.Equal(to.RetryHistory, from.RetryHistory) {
			return "giving up at max_retries leaves retry_history as it is"
		}
		return ""
	}
	if len(to.RetryHistory) != len(from.RetryHistory)+1 || !slices.Equal(to.RetryHistory[:len(from.RetryHistory)], from.RetryHistory) {
		return "giving up appends exactly one RetryInfo to retry_history"
	}
	if last := to.RetryHistory[len(to.RetryHistory)-1]; last.Attempt != to.RetryCount {
		return fmt.Sprintf("the appended RetryInfo has attempt %d, want %d", last.Attempt, to.RetryCount)
	}
	return ""
}

// checkShape says what a task in its status must not lack or have, or "".
func checkShape(t *models.TaskInfo) string {
	switch t.Status {
	case models.TaskStatusPending, models.TaskStatusProcessing:
		if t.CompletedAt != nil {
			return fmt.Sprintf("a %s task has no completed_at", t.Status)
		}
		if t.Error != nil {
			return fmt.Sprintf("a %s task has no error", t.Status)
		}
	case models.TaskStatusComplete, models.TaskStatusCancelled:
		if t.CompletedAt == nil {
			return fmt.Sprintf("a %s task needs completed_at", t.Status)
		}
	case models.TaskStatusFailed:
		if t.CompletedAt == nil || t.Error == nil {
			return "a failed task needs completed_at and error"
		}
	default:
		return fmt.Sprintf("unknown status %q", t.Status)
	}
	return ""
}

// unixSeconds converts a time to the models' Unix seconds.
func unixSeconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// The steps of the lifecycle, as the runner takes them. Each returns a new
// TaskInfo; none changes its argument.

// defaultTask is a TaskInfo with the schema's defaults, made once.
var defaultTask = sync.OnceValue(func() models.TaskInfo { return models.NewTaskInfo("", 0) })

func newTask(refID string, maxRetries int64, now time.Time) models.TaskInfo {
	t := defaultTask()
	t.RefID, t.StartedAt = refID, unixSeconds(now)
	t.RetryHistory = slices.Clip(t.RetryHistory)
	t.MaxRetries = maxRetries
	return t
}

func toProcessing(t models.TaskInfo) models.TaskInfo {
	t.Status = models.TaskStatusProcessing
	return t
}

func toComplete(t models.TaskInfo, now time.Time) models.TaskInfo {
	t.Status = models.TaskStatusComplete
	t.CompletedAt = completedAt(t, now)
	return t
}

func toCancelled(t models.TaskInfo, now time.Time) models.TaskInfo {
	t.Status = models.TaskStatusCancelled
	t.CompletedAt = completedAt(t, now)
	return t
}

func toFailed(t models.TaskInfo, now time.Time, msg string) models.TaskInfo {
	t.Status = models.TaskStatusFailed
	t.CompletedAt = completedAt(t, now)
	t.Error = &msg
	return t
}

// toGivenUp fails a task for good although it had retries left (see
// CheckTransition): retry_count becomes max_retries, and one RetryInfo
// with msg is appended when that raises it.
func toGivenUp(t models.TaskInfo, now time.Time, msg string) models.TaskInfo {
	if t.RetryCount < t.MaxRetries {
		t.RetryCount = t.MaxRetries
		t.RetryHistory = append(slices.Clip(t.RetryHistory), models.RetryInfo{
			Attempt: t.RetryCount, Error: msg, Timestamp: unixSeconds(now),
		})
	}
	t.Progress = nil
	return toFailed(t, now, msg)
}

// toRetry moves a failed task back to pending: retry_count + 1, the failure
// appended to retry_history, error and completed_at cleared.
func toRetry(t models.TaskInfo, now time.Time) models.TaskInfo {
	msg := ""
	if t.Error != nil {
		msg = *t.Error
	}
	t.RetryCount++
	t.RetryHistory = append(slices.Clip(t.RetryHistory), models.RetryInfo{
		Attempt: t.RetryCount, Error: msg, Timestamp: unixSeconds(now),
	})
	t.Status = models.TaskStatusPending
	t.Error = nil
	t.CompletedAt = nil
	t.Progress = nil
	return t
}

// completedAt is now in Unix seconds, never before started_at (clocks of two
// replicas may disagree).
func completedAt(t models.TaskInfo, now time.Time) *float64 {
	c := max(unixSeconds(now), t.StartedAt)
	return &c
}
