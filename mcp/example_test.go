package mcptasks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type indexInput struct {
	Parts int `json:"parts" jsonschema:"how many parts to index"`
}

type indexOutput struct {
	Indexed int `json:"indexed" jsonschema:"how many parts were indexed"`
}

// A tool that takes longer than its timeout: the client gets the task's
// AsyncTaskResponse, polls get_task_status, and fetches the result with
// get_task_result. Here the client is go-sdk's, over the in-memory
// transport; over HTTP, serve srv.HTTPHandler instead.
func Example() {
	ctx := context.Background()
	runner, err := tasks.NewRunner(tasks.Options{})
	if err != nil {
		panic(err)
	}
	defer runner.Close(ctx)
	s := mcp.NewServer(&mcp.Implementation{Name: "indexer", Version: "v1"}, nil)
	srv, err := mcptasks.New(s, mcptasks.Options{Runner: runner})
	if err != nil {
		panic(err)
	}
	err = mcptasks.AddTool(srv, &mcp.Tool{Name: "index", Description: "Indexes parts, 100ms each."},
		func(ctx context.Context, in indexInput, p *mcptasks.Progress) (indexOutput, error) {
			for i := range in.Parts {
				if err := p.Report(int64(i), int64(in.Parts), "indexing"); err != nil {
					return indexOutput{}, err // cancelled
				}
				time.Sleep(100 * time.Millisecond)
			}
			return indexOutput{Indexed: in.Parts}, nil
		}, mcptasks.ToolOptions{Timeout: 250 * time.Millisecond, TaskSupport: mcptasks.TaskOptional})
	if err != nil {
		panic(err)
	}

	ct, st := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(ctx, st, nil)
	if err != nil {
		panic(err)
	}
	defer ss.Close()
	client := mcp.NewClient(&mcp.Implementation{Name: "client", Version: "v1"}, nil)
	cs, err := client.Connect(ctx, ct, nil)
	if err != nil {
		panic(err)
	}
	defer cs.Close()

	call := func(name string, args any) map[string]any {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
		if err != nil {
			panic(err)
		}
		b, _ := json.Marshal(res.StructuredContent)
		var m map[string]any
		json.Unmarshal(b, &m)
		return m
	}
	fmt.Println("in time:", call("index", map[string]any{"parts": 1}))
	first := call("index", map[string]any{"parts": 5})
	fmt.Println("late:", first["status"])
	for range 100 {
		if st := call(mcptasks.ToolGetTaskStatus, map[string]any{"ref_id": first["ref_id"]}); st["status"] == "complete" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Println("result:", call(mcptasks.ToolGetTaskResult, map[string]any{"ref_id": first["ref_id"]}))
	// Output:
	// in time: map[indexed:1]
	// late: processing
	// result: map[indexed:5]
}
