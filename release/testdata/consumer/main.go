// Command consumer is what a user of the released modules writes: a slow
// tool served over MCP by the task runner on a Redis store, called through
// go-sdk's client until its result is there. publish_test.go builds it in
// a module outside the repository, from the released tags alone.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"time"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/mcp-refcache/taskschema/tasks/otelmetrics"
	"github.com/mcp-refcache/taskschema/tasks/redisstore"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/metric/noop"
)

type input struct {
	Millis int `json:"millis" jsonschema:"how long the work takes"`
}

type output struct {
	Slept int `json:"slept" jsonschema:"how long the work took"`
}

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: consumer REDIS_ADDR")
	}
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: os.Args[1]})
	defer rdb.Close()
	metrics, err := otelmetrics.New(noop.NewMeterProvider())
	if err != nil {
		log.Fatal(err)
	}
	runner, err := tasks.NewRunner(metrics.Hooks(tasks.Options{Store: redisstore.New(rdb, redisstore.Options{Prefix: "consumer:"})}))
	if err != nil {
		log.Fatal(err)
	}
	defer runner.Close(ctx)

	s := mcp.NewServer(&mcp.Implementation{Name: "consumer", Version: "v1"}, nil)
	srv, err := mcptasks.New(s, mcptasks.Options{Runner: runner})
	if err != nil {
		log.Fatal(err)
	}
	err = mcptasks.AddTool(srv, &mcp.Tool{Name: "slow", Description: "Sleeps."},
		func(ctx context.Context, in input, p *mcptasks.Progress) (output, error) {
			select {
			case <-time.After(time.Duration(in.Millis) * time.Millisecond):
				return output{Slept: in.Millis}, nil
			case <-ctx.Done():
				return output{}, ctx.Err()
			}
		}, mcptasks.ToolOptions{Timeout: 50 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}

	ct, st := mcp.NewInMemoryTransports()
	ss, err := srv.Connect(ctx, st, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer ss.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "client", Version: "v1"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer cs.Close()

	call := func(name string, args any) []byte {
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
		if err != nil {
			log.Fatalf("%s: %v", name, err)
		}
		b, err := json.Marshal(res.StructuredContent)
		if err != nil {
			log.Fatal(err)
		}
		return b
	}
	var resp models.AsyncTaskResponse
	if err := models.Unmarshal(call("slow", map[string]any{"millis": 400}), &resp); err != nil {
		log.Fatalf("the late answer is not an AsyncTaskResponse: %v", err)
	}
	fmt.Println("late:", resp.Status)
	for range 200 {
		var st models.AsyncTaskResponse
		if err := models.Unmarshal(call(mcptasks.ToolGetTaskStatus, map[string]any{"ref_id": resp.RefID}), &st); err != nil {
			log.Fatal(err)
		}
		if st.Status == models.TaskStatusComplete {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	rec, err := runner.Get(ctx, resp.RefID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("stored:", rec.Task.Status)
	fmt.Println("result:", string(call(mcptasks.ToolGetTaskResult, map[string]any{"ref_id": resp.RefID})))
}
