package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestTasksRunsTheInspector: "taskschema tasks ARGS" runs taskschema-tasks
// from PATH with ARGS and passes its output and exit status through;
// without it on PATH, it says how to install it.
func TestTasksRunsTheInspector(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in is a shell script")
	}
	dir := t.TempDir()
	script := "#!/bin/sh\necho \"args: $*\"\necho oops >&2\nexit 3\n"
	if err := os.WriteFile(filepath.Join(dir, tasksCommand), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	var out, errOut bytes.Buffer
	code := run([]string{"tasks", "-redis", "127.0.0.1:1", "get", "x"}, strings.NewReader(""), &out, &errOut)
	if code != 3 || out.String() != "args: -redis 127.0.0.1:1 get x\n" || errOut.String() != "oops\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
	t.Setenv("PATH", t.TempDir())
	out.Reset()
	errOut.Reset()
	if code := run([]string{"tasks", "list"}, strings.NewReader(""), &out, &errOut); code != exitUsage || !strings.Contains(errOut.String(), "go install github.com/mcp-refcache/taskschema/tasks/redisstore/cmd/taskschema-tasks@latest") {
		t.Fatalf("without it on PATH: exit %d, %q", code, errOut.String())
	}
}
