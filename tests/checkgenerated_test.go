package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckGeneratedMessages runs scripts/check-generated.sh (what make check
// runs) in a throwaway git repository whose "generator" copies src.txt to
// out.txt, and checks that it tells a stale generated file ("out of date;
// run make generate") from an up-to-date one that is not committed yet
// ("commit or stash your changes").
func TestCheckGeneratedMessages(t *testing.T) {
	for _, tool := range []string{"git", "bash", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	script, err := filepath.Abs("../scripts/check-generated.sh")
	if err != nil {
		t.Fatal(err)
	}
	const outOfDate = "generated files are out of date; run make generate"
	const commit = "commit or stash your changes"
	for _, c := range []struct {
		name       string
		src, out   string // committed contents
		srcNow     string // working tree src.txt, "" for as committed
		outNow     string // working tree out.txt, "" for as committed
		wantStatus int
		want, not  string
	}{
		{name: "clean and current", src: "a", out: "a", wantStatus: 0, not: "out of date"},
		{name: "committed schema change, not regenerated", src: "b", out: "a", wantStatus: 1, want: outOfDate, not: commit},
		{name: "regenerated, not committed", src: "a", out: "a", srcNow: "b", outNow: "b", wantStatus: 1, want: commit, not: "out of date"},
		{name: "uncommitted schema change, not regenerated", src: "a", out: "a", srcNow: "b", wantStatus: 1, want: outOfDate, not: commit},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			git := func(args ...string) {
				cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
				cmd.Dir = dir
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("git %v: %v\n%s", args, err, out)
				}
			}
			write := func(name, text string) {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			git("init", "-q")
			write("src.txt", c.src)
			write("out.txt", c.out)
			git("add", ".")
			git("commit", "-q", "-m", "init")
			if c.srcNow != "" {
				write("src.txt", c.srcNow)
			}
			if c.outNow != "" {
				write("out.txt", c.outNow)
			}
			cmd := exec.Command("bash", script, "src.txt", "out.txt")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "TASKSCHEMA_GENERATE=cp src.txt out.txt")
			out, err := cmd.CombinedOutput()
			status := 0
			if ee, ok := err.(*exec.ExitError); ok {
				status = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if status != c.wantStatus {
				t.Errorf("exit status %d, want %d; output:\n%s", status, c.wantStatus, out)
			}
			if c.want != "" && !strings.Contains(string(out), c.want) {
				t.Errorf("output does not say %q:\n%s", c.want, out)
			}
			if c.not != "" && strings.Contains(string(out), c.not) {
				t.Errorf("output says %q:\n%s", c.not, out)
			}
		})
	}
}
