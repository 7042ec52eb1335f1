package mcptasks_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type keyIn struct {
	Query string `json:"query"`
}

// TestAddToolErrors: AddTool refuses what it cannot serve, saying why.
func TestAddToolErrors(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	h := func(context.Context, keyIn, *mcptasks.Progress) (gatedOut, error) { return gatedOut{}, nil }
	for _, tc := range []struct {
		name string
		tool *mcp.Tool
		opts mcptasks.ToolOptions
		want string
	}{
		{"task support", &mcp.Tool{Name: "a"}, mcptasks.ToolOptions{TaskSupport: "sometimes"}, "TaskSupport"},
		{"negative timeout", &mcp.Tool{Name: "b"}, mcptasks.ToolOptions{Timeout: -time.Second}, "negative"},
		{"input not an object", &mcp.Tool{Name: "c", InputSchema: map[string]any{"type": "string"}}, mcptasks.ToolOptions{}, "input schema"},
		{"output not an object", &mcp.Tool{Name: "d", OutputSchema: map[string]any{"type": "array"}}, mcptasks.ToolOptions{}, "output schema"},
	} {
		err := mcptasks.AddTool(ts.Server, tc.tool, h, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one about %s", tc.name, err, tc.want)
		}
	}
}

// TestKeyJoinsRunningTask: a second call with the key of a running task
// joins it (ToolOptions.Key) instead of starting the function again.
func TestKeyJoinsRunningTask(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	var runs atomic.Int32
	must(t, mcptasks.AddTool(ts.Server, &mcp.Tool{Name: "search"}, func(ctx context.Context, in keyIn, p *mcptasks.Progress) (gatedOut, error) {
		runs.Add(1)
		select {
		case <-ts.gate.ch:
		case <-ctx.Done():
			return gatedOut{}, ctx.Err()
		}
		return gatedOut{Answer: len(in.Query)}, nil
	}, mcptasks.ToolOptions{Timeout: 30 * time.Millisecond, Key: func(args json.RawMessage) string { return string(args) }}))
	c := connect(t, ts, "2025-11-25")
	first := c.tool("search", map[string]any{"query": "go"})
	second := c.tool("search", map[string]any{"query": "go"})
	other := c.tool("search", map[string]any{"query": "rust"})
	var a, b, o models.AsyncTaskResponse
	must(t, models.Unmarshal(first.StructuredContent, &a))
	must(t, models.Unmarshal(second.StructuredContent, &b))
	must(t, models.Unmarshal(other.StructuredContent, &o))
	if a.RefID != b.RefID || a.RefID == o.RefID {
		t.Errorf("ref_ids %s, %s (same key), %s (other key)", a.RefID, b.RefID, o.RefID)
	}
	ts.gate.open()
	c.pollStatus(a.RefID, "complete")
	if n := runs.Load(); n != 2 {
		t.Errorf("the function ran %d times for two keys", n)
	}
}

// TestRetriedTask: a task-augmented call of a tool that fails once and has
// a retry left ends completed, and tasks/get never shows it failed.
func TestRetriedTask(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	var runs atomic.Int32
	must(t, mcptasks.AddTool(ts.Server, &mcp.Tool{Name: "flaky"}, func(ctx context.Context, in gatedIn, p *mcptasks.Progress) (gatedOut, error) {
		if runs.Add(1) == 1 {
			return gatedOut{}, errors.New("first attempt fails")
		}
		return gatedOut{Answer: 7}, nil
	}, mcptasks.ToolOptions{TaskSupport: mcptasks.TaskOptional, MaxRetries: 1, RetryDelay: 20 * time.Millisecond}))
	c := connect(t, ts, "2025-11-25")
	task := c.createTask("flaky", map[string]any{}, nil)
	if got := c.getTask(task.TaskID); got.Status != mcptasks.StatusWorking && got.Status != mcptasks.StatusCompleted {
		t.Errorf("during the retry: %+v", got)
	}
	var res callResult
	c.ok("tasks/result", map[string]any{"taskId": task.TaskID}, &res)
	if res.IsError || string(res.StructuredContent) != `{"answer":7}` || runs.Load() != 2 {
		t.Errorf("after a retry: %+v (%d runs)", res, runs.Load())
	}
	note := c.waitNote("status", func(n *jsonrpc.Request) bool { return n.Method == "notifications/tasks/status" })
	if !strings.Contains(string(note.Params), `"completed"`) {
		t.Errorf("status notification %s", note.Params)
	}
}

// TestOutputChecked: an output that does not match the tool's output
// schema fails the call instead of reaching the client.
func TestOutputChecked(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	must(t, mcptasks.AddTool(ts.Server, &mcp.Tool{Name: "liar", OutputSchema: map[string]any{
		"type": "object", "properties": map[string]any{"answer": map[string]any{"type": "integer", "maximum": 10}}}},
		func(ctx context.Context, in gatedIn, p *mcptasks.Progress) (gatedOut, error) {
			return gatedOut{Answer: 42}, nil
		},
		mcptasks.ToolOptions{Timeout: time.Second}))
	c := connect(t, ts, "2025-11-25")
	r := c.tool("liar", map[string]any{})
	if !r.IsError || !strings.Contains(r.text(), "output schema") || r.StructuredContent != nil {
		t.Errorf("output above its maximum: %+v", r)
	}
}

// TestNoPollingTools: Options.NoPollingTools leaves the polling tools out.
func TestNoPollingTools(t *testing.T) {
	r, err := tasks.NewRunner(tasks.Options{})
	must(t, err)
	defer r.Close(context.Background())
	s := mcp.NewServer(&mcp.Implementation{Name: "t", Version: "v0"}, nil)
	_, err = mcptasks.New(s, mcptasks.Options{Runner: r, NoPollingTools: true})
	must(t, err)
	ct, st := mcp.NewInMemoryTransports()
	ss, err := s.Connect(context.Background(), st, nil)
	must(t, err)
	defer ss.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "c", Version: "v0"}, nil).Connect(context.Background(), ct, nil)
	must(t, err)
	defer cs.Close()
	res, err := cs.ListTools(context.Background(), nil)
	must(t, err)
	if len(res.Tools) != 0 {
		t.Errorf("tools listed: %d", len(res.Tools))
	}
}
