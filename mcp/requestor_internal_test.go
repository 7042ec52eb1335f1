package mcptasks

import (
	"context"
	"testing"

	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// BenchmarkRequestorCheck is what the ownership rule adds to one tasks/get:
// naming the requestor from the verified token, putting it in the
// context, and comparing it with the task's.
func BenchmarkRequestorCheck(b *testing.B) {
	s := &Server{}
	req := &mcp.ServerRequest[*TaskIDParams]{Params: &TaskIDParams{TaskID: "t"},
		Extra: &mcp.RequestExtra{TokenInfo: &auth.TokenInfo{UserID: "alice"}}}
	rec := tasks.Record{Requestor: "user:alice"}
	b.ReportAllocs()
	for b.Loop() {
		ctx := withRequestor(context.Background(), s.requestorOf(context.Background(), req))
		if !s.visible(ctx, rec) {
			b.Fatal("not visible")
		}
	}
}

func TestClip(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"short", "short"},
		{string(make([]byte, 64)), string(make([]byte, 64))},
		{"é" + string(make([]byte, 100)), "é" + string(make([]byte, 62)) + "… (102 bytes)"},
	} {
		if got := clip(c.in); got != c.want {
			t.Errorf("clip(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestNoRequestorSeesNothing: a context the middleware did not see (a
// handler reached another way) sees no task, not even one without a
// requestor.
func TestNoRequestorSeesNothing(t *testing.T) {
	s := &Server{}
	for _, r := range []string{"", "user:alice", AnonymousRequestor} {
		if s.visible(context.Background(), tasks.Record{Requestor: r}) {
			t.Errorf("a context without requestor sees a task of %q", r)
		}
	}
	if (&Server{opts: Options{SharedTasks: true}}).visible(context.Background(), tasks.Record{Requestor: "user:alice"}) != true {
		t.Error("SharedTasks: a task is not visible")
	}
}
