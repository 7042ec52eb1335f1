package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMakeHelpAligns runs "make help" and checks that every target's
// description starts in the same column, however long the target's name.
func TestMakeHelpAligns(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	cmd := exec.Command("make", "-s", "help")
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("make help: %v", err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) < 5 {
		t.Fatalf("make help printed %d lines:\n%s", len(lines), out)
	}
	column := -1
	for _, line := range lines {
		name := strings.Fields(line)[0]
		rest := strings.TrimPrefix(line, "  "+name)
		col := len(line) - len(strings.TrimLeft(rest, " "))
		if strings.TrimLeft(rest, " ") == rest {
			t.Errorf("no space between the target and its description: %q", line)
		}
		if column == -1 {
			column = col
		} else if col != column {
			t.Errorf("description at column %d, want %d: %q", col, column, line)
		}
	}
}

// TestReadmeFirstScreen checks that the README's first screen gives the
// two commands that work on a fresh clone (the main job on the built-in
// sample payloads, and the tests with their set-up), and that it says how
// to install the command from the clone.
func TestReadmeFirstScreen(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	first := strings.Join(lines[:min(len(lines), 40)], "\n")
	for _, want := range []string{"\ngo run ./cmd/taskschema examples ", "\nmake test "} {
		if !strings.Contains(first, want) {
			t.Errorf("the first 40 lines of README.md do not give %q", strings.TrimSpace(want))
		}
	}
	for _, want := range []string{"go install ./cmd/taskschema", "go run ./cmd/taskschema validate", "scripts/setup.sh"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("README.md does not contain %q", want)
		}
	}
}
