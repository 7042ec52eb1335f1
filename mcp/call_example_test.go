package mcptasks_test

import (
	"context"
	"fmt"
	"log"
	"time"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/mcp/internal/demo"
	"github.com/mcp-refcache/taskschema/mcp/internal/fixture"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ExampleCallTool calls the example server's slow tool, which outlives its
// timeout and answers with an AsyncTaskResponse: CallTool polls and returns
// the tool's own result. (The Go code of docs/CLIENTS.md comes from this
// function and ExampleCallTool_tasksExtension.)
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

// ExampleCallTool_tasksExtension calls a tool of the conformance fixture
// server that runs only as a task of the tasks extension (2026-07-28) and
// asks for a confirmation while it runs (input_required): CallTool declares
// the extension, follows the task with tasks/get, answers the elicitation
// with OnInput (delivered with tasks/update) and returns the tool's result.
func ExampleCallTool_tasksExtension() {
	srv, err := fixture.New(fixture.Options{})
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
	if err := mcptasks.RegisterTaskMethods(client); err != nil { // tasks/get, tasks/update, tasks/cancel
		log.Fatal(err)
	}
	// go-sdk negotiates 2026-07-28; ClientTransport declares the extension on CallTool's requests
	cs, err := client.Connect(context.Background(), &mcptasks.ClientTransport{Transport: ct}, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer cs.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel() // cancelling ctx while the task runs sends tasks/cancel
	res, err := mcptasks.CallTool(ctx, cs, &mcp.CallToolParams{Name: "confirm_delete", Arguments: map[string]any{"filename": "a.txt"}},
		&mcptasks.CallOptions{OnInput: func(ctx context.Context, reqs mcp.InputRequestMap) (mcp.InputResponseMap, error) {
			answers := mcp.InputResponseMap{}
			for id := range reqs { // each an *mcp.ElicitParams here
				answers[id] = &mcp.ElicitResult{Action: "accept", Content: map[string]any{"confirm": true}}
			}
			return answers, nil
		}})
	if err != nil {
		log.Fatal(err) // a failed task: errors.Is(err, mcptasks.ErrTaskFailed), errors.As(err, &jsonrpcErr)
	}
	fmt.Println(res.StructuredContent.(map[string]any)["deleted"])
	// Output: true
}
