package mcptasks_test

import (
	"context"
	"fmt"
	"log"
	"time"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/mcp/internal/demo"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ExampleCallTool calls the example server's slow tool, which outlives its
// timeout and answers with an AsyncTaskResponse: CallTool polls and returns
// the tool's own result. (The Go code of docs/CLIENTS.md is this function.)
func ExampleCallTool() {
	srv, err := demo.New(demo.Options{SlowTimeout: 50 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Runner().Close(context.Background())
	ct, st := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(context.Background(), st, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer ss.Close()

	client := mcp.NewClient(&mcp.Implementation{Name: "example", Version: "v0"}, nil)
	cs, err := client.Connect(context.Background(), ct, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer cs.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel() // cancelling ctx while the task runs cancels the task
	res, err := mcptasks.CallTool(ctx, cs, &mcp.CallToolParams{Name: "slow", Arguments: map[string]any{"ms": 200}},
		&mcptasks.CallOptions{OnProgress: func(u mcptasks.Update) {
			// u.Status is "processing" or "complete"; u.Progress the task's progress
		}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.StructuredContent.(map[string]any)["steps"])
	// Output: 4
}
