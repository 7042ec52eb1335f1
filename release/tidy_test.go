package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fixtureRepo writes a small repository with this repository's module
// paths: a root module with package models, and a nested module mcp that
// imports it and requires it at v0.1.0 (not released anywhere), with a
// go.work like ours. It returns its directory.
func fixtureRepo(t *testing.T, mcpGoMod string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":           "module " + rootModule + "\n\ngo 1.25\n",
		"models/models.go": "package models\n\n// Name is a name.\nconst Name = \"models\"\n",
		"mcp/go.mod":       mcpGoMod,
		"mcp/mcp.go":       "package mcp\n\nimport \"" + rootModule + "/models\"\n\n// Name is a name.\nconst Name = models.Name\n",
		"go.work":          "go 1.25.0\n\nuse (\n\t.\n\t./mcp\n)\n\nreplace " + rootModule + " v0.1.0 => ./\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t.invalid", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t.invalid")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "fixture")
	return dir
}

const tidyMcpGoMod = "module " + rootModule + "/mcp\n\ngo 1.25\n\nrequire " + rootModule + " v0.1.0\n"

func TestTidy(t *testing.T) {
	tests := []struct {
		name     string
		goMod    string
		goSum    string
		wantErr  string // "" means tidy
		fixedMod string // the go.mod after -fix, when it changes
	}{
		{name: "tidy", goMod: tidyMcpGoMod},
		{
			// tidy cannot add a sibling it cannot find in any release
			name:    "missing requirement on a sibling",
			goMod:   "module " + rootModule + "/mcp\n\ngo 1.25\n",
			wantErr: "go mod tidy: exit status 1",
		},
		{
			name:     "unused requirement",
			goMod:    tidyMcpGoMod + "\nrequire golang.org/x/mod v0.40.0\n",
			wantErr:  "not tidy: mcp",
			fixedMod: tidyMcpGoMod,
		},
		{
			name:    "sibling lines in go.sum",
			goMod:   tidyMcpGoMod,
			goSum:   rootModule + " v0.1.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
			wantErr: "go.sum holds lines for modules of this repository",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			repo := fixtureRepo(t, tc.goMod)
			if tc.goSum != "" {
				if err := os.WriteFile(filepath.Join(repo, "mcp", "go.sum"), []byte(tc.goSum), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var out strings.Builder
			err := tidyAll(repo, false, &out)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("tidyAll: %v\n%s", err, out.String())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("tidyAll: error %v, want one containing %q\n%s", err, tc.wantErr, out.String())
			}
			if tc.fixedMod == "" {
				return
			}
			if err := tidyAll(repo, true, &out); err != nil {
				t.Fatalf("tidyAll -fix: %v", err)
			}
			got, err := os.ReadFile(filepath.Join(repo, "mcp", "go.mod"))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.fixedMod {
				t.Errorf("go.mod after -fix:\n%s\nwant:\n%s", got, tc.fixedMod)
			}
			if err := tidyAll(repo, false, &out); err != nil {
				t.Errorf("tidyAll after -fix: %v", err)
			}
		})
	}
}

// TestReleaseScriptRefuses checks the refusals of release.sh: a version
// that is not vX.Y.Z, a dirty working tree, and a version not newer than
// the last release.
func TestReleaseScriptRefuses(t *testing.T) {
	script, err := filepath.Abs("release.sh")
	if err != nil {
		t.Fatal(err)
	}
	repo := fixtureRepo(t, tidyMcpGoMod)
	env := append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t.invalid", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t.invalid")
	release := func(v string) (string, error) {
		cmd := exec.Command("bash", script, v, repo)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := release("1.0"); err == nil || !strings.Contains(out, "is not a version vX.Y.Z") {
		t.Errorf("release 1.0: %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(repo, "dirty.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := release("v0.1.0"); err == nil || !strings.Contains(out, "commit or stash") {
		t.Errorf("release with a dirty tree: %v\n%s", err, out)
	}
	os.Remove(filepath.Join(repo, "dirty.txt"))
	if out, err := release("v0.2.0"); err != nil {
		t.Fatalf("release v0.2.0: %v\n%s", err, out)
	}
	mod, err := os.ReadFile(filepath.Join(repo, "mcp", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mod), rootModule+" v0.2.0") {
		t.Errorf("mcp/go.mod after release v0.2.0 does not require v0.2.0:\n%s", mod)
	}
	for _, tag := range []string{"v0.2.0", "mcp/v0.2.0"} {
		cmd := exec.Command("git", "rev-parse", "--verify", "refs/tags/"+tag)
		cmd.Dir = repo
		if err := cmd.Run(); err != nil {
			t.Errorf("tag %s missing after release", tag)
		}
	}
	if out, err := release("v0.1.9"); err == nil || !strings.Contains(out, "not newer than the last release v0.2.0") {
		t.Errorf("release v0.1.9 after v0.2.0: %v\n%s", err, out)
	}
}
