package mcptasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ProtocolVersion is the MCP protocol revision whose Tasks this package
// serves. The capability is declared, and params.task accepted, only on
// sessions that negotiated it.
const ProtocolVersion = "2025-11-25"

// Options configure a [Server]. Zero values take the defaults.
type Options struct {
	// Runner runs the tools and keeps their tasks; its store decides which
	// replicas see a task. Required.
	Runner *tasks.Runner
	// PollInterval is the Task.pollInterval the server suggests; default
	// one second. tasks/result waits for the task's end with
	// tasks.Runner.Wait, woken by the store's notifications.
	PollInterval time.Duration
	// TTL is Task.ttl: how long the store keeps a finished task; default
	// one hour, MemoryStore's default. Negative means without limit (null).
	TTL time.Duration
	// ListPageSize is the number of tasks in a page of tasks/list and
	// list_tasks; default 50.
	ListPageSize int
	// NoPollingTools leaves out the tools get_task_status, get_task_result,
	// cancel_task and list_tasks (the timeout fallback's polling, for
	// clients without MCP Tasks).
	NoPollingTools bool
	// SharedTasks lets every requestor see, await, cancel and list every
	// task. By default a task belongs to its requestor (the verified
	// token's user, else the session; see [RequestorFunc]) and any other
	// is answered as an unknown task. Tasks record their requestor either
	// way, and the store's limit per requestor applies either way.
	SharedTasks bool
	// Requestor names whoever sent a request; nil means the token's user
	// ("user:" + auth.TokenInfo.UserID) where go-sdk's
	// auth.RequireBearerToken verified one, else the session
	// ("session:" + its ID).
	Requestor RequestorFunc
	// AllowedOrigins are the values of the Origin header that
	// [Server.HTTPHandler] accepts, such as "https://app.example.com"
	// (scheme, host and port, as a browser sends them); a request with any
	// other Origin is refused with 403 Forbidden (MCP 2025-11-25, basic/
	// transports: servers MUST validate Origin). A request without Origin
	// (not from a browser) is not affected. nil means loopback origins
	// only (http or https, localhost, 127.0.0.1 or [::1], any port); "*"
	// allows any origin.
	AllowedOrigins []string
	// SessionTimeout closes a streamable HTTP session that has had no
	// request for this long (go-sdk's StreamableHTTPOptions.SessionTimeout,
	// used when that is 0); default 30 minutes; negative means never.
	SessionTimeout time.Duration
}

// DefaultSessionTimeout is the default of Options.SessionTimeout.
const DefaultSessionTimeout = 30 * time.Minute

// Server adds the timeout fallback and the Tasks of MCP 2025-11-25 to a
// go-sdk server. Make it with [New], add tools with [AddTool], and serve
// it with [Server.Connect] (stdio, in-memory) or [Server.HTTPHandler]
// (streamable HTTP): both lift params.task out of tools/call before go-sdk
// decodes it and let the server send notifications/tasks/status.
type Server struct {
	mcp    *mcp.Server
	runner *tasks.Runner
	opts   Options
	conv   ConvertOptions

	inject *SSEInjector

	mu    sync.Mutex
	tools map[string]*toolEntry
	conns map[*mcp.ServerSession]*Conn
	// owners maps the tasks this server started with a task-augmented
	// call, until they end, to the session that asked for them: the one
	// their status notifications go to.
	owners map[string]*mcp.ServerSession
	// gates are the input gates of the tasks extension (ext_gate.go).
	gates map[string]InputGate

	origins *originCheck
}

// New adds the receiving middleware (initialize, tools/list, tools/call)
// and the methods tasks/get, tasks/result, tasks/list and tasks/cancel to
// s, and, unless opts.NoPollingTools, the polling tools.
func New(s *mcp.Server, opts Options) (*Server, error) {
	if s == nil || opts.Runner == nil {
		return nil, errors.New("mcptasks: New needs a server and Options.Runner")
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.TTL == 0 {
		opts.TTL = time.Hour
	}
	if opts.ListPageSize <= 0 {
		opts.ListPageSize = 50
	}
	if opts.SessionTimeout == 0 {
		opts.SessionTimeout = DefaultSessionTimeout
	}
	origins, err := newOriginCheck(opts.AllowedOrigins)
	if err != nil {
		return nil, err
	}
	srv := &Server{mcp: s, runner: opts.Runner, opts: opts, inject: &SSEInjector{},
		tools: map[string]*toolEntry{}, conns: map[*mcp.ServerSession]*Conn{}, owners: map[string]*mcp.ServerSession{}, origins: origins}
	poll := opts.PollInterval.Milliseconds()
	srv.conv.PollInterval = &poll
	if opts.TTL > 0 {
		ttl := opts.TTL.Milliseconds()
		srv.conv.TTL = &ttl
	}
	s.AddReceivingMiddleware(srv.middleware)
	if err := srv.registerMethods(); err != nil {
		return nil, err
	}
	if err := srv.registerExtMethods(); err != nil {
		return nil, err
	}
	if !opts.NoPollingTools {
		if err := srv.addPollingTools(); err != nil {
			return nil, err
		}
	}
	return srv, nil
}

// MCP returns the go-sdk server.
func (s *Server) MCP() *mcp.Server { return s.mcp }

// Runner returns the task runner.
func (s *Server) Runner() *tasks.Runner { return s.runner }

// Connect connects the server over t (stdio, in-memory), wrapped so that
// params.task of tools/call is lifted and notifications/tasks/status can
// be written; see [Transport].
func (s *Server) Connect(ctx context.Context, t mcp.Transport, opts *mcp.ServerSessionOptions) (*mcp.ServerSession, error) {
	wt := &Transport{Transport: t, intercept: s.stdioListen} // stdioListen: ext_listen.go
	ss, err := s.mcp.Connect(ctx, wt, opts)
	if err != nil {
		return nil, err
	}
	if c := wt.Conn(); c != nil {
		// The session's ID is "" (stdio, in-memory): the random one the
		// Transport gave the connection names its requestor.
		s.mu.Lock()
		s.conns[ss] = c
		s.mu.Unlock()
		go func() {
			_ = ss.Wait()
			s.mu.Lock()
			delete(s.conns, ss)
			s.mu.Unlock()
		}()
	}
	return ss, nil
}

// HTTPHandler serves the server over streamable HTTP: go-sdk's
// StreamableHTTPHandler behind the Origin check (Options.AllowedOrigins:
// 403 for any other), the body lift (bodies over maxBody bytes are
// refused with 413; 0 means 4 MiB) and the SSE injector that carries
// notifications/tasks/status on each session's GET stream. Idle sessions
// are closed after Options.SessionTimeout unless opts sets its own.
func (s *Server) HTTPHandler(opts *mcp.StreamableHTTPOptions, maxBody int64) http.Handler {
	if maxBody <= 0 {
		maxBody = 4 << 20
	}
	if opts != nil && opts.MaxRequestBodyBytes > 0 {
		maxBody = min(maxBody, opts.MaxRequestBodyBytes)
	}
	var o mcp.StreamableHTTPOptions
	if opts != nil {
		o = *opts
	}
	if o.SessionTimeout == 0 && s.opts.SessionTimeout > 0 {
		o.SessionTimeout = s.opts.SessionTimeout
	}
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s.mcp }, &o)
	// Requests of revision 2026-07-28 go to a stateless handler beside it
	// (ext_http.go): go-sdk's stateful handler cannot serve them.
	return s.origins.wrap(s.extRouter(LiftTaskHandler(s.inject.Wrap(h), maxBody), &o, maxBody))
}

// notify sends a notification go-sdk does not know to the session: on the
// wrapped connection (stdio, in-memory), or on its GET streams (HTTP).
func (s *Server) notify(ss *mcp.ServerSession, method string, params any) {
	if ss == nil {
		return
	}
	s.mu.Lock()
	c := s.conns[ss]
	s.mu.Unlock()
	if c != nil {
		_ = c.Notify(context.Background(), method, params)
		return
	}
	if id := ss.ID(); id != "" {
		_, _ = s.inject.Notify(id, method, params)
	}
}

// owner returns the session that created the task here, or fallback.
func (s *Server) owner(id string, fallback *mcp.ServerSession) *mcp.ServerSession {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss := s.owners[id]; ss != nil {
		return ss
	}
	return fallback
}

func (s *Server) setOwner(id string, ss *mcp.ServerSession) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss == nil {
		delete(s.owners, id)
	} else {
		s.owners[id] = ss
	}
}

// tasksEnabled reports whether the session negotiated 2025-11-25. go-sdk
// keeps the negotiated version unexported; it equals the client's
// requested version whenever the server supports that version, which it
// does for 2025-11-25 unless ServerOptions.SupportedProtocolVersions
// leaves it out.
func tasksEnabled(req mcp.Request) bool {
	ss, ok := req.GetSession().(*mcp.ServerSession)
	if !ok || ss == nil {
		return false
	}
	ip := ss.InitializeParams()
	return ip != nil && ip.ProtocolVersion == ProtocolVersion
}

// tasksCapability is capabilities.tasks as the server declares it.
var tasksCapability = map[string]any{
	"list":     map[string]any{},
	"cancel":   map[string]any{},
	"requests": map[string]any{"tools": map[string]any{"call": map[string]any{}}},
}

func (s *Server) middleware(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		if isExt(req) { // protocol revision 2026-07-28: the tasks extension (ext.go)
			return s.extMiddleware(ctx, next, method, req)
		}
		switch method {
		case "initialize":
			return withTasksCapability(next(ctx, method, req))
		case "tools/list":
			return s.withExecution(next(ctx, method, req))
		}
		// Every other method learns its requestor from the context (see
		// requestor), tasks/* and tools/call among them.
		ctx = withRequestor(ctx, s.requestorOf(ctx, req))
		if method == "tools/call" {
			return clipError(s.callTool(ctx, next, method, req))
		}
		return clipError(next(ctx, method, req))
	}
}

// maxErrorMessage is the longest error message the middleware lets
// through (every method but initialize and tools/list); a longer one
// (go-sdk's, naming an unknown tool, or a tool's) is cut, so that an
// error never echoes large client input.
const maxErrorMessage = 512

// clipError cuts a JSON-RPC error's message to maxErrorMessage bytes and
// drops its data.
func clipError(res mcp.Result, err error) (mcp.Result, error) {
	if err == nil {
		return res, nil
	}
	var je *jsonrpc.Error
	if !errors.As(err, &je) {
		if len(err.Error()) <= maxErrorMessage {
			return res, err
		}
		return res, &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: cutMessage(err.Error())}
	}
	if len(je.Message) <= maxErrorMessage && len(je.Data) <= maxErrorMessage {
		return res, err
	}
	return res, &jsonrpc.Error{Code: je.Code, Message: cutMessage(je.Message)}
}

func cutMessage(m string) string {
	if len(m) <= maxErrorMessage {
		return m
	}
	cut := maxErrorMessage
	for cut > 0 && !utf8.RuneStart(m[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes cut)", m[:cut], len(m)-cut)
}

// initializeResult shadows InitializeResult.Capabilities with a JSON
// object that has the "tasks" member ServerCapabilities lacks.
type initializeResult struct {
	*mcp.InitializeResult
	Capabilities map[string]any `json:"capabilities"`
}

func withTasksCapability(res mcp.Result, err error) (mcp.Result, error) {
	ir, ok := res.(*mcp.InitializeResult)
	if err != nil || !ok || ir.ProtocolVersion != ProtocolVersion {
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
	caps["tasks"] = tasksCapability
	return &initializeResult{InitializeResult: ir, Capabilities: caps}, nil
}

// ToolExecution is Tool.execution.
type ToolExecution struct {
	// TaskSupport is forbidden, optional or required.
	TaskSupport TaskSupport `json:"taskSupport,omitempty"`
}

type toolWithExecution struct {
	*mcp.Tool
	Execution *ToolExecution `json:"execution,omitempty"`
}

type listToolsResult struct {
	*mcp.ListToolsResult
	Tools []toolWithExecution `json:"tools"`
}

func (s *Server) withExecution(res mcp.Result, err error) (mcp.Result, error) {
	lr, ok := res.(*mcp.ListToolsResult)
	if err != nil || !ok {
		return res, err
	}
	out := &listToolsResult{ListToolsResult: lr, Tools: make([]toolWithExecution, len(lr.Tools))}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, tool := range lr.Tools {
		out.Tools[i].Tool = tool
		if e := s.tools[tool.Name]; e != nil && e.opts.TaskSupport != "" {
			out.Tools[i].Execution = &ToolExecution{TaskSupport: e.opts.TaskSupport}
		}
	}
	return out, nil
}

func (s *Server) tool(name string) *toolEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tools[name]
}

func (s *Server) callTool(ctx context.Context, next mcp.MethodHandler, method string, req mcp.Request) (mcp.Result, error) {
	p, ok := req.GetParams().(*mcp.CallToolParamsRaw)
	if !ok || p == nil {
		return next(ctx, method, req)
	}
	raw, augmented := p.Meta[TaskMetaKey]
	if augmented {
		delete(p.Meta, TaskMetaKey) // the tool never sees it
	}
	if augmented && !tasksEnabled(req) {
		// Another protocol version has no tasks: params.task is an unknown
		// member, dropped as go-sdk would drop it.
		augmented = false
	}
	e := s.tool(p.Name)
	mode := TaskForbidden
	if e != nil && e.opts.TaskSupport != "" {
		mode = e.opts.TaskSupport
	}
	if !augmented {
		if mode == TaskRequired && tasksEnabled(req) {
			return nil, &jsonrpc.Error{Code: jsonrpc.CodeMethodNotFound, Message: fmt.Sprintf("tool %q requires a task-augmented call (params.task)", p.Name)}
		}
		return next(ctx, method, req)
	}
	if mode == TaskForbidden {
		return nil, &jsonrpc.Error{Code: jsonrpc.CodeMethodNotFound, Message: fmt.Sprintf("tool %q does not support task-augmented calls", clip(p.Name))}
	}
	var md TaskMetadata
	b, _ := json.Marshal(raw)
	if err := json.Unmarshal(b, &md); err != nil || (md.TTL != nil && *md.TTL < 0) {
		return nil, invalidParams("params.task: want an object with an optional non-negative integer ttl (milliseconds)")
	}
	ss, _ := req.GetSession().(*mcp.ServerSession)
	return s.startTask(ctx, e, p, ss)
}

func invalidParams(format string, args ...any) error {
	return &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: fmt.Sprintf(format, args...)}
}
