package mcptasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The names of the polling tools, the timeout fallback's side for clients
// without MCP Tasks. mcp-refcache polls with one tool, get_cached_result,
// and has no cancel or list tool; these names say what each one does.
const (
	ToolGetTaskStatus = "get_task_status"
	ToolGetTaskResult = "get_task_result"
	ToolCancelTask    = "cancel_task"
	ToolListTasks     = "list_tasks"
)

type refArgs struct {
	RefID string `json:"ref_id"`
}

type listArgs struct {
	Status string `json:"status"`
	Cursor string `json:"cursor"`
}

var refInput = map[string]any{
	"type": "object",
	"properties": map[string]any{"ref_id": map[string]any{
		"type": "string", "minLength": 1, "maxLength": 256,
		"description": "The ref_id of the task, from the AsyncTaskResponse."}},
	"required":             []any{"ref_id"},
	"additionalProperties": false,
}

func (s *Server) addPollingTools() error {
	async, err := AsyncOutputSchema()
	if err != nil {
		return err
	}
	list, err := ListOutputSchema()
	if err != nil {
		return err
	}
	s.mcp.AddTool(&mcp.Tool{Name: ToolGetTaskStatus, InputSchema: refInput, OutputSchema: async,
		Description: "Status of a task that a tool call handed off after its timeout: its AsyncTaskResponse (status, progress, error)."},
		s.pollTool(func(ctx context.Context, id string) (*mcp.CallToolResult, error) {
			rec, err := s.lookup(ctx, id)
			if err != nil {
				return nil, err
			}
			return asyncResult(rec.Task.ToAsyncTaskResponse(models.ResponseOptions{}))
		}))
	s.mcp.AddTool(&mcp.Tool{Name: ToolGetTaskResult, InputSchema: refInput,
		Description: "Result of a complete task: what the tool call would have returned. A task not complete yet gives an error naming its status; poll get_task_status."},
		s.pollTool(func(ctx context.Context, id string) (*mcp.CallToolResult, error) {
			rec, err := s.lookup(ctx, id)
			if err != nil {
				return nil, err
			}
			switch rec.Task.Status {
			case models.TaskStatusComplete:
				var res mcp.CallToolResult
				if err := json.Unmarshal(rec.Result, &res); err != nil {
					return nil, fmt.Errorf("stored result: %w", err)
				}
				return &res, nil
			case models.TaskStatusFailed:
				if rec.Task.IsTerminal() && rec.Task.Error != nil {
					return errorResult(fmt.Errorf("task %s failed: %s", id, *rec.Task.Error)), nil
				}
			}
			return errorResult(fmt.Errorf("task %s is %s, not complete; poll %s", id, rec.Task.Status, ToolGetTaskStatus)), nil
		}))
	s.mcp.AddTool(&mcp.Tool{Name: ToolCancelTask, InputSchema: refInput, OutputSchema: async,
		Description: "Cancel a pending or processing task; answers with its AsyncTaskResponse (status cancelled)."},
		s.pollTool(func(ctx context.Context, id string) (*mcp.CallToolResult, error) {
			if _, err := s.lookup(ctx, id); err != nil {
				return nil, err
			}
			info, err := s.runner.Cancel(ctx, id)
			if errors.Is(err, tasks.ErrFinished) {
				return errorResult(fmt.Errorf("task %s has already finished (%s)", id, info.Status)), nil
			}
			if err != nil {
				return nil, err
			}
			return asyncResult(info.ToAsyncTaskResponse(models.ResponseOptions{}))
		}))
	listIn := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"status": map[string]any{"type": "string", "enum": []any{"pending", "processing", "complete", "failed", "cancelled"},
				"description": "Only tasks with this status; all when absent."},
			"cursor": map[string]any{"type": "string", "maxLength": 1024, "description": "next_cursor of the previous page."},
		},
		"additionalProperties": false,
	}
	s.mcp.AddTool(&mcp.Tool{Name: ToolListTasks, InputSchema: listIn, OutputSchema: list,
		Description: "List tasks as AsyncTaskResponses, a page at a time, optionally by status."},
		func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			var a listArgs
			if err := decodeArgs(req.Params.Arguments, &a); err != nil {
				return errorResult(err), nil
			}
			switch models.TaskStatus(a.Status) {
			case "", models.TaskStatusPending, models.TaskStatusProcessing, models.TaskStatusComplete, models.TaskStatusFailed, models.TaskStatusCancelled:
			default:
				return errorResult(fmt.Errorf("arguments: status %q is not pending, processing, complete, failed or cancelled", clip(a.Status))), nil
			}
			page, err := s.page(ctx, models.TaskStatus(a.Status), a.Cursor, s.listRequestor(ctx))
			if err != nil {
				var je *jsonrpc.Error
				if errors.As(err, &je) {
					return errorResult(errors.New(je.Message)), nil
				}
				return errorResult(err), nil
			}
			out := models.AsyncTaskPage{Tasks: make([]models.AsyncTaskResponse, 0, len(page.Records)), NextCursor: encodeCursor(page.Next)}
			for _, rec := range page.Records {
				out.Tasks = append(out.Tasks, rec.Task.ToAsyncTaskResponse(models.ResponseOptions{}))
			}
			b, err := models.Marshal(out)
			if err != nil {
				return nil, err
			}
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(b)}}, StructuredContent: json.RawMessage(b)}, nil
		})
	return nil
}

func decodeArgs(raw json.RawMessage, into any) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if err := json.Unmarshal(raw, into); err != nil {
		return fmt.Errorf("arguments: %w", err)
	}
	return nil
}

// pollTool is a tool that takes a ref_id. Tool errors (unknown task, bad
// arguments) are isError results, which clients accept without
// structuredContent.
func (s *Server) pollTool(f func(ctx context.Context, id string) (*mcp.CallToolResult, error)) mcp.ToolHandler {
	return func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		var a refArgs
		if err := decodeArgs(req.Params.Arguments, &a); err != nil {
			return errorResult(err), nil
		}
		if a.RefID == "" {
			return errorResult(errors.New("arguments: ref_id is required")), nil
		}
		res, err := f(ctx, a.RefID)
		if errors.Is(err, tasks.ErrNotFound) {
			return errorResult(fmt.Errorf("no task with ref_id %q (unknown or expired)", clip(a.RefID))), nil
		}
		if err != nil {
			return errorResult(err), nil
		}
		return res, nil
	}
}
