package mcptasks_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/mcp/internal/demo"
)

// requireE2E reports whether the end-to-end tests must run: in CI
// (CI=true) or with TASKSCHEMA_E2E=1, a missing node or node_modules
// fails the test instead of skipping it.
func requireE2E() bool {
	return os.Getenv("TASKSCHEMA_E2E") == "1" || os.Getenv("CI") == "true"
}

// loopbackServer serves h on a free port of 127.0.0.1.
func loopbackServer(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: h}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// TestTypeScriptClient drives the example server over streamable HTTP on
// loopback with the official TypeScript SDK client (mcp/e2e/client.mjs,
// installed by `npm ci` in mcp/e2e), and checks every message the server
// writes against the schemas.
func TestTypeScriptClient(t *testing.T) {
	node, err := exec.LookPath("node")
	dir, _ := filepath.Abs("e2e")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "@modelcontextprotocol", "sdk", "package.json"))
	}
	if err != nil {
		if requireE2E() {
			t.Fatalf("the TypeScript end-to-end test cannot run: %v (install Node.js 20+ and run `npm ci` in mcp/e2e)", err)
		}
		t.Skipf("node or mcp/e2e/node_modules missing (%v); run `npm ci` in mcp/e2e, or set TASKSCHEMA_E2E=1 to make this a failure", err)
	}
	srv, err := demo.New(demo.Options{SlowTimeout: 200 * time.Millisecond, PollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Runner().Close(context.Background()) })
	check := newChecker(t)
	mux := http.NewServeMux()
	mux.Handle("/mcp", newTap(srv.HTTPHandler(nil, 0), check))
	hs := loopbackServer(t, mux)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "client.mjs", hs.URL+"/mcp")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("client: %v\n%s", err, out)
	}
	want := []string{"capabilities.tasks", "tools/list execution.taskSupport", "fast", "task", "result", "cancel", "list", "fallback", "progress", "cancel_tool", "no client errors"}
	ran := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var c struct {
			Check string `json:"check"`
			OK    bool   `json:"ok"`
		}
		if json.Unmarshal([]byte(line), &c) != nil || c.Check == "" {
			continue
		}
		if !c.OK {
			t.Errorf("check failed: %s", line)
		}
		ran[c.Check] = true
	}
	for _, name := range want {
		if !ran[name] {
			t.Errorf("check %q did not run\n%s", name, out)
		}
	}
	// Every kind of payload went through the schema checks.
	for _, kind := range []string{"async_task_response", "async_task_page", "tool_output", "notifications/progress", "tasks/result",
		"task:create_task_result", "task:tasks/get", "task:tasks/cancel", "task:tasks/list", "task:notifications/tasks/status"} {
		if check.seen(kind) == 0 {
			t.Errorf("no %s payload was checked", kind)
		}
	}
	t.Logf("checked: %v", check.n)
}
