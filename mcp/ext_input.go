package mcptasks

import (
	"context"
	"encoding/json"

	"github.com/mcp-refcache/taskschema/models"
)

// pendingInput returns the outstanding input requests of a task.
func pendingInput(models.TaskInfo) json.RawMessage { return nil }

// deliverInput hands the answers of tasks/update to the task.
func (s *Server) deliverInput(ctx context.Context, id string, responses map[string]json.RawMessage) error {
	if _, err := s.runner.Get(ctx, id); err != nil {
		return methodError(id, err)
	}
	return nil
}
