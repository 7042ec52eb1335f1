package models

import (
	"fmt"
	"testing"
	"time"
)

func TestCanRetryAndIsTerminal(t *testing.T) {
	tests := []struct {
		status           TaskStatus
		retries, max     int64
		canRetry, isTerm bool
	}{
		{TaskStatusPending, 0, 3, false, false},
		{TaskStatusPending, 3, 3, false, false},
		{TaskStatusProcessing, 0, 3, false, false},
		{TaskStatusProcessing, 5, 3, false, false},
		{TaskStatusComplete, 0, 3, false, true},
		{TaskStatusComplete, 3, 3, false, true},
		{TaskStatusCancelled, 0, 3, false, true},
		{TaskStatusCancelled, 0, 0, false, true},
		{TaskStatusFailed, 0, 3, true, false},
		{TaskStatusFailed, 2, 3, true, false},
		{TaskStatusFailed, 3, 3, false, true},
		{TaskStatusFailed, 4, 3, false, true},
		{TaskStatusFailed, 0, 0, false, true},
		{TaskStatusFailed, 0, 1, true, false},
		{"", 0, 3, false, false},
		{"FAILED", 0, 3, false, false},
	}
	for _, tc := range tests {
		name := fmt.Sprintf("%q %d of %d", tc.status, tc.retries, tc.max)
		t.Run(name, func(t *testing.T) {
			task := NewTaskInfo("r", 1000)
			task.Status = tc.status
			task.RetryCount = tc.retries
			task.MaxRetries = tc.max
			if got := task.CanRetry(); got != tc.canRetry {
				t.Errorf("CanRetry() = %v, want %v", got, tc.canRetry)
			}
			if got := task.IsTerminal(); got != tc.isTerm {
				t.Errorf("IsTerminal() = %v, want %v", got, tc.isTerm)
			}
		})
	}
}

func TestEveryStatusIsCovered(t *testing.T) {
	// Each schema status has the expected terminal verdict with retries left.
	want := map[TaskStatus]bool{
		TaskStatusPending:    false,
		TaskStatusProcessing: false,
		TaskStatusComplete:   true,
		TaskStatusFailed:     false,
		TaskStatusCancelled:  true,
	}
	for _, s := range []TaskStatus{TaskStatusPending, TaskStatusProcessing, TaskStatusComplete, TaskStatusFailed, TaskStatusCancelled} {
		task := NewTaskInfo("r", 1)
		task.Status = s
		if got := task.IsTerminal(); got != want[s] {
			t.Errorf("%s: IsTerminal() = %v, want %v", s, got, want[s])
		}
		if got, wantRetry := task.CanRetry(), s == TaskStatusFailed; got != wantRetry {
			t.Errorf("%s: CanRetry() = %v, want %v", s, got, wantRetry)
		}
	}
}

func TestElapsed(t *testing.T) {
	now := time.Unix(5000, 0)
	tests := []struct {
		name        string
		startedAt   float64
		completedAt *float64
		now         time.Time
		want        time.Duration
	}{
		{"completed 10s after start", 1000, unitPtr(1010.0), now, 10 * time.Second},
		{"completed_at 0 counts as set", 1000, unitPtr(0.0), now, -1000 * time.Second},
		{"completed_at 0 ignores now", 1000, unitPtr(0.0), time.Unix(1e9, 0), -1000 * time.Second},
		{"completed_at ignores now", 1000, unitPtr(1010.0), time.Unix(1e9, 0), 10 * time.Second},
		{"completed at the start", 1000, unitPtr(1000.0), now, 0},
		{"fractions", 1000.25, unitPtr(1000.75), now, 500 * time.Millisecond},
		{"running: until now", 1000, nil, now, 4000 * time.Second},
		{"running: now with a fraction", 1000, nil, time.Unix(1025, 5e8), 25500 * time.Millisecond},
		{"running: now in another zone", 1000, nil, time.Unix(1060, 0).In(time.FixedZone("x", 5*3600)), 60 * time.Second},
		{"running: now before start", 1000, nil, time.Unix(990, 0), -10 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			task := NewTaskInfo("r", tc.startedAt)
			task.CompletedAt = tc.completedAt
			if got := task.Elapsed(tc.now); got != tc.want {
				t.Errorf("Elapsed = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestUnixSecondsToTime(t *testing.T) {
	tests := []struct {
		name    string
		seconds float64
		want    time.Time
	}{
		{"zero", 0, time.Unix(0, 0)},
		{"1000", 1000, time.Unix(1000, 0)},
		{"1000.5", 1000.5, time.Unix(1000, 5e8)},
		{"1000.25", 1000.25, time.Unix(1000, 25e7)},
		{"a millisecond", 0.001, time.Unix(0, 1e6)},
		{"1.1 rounds to the nanosecond", 1.1, time.Unix(1, 1e8)},
		{"1700000000.123456", 1700000000.123456, time.Unix(1700000000, 123456001)}, // nearest float64, rounded to ns
		{"end of year 9999", 253402300799, time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
	}
	check := func(t *testing.T, what string, got, want time.Time) {
		t.Helper()
		if !got.Equal(want) {
			t.Errorf("%s = %v, want %v", what, got, want.UTC())
		}
		if got.Location() != time.UTC {
			t.Errorf("%s location = %v, want UTC", what, got.Location())
		}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			task := NewTaskInfo("r", tc.seconds)
			check(t, "StartedTime", task.StartedTime(), tc.want)

			task.CompletedAt = unitPtr(tc.seconds)
			got, ok := task.CompletedTime()
			if !ok {
				t.Fatal("CompletedTime ok = false with completed_at set")
			}
			check(t, "CompletedTime", got, tc.want)

			check(t, "RetryInfo.Time", RetryInfo{Attempt: 1, Timestamp: tc.seconds}.Time(), tc.want)
		})
	}
	t.Run("completed_at nil", func(t *testing.T) {
		got, ok := NewTaskInfo("r", 1000).CompletedTime()
		if ok || !got.IsZero() {
			t.Errorf("CompletedTime = %v, %v; want the zero time and false", got, ok)
		}
	})
}
