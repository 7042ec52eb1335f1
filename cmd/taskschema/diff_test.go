package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// diffDir returns the path of a schema directory under testdata/diff.
func diffDir(name string) string { return filepath.Join("testdata", "diff", name) }

// The changes between testdata/diff/old and testdata/diff/new, as diff
// prints them, up to the message.
var oldToNew = []string{
	"a.schema.json#/properties/s/enum: enum-value-added: breaking for consumers: ",
	"a.schema.json#/properties/s/enum: enum-value-removed: breaking for producers: ",
	"a.schema.json#/properties/t: property-added: compatible: ",
}

func TestDiffText(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string
		lines    []string // prefixes of the lines, in order
		summary  string
		wantCode int
	}{
		{"breaking", []string{"diff", diffDir("old"), diffDir("new")}, oldToNew,
			"3 changes: 1 breaking for producers, 1 breaking for consumers, 0 breaking for both, 1 compatible", exitInvalid},
		{"compatible", []string{"diff", diffDir("old"), diffDir("compatible")}, []string{
			"a.schema.json#/description: annotation-changed: compatible: ",
			"a.schema.json#/properties/t: property-added: compatible: ",
		}, "2 changes: 0 breaking for producers, 0 breaking for consumers, 0 breaking for both, 2 compatible", exitOK},
		{"same", []string{"diff", diffDir("new"), diffDir("new")}, nil, "no changes", exitOK},
		{"real schemas", []string{"diff", filepath.Join("..", "..", "schema"), filepath.Join("..", "..", "schema")}, nil, "no changes", exitOK},
		{"flag after the operands", []string{"diff", diffDir("new"), diffDir("old"), "--json=false"}, []string{
			"a.schema.json#/properties/s/enum: enum-value-added: breaking for consumers: the value \"y\" is now valid",
			"a.schema.json#/properties/s/enum: enum-value-removed: breaking for producers: the value \"z\" is no longer valid",
			"a.schema.json#/properties/t: property-removed: breaking for consumers: ",
		}, "3 changes: 1 breaking for producers, 2 breaking for consumers, 0 breaking for both, 0 compatible", exitInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCmd(t, nil, tc.args...)
			if r.code != tc.wantCode || r.stderr != "" {
				t.Fatalf("exit status %d, stderr %q; want %d and nothing\n%s", r.code, r.stderr, tc.wantCode, r.stdout)
			}
			lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
			if len(lines) != len(tc.lines)+1 {
				t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(tc.lines)+1, r.stdout)
			}
			for i, want := range tc.lines {
				if !strings.HasPrefix(lines[i], want) {
					t.Errorf("line %d = %q, want it to start with %q", i+1, lines[i], want)
				}
			}
			if last := lines[len(lines)-1]; last != tc.summary {
				t.Errorf("summary %q, want %q", last, tc.summary)
			}
		})
	}
}

func TestDiffJSON(t *testing.T) {
	r := runCmd(t, nil, "diff", "--json", diffDir("old"), diffDir("new"))
	if r.code != exitInvalid || r.stderr != "" {
		t.Fatalf("exit status %d, stderr %q", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	want := []struct{ file, pointer, rule, impact string }{
		{"a.schema.json", "/properties/s/enum", "enum-value-added", "consumers"},
		{"a.schema.json", "/properties/s/enum", "enum-value-removed", "producers"},
		{"a.schema.json", "/properties/t", "property-added", "compatible"},
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), r.stdout)
	}
	for i, line := range lines {
		var got struct{ File, Pointer, Rule, Impact, Message string }
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("line %d %q: %v", i+1, line, err)
		}
		w := want[i]
		if got.File != w.file || got.Pointer != w.pointer || got.Rule != w.rule || got.Impact != w.impact || got.Message == "" {
			t.Errorf("line %d = %+v, want %+v and a message", i+1, got, w)
		}
	}
}

func TestDiffErrors(t *testing.T) {
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "a.schema.json"), []byte(`{"type": `), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"diff"}, "want two directories, OLD_DIR and NEW_DIR"},
		{[]string{"diff", diffDir("old")}, "want two directories"},
		{[]string{"diff", diffDir("old"), diffDir("new"), diffDir("new")}, "want two directories"},
		{[]string{"diff", "--xml", diffDir("old"), diffDir("new")}, "flag provided but not defined: -xml"},
		{[]string{"diff", diffDir("old"), filepath.Join("testdata", "nope")}, "nope"},
		{[]string{"diff", diffDir("old"), t.TempDir()}, "no *.schema.json file"},
		{[]string{"diff", bad, diffDir("old")}, "a.schema.json: not valid JSON"},
	} {
		r := runCmd(t, nil, tc.args...)
		if r.code != exitUsage || r.stdout != "" || !strings.Contains(r.stderr, tc.stderr) {
			t.Errorf("%q: exit status %d, stdout %q, stderr %q; want 2, nothing, and %q", tc.args, r.code, r.stdout, r.stderr, tc.stderr)
		}
	}
}

func TestDiffCompatHelp(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"diff", "-h"}, []string{"Usage: taskschema diff [--json] OLD_DIR NEW_DIR", "FILE#POINTER: RULE: IMPACT: MESSAGE", "docs/SCHEMA-EVOLUTION.md", "Exit status: 0"}},
		{[]string{"help", "diff"}, []string{"Usage: taskschema diff"}},
		{[]string{"compat", "--help"}, []string{"Usage: taskschema compat", "--changelog FILE", "--base TAG", "Exit status: 0"}},
		{[]string{"help", "compat"}, []string{"Usage: taskschema compat"}},
		{[]string{"help"}, []string{"taskschema diff [--json] OLD_DIR NEW_DIR", "taskschema compat ["}},
	} {
		r := runCmd(t, nil, tc.args...)
		if r.code != exitOK || r.stderr != "" {
			t.Errorf("%q: exit status %d, stderr %q", tc.args, r.code, r.stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%q: usage does not contain %q", tc.args, w)
			}
		}
	}
}

// compatRepo is a throwaway git repository whose schema/ directory holds
// testdata/diff/old, tagged as the release v1.2.0, with testdata/diff/new
// in the working tree.
func compatRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH")
	}
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=test", "-c", "user.email=test@example.invalid",
			"-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	copySchemas := func(from string) {
		t.Helper()
		for _, name := range []string{"a.schema.json", "b.schema.json"} {
			data, err := os.ReadFile(filepath.Join(diffDir(from), name))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "schema", name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	git("init", "-q", "-b", "main")
	if err := os.Mkdir(filepath.Join(dir, "schema"), 0o755); err != nil {
		t.Fatal(err)
	}
	copySchemas("old")
	git("add", "-A")
	git("commit", "-q", "-m", "v1.2.0")
	git("tag", "v1.1.0")
	git("tag", "v1.2.0")
	git("tag", "mcp/v7.0.0")
	git("tag", "v2.0.0-rc.1")
	copySchemas("new")
	return dir
}

// TestCompat runs taskschema compat end to end on a throwaway repository:
// the last release tag is found with git, its schema files are compared
// with the working tree's, and the changelog decides.
func TestCompat(t *testing.T) {
	const recorded = "## Unreleased\n\n### Breaking schema changes\n\n" +
		"- `a.schema.json#/properties/s/enum` enum-value-added: z is the new name of y.\n" +
		"- `a.schema.json#/properties/s/enum` enum-value-removed: y is renamed z.\n\n## v1.2.0\n\n- First release.\n"
	for _, tc := range []struct {
		name      string
		changelog string // "" for none
		args      []string
		wantCode  int
		want      []string
	}{
		{"unrecorded", "## Unreleased\n\n- Nothing yet.\n", nil, exitInvalid, []string{
			"schema changes since v1.2.0:",
			"a.schema.json#/properties/s/enum: enum-value-removed: breaking for producers",
			"FAILED: 2 of 2 breaking schema changes since v1.2.0 not recorded",
			"- `a.schema.json#/properties/s/enum` enum-value-added: WHY\n",
			"- `a.schema.json#/properties/s/enum` enum-value-removed: WHY\n",
		}},
		{"no changelog", "", nil, exitInvalid, []string{"FAILED: 2 of 2"}},
		{"recorded", recorded, nil, exitOK, []string{"passed: 2 breaking schema changes since v1.2.0, each recorded as intended"}},
		{"half recorded", strings.Replace(recorded, "enum-value-added:", "enum-value-widened:", 1), nil, exitInvalid, []string{
			"FAILED: 1 of 2", "- `a.schema.json#/properties/s/enum` enum-value-added: WHY\n"}},
		{"major version", "## v2.0.0 - 2026-12-24\n\n- Statuses renamed.\n", nil, exitOK, []string{"released as v2.0.0, a new major version"}},
		{"released section only", "## v1.2.0\n\n- `a.schema.json#/properties/s/enum` enum-value-added: z.\n", nil, exitInvalid, []string{
			"is not newer than v1.2.0"}},
		{"malformed record", "## Unreleased\n- `a.schema.json#/properties/s/enum` enum-value-added\n", nil, exitInvalid, []string{
			"not a record of the form", "line 2"}},
		{"older base", recorded, []string{"--base", "v1.1.0"}, exitOK, []string{"since v1.1.0"}},
		{"next major from the release script", "## Unreleased\n", []string{"--next", "v2.0.0"}, exitOK, []string{"released as v2.0.0, a new major version"}},
		{"next minor from the release script", "## Unreleased\n", []string{"--next", "v1.3.0"}, exitInvalid, []string{"FAILED: 2 of 2"}},
		{"next minor, recorded", recorded, []string{"--next", "v1.3.0"}, exitOK, []string{"each recorded as intended"}},
		{"next matching the heading", "## v2.0.0\n", []string{"--next", "v2.0.0"}, exitOK, []string{"a new major version"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := compatRepo(t)
			if tc.changelog != "" {
				if err := os.WriteFile(filepath.Join(dir, "CHANGELOG.md"), []byte(tc.changelog), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			r := runCmd(t, nil, append([]string{"compat", "--repo", dir}, tc.args...)...)
			if r.code != tc.wantCode || r.stderr != "" {
				t.Fatalf("exit status %d, stderr %q; want %d and nothing\n%s", r.code, r.stderr, tc.wantCode, r.stdout)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("output does not contain %q:\n%s", w, r.stdout)
				}
			}
		})
	}
}

func TestCompatNoTag(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH")
	}
	dir := t.TempDir()
	cmd := exec.Command("git", "-C", dir, "init", "-q")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	r := runCmd(t, nil, "compat", "--repo", dir)
	if r.code != exitOK || !strings.Contains(r.stdout, "no release tag vX.Y.Z is reachable from HEAD") {
		t.Fatalf("exit status %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestCompatErrors(t *testing.T) {
	dir := compatRepo(t)
	for name, text := range map[string]string{"BAD.md": "## Soon\n", "V2.md": "## v2.0.0\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"--base", "v9.9.9"}, "git archive"},
		{[]string{"--base", "mcp/v7.0.0"}, "is not a release tag vX.Y.Z"},
		{[]string{"--schema", "nope"}, "git archive"},
		{[]string{"--changelog", "BAD.md"}, "BAD.md: line 1: the first \"## \" heading"},
		{[]string{"--changelog", "."}, "is a directory"},
		{[]string{"extra"}, "unexpected argument \"extra\""},
		{[]string{"--next", "2.0.0"}, "--next \"2.0.0\" is not a version vX.Y.Z"},
		{[]string{"--next", "v1.2.0"}, "--next v1.2.0 is not newer than the last release v1.2.0"},
		{[]string{"--next", "v1.3.0", "--changelog", "V2.md"}, "the first section is \"v2.0.0\", but the release is v1.3.0"},
		{[]string{"--repo", t.TempDir()}, "not a git repository"},
	} {
		args := append([]string{"compat", "--repo", dir}, tc.args...)
		r := runCmd(t, nil, args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.stderr) {
			t.Errorf("%q: exit status %d, stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.stderr)
		}
	}
}
