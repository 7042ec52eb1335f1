// Package demo builds the example server of mcp/examples/server, which the
// end-to-end tests and the benchmarks also drive: a fast tool and a slow
// one that reports progress and outlives its timeout.
package demo

import (
	"context"
	"fmt"
	"time"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Options configure the demo server.
type Options struct {
	// Runner runs the tools; nil means a new runner on a MemoryStore.
	Runner *tasks.Runner
	// SlowTimeout is the timeout fallback of the slow tool; default 1s.
	SlowTimeout time.Duration
	// PollInterval is the suggested poll interval; default 1s.
	PollInterval time.Duration
	// ServerOptions are go-sdk's; nil means defaults.
	ServerOptions *mcp.ServerOptions
	// AllowedOrigins is mcptasks.Options.AllowedOrigins: nil means
	// loopback origins only.
	AllowedOrigins []string
	// SharedTasks is mcptasks.Options.SharedTasks.
	SharedTasks bool
}

// FastInput is the input of the fast tools.
type FastInput struct {
	// Text is echoed back.
	Text string `json:"text,omitempty" jsonschema:"text to echo back"`
}

// FastOutput is the output of the fast tools.
type FastOutput struct {
	// Echo is the input's text.
	Echo string `json:"echo" jsonschema:"the input's text"`
}

// SlowInput is the input of the slow tool.
type SlowInput struct {
	// Ms is how long the tool runs, in milliseconds.
	Ms *int64 `json:"ms,omitempty" jsonschema:"how long the tool runs in milliseconds (0 to 600000); default 3000"`
	// Fail makes the tool fail at the end, with this message.
	Fail string `json:"fail,omitempty" jsonschema:"when set the tool fails at the end with this message"`
}

// SlowOutput is the output of the slow tool.
type SlowOutput struct {
	// Steps is how many steps the tool reported.
	Steps int64 `json:"steps" jsonschema:"how many progress steps the tool took"`
	// TookMs is how long it ran.
	TookMs int64 `json:"took_ms" jsonschema:"how long the tool ran in milliseconds"`
}

// Steps is the number of progress steps of the slow tool.
const Steps = 4

// New returns the demo server: tools "fast" (the fallback wrapper, answers
// at once), "fast_plain" (go-sdk's own typed tool, for comparison) and
// "slow" (runs ms milliseconds in four steps, reporting progress; timeout
// fallback after SlowTimeout; taskSupport optional), plus the polling
// tools and tasks/*.
func New(o Options) (*mcptasks.Server, error) {
	if o.Runner == nil {
		r, err := tasks.NewRunner(tasks.Options{ProgressInterval: 50 * time.Millisecond})
		if err != nil {
			return nil, err
		}
		o.Runner = r
	}
	if o.SlowTimeout <= 0 {
		o.SlowTimeout = time.Second
	}
	s := mcp.NewServer(&mcp.Implementation{Name: "taskschema-demo", Version: "v0.1.0"}, o.ServerOptions)
	srv, err := mcptasks.New(s, mcptasks.Options{Runner: o.Runner, PollInterval: o.PollInterval, AllowedOrigins: o.AllowedOrigins, SharedTasks: o.SharedTasks})
	if err != nil {
		return nil, err
	}
	if err := mcptasks.AddTool(srv, &mcp.Tool{Name: "fast", Description: "Echoes its text at once (under the timeout fallback)."},
		func(ctx context.Context, in FastInput, p *mcptasks.Progress) (FastOutput, error) {
			return FastOutput{Echo: in.Text}, nil
		}, mcptasks.ToolOptions{Timeout: 10 * time.Second, TaskSupport: mcptasks.TaskOptional}); err != nil {
		return nil, err
	}
	mcp.AddTool(s, &mcp.Tool{Name: "fast_plain", Description: "Echoes its text at once (go-sdk's typed tool, no fallback)."},
		func(ctx context.Context, req *mcp.CallToolRequest, in FastInput) (*mcp.CallToolResult, FastOutput, error) {
			return nil, FastOutput{Echo: in.Text}, nil
		})
	if err := mcptasks.AddTool(srv, &mcp.Tool{Name: "slow",
		Description: fmt.Sprintf("Runs ms milliseconds (default 3000) in %d steps, reporting progress. After %s it answers with an AsyncTaskResponse; poll get_task_status with its ref_id, then get_task_result.", Steps, o.SlowTimeout)},
		slow, mcptasks.ToolOptions{Timeout: o.SlowTimeout, TaskSupport: mcptasks.TaskOptional}); err != nil {
		return nil, err
	}
	return srv, nil
}

func slow(ctx context.Context, in SlowInput, p *mcptasks.Progress) (SlowOutput, error) {
	ms := int64(3000)
	if in.Ms != nil {
		ms = *in.Ms
	}
	if ms < 0 || ms > 600_000 {
		return SlowOutput{}, fmt.Errorf("ms must be between 0 and 600000, got %d", ms)
	}
	start := time.Now()
	step := time.Duration(ms) * time.Millisecond / Steps
	for i := int64(1); i <= Steps; i++ {
		t := time.NewTimer(step)
		select {
		case <-ctx.Done():
			t.Stop()
			return SlowOutput{}, ctx.Err()
		case <-t.C:
		}
		if err := p.Report(i, Steps, fmt.Sprintf("step %d of %d", i, Steps)); err != nil {
			return SlowOutput{}, err
		}
	}
	if in.Fail != "" {
		return SlowOutput{}, fmt.Errorf("%s", in.Fail)
	}
	return SlowOutput{Steps: Steps, TookMs: time.Since(start).Milliseconds()}, nil
}
