package mcptasks

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ProgressRouter passes the notifications/progress of open [CallTool] calls
// to their CallOptions.OnProgress. go-sdk delivers progress notifications
// to one handler per client (ClientOptions.ProgressNotificationHandler), so
// a client whose calls want them installs the router's Handle there and
// sets CallOptions.Progress; CallTool then sends a progress token of its
// own and receives what the server reports while the call is open, and,
// for a task of the Tasks utility, until the task ends (a Task's status
// holds no progress, these notifications do).
type ProgressRouter struct {
	mu    sync.Mutex
	calls map[string]func(Update)
	next  atomic.Uint64
}

// NewProgressRouter returns a router without calls.
func NewProgressRouter() *ProgressRouter { return &ProgressRouter{calls: map[string]func(Update){}} }

// Handle is a go-sdk ProgressNotificationHandler.
func (r *ProgressRouter) Handle(_ context.Context, req *mcp.ProgressNotificationClientRequest) {
	if req == nil || req.Params == nil {
		return
	}
	token, ok := req.Params.ProgressToken.(string)
	if !ok {
		return
	}
	r.mu.Lock()
	f := r.calls[token]
	r.mu.Unlock()
	if f != nil {
		f(Update{Progress: progressOf(req.Params), Message: req.Params.Message})
	}
}

// add registers f under a new token and returns it with its removal.
func (r *ProgressRouter) add(f func(Update)) (string, func()) {
	token := fmt.Sprintf("mcptasks-%d", r.next.Add(1))
	r.mu.Lock()
	r.calls[token] = f
	r.mu.Unlock()
	return token, func() {
		r.mu.Lock()
		delete(r.calls, token)
		r.mu.Unlock()
	}
}

// progressOf reads a progress notification as a TaskProgress: whole
// numbers as current and total, and the percentage when a total is known.
func progressOf(p *mcp.ProgressNotificationParams) *models.TaskProgress {
	tp := &models.TaskProgress{}
	if p.Message != "" {
		tp.Message = &p.Message
	}
	whole := func(f float64) *int64 {
		if f < 0 || f != math.Trunc(f) || f > 1<<53 {
			return nil
		}
		i := int64(f)
		return &i
	}
	tp.Current = whole(p.Progress)
	if p.Total > 0 {
		tp.Total = whole(p.Total)
		pct := min(max(100*p.Progress/p.Total, 0), 100)
		tp.Percentage = &pct
	}
	return tp
}
