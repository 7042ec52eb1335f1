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

// TestReadmeGivesGoInstall checks that the README says how to install the
// command, next to running it with go run.
func TestReadmeGivesGoInstall(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"go install github.com/mcp-refcache/taskschema/cmd/taskschema@latest",
		"go run ./cmd/taskschema validate",
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("README.md does not contain %q", want)
		}
	}
}
