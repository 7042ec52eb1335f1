package mcptasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"sync/atomic"

	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The MCP tasks extension (SEP-2663) on protocol revision 2026-07-28.
//
// A request of that revision carries its protocol version and the client's
// capabilities in params._meta (go-sdk decodes them for each request,
// shared.go:564-601, and exposes them on mcp.ServerRequest: ProtocolVersion
// and ClientCapabilities, shared.go:674-724). Such a request gets the
// extension: capabilities.extensions[ExtensionID] in server/discover, a
// server-decided CreateTaskResult from a task-supporting tool, and the
// methods tasks/get, tasks/update and tasks/cancel. A request of an older
// revision keeps the 2025-11-25 behaviour of this package unchanged.
const (
	// ExtensionID names the tasks extension in capabilities.extensions.
	ExtensionID = "io.modelcontextprotocol/tasks"
	// ExtProtocolVersion is the first protocol revision with the extension.
	ExtProtocolVersion = "2026-07-28"
	// CodeMissingRequiredClientCapability is the JSON-RPC error of a
	// request the server cannot serve without a capability the client did
	// not declare on it (-32021).
	CodeMissingRequiredClientCapability = -32021
	// CodeHeaderMismatch is the JSON-RPC error of a request whose
	// Mcp-Method or Mcp-Name header disagrees with its body (-32020).
	CodeHeaderMismatch = -32020
)

// versioned is what mcp.ServerRequest offers about the request's protocol
// revision and the client's per-request capabilities.
type versioned interface {
	ProtocolVersion() string
	ClientCapabilities() *mcp.ClientCapabilities
}

// isExt reports whether req speaks revision 2026-07-28 or later.
func isExt(req mcp.Request) bool {
	if nilParams(req) {
		// go-sdk's accessors read params._meta and panic on typed-nil
		// params of a custom method (shared.go:726-731); the session's
		// version is all there is then.
		ss, _ := req.GetSession().(*mcp.ServerSession)
		ip := (*mcp.InitializeParams)(nil)
		if ss != nil {
			ip = ss.InitializeParams()
		}
		return ip != nil && ip.ProtocolVersion >= ExtProtocolVersion
	}
	v, ok := req.(versioned)
	return ok && v.ProtocolVersion() >= ExtProtocolVersion
}

// nilParams reports whether the request's params are nil, typed or not
// (a custom method's params may be missing: go-sdk registers them with
// missingParamsOK).
func nilParams(req mcp.Request) bool {
	p := req.GetParams()
	if p == nil {
		return true
	}
	v := reflect.ValueOf(p)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// declaresExt reports whether the request's client capabilities name the
// tasks extension. Only this request's declaration counts (SEP-2663: "on
// its request, regardless of prior declarations").
func declaresExt(req mcp.Request) bool {
	if nilParams(req) {
		return false
	}
	v, ok := req.(versioned)
	if !ok {
		return false
	}
	c := v.ClientCapabilities()
	if c == nil || c.Extensions == nil {
		return false
	}
	_, ok = c.Extensions[ExtensionID]
	return ok
}

// missingExtension is the -32021 error naming the tasks extension in
// data.requiredCapabilities, shaped like the client's capabilities.
func missingExtension(format string, args ...any) error {
	data, _ := json.Marshal(map[string]any{
		"requiredCapabilities": map[string]any{"extensions": map[string]any{ExtensionID: map[string]any{}}},
	})
	return &jsonrpc.Error{Code: CodeMissingRequiredClientCapability, Message: fmt.Sprintf(format, args...), Data: data}
}

// extMiddleware serves a request of revision 2026-07-28. Tasks belong to
// their requestor as on 2025-11-25 (requestor.go): a stateless HTTP
// request has no session, so without a verified token (or
// Options.Requestor) its requestor is AnonymousRequestor.
func (s *Server) extMiddleware(ctx context.Context, next mcp.MethodHandler, method string, req mcp.Request) (mcp.Result, error) {
	if method != "server/discover" && method != "tools/list" {
		ctx = withRequestor(ctx, s.requestorOf(ctx, req))
	}
	res, err := s.extServe(ctx, next, method, req)
	var je *jsonrpc.Error
	if errors.As(err, &je) && len(je.Message) > maxErrorMessage {
		// Never echo large client input (an unknown tool's name in
		// go-sdk's message); data, such as requiredCapabilities, stays.
		return res, &jsonrpc.Error{Code: je.Code, Message: cutMessage(je.Message), Data: je.Data}
	}
	return res, err
}

func (s *Server) extServe(ctx context.Context, next mcp.MethodHandler, method string, req mcp.Request) (mcp.Result, error) {
	switch method {
	case "server/discover":
		res, err := next(ctx, method, req)
		if d, ok := res.(*mcp.DiscoverResult); ok && err == nil {
			caps := &mcp.ServerCapabilities{}
			if d.Capabilities != nil {
				c := *d.Capabilities // the server's own value stays as it is
				c.Extensions = maps.Clone(c.Extensions)
				caps = &c
			}
			caps.AddExtension(ExtensionID, map[string]any{})
			d.Capabilities = caps
		}
		return res, err
	case "tools/call":
		return s.extCallTool(ctx, next, method, req)
	case "tasks/result", "tasks/list":
		// Removed by the extension: the result is inlined in tasks/get, and
		// there is no listing.
		return nil, &jsonrpc.Error{Code: jsonrpc.CodeMethodNotFound, Message: fmt.Sprintf("%s is not a method of protocol revision %s (the tasks extension inlines the result in tasks/get and has no listing)", method, ExtProtocolVersion)}
	case "tasks/get", "tasks/update", "tasks/cancel":
		if !declaresExt(req) {
			return nil, missingExtension("%s needs the client capability extensions[%q] on the request", method, ExtensionID)
		}
		return s.extTaskMethod(ctx, method, req)
	}
	return next(ctx, method, req)
}

// extCallTool answers tools/call on revision 2026-07-28. A tool without
// task support, or one called by a client that did not declare the
// extension, answers with a CallToolResult as for a client without tasks
// (its result, or the timeout fallback's AsyncTaskResponse; go-sdk sets
// resultType complete); a tool with required task support refuses such a
// client with -32021. For a
// declaring client the server decides: a tool that finishes within its
// Timeout answers with its result, a later one with a CreateTaskResult,
// written only after the task is in the store; a tool with required task
// support always answers with a task.
func (s *Server) extCallTool(ctx context.Context, next mcp.MethodHandler, method string, req mcp.Request) (mcp.Result, error) {
	p, ok := req.GetParams().(*mcp.CallToolParamsRaw)
	if !ok || p == nil {
		return next(ctx, method, req)
	}
	// params.task of 2025-11-25 has no meaning here: it is dropped, and
	// never promotes a call to a task.
	delete(p.Meta, TaskMetaKey)
	e := s.tool(p.Name)
	mode := TaskForbidden
	if e != nil && e.opts.TaskSupport != "" {
		mode = e.opts.TaskSupport
	}
	if mode == TaskForbidden {
		return next(ctx, method, req)
	}
	declared := declaresExt(req)
	if mode == TaskRequired && !declared {
		return nil, missingExtension("tool %q runs only as a task: declare the client capability extensions[%q] on the request", clip(p.Name), ExtensionID)
	}
	if g := s.gate(p.Name); g != nil {
		args, requests, err := g(p.Arguments, p.InputResponses)
		if err != nil {
			return nil, invalidParams("tool %q: %v", clip(p.Name), err)
		}
		if len(requests) > 0 {
			return &inputRequiredResult{Requests: requests}, nil
		}
		p.Arguments = args
		p.InputResponses, p.RequestState = nil, ""
	}
	if !declared {
		// A CallToolResult as for any client without tasks: the tool's
		// own result, or the timeout fallback's AsyncTaskResponse.
		return next(ctx, method, req)
	}
	return s.extRun(ctx, e, p, mode)
}

// extRun runs a tool call of a declaring client under the runner.
func (s *Server) extRun(ctx context.Context, e *toolEntry, p *mcp.CallToolParamsRaw, mode TaskSupport) (mcp.Result, error) {
	inv, args, err := e.bind(p.Arguments)
	if err != nil {
		return extToolResult{errorResult(err)}, nil
	}
	prog := &Progress{}
	var last atomic.Pointer[mcp.CallToolResult]
	call := s.call(e, args, requestor(ctx))
	if mode != TaskRequired {
		call.Timeout = e.opts.Timeout
	}
	fn := func(ctx context.Context, tp *tasks.Progress) (json.RawMessage, error) {
		prog.attach(tp)
		res, err := inv(ctx, prog) // a panic goes on to the runner: failed
		if err != nil {
			if ctx.Err() != nil {
				return nil, err // cancelled
			}
			// A tool that ran and reported an error has a result: the task
			// is completed with isError (SEP-2663: failed is for JSON-RPC
			// errors only).
			res = errorResult(err)
		}
		b, err := json.Marshal(res)
		if err != nil {
			return nil, err
		}
		last.Store(res)
		return b, nil
	}
	run := fn
	if mode == TaskRequired {
		// Only as a task: the run waits until the task is stored (Run
		// with timeout 0 stores it at once), so it never finishes in time.
		gate := make(chan struct{})
		defer close(gate)
		run = func(ctx context.Context, tp *tasks.Progress) (json.RawMessage, error) {
			select {
			case <-gate:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return fn(ctx, tp)
		}
	}
	out, err := s.runner.Run(ctx, call, run)
	if err != nil {
		var pe *tasks.PanicError
		if errors.As(err, &pe) {
			return nil, &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: fmt.Sprintf("tool %q: %v", e.name, err)}
		}
		if lim, ok := limitError(err); ok {
			return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidRequest, Message: fmt.Sprintf(
				"tool %q: task not created: you have %d tasks in flight, the most one requestor may have is %d; wait for one to end or cancel one", e.name, lim.InFlight, lim.Limit)}
		}
		return extToolResult{errorResult(err)}, nil
	}
	if out.Async == nil {
		if res := last.Load(); res != nil {
			return extToolResult{res}, nil
		}
		var res mcp.CallToolResult // joined another call's run
		if err := json.Unmarshal(out.Result, &res); err != nil {
			return nil, fmt.Errorf("mcptasks: stored result: %w", err)
		}
		return extToolResult{&res}, nil
	}
	// Run returns an AsyncTaskResponse only once the task is in the store:
	// a tasks/get for it resolves on any replica from now on.
	t := s.extTaskFromResponse(*out.Async)
	return &extCreateTaskResult{Task: t}, nil
}
