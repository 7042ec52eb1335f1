package proof

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// SlowArgs are the arguments of the proof server's "slow" tool.
type SlowArgs struct {
	// Ms is how long the tool runs, in milliseconds.
	Ms int `json:"ms"`
}

// NewHTTPHandler returns the proof server over streamable HTTP: tool "fast"
// answers at once; tool "slow" (taskSupport optional) sends four progress
// notifications over Ms milliseconds; "slow_fallback", "get_task_status"
// and "get_task_result" show the timeout fallback (100ms). The handler chain is
// LiftTaskHandler -> SSEInjector.Wrap -> mcp.StreamableHTTPHandler.
func NewHTTPHandler() http.Handler {
	toy := &Toy{PollInterval: 100}
	inj := &SSEInjector{}
	toy.Notify = func(ss *mcp.ServerSession, t Task) {
		if ss != nil {
			_, _ = inj.Notify(ss.ID(), "notifications/tasks/status", t)
		}
	}
	s := mcp.NewServer(&mcp.Implementation{Name: "taskschema-proof", Version: "v0"}, nil)
	obj := map[string]any{"type": "object", "properties": map[string]any{"ms": map[string]any{"type": "integer", "minimum": 0, "maximum": 60000}}}
	s.AddTool(&mcp.Tool{Name: "fast", Description: "Answers at once.", InputSchema: obj}, func(context.Context, *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "fast"}}}, nil
	})
	s.AddTool(&mcp.Tool{Name: "slow", Description: "Runs for ms milliseconds and reports progress.", InputSchema: obj}, slowTool)
	s.AddReceivingMiddleware(toy.Middleware(map[string]string{"slow": "optional"}))
	if err := toy.Register(s); err != nil {
		panic(err) // only on a standard method name: a programming error
	}
	if err := (&fallbackTable{timeout: 100 * time.Millisecond}).register(s); err != nil {
		panic(err) // only if the embedded schemas do not parse
	}
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, nil)
	return LiftTaskHandler(inj.Wrap(h), 4<<20)
}

func slowTool(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	var args SlowArgs
	if len(req.Params.Arguments) > 0 {
		if err := json.Unmarshal(req.Params.Arguments, &args); err != nil {
			return nil, err
		}
	}
	tok := req.Params.GetProgressToken()
	const steps = 4
	for i := 1; i <= steps; i++ {
		select {
		case <-time.After(time.Duration(args.Ms/steps) * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if tok != nil {
			p := &mcp.ProgressNotificationParams{ProgressToken: tok, Progress: float64(i), Total: steps, Message: "step"}
			// While the request is open, ctx routes the notification to the
			// request's own stream. After a CreateTaskResult that stream is
			// closed and go-sdk rejects the write; context.Background has no
			// request ID, so the notification goes to the standalone GET
			// stream (streamable.go:1834-1892).
			if err := req.Session.NotifyProgress(ctx, p); err != nil {
				_ = req.Session.NotifyProgress(context.Background(), p)
			}
		}
	}
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "slow done"}}}, nil
}
