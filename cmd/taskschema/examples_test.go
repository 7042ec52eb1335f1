package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// TestExamplesCommand: "taskschema examples" checks the built-in payloads,
// which are exactly the files of examples/, each with its intended verdict.
func TestExamplesCommand(t *testing.T) {
	r := runCmd(t, nil, "examples")
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("exit status %d, stderr %q\n%s", r.code, r.stderr, r.stdout)
	}
	want := "examples/async_task_response.json (async_task_response): valid\n" +
		"examples/async_task_response_python.json (async_task_response): valid\n" +
		"examples/invalid/task_info_bad.json (task_info): invalid\n" +
		"  /progress/percentage: maximum: must be at most 100, got 150\n" +
		"  /retry_count: minimum: must be at least 0, got -1\n" +
		"  (invalid on purpose)\n" +
		"examples/task_info.json (task_info): valid\n" +
		"examples/task_info_failed.json (task_info): valid\n" +
		"examples/task_progress.json (task_progress): valid\n"
	if r.stdout != want {
		t.Errorf("got\n%s\nwant\n%s", r.stdout, want)
	}
	// The README shows this output as it is.
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```text\n"+r.stdout+"```\n") {
		t.Error("README.md does not show the output of taskschema examples as it is")
	}
	// The embedded files are the files of examples/.
	var onDisk []string
	for _, pattern := range []string{"*.json", "invalid/*.json"} {
		found, _ := filepath.Glob(filepath.Join("..", "..", "examples", pattern))
		onDisk = append(onDisk, found...)
	}
	for _, f := range onDisk {
		rel, _ := filepath.Rel(filepath.Join("..", "..", "examples"), f)
		if !strings.Contains(r.stdout, "examples/"+filepath.ToSlash(rel)+" (") {
			t.Errorf("%s is not checked by taskschema examples", f)
		}
	}
	if got := strings.Count(r.stdout, "examples/"); got != len(onDisk) {
		t.Errorf("%d payloads checked, %d files in examples/", got, len(onDisk))
	}
}

// TestCheckExamplesVerdicts: a sample whose verdict is not the intended one,
// or whose name starts with no schema name, makes the status 1.
func TestCheckExamplesVerdicts(t *testing.T) {
	valid := []byte(`{"current": 1, "total": 2}`)
	invalid := []byte(`{"current": -1}`)
	for _, c := range []struct {
		name string
		fsys fstest.MapFS
		code int
		want string
	}{
		{"as intended", fstest.MapFS{"task_progress.json": {Data: valid}, "invalid/task_progress_bad.json": {Data: invalid}}, exitOK, "(invalid on purpose)"},
		{"invalid sample", fstest.MapFS{"task_progress.json": {Data: invalid}}, exitInvalid, "examples/task_progress.json (task_progress): invalid"},
		{"valid under invalid/", fstest.MapFS{"invalid/task_progress_x.json": {Data: valid}}, exitInvalid, "examples/invalid/task_progress_x.json (task_progress): valid"},
		{"no schema", fstest.MapFS{"progress.json": {Data: valid}}, exitInvalid, "no schema name starts its file name"},
		{"empty", fstest.MapFS{}, exitUsage, "no sample payloads"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := checkExamples(c.fsys, "test", &stdout, &stderr)
			if code != c.code {
				t.Errorf("status %d, want %d\n%s%s", code, c.code, stdout.String(), stderr.String())
			}
			if !strings.Contains(stdout.String()+stderr.String(), c.want) {
				t.Errorf("output does not say %q:\n%s%s", c.want, stdout.String(), stderr.String())
			}
		})
	}
}

func TestExampleSchema(t *testing.T) {
	for base, want := range map[string]string{
		"task_info.json":                  "task_info",
		"task_info_failed.json":           "task_info",
		"async_task_response_python.json": "async_task_response",
		"task_status.json":                "task_status",
		"mcp_task_status_x.json":          "mcp_task_status",
		"task_infos.json":                 "",
		"info.json":                       "",
	} {
		got, ok := exampleSchema(base)
		if got != want || ok != (want != "") {
			t.Errorf("exampleSchema(%q) = %q, %v; want %q", base, got, ok, want)
		}
	}
}

func TestExamplesUsage(t *testing.T) {
	if r := runCmd(t, nil, "examples", "x"); r.code != exitUsage || !strings.Contains(r.stderr, "takes no arguments") {
		t.Errorf("examples x: %d %q", r.code, r.stderr)
	}
	if r := runCmd(t, nil, "help", "examples"); r.code != exitOK || !strings.Contains(r.stdout, "Usage: taskschema examples") {
		t.Errorf("help examples: %d %q", r.code, r.stdout)
	}
	if r := runCmd(t, nil, "help"); !strings.Contains(r.stdout, "taskschema examples") {
		t.Errorf("help does not list examples:\n%s", r.stdout)
	}
}
