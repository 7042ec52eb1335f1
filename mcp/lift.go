package mcptasks

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"

	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TaskMetaKey is the params._meta key under which the lifted params.task of
// a tools/call request reaches the middleware. It is private to this
// module: the middleware deletes it before the tool handler runs.
const TaskMetaKey = "io.github.mcp-refcache.taskschema/task"

// liftTaskParams moves the "task" member of a tools/call params object into
// _meta[TaskMetaKey]. It returns the params unchanged when there is no
// "task" member, and an error when params is not a JSON object.
func liftTaskParams(params json.RawMessage) (json.RawMessage, bool, error) {
	if !mayHaveTask(params) {
		return params, false, nil // cheap pre-check: most calls carry no task
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(params, &obj); err != nil {
		return params, false, err
	}
	task, ok := obj["task"]
	if !ok {
		return params, false, nil
	}
	delete(obj, "task")
	meta := map[string]json.RawMessage{}
	if raw, ok := obj["_meta"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &meta); err != nil {
			return params, false, err
		}
	}
	meta[TaskMetaKey] = task
	m, err := json.Marshal(meta)
	if err != nil {
		return params, false, err
	}
	obj["_meta"] = m
	out, err := json.Marshal(obj)
	return out, err == nil, err
}

// mayHaveTask is the cheap pre-check: a "task" member is spelled "task" or
// with a JSON escape (\u0074ask), which decoders also accept.
func mayHaveTask(b []byte) bool {
	return bytes.Contains(b, []byte(`"task"`)) || bytes.Contains(b, []byte(`\u`))
}

// LiftTask rewrites req in place when it is a tools/call carrying params.task.
// A request that cannot be rewritten is left as it is: go-sdk then reports
// its own decoding error.
func LiftTask(req *jsonrpc.Request) {
	if req.Method != "tools/call" {
		return
	}
	if p, changed, err := liftTaskParams(req.Params); err == nil && changed {
		req.Params = p
	}
}

// Transport wraps an mcp.Transport (stdio, in-memory) so that every
// incoming tools/call has its params.task lifted, and so that the server
// can write notifications go-sdk does not know (Conn.Notify).
type Transport struct {
	mcp.Transport

	// intercept is given to the Conn (set by Server.Connect).
	intercept func(ctx context.Context, c *Conn, req *jsonrpc.Request) bool

	mu   sync.Mutex
	conn *Conn
}

// Connect implements mcp.Transport.
func (t *Transport) Connect(ctx context.Context) (mcp.Connection, error) {
	c, err := t.Transport.Connect(ctx)
	if err != nil {
		return nil, err
	}
	conn := &Conn{Connection: c, intercept: t.intercept}
	if t.intercept != nil {
		conn.gone = make(chan struct{})
		// The requestor's name exists before go-sdk reads the first
		// message: an intercepted request reads it on its own goroutine.
		if conn.sid, err = tasks.NewRefID("conn"); err != nil {
			c.Close()
			return nil, err
		}
	}
	t.mu.Lock()
	t.conn = conn
	t.mu.Unlock()
	return conn, nil
}

// Conn returns the connection made by Connect, or nil before it.
func (t *Transport) Conn() *Conn {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.conn
}

// Conn is the wrapped connection.
type Conn struct {
	mcp.Connection

	sid string // names the session's requestor (its ID is "")
	// intercept, when set, may serve a request itself (reporting true), so
	// that Read skips it (ext_listen.go: subscriptions/listen of task IDs).
	intercept func(ctx context.Context, c *Conn, req *jsonrpc.Request) bool
	// gone is closed when Read fails (the peer left); nil when no
	// intercept was given.
	gone     chan struct{}
	goneOnce sync.Once
}

// Read implements mcp.Connection and lifts params.task.
func (c *Conn) Read(ctx context.Context) (jsonrpc.Message, error) {
	for {
		msg, err := c.Connection.Read(ctx)
		if err != nil && c.gone != nil {
			c.goneOnce.Do(func() { close(c.gone) })
		}
		if req, ok := msg.(*jsonrpc.Request); ok && err == nil {
			if c.intercept != nil && req.Method == "subscriptions/listen" && req.IsCall() && c.intercept(ctx, c, req) {
				continue
			}
			LiftTask(req)
		}
		return msg, err
	}
}

// Notify writes a JSON-RPC notification with any method name.
// mcp.Connection.Write may be called concurrently (transport.go:80-84).
func (c *Conn) Notify(ctx context.Context, method string, params any) error {
	raw, err := json.Marshal(params)
	if err != nil {
		return err
	}
	return c.Connection.Write(ctx, &jsonrpc.Request{Method: method, Params: raw})
}

// LiftTaskHandler wraps go-sdk's StreamableHTTPHandler: it rewrites POST
// bodies (one message or a batch) so that params.task of a tools/call is
// lifted before the SDK decodes it. Bodies over maxBytes are refused.
func LiftTaskHandler(next http.Handler, maxBytes int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Body == nil {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBytes+1))
		r.Body.Close()
		if err != nil {
			http.Error(w, "reading body: "+err.Error(), http.StatusBadRequest)
			return
		}
		if int64(len(body)) > maxBytes {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if mayHaveTask(body) {
			body = liftBody(body)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

// liftBody lifts params.task in a body holding one JSON-RPC message or a
// batch. A body it cannot decode is returned unchanged.
func liftBody(body []byte) []byte {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var batch []json.RawMessage
		if err := json.Unmarshal(trimmed, &batch); err != nil {
			return body
		}
		changed := false
		for i, m := range batch {
			out := liftOne(m)
			changed = changed || !bytes.Equal(out, m)
			batch[i] = out
		}
		if !changed {
			return body
		}
		out, err := json.Marshal(batch)
		if err != nil {
			return body
		}
		return out
	}
	return liftOne(body)
}

func liftOne(data []byte) []byte {
	msg, err := jsonrpc.DecodeMessage(data)
	if err != nil {
		return data
	}
	req, ok := msg.(*jsonrpc.Request)
	if !ok || req.Method != "tools/call" {
		return data
	}
	p, changed, err := liftTaskParams(req.Params)
	if err != nil || !changed {
		return data
	}
	req.Params = p
	out, err := jsonrpc.EncodeMessage(req)
	if err != nil {
		return data
	}
	return out
}
