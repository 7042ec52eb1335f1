package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSetupInstallsWhatIsMissing runs scripts/setup.sh (what make test runs
// first) on a PATH that has neither redis-server nor curl, with stand-ins
// for apt-get, sudo, id, node and npm that only log their arguments: as a
// user that is not root, it runs apt-get update and then apt-get install of
// the two packages through sudo, then npm ci in mcp/e2e. With both commands
// present it installs nothing.
func TestSetupInstallsWhatIsMissing(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	script, err := filepath.Abs("../scripts/setup.sh")
	if err != nil {
		t.Fatal(err)
	}
	run := func(t *testing.T, present ...string) string {
		bin := t.TempDir()
		log := filepath.Join(t.TempDir(), "log")
		stub := func(name, body string) {
			if err := os.WriteFile(filepath.Join(bin, name), []byte("#!"+bash+"\n"+body+"\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		for _, name := range []string{"apt-get", "node", "npm"} {
			stub(name, `echo "`+name+` $*" >> `+log)
		}
		for _, name := range present {
			stub(name, "exit 0")
		}
		stub("sudo", `echo "sudo $1" >> `+log+`; exec "$@"`)
		stub("id", "echo 1000")
		for _, tool := range []string{"dirname", "env"} {
			path, err := exec.LookPath(tool)
			if err != nil {
				t.Skipf("%s is not installed", tool)
			}
			if err := os.Symlink(path, filepath.Join(bin, tool)); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command(bash, script)
		cmd.Env = []string{"PATH=" + bin, "HOME=" + t.TempDir()}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("setup.sh: %v\n%s", err, out)
		}
		data, _ := os.ReadFile(log)
		return string(data)
	}

	t.Run("missing", func(t *testing.T) {
		got := run(t)
		want := "sudo env\napt-get update\nsudo env\napt-get install -y --no-install-recommends redis-server curl\nnpm ci --no-audit --no-fund\nnpm ci --no-audit --no-fund\nnpm run build\n"
		if got != want {
			t.Errorf("setup.sh ran\n%s\nwant\n%s", got, want)
		}
	})
	t.Run("present", func(t *testing.T) {
		got := run(t, "redis-server", "curl")
		if strings.Contains(got, "apt-get") || !strings.Contains(got, "npm ci") {
			t.Errorf("with redis-server and curl present, setup.sh ran\n%s", got)
		}
	})
}
