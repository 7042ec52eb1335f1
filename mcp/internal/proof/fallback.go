package proof

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// fallbackTable is the toy behind the proof server's timeout-fallback tools
// (any client, no MCP Tasks): slow_fallback answers in time or with an
// AsyncTaskResponse; get_task_status and get_task_result poll it.
type fallbackTable struct {
	timeout time.Duration

	mu   sync.Mutex
	runs map[string]*fallbackRun
}

type fallbackRun struct {
	started time.Time
	done    chan struct{}
	result  map[string]any
}

// resultSchema is the output of slow_fallback when it finishes in time.
var resultSchema = map[string]any{
	"type":       "object",
	"properties": map[string]any{"answer": map[string]any{"type": "integer"}, "took_ms": map[string]any{"type": "integer"}},
	"required":   []any{"answer", "took_ms"},
}

type refArgs struct {
	RefID string `json:"ref_id"`
}

func textResult(structured any) (*mcp.CallToolResult, error) {
	b, err := json.Marshal(structured)
	if err != nil {
		return nil, err
	}
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(b)}}, StructuredContent: json.RawMessage(b)}, nil
}

func errorResult(format string, args ...any) *mcp.CallToolResult {
	return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: fmt.Sprintf(format, args...)}}}
}

// asyncResponse is the schema-checked AsyncTaskResponse of a run.
func (f *fallbackTable) asyncResponse(id string, run *fallbackRun) (*mcp.CallToolResult, error) {
	status := models.TaskStatusProcessing
	select {
	case <-run.done:
		status = models.TaskStatusComplete
	default:
	}
	b, err := models.Marshal(models.NewAsyncTaskResponse(id, status, run.started))
	if err != nil {
		return nil, err
	}
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(b)}}, StructuredContent: json.RawMessage(b)}, nil
}

func (f *fallbackTable) lookup(req *mcp.CallToolRequest) (string, *fallbackRun, *mcp.CallToolResult) {
	var a refArgs
	if err := json.Unmarshal(req.Params.Arguments, &a); err != nil || a.RefID == "" {
		return "", nil, errorResult("arguments: want {\"ref_id\": string}")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	run := f.runs[a.RefID]
	if run == nil {
		return "", nil, errorResult("ref_id %q: no such task", a.RefID)
	}
	return a.RefID, run, nil
}

func (f *fallbackTable) register(s *mcp.Server) error {
	out, err := FallbackOutputSchema(resultSchema)
	if err != nil {
		return err
	}
	async, err := AsyncOutputSchema()
	if err != nil {
		return err
	}
	in := map[string]any{"type": "object", "properties": map[string]any{"ms": map[string]any{"type": "integer", "minimum": 0, "maximum": 60000}}}
	s.AddTool(&mcp.Tool{Name: "slow_fallback", Description: "Runs for ms milliseconds; answers with an AsyncTaskResponse when that is longer than its timeout.", InputSchema: in, OutputSchema: out},
		func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			var args SlowArgs
			if len(req.Params.Arguments) > 0 {
				if err := json.Unmarshal(req.Params.Arguments, &args); err != nil {
					return errorResult("arguments: %v", err), nil
				}
			}
			id := newID()
			run := &fallbackRun{started: time.Now().UTC(), done: make(chan struct{})}
			f.mu.Lock()
			if f.runs == nil {
				f.runs = map[string]*fallbackRun{}
			}
			f.runs[id] = run
			f.mu.Unlock()
			go func() { // the same run continues after the fallback answer
				time.Sleep(time.Duration(args.Ms) * time.Millisecond)
				f.mu.Lock()
				run.result = map[string]any{"answer": 42, "took_ms": args.Ms}
				f.mu.Unlock()
				close(run.done)
			}()
			select {
			case <-run.done:
				f.mu.Lock()
				defer f.mu.Unlock()
				return textResult(run.result)
			case <-time.After(f.timeout):
				return f.asyncResponse(id, run)
			}
		})
	ref := map[string]any{"type": "object", "properties": map[string]any{"ref_id": map[string]any{"type": "string"}}, "required": []any{"ref_id"}}
	s.AddTool(&mcp.Tool{Name: "get_task_status", Description: "The AsyncTaskResponse of a task.", InputSchema: ref, OutputSchema: async},
		func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			id, run, bad := f.lookup(req)
			if bad != nil {
				return bad, nil
			}
			return f.asyncResponse(id, run)
		})
	s.AddTool(&mcp.Tool{Name: "get_task_result", Description: "The result of a complete task.", InputSchema: ref, OutputSchema: resultSchema},
		func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			id, run, bad := f.lookup(req)
			if bad != nil {
				return bad, nil
			}
			select {
			case <-run.done:
			default:
				return errorResult("task %s is not complete", id), nil
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			return textResult(run.result)
		})
	return nil
}
