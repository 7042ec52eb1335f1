package models

import (
	"math"
	"time"
)

// CanRetry reports whether the task failed and has retries left
// (retry_count < max_retries).
func (t TaskInfo) CanRetry() bool {
	return t.Status == TaskStatusFailed && t.RetryCount < t.MaxRetries
}

// IsTerminal reports whether the task will not change again: it is complete,
// cancelled, or failed with no retries left.
func (t TaskInfo) IsTerminal() bool {
	switch t.Status {
	case TaskStatusComplete, TaskStatusCancelled:
		return true
	case TaskStatusFailed:
		return !t.CanRetry()
	}
	return false
}

// Elapsed returns how long the task ran: from started_at to completed_at, or
// to now while completed_at is null. A completed_at of 0 counts as set
// (mcp-refcache treats it as unset, a bug). Like time.Time.Sub, it saturates
// at about 292 years; [TaskInfo.ElapsedSeconds] does not.
func (t TaskInfo) Elapsed(now time.Time) time.Duration {
	end := now
	if t.CompletedAt != nil {
		end = unixTime(*t.CompletedAt)
	}
	return end.Sub(t.StartedTime())
}

// ElapsedSeconds is [TaskInfo.Elapsed] in seconds (mcp-refcache's
// elapsed_seconds), computed on the Unix timestamps so that it never
// saturates.
func (t TaskInfo) ElapsedSeconds(now time.Time) float64 {
	if t.CompletedAt != nil {
		return *t.CompletedAt - t.StartedAt
	}
	return float64(now.Unix()) - t.StartedAt + float64(now.Nanosecond())/1e9
}

// StartedTime returns started_at as a time.Time in UTC.
func (t TaskInfo) StartedTime() time.Time {
	return unixTime(t.StartedAt)
}

// CompletedTime returns completed_at as a time.Time in UTC, and false while
// it is null.
func (t TaskInfo) CompletedTime() (time.Time, bool) {
	if t.CompletedAt == nil {
		return time.Time{}, false
	}
	return unixTime(*t.CompletedAt), true
}

// Time returns the retry's timestamp as a time.Time in UTC.
func (r RetryInfo) Time() time.Time {
	return unixTime(r.Timestamp)
}

// unixTime converts Unix seconds with a fraction to a time.Time in UTC,
// rounded to the nanosecond.
func unixTime(seconds float64) time.Time {
	whole, frac := math.Modf(seconds)
	return time.Unix(int64(whole), int64(math.Round(frac*1e9))).UTC()
}
