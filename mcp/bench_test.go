package mcptasks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/mcp/internal/demo"
)

// benchClient posts JSON-RPC requests on one streamable HTTP session.
type benchClient struct {
	tb      testing.TB
	hc      *http.Client
	url     string
	session string
	id      int
	token   string // sent as a bearer token when set
}

func (c *benchClient) post(method string, params any) []byte {
	c.id++
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": c.id, "method": method, "params": params})
	return c.postRaw(body)
}

func (c *benchClient) postRaw(body []byte) []byte {
	req, _ := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", "2025-11-25")
	if c.session != "" {
		req.Header.Set("Mcp-Session-Id", c.session)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.tb.Fatal(err)
	}
	out, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		c.tb.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusAccepted {
		c.tb.Fatalf("HTTP %d: %s", resp.StatusCode, out)
	}
	if sid := resp.Header.Get("Mcp-Session-Id"); sid != "" {
		c.session = sid
	}
	return out
}

// newBenchClient starts the demo server over streamable HTTP on loopback
// and opens a 2025-11-25 session.
func newBenchClient(b *testing.B) *benchClient {
	srv, err := demo.New(demo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Runner().Close(context.Background()) })
	hs := loopbackServer(b, srv.HTTPHandler(nil, 0))
	c := &benchClient{tb: b, hc: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}, url: hs.URL}
	b.Cleanup(c.hc.CloseIdleConnections)
	c.post("initialize", map[string]any{"protocolVersion": "2025-11-25", "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "bench", "version": "0"}})
	c.postRaw([]byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}`))
	return c
}

// requests returns the three requests of the benchmark: the fast tool
// with the fallback wrapper, the same tool as go-sdk's typed tool, and
// tasks/get of a completed task.
func (c *benchClient) requests(b *testing.B) map[string]func() []byte {
	out := c.post("tools/call", map[string]any{"name": "slow", "arguments": map[string]any{"ms": 0}, "task": map[string]any{}})
	var created struct {
		Result struct {
			Task struct {
				TaskID string `json:"taskId"`
			} `json:"task"`
		} `json:"result"`
	}
	data, _ := strings.CutPrefix(string(out[bytes.Index(out, []byte("data: ")):]), "data: ")
	if err := json.Unmarshal([]byte(strings.TrimSpace(data)), &created); err != nil || created.Result.Task.TaskID == "" {
		b.Fatalf("no task: %s", out)
	}
	id := created.Result.Task.TaskID
	args := map[string]any{"text": "hello"}
	check := func(name string, out []byte, want string) {
		if !bytes.Contains(out, []byte(want)) {
			b.Fatalf("%s: %s", name, out)
		}
	}
	return map[string]func() []byte{
		"fast_fallback": func() []byte {
			out := c.post("tools/call", map[string]any{"name": "fast", "arguments": args})
			check("fast", out, `"echo":"hello"`)
			return out
		},
		"fast_plain": func() []byte {
			out := c.post("tools/call", map[string]any{"name": "fast_plain", "arguments": args})
			check("fast_plain", out, `"echo":"hello"`)
			return out
		},
		"tasks_get": func() []byte {
			out := c.post("tasks/get", map[string]any{"taskId": id})
			check("tasks/get", out, `"status":"`)
			return out
		},
	}
}

// BenchmarkHTTP measures requests per second over streamable HTTP on
// loopback, one request at a time on one session: a fast tool call with
// the fallback wrapper (mcptasks.AddTool, timeout 10s), the same tool as
// go-sdk's own typed tool, and tasks/get. The sub-benchmark "ratio" runs
// the three in turn within each iteration, so their ratios come from one
// run under the same load:
//
//	go -C mcp test -run='^$' -bench=HTTP -benchmem -benchtime=2s .
func BenchmarkHTTP(b *testing.B) {
	c := newBenchClient(b)
	reqs := c.requests(b)
	for _, name := range []string{"fast_plain", "fast_fallback", "tasks_get"} {
		b.Run(name, func(b *testing.B) {
			f := reqs[name]
			b.ReportAllocs()
			for b.Loop() {
				f()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
	b.Run("ratio", func(b *testing.B) {
		names := []string{"fast_plain", "fast_fallback", "tasks_get"}
		spent := make([]time.Duration, len(names))
		n := 0
		for b.Loop() {
			for i, name := range names {
				start := time.Now()
				reqs[name]()
				spent[i] += time.Since(start)
			}
			n++
		}
		for i, name := range names {
			b.ReportMetric(float64(n)/spent[i].Seconds(), name+"-req/s")
		}
		b.ReportMetric(float64(spent[1])/float64(spent[0]), "fallback/plain-time")
		b.ReportMetric(float64(spent[2])/float64(spent[0]), "tasks_get/plain-time")
	})
}
