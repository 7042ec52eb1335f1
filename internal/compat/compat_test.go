package compat

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mcp-refcache/taskschema/internal/schemadiff"
)

func TestParseVersion(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Version
		ok   bool
	}{
		{"v1.2.3", Version{1, 2, 3}, true},
		{"0.10.0", Version{0, 10, 0}, true},
		{"v2.0.0-rc.1", Version{}, false},
		{"v1.2", Version{}, false},
		{"v01.2.3", Version{}, false},
		{"mcp/v1.2.3", Version{}, false},
		{"v1.2.3+meta", Version{}, false},
		{"", Version{}, false},
	} {
		got, ok := ParseVersion(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	if c := (Version{1, 10, 0}).Compare(Version{1, 9, 9}); c != 1 {
		t.Errorf("v1.10.0 vs v1.9.9 = %d", c)
	}
	if c := (Version{0, 9, 9}).Compare(Version{1, 0, 0}); c != -1 {
		t.Errorf("v0.9.9 vs v1.0.0 = %d", c)
	}
	if c := (Version{1, 2, 3}).Compare(Version{1, 2, 3}); c != 0 {
		t.Errorf("v1.2.3 vs itself = %d", c)
	}
}

func TestParseChangelog(t *testing.T) {
	v2 := Version{2, 0, 0}
	for _, tc := range []struct {
		name      string
		text      string
		version   *Version
		records   []Record
		malformed int
		err       string
	}{
		{name: "empty", text: ""},
		{name: "unreleased with records", text: "# Changelog\n\nIntro `a.schema.json#/x` rule: not a list item.\n\n## Unreleased\n\n" +
			"### Breaking schema changes\n\n" +
			"- `task_status.schema.json#/enum` enum-value-removed: cancelled tasks are now deleted.\n" +
			"* `task_info.schema.json#` file-removed: merged into mcp_task.\n" +
			"- Other news.\n\n## v1.0.0\n\n- `old.schema.json#/x` type-narrowed: released long ago.\n",
			records: []Record{
				{"task_status.schema.json#/enum", "enum-value-removed", 9},
				{"task_info.schema.json#", "file-removed", 10},
			}},
		{name: "bracketed unreleased", text: "## [Unreleased]\n"},
		{name: "version heading with date", text: "## [2.0.0] - 2026-12-06\n- `a.schema.json#/type` type-changed: why\n",
			version: &v2, records: []Record{{"a.schema.json#/type", "type-changed", 2}}},
		{name: "v-prefixed version", text: "## v2.0.0 (not yet tagged)\n", version: &v2},
		{name: "malformed records", text: "## Unreleased\n" +
			"- `a.schema.json#/type` type-changed\n" + // no reason
			"- `a.schema.json#/type`: type-changed: why\n" + // colon in the wrong place
			"- type-changed `a.schema.json#/type`: why\n", // order
			malformed: 3},
		{name: "bad heading", text: "## Next release\n", err: "names neither Unreleased nor a version"},
		{name: "pre-release heading", text: "## v2.0.0-rc.1\n", err: "names neither"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl, err := ParseChangelog([]byte(tc.text))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (cl.Version == nil) != (tc.version == nil) || (cl.Version != nil && *cl.Version != *tc.version) {
				t.Errorf("version = %v, want %v", cl.Version, tc.version)
			}
			if !slices.Equal(cl.Records, tc.records) {
				t.Errorf("records = %v, want %v", cl.Records, tc.records)
			}
			if len(cl.Malformed) != tc.malformed {
				t.Errorf("malformed = %q, want %d", cl.Malformed, tc.malformed)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	base := Version{1, 4, 2}
	enumRemoved := schemadiff.Change{File: "task_status.schema.json", Pointer: "/enum", Rule: "enum-value-removed", Impact: schemadiff.Producers}
	typeWidened := schemadiff.Change{File: "task_info.schema.json", Pointer: "/properties/error/type", Rule: "type-widened", Impact: schemadiff.Consumers}
	added := schemadiff.Change{File: "x.schema.json", Rule: "file-added", Impact: schemadiff.Compatible}
	both := []schemadiff.Change{added, enumRemoved, typeWidened}

	const recEnum = "- `task_status.schema.json#/enum` enum-value-removed: cancelled tasks are deleted now.\n"
	const recType = "- `task_info.schema.json#/properties/error/type` type-widened: errors may be codes.\n"
	for _, tc := range []struct {
		name       string
		changes    []schemadiff.Change
		changelog  string
		ok         bool
		unrecorded []string // rules
	}{
		{"compatible only", []schemadiff.Change{added}, "", true, nil},
		{"nothing at all", nil, "## Unreleased\n", true, nil},
		{"unrecorded", both, "## Unreleased\n", false, []string{"enum-value-removed", "type-widened"}},
		{"no changelog", both, "", false, []string{"enum-value-removed", "type-widened"}},
		{"partly recorded", both, "## Unreleased\n" + recEnum, false, []string{"type-widened"}},
		{"all recorded", both, "## Unreleased\n" + recEnum + recType, true, nil},
		{"recorded under the next minor version", both, "## v1.5.0\n" + recEnum + recType, true, nil},
		{"recorded with the wrong rule", both, "## Unreleased\n" + recEnum +
			"- `task_info.schema.json#/properties/error/type` type-narrowed: errors may be codes.\n",
			false, []string{"type-widened"}},
		{"recorded with another pointer", []schemadiff.Change{enumRemoved},
			"## Unreleased\n- `task_status.schema.json#` enum-value-removed: why.\n", false, []string{"enum-value-removed"}},
		{"recorded in a released section", both, "## v1.4.2\n" + recEnum + recType, false, []string{"enum-value-removed", "type-widened"}},
		{"recorded below the next section", both, "## Unreleased\n\n## v1.4.2\n" + recEnum + recType, false, []string{"enum-value-removed", "type-widened"}},
		{"major bump", both, "## v2.0.0\n", true, nil},
		{"minor bump is not major", both, "## v1.5.0\n", false, []string{"enum-value-removed", "type-widened"}},
		{"major bump of v0", both, "## v1.0.0\n", true, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl, err := ParseChangelog([]byte(tc.changelog))
			if err != nil {
				t.Fatal(err)
			}
			b := base
			if tc.name == "major bump of v0" {
				b = Version{0, 3, 0}
			}
			v := Check(b, tc.changes, cl)
			if v.OK != tc.ok {
				t.Errorf("OK = %v, want %v (%s)", v.OK, tc.ok, v.Reason)
			}
			var rules []string
			for _, c := range v.Unrecorded {
				rules = append(rules, c.Rule)
			}
			if !slices.Equal(rules, tc.unrecorded) {
				t.Errorf("unrecorded = %v, want %v", rules, tc.unrecorded)
			}
			if v.Reason == "" {
				t.Error("no reason")
			}
		})
	}
}

func TestRecordLineParses(t *testing.T) {
	c := schemadiff.Change{File: "task_info.schema.json", Pointer: "", Rule: "file-removed", Impact: schemadiff.Both}
	cl, err := ParseChangelog([]byte("## Unreleased\n" + RecordLine(c) + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cl.Records) != 1 || cl.Records[0].Ref != c.Ref() || cl.Records[0].Rule != c.Rule {
		t.Fatalf("RecordLine %q read as %v", RecordLine(c), cl.Records)
	}
}

// gitRepo is a throwaway git repository for the tests.
type gitRepo struct {
	t   *testing.T
	dir string
}

// newGitRepo makes an empty repository; the test is skipped without git.
func newGitRepo(t *testing.T) gitRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH")
	}
	r := gitRepo{t, t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r gitRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-C", r.dir, "-c", "user.name=test", "-c", "user.email=test@example.invalid",
		"-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (r gitRepo) write(name, content string) {
	r.t.Helper()
	p := filepath.Join(r.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r gitRepo) commit(msg string) {
	r.git("add", "-A")
	r.git("commit", "-q", "-m", msg)
}

// TestLastTagAndSchemaFiles exercises the git side on a throwaway
// repository: the highest root-module release tag reachable from HEAD, and
// the schema files at that tag.
func TestLastTagAndSchemaFiles(t *testing.T) {
	r := newGitRepo(t)
	r.write("README", "x\n")
	r.commit("start")
	if tag, err := LastTag(r.dir); err != nil || tag != "" {
		t.Fatalf("no tags: LastTag = %q, %v", tag, err)
	}

	r.write("schema/a.schema.json", `{"type": "string"}`)
	r.write("schema/notes.txt", "not a schema")
	r.write("schema/sub/b.schema.json", `{"type": "string"}`)
	r.commit("schemas")
	r.git("tag", "v0.9.0")
	r.git("tag", "v0.10.0")
	r.write("schema/a.schema.json", `{"type": "integer"}`)
	r.commit("integer")
	r.git("tag", "mcp/v3.0.0")  // a nested module's tag
	r.git("tag", "v1.0.0-rc.1") // a pre-release
	r.git("tag", "-a", "-m", "annotated", "v0.10.1")
	r.git("checkout", "-q", "-b", "side")
	r.write("schema/a.schema.json", `{"type": "boolean"}`)
	r.commit("side")
	r.git("tag", "v5.0.0") // not reachable from main
	r.git("checkout", "-q", "main")

	tag, err := LastTag(r.dir)
	if err != nil || tag != "v0.10.1" {
		t.Fatalf("LastTag = %q, %v; want v0.10.1", tag, err)
	}
	files, err := SchemaFiles(r.dir, tag, "schema")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || string(files["a.schema.json"]) != `{"type": "integer"}` {
		t.Fatalf("files at %s = %q", tag, files)
	}
	files, err = SchemaFiles(r.dir, "v0.9.0", "./schema/")
	if err != nil || string(files["a.schema.json"]) != `{"type": "string"}` {
		t.Fatalf("files at v0.9.0 = %q, %v", files, err)
	}
	if _, err := SchemaFiles(r.dir, "v0.9.0", "nope"); err == nil {
		t.Error("SchemaFiles of a missing directory: no error")
	}
	if _, err := SchemaFiles(r.dir, "v9.9.9", "schema"); err == nil {
		t.Error("SchemaFiles of a missing tag: no error")
	}
	if _, err := LastTag(t.TempDir()); err == nil {
		t.Error("LastTag outside a repository: no error")
	}
}
