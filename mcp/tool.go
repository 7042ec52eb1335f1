package mcptasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TaskSupport is Tool.execution.taskSupport: whether a tool may, must or
// must not be called with params.task.
type TaskSupport string

// The values of Tool.execution.taskSupport.
const (
	TaskForbidden TaskSupport = "forbidden"
	TaskOptional  TaskSupport = "optional"
	TaskRequired  TaskSupport = "required"
)

// ToolOptions configure a tool added with [AddTool].
type ToolOptions struct {
	// Timeout is the timeout fallback: a call without params.task that has
	// not finished after Timeout is answered with the task's
	// AsyncTaskResponse as structuredContent, and the same run goes on as a
	// task the client polls. 0 means no fallback: the call waits for the
	// result.
	Timeout time.Duration
	// TaskSupport is the tool's execution.taskSupport; "" leaves execution
	// out (which means forbidden).
	TaskSupport TaskSupport
	// MaxRetries is how often a failed run is started again (max_retries).
	MaxRetries int64
	// RetryDelay is the wait before each retry.
	RetryDelay time.Duration
	// Key, when set, gives the deduplication key of a call from its
	// arguments (after defaults): a call whose key a running task holds
	// joins that task (see tasks.Call.Key). The tool's name is put in
	// front of it.
	Key func(args json.RawMessage) string
}

// Handler is the work of a typed tool: it gets the decoded, validated
// input and a progress reporter, and returns the output, which becomes the
// result's structuredContent. An error fails the call (isError) and its
// task. ctx is cancelled when the task is cancelled, not when the client's
// request ends.
type Handler[In, Out any] func(ctx context.Context, in In, p *Progress) (Out, error)

// invocation runs one bound call of a tool.
type invocation func(ctx context.Context, p *Progress) (*mcp.CallToolResult, error)

type toolEntry struct {
	name string
	opts ToolOptions
	// bind validates and decodes the arguments; the error says which
	// argument is wrong.
	bind func(args json.RawMessage) (invocation, json.RawMessage, error)
}

// AddTool adds a typed tool that runs under the server's task runner. The
// input schema is t.InputSchema, or inferred from In; the result schema is
// t.OutputSchema, or inferred from Out. With a Timeout, the advertised
// output schema accepts the result or an AsyncTaskResponse (see
// [FallbackOutputSchema]). Arguments are validated against the input
// schema, and the output against the result schema, before they go on.
func AddTool[In, Out any](s *Server, t *mcp.Tool, h Handler[In, Out], o ToolOptions) error {
	if s == nil || t == nil || h == nil {
		return errors.New("mcptasks: AddTool needs a server, a tool and a handler")
	}
	switch o.TaskSupport {
	case "", TaskForbidden, TaskOptional, TaskRequired:
	default:
		return fmt.Errorf("mcptasks: tool %q: TaskSupport %q is not forbidden, optional or required", t.Name, o.TaskSupport)
	}
	if o.Timeout < 0 || o.MaxRetries < 0 || o.RetryDelay < 0 {
		return fmt.Errorf("mcptasks: tool %q: Timeout, MaxRetries and RetryDelay must not be negative", t.Name)
	}
	tt := *t
	in, err := schemaOrFor[In](tt.InputSchema)
	if err != nil {
		return fmt.Errorf("mcptasks: tool %q: input schema: %w", t.Name, err)
	}
	if in.Type != "object" {
		return fmt.Errorf("mcptasks: tool %q: input schema must have type object", t.Name)
	}
	inResolved, err := in.Resolve(&jsonschema.ResolveOptions{ValidateDefaults: true})
	if err != nil {
		return fmt.Errorf("mcptasks: tool %q: input schema: %w", t.Name, err)
	}
	out, err := schemaOrFor[Out](tt.OutputSchema)
	if err != nil {
		return fmt.Errorf("mcptasks: tool %q: output schema: %w", t.Name, err)
	}
	if out.Type != "object" {
		return fmt.Errorf("mcptasks: tool %q: output schema must have type object (structuredContent is an object)", t.Name)
	}
	outResolved, err := out.Resolve(&jsonschema.ResolveOptions{ValidateDefaults: true})
	if err != nil {
		return fmt.Errorf("mcptasks: tool %q: output schema: %w", t.Name, err)
	}
	tt.InputSchema = in
	tt.OutputSchema = out
	if o.Timeout > 0 {
		var resultMap map[string]any
		if err := remarshal(out, &resultMap); err != nil {
			return fmt.Errorf("mcptasks: tool %q: output schema: %w", t.Name, err)
		}
		fb, err := FallbackOutputSchema(resultMap)
		if err != nil {
			return fmt.Errorf("mcptasks: tool %q: %w", t.Name, err)
		}
		tt.OutputSchema = fb
	}
	e := &toolEntry{name: t.Name, opts: o}
	e.bind = func(args json.RawMessage) (invocation, json.RawMessage, error) {
		v := map[string]any{}
		if len(args) > 0 && string(args) != "null" {
			if err := json.Unmarshal(args, &v); err != nil {
				return nil, nil, fmt.Errorf("arguments: want a JSON object: %w", err)
			}
		}
		var anyV any = v
		if err := inResolved.ApplyDefaults(&anyV); err != nil {
			return nil, nil, fmt.Errorf("arguments: %w", err)
		}
		if err := inResolved.Validate(anyV); err != nil {
			return nil, nil, fmt.Errorf("arguments: %w", err)
		}
		withDefaults, err := json.Marshal(anyV)
		if err != nil {
			return nil, nil, fmt.Errorf("arguments: %w", err)
		}
		var input In
		if err := json.Unmarshal(withDefaults, &input); err != nil {
			return nil, nil, fmt.Errorf("arguments: %w", err)
		}
		return func(ctx context.Context, p *Progress) (*mcp.CallToolResult, error) {
			output, err := h(ctx, input, p)
			if err != nil {
				return nil, err
			}
			b, err := json.Marshal(output)
			if err != nil {
				return nil, fmt.Errorf("tool %q: encoding its output: %w", t.Name, err)
			}
			var check any
			if err := json.Unmarshal(b, &check); err != nil {
				return nil, fmt.Errorf("tool %q: decoding its output: %w", t.Name, err)
			}
			if err := outResolved.Validate(check); err != nil {
				return nil, fmt.Errorf("tool %q: its output does not match its output schema: %w", t.Name, err)
			}
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(b)}}, StructuredContent: json.RawMessage(b)}, nil
		}, withDefaults, nil
	}
	s.mu.Lock()
	s.tools[t.Name] = e
	s.mu.Unlock()
	s.mcp.AddTool(&tt, s.fallbackHandler(e))
	return nil
}

func schemaOrFor[T any](given any) (*jsonschema.Schema, error) {
	switch g := given.(type) {
	case nil:
		return jsonschema.For[T](nil)
	case *jsonschema.Schema:
		return g, nil
	}
	var sc jsonschema.Schema
	if err := remarshal(given, &sc); err != nil {
		return nil, err
	}
	return &sc, nil
}

func remarshal(from, to any) error {
	b, err := json.Marshal(from)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, to)
}

// errorResult is a tool error: isError with the message as text.
func errorResult(err error) *mcp.CallToolResult {
	r := &mcp.CallToolResult{}
	r.SetError(err)
	return r
}

// asyncResult is the fallback answer: the AsyncTaskResponse, checked by
// models.Marshal, as structuredContent with a text copy.
func asyncResult(resp models.AsyncTaskResponse) (*mcp.CallToolResult, error) {
	b, err := models.Marshal(resp)
	if err != nil {
		return nil, err
	}
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(b)}}, StructuredContent: json.RawMessage(b)}, nil
}

// call is the runner's Call of the tool with these arguments for the
// requestor. Unless tasks are shared, the deduplication key starts with
// the requestor, so that a call never joins another requestor's task.
func (s *Server) call(e *toolEntry, args json.RawMessage, requestor string) tasks.Call {
	c := tasks.Call{Prefix: e.name, MaxRetries: e.opts.MaxRetries, RetryDelay: e.opts.RetryDelay, Requestor: requestor}
	if e.opts.Key != nil {
		if k := e.opts.Key(args); k != "" {
			c.Key = e.name + "\x00" + k
			if !s.opts.SharedTasks {
				c.Key = requestor + "\x00" + c.Key
			}
		}
	}
	return c
}

// taskFunc runs inv under the runner; the stored result is the marshalled
// CallToolResult, so that tasks/result and get_task_result return it as
// it is. last keeps the latest result for the caller that waits.
func taskFunc(inv invocation, prog *Progress, last *atomic.Pointer[mcp.CallToolResult], ran func()) tasks.Func {
	return func(ctx context.Context, tp *tasks.Progress) (json.RawMessage, error) {
		if ran != nil {
			defer ran()
		}
		prog.attach(tp)
		res, err := inv(ctx, prog)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(res)
		if err != nil {
			return nil, err
		}
		if last != nil {
			last.Store(res)
		}
		return b, nil
	}
}

// fallbackHandler is the go-sdk handler of a typed tool: the call without
// params.task.
func (s *Server) fallbackHandler(e *toolEntry) mcp.ToolHandler {
	return func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		inv, args, err := e.bind(req.Params.Arguments)
		if err != nil {
			return errorResult(err), nil
		}
		prog := &Progress{}
		if tok := req.Params.GetProgressToken(); tok != nil && req.Session != nil {
			prog.open(ctx, req.Session, tok)
		}
		defer prog.close()
		if e.opts.Timeout <= 0 {
			prog.attach(&tasks.Progress{})
			res, err := inv(ctx, prog)
			if err != nil {
				return errorResult(err), nil
			}
			return res, nil
		}
		var last atomic.Pointer[mcp.CallToolResult]
		call := s.call(e, args, requestor(ctx))
		call.Timeout = e.opts.Timeout
		out, err := s.runner.Run(ctx, call, taskFunc(inv, prog, &last, nil))
		// The request's stream closes with the answer: no progress after it
		// (the TypeScript client reports progress for an answered request
		// as an error).
		prog.close()
		if lim, ok := limitError(err); ok {
			return errorResult(fmt.Errorf("tool %q: outlived its timeout and was stopped instead of becoming a task: you have %d tasks in flight, the most one requestor may have is %d; wait for one to end or cancel one", e.name, lim.InFlight, lim.Limit)), nil
		}
		if err != nil {
			return errorResult(err), nil
		}
		if out.Async != nil {
			return asyncResult(*out.Async)
		}
		if res := last.Load(); res != nil {
			return res, nil
		}
		var res mcp.CallToolResult // joined another call's run
		if err := json.Unmarshal(out.Result, &res); err != nil {
			return nil, fmt.Errorf("mcptasks: stored result: %w", err)
		}
		return &res, nil
	}
}

// startTask answers a task-augmented tools/call: the run starts as a task
// at once and the client gets the CreateTaskResult.
func (s *Server) startTask(ctx context.Context, e *toolEntry, p *mcp.CallToolParamsRaw, ss *mcp.ServerSession) (*CreateTaskResult, error) {
	inv, args, err := e.bind(p.Arguments)
	if err != nil {
		return nil, invalidParams("tool %q: %v", e.name, err)
	}
	prog := &Progress{}
	if tok := p.GetProgressToken(); tok != nil && ss != nil {
		// After the CreateTaskResult the request's stream is closed; a
		// context without the request's ID sends progress on the session's
		// GET stream (streamable HTTP), which the token stays valid on.
		prog.open(context.Background(), ss, tok)
	}
	gate := make(chan struct{})
	var id string
	fn := func(ctx context.Context, tp *tasks.Progress) (json.RawMessage, error) {
		select { // the run waits for the task to be stored and answered
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		defer s.watch(ss, id, prog)
		return taskFunc(inv, prog, nil, nil)(ctx, tp)
	}
	out, err := s.runner.Run(ctx, s.call(e, args, requestor(ctx)), fn)
	if err != nil { // the runner has cancelled the run, which waits at the gate
		prog.close()
		if lim, ok := limitError(err); ok {
			return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidRequest, Message: fmt.Sprintf(
				"tool %q: task not created: you have %d tasks in flight, the most one requestor may have is %d; wait for one to end or cancel one", e.name, lim.InFlight, lim.Limit)}
		}
		return nil, &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: fmt.Sprintf("tool %q: starting its task: %v", e.name, err)}
	}
	if out.Async == nil { // cannot happen: the run waits at the gate
		return nil, &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: "task finished before it was stored"}
	}
	id = out.Async.RefID
	if ss != nil {
		s.setOwner(id, ss)
	}
	close(gate)
	return &CreateTaskResult{Task: s.taskFromResponse(*out.Async)}, nil
}

// taskFromResponse is the Task of a task that has just been stored.
func (s *Server) taskFromResponse(r models.AsyncTaskResponse) Task {
	t := Task{TaskID: r.RefID, Status: StatusWorking, Ttl: s.conv.TTL, PollInterval: *s.conv.PollInterval,
		CreatedAt: unixTime(unixSeconds(r.StartedAt))}
	t.LastUpdatedAt = t.CreatedAt
	if r.Message != nil {
		t.StatusMessage = *r.Message
	}
	return t
}

// watch waits, after a task's run returned, for the runner to write its
// final status, then sends notifications/tasks/status (completed or
// failed; a cancel sends its own) and stops its progress notifications.
func (s *Server) watch(ss *mcp.ServerSession, id string, prog *Progress) {
	go func() {
		delay := 2 * time.Millisecond
		for range 100 { // about 10 s at most
			time.Sleep(delay)
			delay = min(2*delay, 100*time.Millisecond)
			rec, err := s.runner.Get(context.Background(), id)
			if err != nil {
				s.setOwner(id, nil)
				return
			}
			switch StatusOf(rec.Task) {
			case StatusCompleted, StatusFailed:
				prog.close()
				s.notify(ss, "notifications/tasks/status", s.taskOf(rec.Task))
				s.setOwner(id, nil)
				return
			case StatusCancelled:
				prog.close()
				s.setOwner(id, nil)
				return
			}
			if rec.Task.Status == models.TaskStatusPending {
				return // a retry: its run will watch again
			}
		}
	}()
}

// Progress is the reporter a [Handler] gets. Report records progress in
// the task (the runner writes it to the store, see tasks.Progress) and,
// while the client's request is open and it sent a progressToken, also
// sends notifications/progress. For a task-augmented call the token stays
// valid until the task ends.
type Progress struct {
	mu    sync.Mutex
	tp    *tasks.Progress
	ctx   context.Context
	ss    *mcp.ServerSession
	token any
}

func (p *Progress) attach(tp *tasks.Progress) {
	p.mu.Lock()
	p.tp = tp
	p.mu.Unlock()
}

func (p *Progress) open(ctx context.Context, ss *mcp.ServerSession, token any) {
	p.mu.Lock()
	p.ctx, p.ss, p.token = ctx, ss, token
	p.mu.Unlock()
}

// close stops the notifications; it waits for one being sent.
func (p *Progress) close() {
	p.mu.Lock()
	p.ss, p.token, p.ctx = nil, nil, nil
	p.mu.Unlock()
}

// Report records that the work is at step current of total (0: unknown)
// with a message; see tasks.Progress.Report for the errors (ErrCancelled
// once the task is cancelled).
func (p *Progress) Report(current, total int64, message string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tp == nil {
		p.tp = &tasks.Progress{}
	}
	if err := p.tp.Report(current, total, message); err != nil {
		return err
	}
	if p.ss != nil {
		n := &mcp.ProgressNotificationParams{ProgressToken: p.token, Progress: float64(current), Message: message}
		if total > 0 {
			n.Total = float64(total)
		}
		_ = p.ss.NotifyProgress(p.ctx, n) // a closed stream or a gone client is not the tool's failure
	}
	return nil
}

// Cancelled reports whether the task was cancelled.
func (p *Progress) Cancelled() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tp != nil && p.tp.Cancelled()
}
