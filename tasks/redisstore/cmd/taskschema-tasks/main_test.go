package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/mcp-refcache/taskschema/tasks/redisstore"
	"github.com/mcp-refcache/taskschema/tasks/redisstore/redistest"
	"github.com/redis/go-redis/v9"
)

func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestInspector: list, get and cancel against a real redis-server where a
// runner keeps one running task (alice's) and one complete task (bob's);
// the runner sees the cancel and stops its function.
func TestInspector(t *testing.T) {
	addr := startRedis(t)
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { rdb.Close() })
	store := redisstore.New(rdb, redisstore.Options{Prefix: "insp:"})
	r, err := tasks.NewRunner(tasks.Options{Store: store, Owner: "replica-a", HeartbeatInterval: 50 * time.Millisecond, LeaseDuration: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(context.Background()) })
	stopped := make(chan struct{})
	running, err := r.Run(context.Background(), tasks.Call{Prefix: "a", Requestor: "user:alice"}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		<-ctx.Done()
		close(stopped)
		return nil, ctx.Err()
	})
	if err != nil || running.Async == nil {
		t.Fatal(running, err)
	}
	done, err := r.Run(context.Background(), tasks.Call{Prefix: "b", Requestor: "user:bob"}, func(ctx context.Context, p *tasks.Progress) (json.RawMessage, error) {
		return json.RawMessage(`{"n":1}`), nil
	})
	if err != nil || done.Async == nil {
		t.Fatal(done, err)
	}
	doneID := done.Async.RefID
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if rec, err := store.Get(context.Background(), doneID); err == nil && rec.Task.Status == models.TaskStatusComplete {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("task b never completed: %+v %v", rec.Task, err)
		}
	}
	runID := running.Async.RefID
	base := []string{"-redis", addr, "-prefix", "insp:"}

	code, out, errOut := cli(t, append(base, "list")...)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || !strings.Contains(lines[0], `"ref_id":"`+runID) || !strings.Contains(lines[1], `"ref_id":"`+doneID) {
		t.Fatalf("list: %d %q %q", code, out, errOut)
	}
	var rec record
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil || rec.Requestor != "user:alice" || rec.Owner != "replica-a" || rec.LeaseExpires == nil {
		t.Errorf("list line: %s (%v)", lines[0], err)
	}
	if code, out, _ := cli(t, append(base, "list", "-requestor", "user:bob")...); code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, doneID) {
		t.Errorf("list -requestor user:bob: %d %q", code, out)
	}
	if code, out, _ := cli(t, append(base, "list", "-status", "complete")...); code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, doneID) {
		t.Errorf("list -status complete: %d %q", code, out)
	}
	if code, out, _ := cli(t, append(base, "get", doneID)...); code != 0 || !strings.Contains(out, `"result":{"n":1}`) || !strings.Contains(out, `"requestor":"user:bob"`) {
		t.Errorf("get: %d %q", code, out)
	}
	if code, _, errOut := cli(t, append(base, "get", "nope")...); code != 1 || !strings.Contains(errOut, "not found") {
		t.Errorf("get of an unknown task: %d %q", code, errOut)
	}

	code, out, errOut = cli(t, append(base, "cancel", runID)...)
	if code != 0 || !strings.Contains(out, `"status":"cancelled"`) {
		t.Fatalf("cancel: %d %q %q", code, out, errOut)
	}
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("the runner did not stop the cancelled task's function within 5s")
	}
	if code, _, errOut := cli(t, append(base, "cancel", doneID)...); code != 1 || !strings.Contains(errOut, "finished") {
		t.Errorf("cancel of a complete task: %d %q", code, errOut)
	}
	// A corrupt record is named on stderr with its Redis key, the others
	// are listed, and the record is left as it is.
	rdb.Set(context.Background(), "insp:t:c-broken", "not a hash", 0)
	rdb.ZAdd(context.Background(), "insp:all", redis.Z{Member: "c-broken"})
	code, out, errOut = cli(t, append(base, "list")...)
	if code != 0 || strings.Count(out, "\n") != 2 || !strings.Contains(errOut, "corrupt record c-broken at redis key insp:t:c-broken") {
		t.Errorf("list with a corrupt record: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := cli(t, append(base, "get", "c-broken")...); code != 1 || !strings.Contains(errOut, "insp:t:c-broken") {
		t.Errorf("get of a corrupt record: %d %q", code, errOut)
	}
	if rdb.Get(context.Background(), "insp:t:c-broken").Val() != "not a hash" {
		t.Error("the corrupt record was changed")
	}
	for _, bad := range [][]string{{"list", "-status", "done"}, {"get"}, {"frobnicate"}, {"list", "-limit", "0"}} {
		if code, _, errOut := cli(t, append(base, bad...)...); code != 2 || !strings.Contains(errOut, "usage") {
			t.Errorf("%v: exit %d, %q; want 2 with the usage", bad, code, errOut)
		}
	}
}

// startRedis starts a redis-server of the test's own (redistest.Start).
func startRedis(t *testing.T) string { return redistest.Start(t) }
