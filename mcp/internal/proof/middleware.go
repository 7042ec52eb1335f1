package proof

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TasksCapability is capabilities.tasks as the server declares it.
var TasksCapability = map[string]any{
	"list":     map[string]any{},
	"cancel":   map[string]any{},
	"requests": map[string]any{"tools": map[string]any{"call": map[string]any{}}},
}

// Middleware returns the receiving middleware. support maps a tool name to
// its execution.taskSupport; tools not in the map are "forbidden".
func (t *Toy) Middleware(support map[string]string) mcp.Middleware {
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			switch method {
			case "initialize":
				return withTasksCapability(next(ctx, method, req))
			case "tools/list":
				return withExecution(support)(next(ctx, method, req))
			case "tools/call":
				return t.callTool(ctx, next, method, req, support)
			}
			return next(ctx, method, req)
		}
	}
}

func withTasksCapability(res mcp.Result, err error) (mcp.Result, error) {
	ir, ok := res.(*mcp.InitializeResult)
	if err != nil || !ok {
		return res, err
	}
	caps := map[string]any{}
	if ir.Capabilities != nil {
		raw, err := json.Marshal(ir.Capabilities)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(raw, &caps); err != nil {
			return nil, err
		}
	}
	caps["tasks"] = TasksCapability
	return &initializeResult{InitializeResult: ir, Capabilities: caps}, nil
}

func withExecution(support map[string]string) func(mcp.Result, error) (mcp.Result, error) {
	return func(res mcp.Result, err error) (mcp.Result, error) {
		lr, ok := res.(*mcp.ListToolsResult)
		if err != nil || !ok {
			return res, err
		}
		out := &listToolsResult{ListToolsResult: lr, Tools: make([]toolWithExecution, len(lr.Tools))}
		for i, tool := range lr.Tools {
			out.Tools[i].Tool = tool
			if s, ok := support[tool.Name]; ok {
				out.Tools[i].Execution = &ToolExecution{TaskSupport: s}
			}
		}
		return out, nil
	}
}

func (t *Toy) callTool(ctx context.Context, next mcp.MethodHandler, method string, req mcp.Request, support map[string]string) (mcp.Result, error) {
	p, ok := req.GetParams().(*mcp.CallToolParamsRaw)
	if !ok || p == nil {
		return next(ctx, method, req)
	}
	raw, augmented := p.Meta[TaskMetaKey]
	mode := support[p.Name]
	if !augmented {
		if mode == "required" {
			return nil, &jsonrpc.Error{Code: jsonrpc.CodeMethodNotFound, Message: fmt.Sprintf("tool %q requires task augmentation", p.Name)}
		}
		return next(ctx, method, req)
	}
	delete(p.Meta, TaskMetaKey)
	if mode != "optional" && mode != "required" {
		return nil, &jsonrpc.Error{Code: jsonrpc.CodeMethodNotFound, Message: fmt.Sprintf("tool %q does not support task augmentation", p.Name)}
	}
	var md TaskMetadata
	if b, err := json.Marshal(raw); err != nil || json.Unmarshal(b, &md) != nil {
		return nil, invalidParams("params.task: want an object with an optional number ttl")
	}
	// The run outlives the request: detach it from the request's cancellation.
	// Values stay, including go-sdk's request-ID key, so over streamable
	// HTTP a notification written with runCtx after the CreateTaskResult is
	// rejected ("write to closed stream"); see notify.go.
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	ss, _ := req.GetSession().(*mcp.ServerSession)
	task := t.create(ss, md.TTL, cancel)
	go func() {
		defer cancel()
		res, err := next(runCtx, method, req)
		t.finish(task.TaskID, res, err)
	}()
	return &CreateTaskResult{Task: task}, nil
}
