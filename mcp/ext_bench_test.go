package mcptasks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"testing"
	"time"

	mcptasks "github.com/mcp-refcache/taskschema/mcp"
	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

var taskIDField = regexp.MustCompile(`"taskId":"([^"]+)"`)

// extBenchPost posts one 2026-07-28 request declaring the extension.
func extBenchPost(b *testing.B, hc *http.Client, url string, id int, method string, params map[string]any, name string) []byte {
	params["_meta"] = map[string]any{"io.modelcontextprotocol/protocolVersion": "2026-07-28",
		"io.modelcontextprotocol/clientCapabilities": map[string]any{"extensions": map[string]any{mcptasks.ExtensionID: map[string]any{}}}}
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", "2026-07-28")
	req.Header.Set("Mcp-Method", method)
	req.Header.Set("Mcp-Name", name)
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("HTTP %d: %s", resp.StatusCode, buf.Bytes())
	}
	return buf.Bytes()
}

// BenchmarkHTTPExtVsLegacy measures, over streamable HTTP on loopback and
// one request at a time, a task-creating tools/call and tasks/get on
// protocol 2026-07-28 (the tasks extension: stateless requests) against
// 2025-11-25 (params.task on one session), all four in turn within each
// iteration, so that the ratios come from one run under the same load:
//
//	go -C mcp test -run='^$' -bench=HTTPExtVsLegacy -benchmem -benchtime=2s .
func BenchmarkHTTPExtVsLegacy(b *testing.B) {
	r, err := tasks.NewRunner(tasks.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close(context.Background()) })
	srv, err := mcptasks.New(mcp.NewServer(&mcp.Implementation{Name: "bench", Version: "0"}, nil), mcptasks.Options{Runner: r, NoPollingTools: true})
	if err != nil {
		b.Fatal(err)
	}
	type noIn struct{}
	type out struct {
		OK bool `json:"ok"`
	}
	if err := mcptasks.AddTool(srv, &mcp.Tool{Name: "job"}, func(context.Context, noIn, *mcptasks.Progress) (out, error) { return out{OK: true}, nil },
		mcptasks.ToolOptions{TaskSupport: mcptasks.TaskRequired}); err != nil {
		b.Fatal(err)
	}
	hs := loopbackServer(b, srv.HTTPHandler(nil, 0))
	legacy := &benchClient{tb: b, hc: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}, url: hs.URL}
	b.Cleanup(legacy.hc.CloseIdleConnections)
	legacy.post("initialize", map[string]any{"protocolVersion": "2025-11-25", "capabilities": map[string]any{}, "clientInfo": map[string]any{"name": "bench", "version": "0"}})
	legacy.postRaw([]byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}`))
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	b.Cleanup(hc.CloseIdleConnections)
	id := 0
	taskOf := func(out []byte) string {
		m := taskIDField.FindSubmatch(out)
		if m == nil {
			b.Fatalf("no task: %s", out)
		}
		return string(m[1])
	}
	extCreate := func() string {
		id++
		return taskOf(extBenchPost(b, hc, hs.URL, id, "tools/call", map[string]any{"name": "job", "arguments": map[string]any{}}, "job"))
	}
	legacyCreate := func() string {
		return taskOf(legacy.post("tools/call", map[string]any{"name": "job", "arguments": map[string]any{}, "task": map[string]any{}}))
	}
	extTask, legacyTask := extCreate(), legacyCreate()
	extGet := func() {
		id++
		if out := extBenchPost(b, hc, hs.URL, id, "tasks/get", map[string]any{"taskId": extTask}, extTask); !bytes.Contains(out, []byte(`"resultType":"complete"`)) {
			b.Fatalf("tasks/get: %s", out)
		}
	}
	legacyGet := func() {
		if out := legacy.post("tasks/get", map[string]any{"taskId": legacyTask}); !bytes.Contains(out, []byte(`"status":"`)) {
			b.Fatalf("tasks/get: %s", out)
		}
	}
	steps := []func(){func() { extCreate() }, func() { legacyCreate() }, extGet, legacyGet}
	names := []string{"create_2026", "create_2025", "get_2026", "get_2025"}
	spent := make([]time.Duration, len(steps))
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		for i, f := range steps {
			start := time.Now()
			f()
			spent[i] += time.Since(start)
		}
		n++
	}
	for i, name := range names {
		b.ReportMetric(float64(n)/spent[i].Seconds(), name+"-req/s")
	}
	b.ReportMetric(float64(spent[0])/float64(spent[1]), "create-2026/2025-time")
	b.ReportMetric(float64(spent[2])/float64(spent[3]), "get-2026/2025-time")
}
