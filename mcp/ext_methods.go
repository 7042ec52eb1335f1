package mcptasks

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// UpdateTaskParams are the params of tasks/update.
type UpdateTaskParams struct {
	mcp.ParamsBase
	// TaskID names the task.
	TaskID string `json:"taskId"`
	// InputResponses answers some or all of the task's inputRequests,
	// keyed as the server keyed them.
	InputResponses map[string]json.RawMessage `json:"inputResponses"`
}

// registerExtMethods adds tasks/update, which go-sdk must know to pass it
// to the middleware (handleReceive rejects unknown methods before it,
// shared.go:206-214). Outside revision 2026-07-28 it does not exist.
func (s *Server) registerExtMethods() error {
	return mcp.AddReceivingCustomMethod(s.mcp, "tasks/update", func(context.Context, *mcp.ServerSession, *UpdateTaskParams) (*extAck, error) {
		return nil, &jsonrpc.Error{Code: jsonrpc.CodeMethodNotFound, Message: "tasks/update is a method of the tasks extension (protocol revision " + ExtProtocolVersion + ")"}
	})
}

// extTaskMethod serves tasks/get, tasks/update and tasks/cancel of a
// client that declared the extension on the request. An unknown taskId is
// -32602 for all three.
func (s *Server) extTaskMethod(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
	var id string
	var responses map[string]json.RawMessage
	switch p := req.GetParams().(type) {
	case *TaskIDParams:
		if p != nil {
			id = p.TaskID
		}
	case *UpdateTaskParams:
		if p != nil {
			id, responses = p.TaskID, p.InputResponses
			if p.InputResponses == nil {
				return nil, invalidParams("params.inputResponses is required (an object keyed by the task's inputRequests ids)")
			}
		}
	}
	if id == "" {
		return nil, invalidParams("params.taskId is required")
	}
	// A task of another requestor is answered as an unknown one.
	rec, err := s.lookup(ctx, id)
	if err != nil {
		return nil, methodError(id, err)
	}
	switch method {
	case "tasks/get":
		return &extGetTaskResult{Task: s.extTaskOf(rec)}, nil
	case "tasks/update":
		if err := s.deliverInput(ctx, id, responses); err != nil {
			return nil, err
		}
		return &extAck{}, nil
	default: // tasks/cancel
		_, err := s.runner.Cancel(ctx, id)
		if err != nil && !errors.Is(err, tasks.ErrFinished) {
			// A finished task is acknowledged all the same: cancelling is
			// idempotent, and -32602 is for unknown tasks only.
			return nil, methodError(id, err)
		}
		return &extAck{}, nil
	}
}
