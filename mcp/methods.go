package mcptasks

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// taskOf converts a runtime task with the server's TTL and poll interval.
func (s *Server) taskOf(t models.TaskInfo) Task { return FromTaskInfo(t, s.conv) }

// methodError maps a runtime error to the JSON-RPC error of the
// specification: an unknown or expired task, or one of another requestor,
// is -32602, the same error for each, echoing only the start of a long
// taskId; anything else -32603.
func methodError(id string, err error) error {
	if errors.Is(err, tasks.ErrNotFound) {
		return invalidParams("task %q not found (unknown or expired)", clip(id))
	}
	return &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: err.Error()}
}

func taskID(p *TaskIDParams) (string, error) {
	if p == nil || p.TaskID == "" {
		return "", invalidParams("params.taskId is required")
	}
	return p.TaskID, nil
}

// registerMethods adds tasks/get, tasks/result, tasks/list and
// tasks/cancel. go-sdk registers custom methods with missingParamsOK, so
// params may be nil.
func (s *Server) registerMethods() error {
	if err := mcp.AddReceivingCustomMethod(s.mcp, "tasks/get", s.getTask); err != nil {
		return err
	}
	if err := mcp.AddReceivingCustomMethod(s.mcp, "tasks/result", s.taskResult); err != nil {
		return err
	}
	if err := mcp.AddReceivingCustomMethod(s.mcp, "tasks/list", s.listTasks); err != nil {
		return err
	}
	return mcp.AddReceivingCustomMethod(s.mcp, "tasks/cancel", s.cancelTask)
}

func (s *Server) getTask(ctx context.Context, _ *mcp.ServerSession, p *TaskIDParams) (*TaskResult, error) {
	id, err := taskID(p)
	if err != nil {
		return nil, err
	}
	rec, err := s.lookup(ctx, id)
	if err != nil {
		return nil, methodError(id, err)
	}
	return &TaskResult{Task: s.taskOf(rec.Task)}, nil
}

// taskResult blocks until the task is terminal, checking the store (so
// that a task running on another replica is seen) at most PollInterval
// apart, then returns what the tools/call would have returned, with the
// related-task _meta.
func (s *Server) taskResult(ctx context.Context, _ *mcp.ServerSession, p *TaskIDParams) (*mcp.CallToolResult, error) {
	id, err := taskID(p)
	if err != nil {
		return nil, err
	}
	delay := 5 * time.Millisecond
	for {
		rec, err := s.lookup(ctx, id)
		if err != nil {
			return nil, methodError(id, err)
		}
		if st := StatusOf(rec.Task); Terminal(st) {
			return s.storedResult(rec, st)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		delay = min(2*delay, s.opts.PollInterval)
	}
}

// storedResult is the CallToolResult of a terminal task: the stored one
// of a completed task; for a failed task the tool error made from the
// task's error (the runtime keeps the error's text, which is what the
// call's isError result held); for a cancelled one a tool error saying so.
func (s *Server) storedResult(rec tasks.Record, st TaskStatus) (*mcp.CallToolResult, error) {
	var res mcp.CallToolResult
	switch st {
	case StatusCompleted:
		if err := json.Unmarshal(rec.Result, &res); err != nil {
			return nil, &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: fmt.Sprintf("task %s: stored result is not a CallToolResult: %v", rec.Task.RefID, err)}
		}
	case StatusFailed:
		msg := "the task failed"
		if rec.Task.Error != nil {
			msg = *rec.Task.Error
		}
		res.SetError(errors.New(msg))
	default:
		res.SetError(errors.New("the task was cancelled"))
	}
	res.Meta = maps.Clone(res.Meta)
	if res.Meta == nil {
		res.Meta = mcp.Meta{}
	}
	res.Meta[RelatedTaskMetaKey] = map[string]any{"taskId": rec.Task.RefID}
	return &res, nil
}

func (s *Server) listTasks(ctx context.Context, _ *mcp.ServerSession, p *ListTasksParams) (*ListTasksResult, error) {
	cursor := ""
	if p != nil {
		cursor = p.Cursor
	}
	page, err := s.page(ctx, "", cursor, s.listRequestor(ctx))
	if err != nil {
		return nil, err
	}
	out := &ListTasksResult{Tasks: make([]Task, 0, len(page.Records)), NextCursor: encodeCursor(page.Next)}
	for _, rec := range page.Records {
		out.Tasks = append(out.Tasks, s.taskOf(rec.Task))
	}
	return out, nil
}

// page reads one page of the store, of the requestor's tasks only unless
// requestor is "". Cursors are opaque to clients: the base64url form of
// the store's cursor; a cursor that does not decode is -32602.
func (s *Server) page(ctx context.Context, status models.TaskStatus, cursor, requestor string) (tasks.Page, error) {
	after := ""
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || len(b) == 0 {
			return tasks.Page{}, invalidParams("invalid cursor %q", clip(cursor))
		}
		after = string(b)
	}
	page, err := s.runner.Store().List(ctx, tasks.ListOptions{Status: status, After: after, Limit: s.opts.ListPageSize, Requestor: requestor})
	if err != nil {
		return tasks.Page{}, &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: err.Error()}
	}
	return page, nil
}

func encodeCursor(next string) string {
	if next == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(next))
}

// cancelTask cancels a working task; a terminal one is -32602, naming its
// status. The task is cancelled in the store when the answer goes out; the
// status notification goes to the session that created the task, when this
// server did, else to the one that cancelled it.
func (s *Server) cancelTask(ctx context.Context, ss *mcp.ServerSession, p *TaskIDParams) (*TaskResult, error) {
	id, err := taskID(p)
	if err != nil {
		return nil, err
	}
	if _, err := s.lookup(ctx, id); err != nil {
		return nil, methodError(id, err)
	}
	info, err := s.runner.Cancel(ctx, id)
	if errors.Is(err, tasks.ErrFinished) {
		return nil, invalidParams("cannot cancel task %q: it is already %s", id, StatusOf(info))
	}
	if err != nil {
		return nil, methodError(id, err)
	}
	t := s.taskOf(info)
	s.notify(s.owner(id, ss), "notifications/tasks/status", t)
	return &TaskResult{Task: t}, nil
}
