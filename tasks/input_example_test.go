package tasks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mcp-refcache/taskschema/tasks"
)

// A task asks its client to confirm, waits for the answer delivered with
// Runner.Respond (on any runner sharing the store), and then finishes.
func ExampleProgress_AskInput() {
	ctx := context.Background()
	runner, err := tasks.NewRunner(tasks.Options{})
	if err != nil {
		panic(err)
	}
	defer runner.Close(ctx)

	out, err := runner.Run(ctx, tasks.Call{Prefix: "delete"}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		answers, err := p.AskInput(ctx, json.RawMessage(`{"method":"elicitation/create","params":{"mode":"form","message":"Delete report.pdf?","requestedSchema":{"type":"object"}}}`))
		if err != nil {
			return nil, err
		}
		return answers[0], nil
	})
	if err != nil {
		panic(err)
	}
	id := out.Async.RefID
	for { // the client polls until the task waits on input
		rec, err := runner.Get(ctx, id)
		if err != nil {
			panic(err)
		}
		if pending, _ := tasks.PendingInput(rec); len(pending) > 0 {
			for key := range pending {
				fmt.Println("waiting on", key)
			}
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := runner.Respond(ctx, id, map[string]json.RawMessage{"in-1": json.RawMessage(`{"action":"accept"}`)}); err != nil {
		panic(err)
	}
	for {
		rec, err := runner.Get(ctx, id)
		if err != nil {
			panic(err)
		}
		if tasks.IsFinished(rec.Task.Status) {
			fmt.Println(rec.Task.Status, string(rec.Result))
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Output:
	// waiting on in-1
	// complete {"action":"accept"}
}
