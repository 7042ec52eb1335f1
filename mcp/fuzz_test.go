package mcptasks_test

import (
	"testing"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/models"
)

// FuzzToTaskInfo: any Task converts to a TaskInfo the schema accepts, or
// gives an error; never a panic.
func FuzzToTaskInfo(f *testing.F) {
	f.Add("r1", "working", "step", "2025-11-25T10:30:00Z", "2025-11-25T10:30:00Z")
	f.Add("r1", "failed", "", "2025-11-25T10:30:00.5Z", "2025-11-25T10:29:00+01:00")
	f.Add("r1", "completed", "", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z")
	f.Fuzz(func(t *testing.T, id, status, msg, created, updated string) {
		info, err := mcptasks.ToTaskInfo(mcptasks.Task{TaskID: id, Status: mcptasks.TaskStatus(status), StatusMessage: msg, CreatedAt: created, LastUpdatedAt: updated})
		if err != nil {
			return
		}
		if err := models.Validate(info); err != nil {
			t.Fatalf("ToTaskInfo gave an invalid TaskInfo: %v", err)
		}
		back := mcptasks.FromTaskInfo(info, mcptasks.ConvertOptions{})
		if back.TaskID != id || (back.Status != mcptasks.TaskStatus(status)) {
			t.Fatalf("round trip: %+v -> %+v", status, back)
		}
	})
}
