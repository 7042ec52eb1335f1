package mcptasks

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The client's side of the seam for what go-sdk v1.8.0 cannot do: its
// CallToolParams has no "task" member, and its CallToolResult
// (mcp/protocol.go, CallToolResult.UnmarshalJSON) drops the "task" of a
// CreateTaskResult. ClientTransport carries both through go-sdk's
// ClientSession unchanged, as the server's Transport does on its side:
//
//   - an outgoing tools/call whose params._meta has [TaskMetaKey] gets that
//     value as params.task, the member of MCP 2025-11-25, and the key is
//     removed from _meta;
//   - the answer to such a call, when it is a CreateTaskResult (a "task"
//     member and no "content"), reaches go-sdk as a CallToolResult with no
//     content whose _meta[TaskMetaKey] holds the task.
//
// and, for the tasks extension of 2026-07-28 (ext_client.go):
//
//   - an outgoing request (tools/call, tasks/get, tasks/update,
//     tasks/cancel) whose params._meta has extOptInKey gets the extension
//     added to the per-request client capabilities go-sdk wrote there
//     (_meta["io.modelcontextprotocol/clientCapabilities"].extensions), and
//     the key is removed: go-sdk v1.8.0 has no setting for a client's
//     extensions (client.go, injectRequestMeta writes the capabilities of
//     ClientOptions, which have none);
//   - the answer to such a tools/call, when it is the extension's
//     CreateTaskResult (resultType "task"), reaches go-sdk as a
//     CallToolResult with no content whose _meta[extTaskMetaKey] holds the
//     CreateTaskResult as the server wrote it: go-sdk's CallToolResult has
//     no taskId, status or pollIntervalMs.
//
// [CallTool] uses both.

// ClientTransport wraps the transport of a go-sdk client (streamable HTTP,
// stdio, in-memory) so that [CallTool] can ask for tasks; see above, and
// clienthttp.go for streamable HTTP.
type ClientTransport struct {
	mcp.Transport
}

// Connect implements mcp.Transport. Over go-sdk's streamable HTTP transport
// the rewrites are done on the HTTP bodies (see taskRoundTripper), on a
// copy of the transport whose http.Client's Transport is wrapped; over any
// other transport, on the connection.
func (t *ClientTransport) Connect(ctx context.Context) (mcp.Connection, error) {
	if st, ok := t.Transport.(*mcp.StreamableClientTransport); ok {
		hc := http.DefaultClient
		if st.HTTPClient != nil {
			hc = st.HTTPClient
		}
		wrapped := *hc
		base := hc.Transport
		if base == nil {
			base = http.DefaultTransport
		}
		wrapped.Transport = taskRoundTripper{base: base}
		cp := *st
		cp.HTTPClient = &wrapped
		return cp.Connect(ctx)
	}
	c, err := t.Transport.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &clientConn{Connection: c, calls: map[any]bool{}}, nil
}

type clientConn struct {
	mcp.Connection
	mu    sync.Mutex
	calls map[any]bool // IDs of task-augmented or extension tools/call requests awaiting their answer
}

// Write implements mcp.Connection: a task-augmented call's _meta entry
// becomes params.task.
func (c *clientConn) Write(ctx context.Context, msg jsonrpc.Message) error {
	if req, ok := msg.(*jsonrpc.Request); ok && req.ID.IsValid() {
		if p, moved := lowerParams(req.Method, req.Params); moved {
			copied := *req
			copied.Params = p
			if req.Method == "tools/call" {
				c.mu.Lock()
				c.calls[req.ID.Raw()] = true
				c.mu.Unlock()
			}
			msg = &copied
		}
	}
	return c.Connection.Write(ctx, msg)
}

// Read implements mcp.Connection: a CreateTaskResult becomes a
// CallToolResult that keeps the task in _meta.
func (c *clientConn) Read(ctx context.Context) (jsonrpc.Message, error) {
	msg, err := c.Connection.Read(ctx)
	resp, ok := msg.(*jsonrpc.Response)
	if err != nil || !ok {
		return msg, err
	}
	c.mu.Lock()
	pending := c.calls[resp.ID.Raw()]
	delete(c.calls, resp.ID.Raw())
	c.mu.Unlock()
	if pending && resp.Error == nil {
		if r, ok := raiseResult(resp.Result); ok {
			resp.Result = r
		}
	}
	return msg, err
}

// lowerParams rewrites the params of an outgoing request: a tools/call's
// task (lowerTaskParams), and the extension's opt-in on any request
// (declareExt).
func lowerParams(method string, params json.RawMessage) (json.RawMessage, bool) {
	moved := false
	if method == "tools/call" {
		params, moved = lowerTaskParams(params)
	}
	p, declared := declareExt(params)
	return p, moved || declared
}

// lowerTaskParams moves params._meta[TaskMetaKey] to params.task.
func lowerTaskParams(params json.RawMessage) (json.RawMessage, bool) {
	obj, meta := splitMeta(params)
	if meta[TaskMetaKey] == nil {
		return params, false
	}
	obj["task"] = meta[TaskMetaKey]
	delete(meta, TaskMetaKey)
	return joinMeta(obj, meta)
}

// splitMeta decodes params into its members and those of its _meta; meta
// is nil when params or its _meta is not an object.
func splitMeta(params json.RawMessage) (obj, meta map[string]json.RawMessage) {
	if json.Unmarshal(params, &obj) != nil || json.Unmarshal(obj["_meta"], &meta) != nil {
		return obj, nil
	}
	return obj, meta
}

// joinMeta puts meta back as obj's _meta (left out when empty) and encodes
// obj.
func joinMeta(obj, meta map[string]json.RawMessage) (json.RawMessage, bool) {
	if len(meta) == 0 {
		delete(obj, "_meta")
	} else {
		obj["_meta"], _ = json.Marshal(meta)
	}
	out, err := json.Marshal(obj)
	return out, err == nil
}

// taskAsToolResult rewrites a CreateTaskResult into a CallToolResult whose
// _meta[TaskMetaKey] is the task.
func taskAsToolResult(result json.RawMessage) (json.RawMessage, bool) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(result, &obj) != nil || obj["task"] == nil || obj["content"] != nil {
		return result, false
	}
	meta := map[string]json.RawMessage{}
	if raw, ok := obj["_meta"]; ok && json.Unmarshal(raw, &meta) != nil {
		return result, false
	}
	meta[TaskMetaKey] = obj["task"]
	out, err := json.Marshal(map[string]any{"content": []any{}, "_meta": meta})
	return out, err == nil
}

// raiseResult rewrites a CreateTaskResult of either revision into a
// CallToolResult that go-sdk reads without losing the task.
func raiseResult(result json.RawMessage) (json.RawMessage, bool) {
	if r, ok := extTaskAsToolResult(result); ok {
		return r, true
	}
	return taskAsToolResult(result)
}
