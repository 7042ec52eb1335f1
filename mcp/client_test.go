package mcptasks_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/models"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// goClient connects go-sdk's own client to ts over the in-memory
// transport and records the progress notifications it gets.
func goClient(t *testing.T, ts *testServer, version string) (*mcp.ClientSession, func() []*mcp.ProgressNotificationParams) {
	t.Helper()
	var mu sync.Mutex
	var got []*mcp.ProgressNotificationParams
	client := mcp.NewClient(&mcp.Implementation{Name: "go-client", Version: "v0"}, &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, req *mcp.ProgressNotificationClientRequest) {
			mu.Lock()
			got = append(got, req.Params)
			mu.Unlock()
		},
	})
	ct, st := mcp.NewInMemoryTransports()
	ss, err := ts.Connect(context.Background(), st, nil)
	must(t, err)
	cs, err := client.Connect(context.Background(), ct, &mcp.ClientSessionOptions{ProtocolVersion: version})
	must(t, err)
	t.Cleanup(func() { ts.gate.open(); cs.Close(); ss.Close() })
	return cs, func() []*mcp.ProgressNotificationParams {
		mu.Lock()
		defer mu.Unlock()
		return append([]*mcp.ProgressNotificationParams(nil), got...)
	}
}

// TestGoClientFallbackProgress: with go-sdk's client, progress arrives
// while the call is open, none after the fallback answer; polling with the
// tools reaches the result, and each answer is schema-valid.
func TestGoClientFallbackProgress(t *testing.T) {
	for _, version := range []string{"2025-11-25", "2026-07-28"} {
		t.Run(version, func(t *testing.T) {
			ts := newTestServer(t, serverOpts{})
			cs, progress := goClient(t, ts, version)
			ctx := context.Background()
			params := &mcp.CallToolParams{Name: "gated", Arguments: map[string]any{}}
			params.SetProgressToken("p1")
			res, err := cs.CallTool(ctx, params)
			must(t, err)
			sc, _ := json.Marshal(res.StructuredContent)
			var resp models.AsyncTaskResponse
			if err := models.Unmarshal(sc, &resp); err != nil {
				t.Fatalf("fallback answer %s: %v", sc, err)
			}
			ts.gate.open() // the tool reports 2/2 now, after the answer
			for i := 0; ; i++ {
				st, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: mcptasks.ToolGetTaskStatus, Arguments: map[string]any{"ref_id": resp.RefID}})
				must(t, err)
				b, _ := json.Marshal(st.StructuredContent)
				var cur models.AsyncTaskResponse
				must(t, models.Unmarshal(b, &cur))
				if cur.Status == models.TaskStatusComplete {
					break
				}
				if i > 500 {
					t.Fatalf("never complete: %s", b)
				}
				time.Sleep(10 * time.Millisecond)
			}
			out, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: mcptasks.ToolGetTaskResult, Arguments: map[string]any{"ref_id": resp.RefID}})
			must(t, err)
			if b, _ := json.Marshal(out.StructuredContent); string(b) != `{"answer":42}` {
				t.Errorf("get_task_result: %s", b)
			}
			time.Sleep(50 * time.Millisecond) // let a stray notification arrive
			got := progress()
			if len(got) != 1 || got[0].Message != "half" || got[0].Progress != 1 || got[0].Total != 2 || got[0].ProgressToken != "p1" {
				t.Errorf("progress notifications: want only 1/2 half before the answer, got %d: %+v", len(got), got)
			}
		})
	}
}

// TestGoClientInTimeProgress: a call that finishes in time gets its
// progress and its result; no token, no notifications.
func TestGoClientInTimeProgress(t *testing.T) {
	ts := newTestServer(t, serverOpts{})
	ts.gate.open()
	cs, progress := goClient(t, ts, "2025-11-25")
	params := &mcp.CallToolParams{Name: "gated", Arguments: map[string]any{}}
	params.SetProgressToken(7)
	res, err := cs.CallTool(context.Background(), params)
	must(t, err)
	if b, _ := json.Marshal(res.StructuredContent); string(b) != `{"answer":42}` {
		t.Fatalf("in time: %s", b)
	}
	for i := 0; len(progress()) < 2 && i < 100; i++ {
		time.Sleep(5 * time.Millisecond)
	}
	if got := progress(); len(got) != 2 || got[1].Progress != 2 {
		t.Errorf("progress: %+v", got)
	}
	before := len(progress())
	if _, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "gated", Arguments: map[string]any{}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond)
	if after := len(progress()); after != before {
		t.Errorf("a call without a progressToken sent %d notifications", after-before)
	}
}
