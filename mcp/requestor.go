package mcptasks

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// A task belongs to whoever created it: its requestor, stored with the
// task (tasks.Record.Requestor) so that every replica applies the same
// rule. tasks/get, tasks/result, tasks/cancel and the polling tools answer
// a task of another requestor exactly as they answer an unknown one, and
// tasks/list and list_tasks list only the requestor's tasks (MCP
// 2025-11-25, basic/utilities/tasks, "Task Isolation and Access Control").

// RequestorFunc names whoever sent a request. "" means the request has no
// identity: it is [AnonymousRequestor]'s.
type RequestorFunc func(ctx context.Context, req mcp.Request) string

// AnonymousRequestor is the requestor of a request without identity: a
// stateless HTTP request without a verified token, whose session is new
// with each request. Such requests share their tasks with one another
// (binding is unavailable there, see docs/SECURITY.md), never with a
// user or a session.
const AnonymousRequestor = "anonymous"

// requestorKey is the context key of the request's requestor.
type requestorKey struct{}

// requestorOf names whoever sent req: Options.Requestor when set; else
// "user:" and the user ID of the bearer token verified by go-sdk's
// auth.RequireBearerToken (RequestExtra.TokenInfo.UserID, shared.go:631);
// else "session:" and the session's ID (the Mcp-Session-Id of streamable
// HTTP), or for a session made by [Server.Connect] (stdio, in-memory),
// whose ID is "", a random ID of its own; else [AnonymousRequestor].
func (s *Server) requestorOf(ctx context.Context, req mcp.Request) string {
	if s.opts.Requestor != nil {
		if r := s.opts.Requestor(ctx, req); r != "" {
			return r
		}
		return AnonymousRequestor
	}
	if ex := req.GetExtra(); ex != nil && ex.TokenInfo != nil && ex.TokenInfo.UserID != "" {
		return "user:" + ex.TokenInfo.UserID
	}
	ss, _ := req.GetSession().(*mcp.ServerSession)
	if ss == nil {
		return AnonymousRequestor
	}
	if id := ss.ID(); id != "" {
		return "session:" + id
	}
	s.mu.Lock()
	c := s.conns[ss]
	s.mu.Unlock()
	if c != nil && c.sid != "" {
		return "session:" + c.sid
	}
	return AnonymousRequestor
}

func withRequestor(ctx context.Context, r string) context.Context {
	return context.WithValue(ctx, requestorKey{}, r)
}

// noRequestor is the requestor of a context the middleware did not see:
// no task has it, so such a context sees no task (fail closed).
const noRequestor = "\x00none"

// requestor returns the requestor the middleware put in ctx, or
// noRequestor.
func requestor(ctx context.Context) string {
	if r, ok := ctx.Value(requestorKey{}).(string); ok {
		return r
	}
	return noRequestor
}

// visible reports whether the requestor in ctx may see rec.
func (s *Server) visible(ctx context.Context, rec tasks.Record) bool {
	return s.opts.SharedTasks || rec.Requestor == requestor(ctx)
}

// lookup returns the task with the given ID when the requestor in ctx may
// see it; a task of another requestor gives the error of an unknown one,
// tasks.ErrNotFound with the same text.
func (s *Server) lookup(ctx context.Context, id string) (tasks.Record, error) {
	rec, err := s.runner.Get(ctx, id)
	if err != nil {
		return tasks.Record{}, err
	}
	if !s.visible(ctx, rec) {
		return tasks.Record{}, fmt.Errorf("%w: %s", tasks.ErrNotFound, id)
	}
	return rec, nil
}

// listRequestor is the requestor whose tasks a list shows: "" (all) when
// tasks are shared.
func (s *Server) listRequestor(ctx context.Context) string {
	if s.opts.SharedTasks {
		return ""
	}
	return requestor(ctx)
}

// maxEcho is the most bytes of a client's string that an error repeats.
const maxEcho = 64

// clip returns s, or its first maxEcho bytes (cut at a rune boundary) and
// how long it was, so that an error never echoes large client input.
func clip(s string) string {
	if len(s) <= maxEcho {
		return s
	}
	cut := maxEcho
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes)", s[:cut], len(s))
}

// limitError is the JSON-RPC error of a call refused by the store's limit
// per requestor, or nil when err is not that.
func limitError(err error) (*tasks.InFlightLimitError, bool) {
	var lim *tasks.InFlightLimitError
	ok := errors.As(err, &lim)
	return lim, ok
}
