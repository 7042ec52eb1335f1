package mcptasks

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
)

func TestLiftBody(t *testing.T) {
	key := `"` + TaskMetaKey + `"`
	for _, tc := range []struct {
		name, in string
		want     []string // substrings of the output; nil means unchanged
		not      []string
	}{
		{name: "no task", in: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}`},
		{name: "other method", in: `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"task":{}}}`},
		{name: "task in arguments only", in: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"task":1}}}`},
		{name: "malformed", in: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"task":`},
		{name: "task", in: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","task":{"ttl":5}}}`,
			want: []string{key + `:{"ttl":5}`}, not: []string{`"task":`}},
		{name: "escaped key", in: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","\u0074ask":{}}}`,
			want: []string{key + `:{}`}},
		{name: "keeps _meta", in: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","task":{},"_meta":{"progressToken":7}}}`,
			want: []string{key + `:{}`, `"progressToken":7`}},
		{name: "batch", in: `[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","task":{}}},{"jsonrpc":"2.0","method":"notifications/initialized"}]`,
			want: []string{key + `:{}`, `notifications/initialized`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := string(liftBody([]byte(tc.in)))
			if tc.want == nil {
				if out != tc.in {
					t.Fatalf("changed: %s", out)
				}
				return
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("missing %s in %s", w, out)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(out, n) {
					t.Errorf("still has %s: %s", n, out)
				}
			}
		})
	}
}

func TestLiftTaskHandlerLimit(t *testing.T) {
	var got []byte
	h := LiftTaskHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := new(bytes.Buffer)
		buf.ReadFrom(r.Body)
		got = buf.Bytes()
	}), 64)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(strings.Repeat(" ", 65))))
	if rec.Code != http.StatusRequestEntityTooLarge || got != nil {
		t.Fatalf("over the limit: %d, passed %q", rec.Code, got)
	}
	body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"task":{}}}`
	h = LiftTaskHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := new(bytes.Buffer)
		buf.ReadFrom(r.Body)
		got = buf.Bytes()
		if r.ContentLength != int64(len(got)) {
			t.Errorf("ContentLength %d for %d bytes", r.ContentLength, len(got))
		}
	}), 1<<20)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body)))
	if !bytes.Contains(got, []byte(TaskMetaKey)) {
		t.Fatalf("not lifted: %s", got)
	}
}

// FuzzLiftBody: the lift never panics, keeps valid JSON valid, and leaves no
// top-level "task" in the params of a tools/call it rewrote.
func FuzzLiftBody(f *testing.F) {
	f.Add([]byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","task":{"ttl":5}}}`))
	f.Add([]byte(`[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"task":{},"_meta":null}}]`))
	f.Add([]byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"\u0074ask":1,"_meta":[]}}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		out := liftBody(in)
		if json.Valid(in) && !json.Valid(out) {
			t.Fatalf("valid %q became invalid %q", in, out)
		}
		if bytes.Equal(in, out) {
			return
		}
		var msgs []json.RawMessage
		if bytes.HasPrefix(bytes.TrimSpace(out), []byte("[")) {
			json.Unmarshal(out, &msgs)
		} else {
			msgs = []json.RawMessage{out}
		}
		for _, m := range msgs {
			// Decode as go-sdk does (case-sensitive member names).
			msg, err := jsonrpc.DecodeMessage(m)
			req, ok := msg.(*jsonrpc.Request)
			if err != nil || !ok || req.Method != "tools/call" {
				continue
			}
			var params map[string]json.RawMessage
			if json.Unmarshal(req.Params, &params) == nil {
				if _, ok := params["task"]; ok {
					t.Fatalf("task left in %s", m)
				}
			}
		}
	})
}
