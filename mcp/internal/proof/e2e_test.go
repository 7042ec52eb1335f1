package proof

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTypeScriptClient drives the proof server over streamable HTTP on
// loopback with the official TypeScript SDK client (mcp/e2e/client.mjs).
// It needs node and `npm ci` in mcp/e2e; without them it is skipped.
func TestTypeScriptClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	dir, _ := filepath.Abs(filepath.Join("..", "..", "e2e"))
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@modelcontextprotocol", "sdk")); err != nil {
		t.Skip("run `npm ci` in mcp/e2e first")
	}
	srv := httptest.NewServer(NewHTTPHandler())
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "client.mjs", srv.URL)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("client: %v\n%s", err, out)
	}
	want := map[string]bool{"capabilities.tasks": false, "tools/list execution.taskSupport": false, "fast": false, "task": false, "result": false, "cancel": false, "list": false, "fallback": false}
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
		want[c.Check] = true
	}
	for name, seen := range want {
		if !seen {
			t.Errorf("check %q did not run\n%s", name, out)
		}
	}
}
