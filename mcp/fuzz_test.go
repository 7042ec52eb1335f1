package mcptasks_test

import (
	"testing"
	"time"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/models"
)

// FuzzToTaskInfo: any Task read from JSON converts to a TaskInfo the
// schema accepts, or gives an error; never a panic; and converting back
// keeps its ID and status.
func FuzzToTaskInfo(f *testing.F) {
	f.Add([]byte(`{"taskId":"r1","status":"working","statusMessage":"step","createdAt":"2025-11-25T10:30:00Z","lastUpdatedAt":"2025-11-25T10:30:00Z","ttl":null}`))
	f.Add([]byte(`{"taskId":"r1","status":"failed","createdAt":"2025-11-25T10:30:00.5Z","lastUpdatedAt":"2025-11-25T10:29:00+01:00","ttl":5}`))
	f.Add([]byte(`{"taskId":"r1","status":"completed","createdAt":"0001-01-01T00:00:00Z","lastUpdatedAt":"9999-12-31T23:59:59Z","ttl":0,"pollInterval":0}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var task mcptasks.Task
		if models.Unmarshal(data, &task) != nil {
			return
		}
		info, err := mcptasks.ToTaskInfo(task)
		if err != nil {
			return
		}
		if err := models.Validate(info); err != nil {
			t.Fatalf("ToTaskInfo gave an invalid TaskInfo: %v", err)
		}
		back := mcptasks.FromTaskInfo(info, mcptasks.ConvertOptions{})
		if back.TaskID != task.TaskID || back.Status != task.Status {
			t.Fatalf("round trip: %+v -> %+v", task, back)
		}
		if !back.CreatedAt.Equal(task.CreatedAt.Round(time.Millisecond)) && back.CreatedAt.Sub(task.CreatedAt).Abs() > time.Millisecond {
			t.Fatalf("createdAt %s -> %s", task.CreatedAt, back.CreatedAt)
		}
	})
}
