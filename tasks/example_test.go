package tasks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
)

// A tool call that takes about 1.6 seconds, with a one-second timeout: the
// caller gets an AsyncTaskResponse at once after the timeout, and polls
// until the result is there.
func Example() {
	ctx := context.Background()
	runner, err := tasks.NewRunner(tasks.Options{ProgressInterval: 50 * time.Millisecond})
	if err != nil {
		panic(err)
	}
	defer runner.Close(ctx)

	slowIndex := func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		for part := int64(0); part < 4; part++ {
			if err := p.Report(part, 4, "indexing"); err != nil {
				return nil, err // cancelled
			}
			select {
			case <-time.After(400 * time.Millisecond):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return json.RawMessage(`{"indexed_parts":4}`), nil
	}

	out, err := runner.Run(ctx, tasks.Call{Timeout: time.Second, Prefix: "index"}, slowIndex)
	if err != nil {
		panic(err)
	}
	resp := out.Async // nil had it finished within the second
	fmt.Println("valid:", models.Validate(resp) == nil)
	fmt.Println("ref_id:", strings.HasPrefix(resp.RefID, "index-"), len(resp.RefID))
	fmt.Println("status:", resp.Status)
	fmt.Println("message:", *resp.Message)
	fmt.Println("has progress:", resp.Progress != nil && resp.Progress.Percentage != nil)

	for range 100 { // a client polls
		rec, err := runner.Get(ctx, resp.RefID)
		if err != nil {
			panic(err)
		}
		if rec.Task.Status == models.TaskStatusComplete {
			fmt.Println("status:", rec.Task.Status)
			fmt.Println("result:", string(rec.Result))
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Output:
	// valid: true
	// ref_id: true 38
	// status: processing
	// message: indexing
	// has progress: true
	// status: complete
	// result: {"indexed_parts":4}
}

// A function registered by name can be run again by another runner that
// shares the store if this one dies; Wait waits for the task's end without
// polling.
func ExampleRunner_Register() {
	r, _ := tasks.NewRunner(tasks.Options{})
	defer r.Close(context.Background())
	r.Register("square", func(ctx context.Context, args json.RawMessage, p *tasks.Progress) (json.RawMessage, error) {
		var n int
		if err := json.Unmarshal(args, &n); err != nil {
			return nil, tasks.Permanent(err) // bad arguments: not worth a retry
		}
		time.Sleep(20 * time.Millisecond)
		return json.Marshal(n * n)
	})
	out, _ := r.Run(context.Background(), tasks.Call{Func: "square", Args: json.RawMessage(`7`), MaxRetries: 2}, nil)
	rec, _ := r.Wait(context.Background(), out.Async.RefID)
	fmt.Println(rec.Task.Status, string(rec.Result))
	// Output: complete 49
}
