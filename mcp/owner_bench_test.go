package mcptasks_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// BenchmarkTasksGetInMemory is one tasks/get of a working task after
// another, on one session over go-sdk's in-memory transport, without the
// tests' schema checks: the cost of the method itself, the requestor
// check included. It uses only what the tree had before the check, so
// that it runs on both sides of the change:
//
//	go -C mcp test -run='^$' -bench=TasksGetInMemory -benchmem -count=6 .
func BenchmarkTasksGetInMemory(b *testing.B) {
	ts := newTestServer(b, serverOpts{})
	ct, st := mcp.NewInMemoryTransports()
	ss, err := ts.Connect(context.Background(), st, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ts.gate.open(); ss.Close() })
	conn, err := ct.Connect(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	n := int64(0)
	call := func(method string, params string) *jsonrpc.Response {
		n++
		id, _ := jsonrpc.MakeID(float64(n))
		if err := conn.Write(context.Background(), &jsonrpc.Request{ID: id, Method: method, Params: json.RawMessage(params)}); err != nil {
			b.Fatal(err)
		}
		for {
			msg, err := conn.Read(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if r, ok := msg.(*jsonrpc.Response); ok && r.ID == id {
				if r.Error != nil {
					b.Fatalf("%s: %v", method, r.Error)
				}
				return r
			}
		}
	}
	call("initialize", `{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"0"}}`)
	if err := conn.Write(context.Background(), &jsonrpc.Request{Method: "notifications/initialized", Params: json.RawMessage(`{}`)}); err != nil {
		b.Fatal(err)
	}
	var created struct {
		Task struct {
			TaskID string `json:"taskId"`
		} `json:"task"`
	}
	if err := json.Unmarshal(call("tools/call", `{"name":"gated","arguments":{},"task":{}}`).Result, &created); err != nil || created.Task.TaskID == "" {
		b.Fatalf("no task: %v", err)
	}
	get := `{"taskId":"` + created.Task.TaskID + `"}`
	b.ReportAllocs()
	for b.Loop() {
		call("tasks/get", get)
	}
}
