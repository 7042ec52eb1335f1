package tasks_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
)

// askTwo starts a task that asks for two answers at once and returns them
// joined as its result.
func askTwo(t *testing.T, r *tasks.Runner) string {
	t.Helper()
	out, err := r.Run(bg, tasks.Call{Prefix: "ask"}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		got, err := p.AskInput(ctx, json.RawMessage(`{"method":"elicitation/create","params":{"message":"first?"}}`),
			json.RawMessage(`{"method":"elicitation/create","params":{"message":"second?"}}`))
		if err != nil {
			return nil, err
		}
		return json.Marshal(got)
	})
	if err != nil || out.Async == nil {
		t.Fatalf("Run: %+v, %v", out, err)
	}
	return out.Async.RefID
}

func pending(t *testing.T, rec tasks.Record) map[string]json.RawMessage {
	t.Helper()
	p, err := tasks.PendingInput(rec)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAskInputPartialIdempotentResume(t *testing.T) {
	r := newRunner(t, fastOptions(tasks.NewMemoryStore(tasks.MemoryOptions{})))
	id := askTwo(t, r)
	rec := waitFor(t, r, id, func(rec tasks.Record) bool { return len(pending(t, rec)) == 2 })
	p := pending(t, rec)
	if _, ok := p["in-1"]; !ok || string(p["in-2"]) != `{"method":"elicitation/create","params":{"message":"second?"}}` {
		t.Fatalf("pending %s", p)
	}
	if rec.Task.Status != models.TaskStatusProcessing {
		t.Fatalf("status %s", rec.Task.Status)
	}
	// One answer, and an answer for an id never issued: the task waits on.
	if err := r.Respond(bg, id, map[string]json.RawMessage{"in-1": json.RawMessage(`{"action":"accept"}`), "in-9": json.RawMessage(`1`)}); err != nil {
		t.Fatal(err)
	}
	rec = waitFor(t, r, id, func(rec tasks.Record) bool { return len(pending(t, rec)) == 1 })
	if _, ok := pending(t, rec)["in-2"]; !ok {
		t.Fatalf("pending after one answer: %s", pending(t, rec))
	}
	// The same key again with another value changes nothing: the first answer stands.
	if err := r.Respond(bg, id, map[string]json.RawMessage{"in-1": json.RawMessage(`{"action":"decline"}`)}); err != nil {
		t.Fatal(err)
	}
	if err := r.Respond(bg, id, map[string]json.RawMessage{"in-2": json.RawMessage(`{"action":"cancel"}`)}); err != nil {
		t.Fatal(err)
	}
	rec = waitFor(t, r, id, finished)
	if rec.Task.Status != models.TaskStatusComplete || string(rec.Result) != `[{"action":"accept"},{"action":"cancel"}]` {
		t.Fatalf("after both answers: %s %s", rec.Task.Status, rec.Result)
	}
	if len(pending(t, rec)) != 0 {
		t.Fatalf("a finished task still waits on %s", pending(t, rec))
	}
	// A finished task takes no answers, and says so by not changing.
	if err := r.Respond(bg, id, map[string]json.RawMessage{"in-2": json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if err := r.Respond(bg, "no-such-task", map[string]json.RawMessage{}); !errors.Is(err, tasks.ErrNotFound) {
		t.Fatalf("unknown task: %v", err)
	}
}

func TestAskInputIDsNeverReused(t *testing.T) {
	r := newRunner(t, fastOptions(tasks.NewMemoryStore(tasks.MemoryOptions{})))
	out, err := r.Run(bg, tasks.Call{}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		for range 2 {
			if _, err := p.AskInput(ctx, json.RawMessage(`{"method":"elicitation/create","params":{}}`)); err != nil {
				return nil, err
			}
		}
		return json.RawMessage(`"done"`), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	id := out.Async.RefID
	for _, key := range []string{"in-1", "in-2"} {
		waitFor(t, r, id, func(rec tasks.Record) bool { _, ok := pending(t, rec)[key]; return ok })
		// An answer to the earlier id is ignored: that request is gone.
		if err := r.Respond(bg, id, map[string]json.RawMessage{"in-1": json.RawMessage(`{"late":true}`)}); err != nil {
			t.Fatal(err)
		}
		if err := r.Respond(bg, id, map[string]json.RawMessage{key: json.RawMessage(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	if rec := waitFor(t, r, id, finished); rec.Task.Status != models.TaskStatusComplete {
		t.Fatalf("status %s", rec.Task.Status)
	}
}

func TestAskInputCancelled(t *testing.T) {
	r := newRunner(t, fastOptions(tasks.NewMemoryStore(tasks.MemoryOptions{})))
	id := askTwo(t, r)
	waitFor(t, r, id, func(rec tasks.Record) bool { return len(pending(t, rec)) == 2 })
	if _, err := r.Cancel(bg, id); err != nil {
		t.Fatal(err)
	}
	if rec := waitFor(t, r, id, finished); rec.Task.Status != models.TaskStatusCancelled {
		t.Fatalf("status %s", rec.Task.Status)
	}
}

func TestAskInputNeedsRunner(t *testing.T) {
	var p tasks.Progress
	if _, err := p.AskInput(bg, json.RawMessage(`{}`)); !errors.Is(err, tasks.ErrInvalid) {
		t.Fatalf("zero Progress: %v", err)
	}
	r := newRunner(t, fastOptions(nil))
	_, err := r.Run(bg, tasks.Call{Timeout: time.Second}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		_, err := p.AskInput(ctx, json.RawMessage(`[1]`))
		return nil, err
	})
	if !errors.Is(err, tasks.ErrInvalid) {
		t.Fatalf("a request that is not an object: %v", err)
	}
}
