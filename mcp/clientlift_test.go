package mcptasks

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
)

func TestLowerTaskParams(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"name":"x","_meta":{"` + TaskMetaKey + `":{"ttl":5}}}`, `{"name":"x","task":{"ttl":5}}`},
		{`{"name":"x","_meta":{"` + TaskMetaKey + `":{},"progressToken":1}}`, `{"_meta":{"progressToken":1},"name":"x","task":{}}`},
		{`{"name":"x","_meta":{"progressToken":1}}`, ""},
		{`{"name":"x"}`, ""},
		{`[1]`, ""},
	} {
		out, moved := lowerTaskParams(json.RawMessage(c.in))
		if moved != (c.want != "") || moved && !jsonEqual(t, string(out), c.want) {
			t.Errorf("lowerTaskParams(%s) = %s, %v; want %s", c.in, out, moved, c.want)
		}
	}
}

func TestTaskAsToolResult(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"task":{"taskId":"a"}}`, `{"content":[],"_meta":{"` + TaskMetaKey + `":{"taskId":"a"}}}`},
		{`{"task":{"taskId":"a"},"_meta":{"k":1}}`, `{"content":[],"_meta":{"k":1,"` + TaskMetaKey + `":{"taskId":"a"}}}`},
		{`{"content":[],"task":{}}`, ""}, // a tool result that happens to have "task"
		{`{"content":[{"type":"text","text":"x"}]}`, ""},
		{`{"task":{},"_meta":[1]}`, ""},
		{`null`, ""},
	} {
		out, ok := taskAsToolResult(json.RawMessage(c.in))
		if ok != (c.want != "") || ok && !jsonEqual(t, string(out), c.want) {
			t.Errorf("taskAsToolResult(%s) = %s, %v; want %s", c.in, out, ok, c.want)
		}
	}
}

func jsonEqual(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

// FuzzTaskAsToolResult: any answer from a server is either left as it is
// or becomes a result with empty content and the task in _meta; no panic.
func FuzzTaskAsToolResult(f *testing.F) {
	f.Add([]byte(`{"task":{"taskId":"a"},"_meta":{"k":1}}`))
	f.Add([]byte(`{"content":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, ok := taskAsToolResult(data)
		if !ok {
			if string(out) != string(data) {
				t.Fatal("changed without ok")
			}
			return
		}
		var r struct {
			Content []any                      `json:"content"`
			Meta    map[string]json.RawMessage `json:"_meta"`
		}
		if err := json.Unmarshal(out, &r); err != nil || r.Content == nil || len(r.Content) != 0 || r.Meta[TaskMetaKey] == nil {
			t.Fatalf("%s -> %s (%v)", data, out, err)
		}
	})
}

func TestHTTPBodies(t *testing.T) {
	body := []byte(`[{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"x","_meta":{"` + TaskMetaKey + `":{}}}},{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"y"}}]`)
	out, ids := lowerBody(body)
	if !ids["7"] || ids["8"] || len(ids) != 1 {
		t.Fatalf("ids %v", ids)
	}
	if !jsonEqual(t, string(out), `[{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"x","task":{}}},{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"y"}}]`) {
		t.Fatalf("body %s", out)
	}
	answer := raiseAnswers([]byte(`{"jsonrpc":"2.0","id":7,"result":{"task":{"taskId":"a"}}}`), ids)
	if !jsonEqual(t, string(answer), `{"jsonrpc":"2.0","id":7,"result":{"content":[],"_meta":{"`+TaskMetaKey+`":{"taskId":"a"}}}}`) {
		t.Fatalf("answer %s", answer)
	}
	other := `{"jsonrpc":"2.0","id":8,"result":{"task":{"taskId":"a"}}}`
	if got := raiseAnswers([]byte(other), ids); string(got) != other {
		t.Fatalf("the answer to a call without a task changed: %s", got)
	}
	stream := "event: message\nid: 1\ndata: {\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"task\":{\"taskId\":\"a\"}}}\n\n"
	rc := raiseEvents(io.NopCloser(strings.NewReader(stream)), ids)
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
	if !strings.Contains(string(got), `"content":[]`) || !strings.HasPrefix(string(got), "event: message\nid: 1\ndata: ") || !strings.HasSuffix(string(got), "}\n\n") {
		t.Fatalf("stream %q", got)
	}
}
