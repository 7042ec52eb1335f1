// Package docs holds the documentation of the repository; its test compiles
// the Go code blocks of README.md and docs/*.md against the modules of this
// tree, so that no snippet a reader copies fails to build.
package docs

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A Go block is a Go source file, with or without its package clause
// ("package snippet" is added when it has none): imports, declarations and
// functions that take what they need as parameters. A block that is not
// meant to compile says so on the line just before its fence:
//
//	<!-- snippet: not compiled: the reason -->
const notCompiled = "<!-- snippet: not compiled:"

// block is one ```go block of a Markdown file.
type block struct {
	file string // the Markdown file
	line int    // the line of the first line of code
	code string
	skip string // why it is not compiled, or ""
}

func (b block) String() string { return fmt.Sprintf("%s:%d", b.file, b.line) }

// extractBlocks returns the ```go blocks of a Markdown document. It refuses a
// "not compiled" marker without a reason and an unterminated block.
func extractBlocks(file string, data []byte) ([]block, error) {
	var blocks []block
	var cur *block
	var code strings.Builder
	prev := ""
	s := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; s.Scan(); n++ {
		line := s.Text()
		switch {
		case cur == nil && strings.HasPrefix(line, "```go"):
			cur = &block{file: file, line: n + 1}
			if rest, ok := strings.CutPrefix(strings.TrimSpace(prev), notCompiled); ok {
				cur.skip = strings.TrimSpace(strings.TrimSuffix(rest, "-->"))
				if cur.skip == "" {
					return nil, fmt.Errorf("%s:%d: a %q marker needs a reason", file, n-1, notCompiled)
				}
			}
			code.Reset()
		case cur != nil && strings.HasPrefix(line, "```"):
			cur.code = code.String()
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			code.WriteString(line)
			code.WriteByte('\n')
		}
		prev = line
	}
	if cur != nil {
		return nil, fmt.Errorf("%s: the block at line %d has no closing fence", file, cur.line-1)
	}
	return blocks, s.Err()
}

var packageClause = regexp.MustCompile(`(?m)^package \w+`)

// source returns b as a Go file, and how many lines it put before b's code.
func source(b block) (string, int) {
	if packageClause.MatchString(b.code) {
		return b.code, 0
	}
	return "package snippet\n\n" + b.code, 2
}

// workspace writes a go.work into dir that uses dir and every module of this
// repository's go.work (paths made absolute), with its replace lines.
func workspace(t *testing.T, dir string) {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "go.work"))
	if err != nil {
		t.Fatal(err)
	}
	relPath := regexp.MustCompile(`(^|\s)(\.(?:/\S*)?)(\s|$)`)
	var out strings.Builder
	for _, line := range strings.Split(string(data), "\n") {
		line = relPath.ReplaceAllStringFunc(line, func(m string) string {
			sub := relPath.FindStringSubmatch(m)
			return sub[1] + filepath.Join(root, sub[2]) + sub[3]
		})
		out.WriteString(line + "\n")
	}
	out.WriteString("use " + dir + "\n")
	if err := os.WriteFile(filepath.Join(dir, "go.work"), []byte(out.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	gomod := "module snippets\n\ngo 1.25.0\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
}

var errorLine = regexp.MustCompile(`(?m)^(?:vet: )?\.?/?b(\d+)/snippet\.go:(\d+)(?::\d+)?: (.*)$`)

// compileBlocks type-checks and vets every block that is meant to compile,
// each as a package of its own in one module of the workspace, and returns
// the errors of each block by its index in blocks, with the lines of the
// Markdown file.
func compileBlocks(t *testing.T, blocks []block) map[int][]string {
	t.Helper()
	dir := t.TempDir()
	workspace(t, dir)
	offsets := map[int]int{}
	for i, b := range blocks {
		if b.skip != "" {
			continue
		}
		src, offset := source(b)
		offsets[i] = offset
		pkg := filepath.Join(dir, fmt.Sprintf("b%d", i))
		if err := os.Mkdir(pkg, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(pkg, "snippet.go"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if len(offsets) == 0 {
		return nil
	}
	cmd := exec.Command("go", "vet", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK="+filepath.Join(dir, "go.work"), "GOFLAGS=")
	out, err := cmd.CombinedOutput()
	errs := map[int][]string{}
	for _, m := range errorLine.FindAllStringSubmatch(string(out), -1) {
		var i, line int
		fmt.Sscan(m[1], &i)
		fmt.Sscan(m[2], &line)
		b := blocks[i]
		errs[i] = append(errs[i], fmt.Sprintf("%s:%d: %s", b.file, b.line+line-1-offsets[i], m[3]))
	}
	if err != nil && len(errs) == 0 {
		t.Fatalf("go vet failed without naming a block: %v\n%s", err, out)
	}
	return errs
}

// docFiles are the Markdown files whose Go blocks must compile.
func docFiles(t *testing.T) []string {
	files, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{"../README.md"}, files...)
}

// TestGoSnippetsCompile compiles every ```go block of README.md and
// docs/*.md against the local models, tasks, tasks/redisstore and mcp
// modules (through go.work), unless the block is marked not compiled.
func TestGoSnippetsCompile(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go is not on PATH")
	}
	var blocks []block
	for _, f := range docFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// Named from the repository's root in the messages.
		name := filepath.ToSlash(filepath.Join("docs", f))
		bs, err := extractBlocks(strings.TrimPrefix(name, "docs/../"), data)
		if err != nil {
			t.Error(err)
		}
		blocks = append(blocks, bs...)
	}
	compiled := 0
	for _, b := range blocks {
		if b.skip == "" {
			compiled++
		}
	}
	if compiled == 0 {
		t.Fatal("no Go block to compile")
	}
	errs := compileBlocks(t, blocks)
	for i, b := range blocks {
		if b.skip != "" {
			t.Logf("%s: not compiled: %s", b, b.skip)
			continue
		}
		for _, e := range errs[i] {
			t.Errorf("the Go block at %s does not compile: %s", b, e)
		}
	}
	t.Logf("%d Go blocks compiled, %d marked not compiled", compiled, len(blocks)-compiled)
}

// TestSnippetCheckCatches: the check fails on a block that does not
// compile (ValidateJSON with one argument, as the README once had), names
// its Markdown line, passes a good block, and refuses a "not compiled"
// marker without a reason.
func TestSnippetCheckCatches(t *testing.T) {
	doc := "# t\n\n```go\nimport \"github.com/mcp-refcache/taskschema/models\"\n\nfunc check(data []byte) error {\n\treturn models.ValidateJSON(data)\n}\n```\n\n" +
		"```go\nimport \"github.com/mcp-refcache/taskschema/models\"\n\nfunc check(data []byte) error {\n\treturn models.ValidateJSON(\"task_info\", data)\n}\n```\n\n" +
		notCompiled + " a sketch -->\n```go\nfunc broken(\n```\n"
	blocks, err := extractBlocks("t.md", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 3 || blocks[2].skip != "a sketch" {
		t.Fatalf("blocks: %+v", blocks)
	}
	errs := compileBlocks(t, blocks)
	if len(errs[0]) == 0 || !strings.HasPrefix(errs[0][0], "t.md:7: ") {
		t.Errorf("the bad block: %q, want an error at t.md:7", errs[0])
	}
	if len(errs[1]) != 0 {
		t.Errorf("the good block: %q", errs[1])
	}
	if _, err := extractBlocks("t.md", []byte(notCompiled+" -->\n```go\nx\n```\n")); err == nil {
		t.Error("a marker without a reason is accepted")
	}
	if _, err := extractBlocks("t.md", []byte("```go\nx\n")); err == nil {
		t.Error("an unterminated block is accepted")
	}
}
