package mcptasks_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/mcp/internal/fixture"
	"github.com/mcp-refcache/taskschema/models"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// extCallSession serves the conformance fixture server over streamable
// HTTP (through the tap) or stdio (framed by go-sdk's IOTransport, through
// checkedTransport), so that every message the client receives is checked
// against schema/, and connects go-sdk's client to it through
// ClientTransport at go-sdk's default protocol version (2026-07-28).
func extCallSession(t *testing.T, transport string) (*mcp.ClientSession, *mcptasks.Server, *checker) {
	t.Helper()
	return extCallSessionWith(t, transport, nil)
}

// extCallSessionWith is extCallSession with the client's options.
func extCallSessionWith(t *testing.T, transport string, opts *mcp.ClientOptions) (*mcp.ClientSession, *mcptasks.Server, *checker) {
	t.Helper()
	srv, err := fixture.New(fixture.Options{})
	must(t, err)
	t.Cleanup(func() { srv.Runner().Close(context.Background()) })
	chk := newChecker(t)
	client := mcp.NewClient(&mcp.Implementation{Name: "ext-call-test", Version: "v0"}, opts)
	must(t, mcptasks.RegisterTaskMethods(client))
	var ct mcp.Transport
	switch transport {
	case "http":
		hs := loopbackServer(t, newTap(srv.HTTPHandler(nil, 0), chk))
		ct = &mcp.StreamableClientTransport{Endpoint: hs.URL}
	case "stdio":
		cr, sw := io.Pipe()
		sr, cw := io.Pipe()
		ss, err := srv.Connect(context.Background(), checkedTransport{Transport: &mcp.IOTransport{Reader: sr, Writer: sw}, c: chk}, nil)
		must(t, err)
		t.Cleanup(func() { ss.Close() })
		ct = &mcp.IOTransport{Reader: cr, Writer: cw}
	}
	cs, err := client.Connect(t.Context(), &mcptasks.ClientTransport{Transport: ct}, nil)
	must(t, err)
	t.Cleanup(func() { cs.Close() })
	if v := cs.InitializeResult().ProtocolVersion; v != mcptasks.ExtProtocolVersion {
		t.Fatalf("negotiated %s", v)
	}
	return cs, srv, chk
}

// elicitAnswers answers each elicitation with the given content.
func elicitAnswers(content func(msg string) map[string]any, asked *[]string, mu *sync.Mutex) mcptasks.InputFunc {
	return func(_ context.Context, reqs mcp.InputRequestMap) (mcp.InputResponseMap, error) {
		out := mcp.InputResponseMap{}
		for k, r := range reqs {
			ep, ok := r.(*mcp.ElicitParams)
			if !ok {
				return nil, fmt.Errorf("input request %s is %T", k, r)
			}
			mu.Lock()
			*asked = append(*asked, ep.Message)
			mu.Unlock()
			out[k] = &mcp.ElicitResult{Action: "accept", Content: content(ep.Message)}
		}
		return out, nil
	}
}

func TestCallToolExt(t *testing.T) {
	for _, transport := range []string{"http", "stdio"} {
		t.Run(transport, func(t *testing.T) {
			t.Run("in time", func(t *testing.T) {
				cs, _, chk := extCallSession(t, transport)
				var rec recorder
				res, err := mcptasks.CallTool(t.Context(), cs, &mcp.CallToolParams{Name: "slow_compute", Arguments: map[string]any{"seconds": 0, "label": "quick"}}, &mcptasks.CallOptions{OnProgress: rec.add})
				must(t, err)
				if out := structured[fixture.SlowOutput](t, res); out.Label != "quick" {
					t.Fatalf("result %+v", out)
				}
				if len(rec.updates) != 0 || chk.seen("mcp_ext_create_task_result") != 0 || chk.seen("ext") == 0 {
					t.Fatalf("an answer in time made a task: updates %+v, checked %v", rec.updates, chk.n)
				}
			})
			t.Run("late", func(t *testing.T) {
				cs, _, chk := extCallSession(t, transport)
				var rec recorder
				ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
				defer cancel()
				res, err := mcptasks.CallTool(ctx, cs, &mcp.CallToolParams{Name: "slow_compute", Arguments: map[string]any{"seconds": 1, "label": "late"}}, &mcptasks.CallOptions{OnProgress: rec.add})
				must(t, err)
				if out := structured[fixture.SlowOutput](t, res); out.Label != "late" || res.IsError {
					t.Fatalf("result %+v (isError %v)", out, res.IsError)
				}
				rec.mu.Lock()
				defer rec.mu.Unlock()
				if len(rec.updates) < 2 || rec.updates[0].Status != "working" || rec.updates[len(rec.updates)-1].Status != "completed" {
					t.Fatalf("updates %+v: want working first (a task of the extension) and completed last", rec.updates)
				}
				messages, progress := false, false
				for _, u := range rec.updates {
					messages = messages || strings.HasPrefix(u.Message, "computing late")
					progress = progress || u.Progress != nil && u.Progress.Current != nil && *u.Progress.Current > 0 && u.Progress.Total != nil && *u.Progress.Total == 10
				}
				if !messages || !progress {
					t.Errorf("updates %+v: want the statusMessage and the TaskProgress of _meta", rec.updates)
				}
				if chk.seen("mcp_ext_create_task_result") != 1 || chk.seen("ext:task:completed") == 0 {
					t.Fatalf("checked %v", chk.n)
				}
			})
			t.Run("tool error", func(t *testing.T) {
				cs, _, chk := extCallSession(t, transport)
				ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
				defer cancel()
				res, err := mcptasks.CallTool(ctx, cs, &mcp.CallToolParams{Name: "failing_job", Arguments: map[string]any{}}, nil)
				must(t, err)
				if !res.IsError || !strings.Contains(resultTextOf(res), "failing_job failed") {
					t.Fatalf("result %+v: want the tool's error", res)
				}
				if chk.seen("ext:task:completed") == 0 {
					t.Fatalf("checked %v", chk.n)
				}
			})
			t.Run("failed", func(t *testing.T) {
				cs, _, chk := extCallSession(t, transport)
				ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
				defer cancel()
				_, err := mcptasks.CallTool(ctx, cs, &mcp.CallToolParams{Name: "protocol_error_job", Arguments: map[string]any{}}, nil)
				var jerr *jsonrpc.Error
				if !errors.Is(err, mcptasks.ErrTaskFailed) || !errors.As(err, &jerr) || jerr.Code != jsonrpc.CodeInternalError || jerr.Message == "" {
					t.Fatalf("err %v: want ErrTaskFailed with the task's -32603", err)
				}
				if chk.seen("ext:task:failed") == 0 {
					t.Fatalf("checked %v", chk.n)
				}
			})
			t.Run("cancel", func(t *testing.T) {
				cs, srv, chk := extCallSession(t, transport)
				ctx, cancel := context.WithCancel(t.Context())
				var (
					once sync.Once
					id   string
				)
				opts := &mcptasks.CallOptions{OnProgress: func(u mcptasks.Update) { once.Do(func() { id = u.RefID; cancel() }) }}
				_, err := mcptasks.CallTool(ctx, cs, &mcp.CallToolParams{Name: "slow_compute", Arguments: map[string]any{"seconds": 60}}, opts)
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("err %v, want context.Canceled", err)
				}
				waitStatus(t, srv, id, models.TaskStatusCancelled)
				if chk.seen("tasks/cancel") != 1 {
					t.Fatalf("checked %v: want one tasks/cancel", chk.n)
				}
			})
			t.Run("confirm_delete", func(t *testing.T) {
				cs, _, chk := extCallSession(t, transport)
				var (
					mu    sync.Mutex
					asked []string
				)
				ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
				defer cancel()
				res, err := mcptasks.CallTool(ctx, cs, &mcp.CallToolParams{Name: "confirm_delete", Arguments: map[string]any{"filename": "a.txt"}},
					&mcptasks.CallOptions{OnInput: elicitAnswers(func(string) map[string]any { return map[string]any{"confirm": true} }, &asked, &mu)})
				must(t, err)
				if out := structured[fixture.ConfirmOutput](t, res); !out.Deleted || out.Filename != "a.txt" {
					t.Fatalf("result %+v", out)
				}
				if len(asked) != 1 || !strings.Contains(asked[0], "a.txt") {
					t.Fatalf("asked %q", asked)
				}
				if chk.seen("ext:task:input_required") == 0 || chk.seen("tasks/update") == 0 {
					t.Fatalf("checked %v", chk.n)
				}
			})
			t.Run("multi_input", func(t *testing.T) {
				cs, _, _ := extCallSession(t, transport)
				var (
					mu    sync.Mutex
					asked []string
				)
				ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
				defer cancel()
				res, err := mcptasks.CallTool(ctx, cs, &mcp.CallToolParams{Name: "multi_input", Arguments: map[string]any{}},
					&mcptasks.CallOptions{OnInput: elicitAnswers(func(m string) map[string]any { return map[string]any{"name": strings.Fields(m)[0]} }, &asked, &mu)})
				must(t, err)
				got := structured[fixture.MultiOutput](t, res).Answers
				sort.Strings(got)
				if strings.Join(got, ",") != "First,Second" || len(asked) != 2 {
					t.Fatalf("answers %q after asking %q", got, asked)
				}
			})
			// The multi round-trip phase before the task: go-sdk's own
			// middleware (on by default) answers it with the client's
			// ElicitationHandler; without the middleware, CallTool answers it
			// with OnInput.
			t.Run("test_tool_with_task go-sdk", func(t *testing.T) {
				cs, _, chk := extCallSessionWith(t, transport, &mcp.ClientOptions{ElicitationHandler: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
					return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"name": "Grace"}}, nil
				}})
				ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
				defer cancel()
				res, err := mcptasks.CallTool(ctx, cs, &mcp.CallToolParams{Name: "test_tool_with_task", Arguments: map[string]any{}}, nil)
				must(t, err)
				if out := structured[fixture.GreetingOutput](t, res); out.Greeting != "Hello, Grace!" {
					t.Fatalf("result %+v", out)
				}
				if chk.seen("ext:input_required") != 1 || chk.seen("mcp_ext_create_task_result") != 1 {
					t.Fatalf("checked %v", chk.n)
				}
			})
			t.Run("test_tool_with_task", func(t *testing.T) {
				cs, _, chk := extCallSessionWith(t, transport, noMRTR)
				var (
					mu    sync.Mutex
					asked []string
				)
				ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
				defer cancel()
				res, err := mcptasks.CallTool(ctx, cs, &mcp.CallToolParams{Name: "test_tool_with_task", Arguments: map[string]any{}},
					&mcptasks.CallOptions{OnInput: elicitAnswers(func(string) map[string]any { return map[string]any{"name": "Ada"} }, &asked, &mu)})
				must(t, err)
				if out := structured[fixture.GreetingOutput](t, res); out.Greeting != "Hello, Ada!" || len(asked) != 1 {
					t.Fatalf("result %+v after asking %q", out, asked)
				}
				if chk.seen("ext:input_required") != 1 || chk.seen("mcp_ext_create_task_result") != 1 {
					t.Fatalf("checked %v", chk.n)
				}
			})
			t.Run("input without OnInput", func(t *testing.T) {
				cs, srv, _ := extCallSessionWith(t, transport, noMRTR)
				var (
					once sync.Once
					id   string
				)
				ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
				defer cancel()
				_, err := mcptasks.CallTool(ctx, cs, &mcp.CallToolParams{Name: "confirm_delete", Arguments: map[string]any{"filename": "b.txt"}},
					&mcptasks.CallOptions{OnProgress: func(u mcptasks.Update) { once.Do(func() { id = u.RefID }) }})
				if !errors.Is(err, mcptasks.ErrInputRequired) {
					t.Fatalf("err %v, want ErrInputRequired", err)
				}
				waitStatus(t, srv, id, models.TaskStatusCancelled)
				_, err = mcptasks.CallTool(ctx, cs, &mcp.CallToolParams{Name: "test_tool_with_task", Arguments: map[string]any{}}, nil)
				if !errors.Is(err, mcptasks.ErrInputRequired) {
					t.Fatalf("the multi round-trip call: err %v, want ErrInputRequired", err)
				}
			})
			t.Run("NoExtension", func(t *testing.T) {
				cs, _, chk := extCallSession(t, transport)
				var rec recorder
				ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
				defer cancel()
				res, err := mcptasks.CallTool(ctx, cs, &mcp.CallToolParams{Name: "slow_compute", Arguments: map[string]any{"seconds": 1, "label": "fallback"}},
					&mcptasks.CallOptions{NoExtension: true, OnProgress: rec.add})
				must(t, err)
				if out := structured[fixture.SlowOutput](t, res); out.Label != "fallback" {
					t.Fatalf("result %+v", out)
				}
				if rec.updates[0].Status != string(models.TaskStatusProcessing) || chk.seen("mcp_ext_create_task_result") != 0 || chk.seen("async_task_response") == 0 {
					t.Fatalf("updates %+v, checked %v: want the fallback's task", rec.updates, chk.n)
				}
			})
		})
	}
}

// noMRTR turns go-sdk's multi round-trip middleware off, so that CallTool
// sees the InputRequiredResult.
var noMRTR = &mcp.ClientOptions{MultiRoundTrip: &mcp.MultiRoundTripOptions{Disabled: true}}

// waitStatus waits (10s at most) until the runner's task has the status.
func waitStatus(t *testing.T, srv *mcptasks.Server, id string, want models.TaskStatus) {
	t.Helper()
	if id == "" {
		t.Fatal("no task ID reported")
	}
	var status models.TaskStatus
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		rec, err := srv.Runner().Get(context.Background(), id)
		must(t, err)
		if status = rec.Task.Status; status == want {
			return
		}
	}
	t.Fatalf("task %s is %s, want %s", id, status, want)
}

func resultTextOf(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}
