package mcptasks_test

import (
	"strings"
	"testing"
	"time"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/models"
)

func ptr[T any](v T) *T { return &v }

func mustParse(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

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
		ttl, poll := int64(3600000), int64(250)
		got := mcptasks.FromTaskInfo(info, mcptasks.ConvertOptions{TTL: &ttl, PollInterval: &poll})
		if err := models.Validate(got); err != nil {
			t.Fatalf("%s: %v", tc.status, err)
		}
		if got.Status != tc.want || got.StatusMessage != tc.wantMessage {
			t.Errorf("%s (max_retries %d): %s %q, want %s %q", tc.status, tc.retries, got.Status, got.StatusMessage, tc.want, tc.wantMessage)
		}
		if got.TaskID != "r1" || !got.CreatedAt.Equal(mustParse(t, "2025-11-25T10:30:00.500Z")) || *got.Ttl != ttl || got.PollInterval != poll {
			t.Errorf("%s: %+v", tc.status, got)
		}
		wantUpdated := got.CreatedAt
		if mcptasks.Terminal(tc.want) {
			wantUpdated = mustParse(t, "2025-11-25T10:31:00.250Z")
		}
		if !got.LastUpdatedAt.Equal(wantUpdated) {
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
		if mcptasks.Terminal(tc.want) && (back.CompletedAt == nil || *back.CompletedAt != *info.CompletedAt) {
			t.Errorf("%s: completed_at %v", tc.status, back.CompletedAt)
		}
		if tc.status == models.TaskStatusFailed && (back.Error == nil || *back.Error != "boom") {
			t.Errorf("failed: error %v", back.Error)
		}
	}
	// Without options: ttl null (no limit), pollInterval the schema's default.
	got := mcptasks.FromTaskInfo(models.NewTaskInfo("r2", 1764066600), mcptasks.ConvertOptions{})
	if got.Ttl != nil || got.PollInterval != 1000 {
		t.Errorf("defaults: %+v", got)
	}
	if b, err := models.Marshal(got); err != nil || !containsAll(string(b), `"ttl":null`, `"pollInterval":1000`) {
		t.Errorf("marshalled: %s %v", b, err)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func TestToTaskInfoErrors(t *testing.T) {
	at := mustParse(t, "2025-11-25T10:30:00Z")
	for _, task := range []mcptasks.Task{
		{TaskID: "a", Status: mcptasks.StatusInputRequired, CreatedAt: at, LastUpdatedAt: at, PollInterval: 1000},
		{TaskID: "b", Status: "done", CreatedAt: at, LastUpdatedAt: at, PollInterval: 1000},
		{TaskID: "c", Status: mcptasks.StatusWorking, LastUpdatedAt: at, PollInterval: 1000},                // createdAt year 1
		{TaskID: "d", Status: mcptasks.StatusCompleted, CreatedAt: at, LastUpdatedAt: at, PollInterval: -1}, // below minimum
		{TaskID: "", Status: mcptasks.StatusWorking, CreatedAt: at, LastUpdatedAt: at, PollInterval: 1000},
	} {
		if info, err := mcptasks.ToTaskInfo(task); err == nil {
			t.Errorf("%+v: no error, got %+v", task, info)
		}
	}
}
