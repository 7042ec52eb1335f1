package redisstore_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/mcp-refcache/taskschema/tasks/redisstore"
)

// A task on replica A asks for two answers; replica B sees the requests in
// the store and delivers the answers one at a time; A resumes.
func TestInputAcrossReplicas(t *testing.T) {
	srv := startRedis(t, false)
	s := redisstore.New(srv.client(t), redisstore.Options{Prefix: prefix()})
	a, b := replica(t, s, "replica-a", 5*time.Second), replica(t, s, "replica-b", 5*time.Second)
	out, err := a.Run(bg, tasks.Call{Prefix: "confirm"}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		got, err := p.AskInput(ctx, json.RawMessage(`{"method":"elicitation/create","params":{"message":"one"}}`),
			json.RawMessage(`{"method":"elicitation/create","params":{"message":"two"}}`))
		if err != nil {
			return nil, err
		}
		return json.Marshal(got)
	})
	if err != nil || out.Async == nil {
		t.Fatalf("Run on A: %+v, %v", out, err)
	}
	id := out.Async.RefID
	waiting := func(n int) func(tasks.Record) bool {
		return func(rec tasks.Record) bool { p, err := tasks.PendingInput(rec); return err == nil && len(p) == n }
	}
	waitFor(t, b, id, 5*time.Second, waiting(2))
	if err := b.Respond(bg, id, map[string]json.RawMessage{"in-2": json.RawMessage(`{"action":"accept","content":{"n":2}}`)}); err != nil {
		t.Fatal(err)
	}
	rec := waitFor(t, b, id, 5*time.Second, waiting(1))
	if p, _ := tasks.PendingInput(rec); p["in-1"] == nil {
		t.Fatalf("still pending on B: %s", p)
	}
	// A's lease renewals must not drop B's answer: wait a few heartbeats.
	time.Sleep(200 * time.Millisecond)
	if rec := waitFor(t, b, id, 5*time.Second, waiting(1)); rec.Task.Status != models.TaskStatusProcessing {
		t.Fatalf("status %s", rec.Task.Status)
	}
	if err := b.Respond(bg, id, map[string]json.RawMessage{"in-1": json.RawMessage(`{"action":"accept","content":{"n":1}}`)}); err != nil {
		t.Fatal(err)
	}
	rec = waitFor(t, b, id, 5*time.Second, func(r tasks.Record) bool { return r.Task.Status == models.TaskStatusComplete })
	if string(rec.Result) != `[{"action":"accept","content":{"n":1}},{"action":"accept","content":{"n":2}}]` {
		t.Fatalf("result %s", rec.Result)
	}
}
