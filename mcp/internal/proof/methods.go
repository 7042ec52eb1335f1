package proof

import (
	"context"
	"maps"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Register adds tasks/get, tasks/result, tasks/list and tasks/cancel to s.
// go-sdk registers custom methods with missingParamsOK (server.go:2301), so
// params may be nil.
func (t *Toy) Register(s *mcp.Server) error {
	if err := mcp.AddReceivingCustomMethod(s, "tasks/get",
		func(ctx context.Context, ss *mcp.ServerSession, p *TaskIDParams) (*TaskResult, error) {
			if p == nil {
				return nil, invalidParams("missing params.taskId")
			}
			_, task, err := t.get(p.TaskID)
			if err != nil {
				return nil, err
			}
			return &TaskResult{Task: task}, nil
		}); err != nil {
		return err
	}
	if err := mcp.AddReceivingCustomMethod(s, "tasks/result",
		func(ctx context.Context, ss *mcp.ServerSession, p *TaskIDParams) (*mcp.CallToolResult, error) {
			if p == nil {
				return nil, invalidParams("missing params.taskId")
			}
			tt, _, err := t.get(p.TaskID)
			if err != nil {
				return nil, err
			}
			select { // blocks until the task is terminal
			case <-tt.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			t.mu.Lock()
			res, rerr := tt.result, tt.err
			t.mu.Unlock()
			if rerr != nil {
				return nil, rerr // exactly the error the call would have returned
			}
			out := *res
			out.Meta = maps.Clone(res.Meta)
			if out.Meta == nil {
				out.Meta = mcp.Meta{}
			}
			out.Meta[RelatedTaskMetaKey] = map[string]any{"taskId": p.TaskID}
			return &out, nil
		}); err != nil {
		return err
	}
	if err := mcp.AddReceivingCustomMethod(s, "tasks/list",
		func(ctx context.Context, ss *mcp.ServerSession, p *ListTasksParams) (*ListTasksResult, error) {
			cursor := ""
			if p != nil {
				cursor = p.Cursor
			}
			tasks, next, err := t.list(cursor, 2)
			if err != nil {
				return nil, err
			}
			return &ListTasksResult{Tasks: tasks, NextCursor: next}, nil
		}); err != nil {
		return err
	}
	return mcp.AddReceivingCustomMethod(s, "tasks/cancel",
		func(ctx context.Context, ss *mcp.ServerSession, p *TaskIDParams) (*TaskResult, error) {
			if p == nil {
				return nil, invalidParams("missing params.taskId")
			}
			task, err := t.cancelTask(p.TaskID)
			if err != nil {
				return nil, err
			}
			return &TaskResult{Task: task}, nil
		})
}
