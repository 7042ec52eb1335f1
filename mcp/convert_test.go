package mcptasks_test

import (
	"testing"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/models"
)

func ptr[T any](v T) *T { return &v }

// TestStatusTable is the documented table: pending and processing ->
// working, complete -> completed, failed -> failed (working while retries
// are left), cancelled -> cancelled.
func TestStatusTable(t *testing.T) {
	for _, tc := range []struct {
		status      models.TaskStatus
		retries     int64
		want        mcptasks.TaskStatus
		wantMessage string
	}{
		{models.TaskStatusPending, 0, mcptasks.StatusWorking, "step"},
		{models.TaskStatusProcessing, 0, mcptasks.StatusWorking, "step"},
		{models.TaskStatusComplete, 0, mcptasks.StatusCompleted, ""},
		{models.TaskStatusFailed, 0, mcptasks.StatusFailed, "boom"},
		{models.TaskStatusFailed, 2, mcptasks.StatusWorking, "step"},
		{models.TaskStatusCancelled, 0, mcptasks.StatusCancelled, "The task was cancelled."},
	} {
		info := models.NewTaskInfo("r1", 1764066600.5)
		info.Status, info.MaxRetries = tc.status, tc.retries
		info.Progress = &models.TaskProgress{Message: ptr("step")}
		if tc.status == models.TaskStatusComplete || tc.status == models.TaskStatusFailed || tc.status == models.TaskStatusCancelled {
			info.CompletedAt = ptr(1764066660.25)
			info.Progress = nil
		}
		if tc.status == models.TaskStatusFailed {
			info.Error = ptr("boom")
			if tc.retries > 0 {
				info.Progress = &models.TaskProgress{Message: ptr("step")}
			}
		}
		ttl, poll := int64(3600000), int64(1000)
		got := mcptasks.FromTaskInfo(info, mcptasks.ConvertOptions{TTL: &ttl, PollInterval: &poll})
		if got.Status != tc.want || got.StatusMessage != tc.wantMessage {
			t.Errorf("%s (max_retries %d): %s %q, want %s %q", tc.status, tc.retries, got.Status, got.StatusMessage, tc.want, tc.wantMessage)
		}
		if got.TaskID != "r1" || got.CreatedAt != "2025-11-25T10:30:00.500Z" || *got.TTL != ttl || *got.PollInterval != poll {
			t.Errorf("%s: %+v", tc.status, got)
		}
		wantUpdated := got.CreatedAt
		if tc.want.Terminal() {
			wantUpdated = "2025-11-25T10:31:00.250Z"
		}
		if got.LastUpdatedAt != wantUpdated {
			t.Errorf("%s: lastUpdatedAt %s, want %s", tc.status, got.LastUpdatedAt, wantUpdated)
		}
		if got.Status == mcptasks.StatusWorking && tc.retries > 0 {
			continue // a retry in between has no TaskInfo of its own
		}
		back, err := mcptasks.ToTaskInfo(got)
		if err != nil {
			t.Fatalf("%s: ToTaskInfo: %v", tc.status, err)
		}
		wantBack := tc.status
		if tc.status == models.TaskStatusPending {
			wantBack = models.TaskStatusProcessing
		}
		if back.Status != wantBack || back.RefID != "r1" || back.StartedAt != info.StartedAt {
			t.Errorf("%s: back %+v", tc.status, back)
		}
		if tc.want.Terminal() && (back.CompletedAt == nil || *back.CompletedAt != *info.CompletedAt) {
			t.Errorf("%s: completed_at %v", tc.status, back.CompletedAt)
		}
		if tc.status == models.TaskStatusFailed && (back.Error == nil || *back.Error != "boom") {
			t.Errorf("failed: error %v", back.Error)
		}
	}
}

func TestToTaskInfoErrors(t *testing.T) {
	for _, task := range []mcptasks.Task{
		{TaskID: "a", Status: mcptasks.StatusInputRequired, CreatedAt: "2025-11-25T10:30:00Z", LastUpdatedAt: "2025-11-25T10:30:00Z"},
		{TaskID: "b", Status: "done", CreatedAt: "2025-11-25T10:30:00Z", LastUpdatedAt: "2025-11-25T10:30:00Z"},
		{TaskID: "c", Status: mcptasks.StatusWorking, CreatedAt: "yesterday", LastUpdatedAt: "2025-11-25T10:30:00Z"},
		{TaskID: "d", Status: mcptasks.StatusCompleted, CreatedAt: "2025-11-25T10:30:00Z", LastUpdatedAt: "later"},
		{TaskID: "", Status: mcptasks.StatusWorking, CreatedAt: "2025-11-25T10:30:00Z", LastUpdatedAt: "2025-11-25T10:30:00Z"},
	} {
		if info, err := mcptasks.ToTaskInfo(task); err == nil {
			t.Errorf("%+v: no error, got %+v", task, info)
		}
	}
}
