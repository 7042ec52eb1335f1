package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

// tidyAll checks (or, with fix, makes) every module of repo's go.work
// tidy, and reports the modules that are not. See the package comment.
func tidyAll(repo string, fix bool, w io.Writer) error {
	abs, err := filepath.Abs(repo)
	if err != nil {
		return err
	}
	dirs, err := workspaceDirs(abs)
	if err != nil {
		return err
	}
	var untidy []string
	for _, dir := range dirs {
		ok, err := tidyModule(abs, dir, fix)
		if err != nil {
			return fmt.Errorf("%s: %w", displayDir(dir), err)
		}
		status := "tidy"
		if !ok {
			status = "NOT TIDY"
			if fix {
				status = "tidied"
			} else {
				untidy = append(untidy, displayDir(dir))
			}
		}
		fmt.Fprintf(w, "%-20s %s\n", displayDir(dir), status)
	}
	if len(untidy) > 0 {
		return fmt.Errorf("not tidy: %s (run `go -C release run . tidy -fix`)", strings.Join(untidy, ", "))
	}
	return nil
}

func displayDir(dir string) string {
	if dir == "" {
		return "."
	}
	return dir
}

// workspaceDirs lists the module directories that go.work uses, relative
// to repo ("" for the root).
func workspaceDirs(repo string) ([]string, error) {
	data, err := os.ReadFile(filepath.Join(repo, "go.work"))
	if err != nil {
		return nil, err
	}
	wf, err := modfile.ParseWork("go.work", data, nil)
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, u := range wf.Use {
		d := filepath.ToSlash(filepath.Clean(u.Path))
		if d == "." {
			d = ""
		}
		dirs = append(dirs, d)
	}
	return dirs, nil
}

// tidyModule reports whether the module in dir is tidy; with fix it
// writes the tidied files back.
func tidyModule(repo, dir string, fix bool) (bool, error) {
	modDir := filepath.Join(repo, dir)
	mod, err := os.ReadFile(filepath.Join(modDir, "go.mod"))
	if err != nil {
		return false, err
	}
	sum, err := os.ReadFile(filepath.Join(modDir, "go.sum"))
	if err != nil && !os.IsNotExist(err) {
		return false, err
	}
	siblings, err := siblingRequires(filepath.Join(modDir, "go.mod"), mod)
	if err != nil {
		return false, err
	}
	if bytes.Contains(sum, []byte(rootModule+" ")) || bytes.Contains(sum, []byte(rootModule+"/")) {
		if !fix {
			return false, fmt.Errorf("go.sum holds lines for modules of this repository; they are left out (their hashes exist only once tagged)")
		}
	}

	tmp, err := os.MkdirTemp("", "tidy-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp)
	proxyDir := filepath.Join(tmp, "proxy")
	p := proxy{dir: proxyDir}
	for _, s := range siblings {
		if _, err := p.addFromDir(repo, strings.TrimPrefix(strings.TrimPrefix(s.Path, rootModule), "/"), s.Version); err != nil {
			return false, err
		}
	}
	// The module itself, copied through a zip so that nested modules and
	// ignored files are left out as a download would.
	self := module.Version{Path: modulePath(dir), Version: "v0.0.0-tidy"}
	st, err := p.addFromDir(repo, dir, self.Version)
	if err != nil {
		return false, err
	}
	_ = st
	work := filepath.Join(tmp, "module")
	esc, _ := module.EscapePath(self.Path)
	if err := zip.Unzip(work, self, filepath.Join(proxyDir, filepath.FromSlash(esc), "@v", self.Version+".zip")); err != nil {
		return false, err
	}
	if err := goTidy(work, proxyDir, filepath.Join(tmp, "modcache")); err != nil {
		return false, err
	}
	newMod, err := os.ReadFile(filepath.Join(work, "go.mod"))
	if err != nil {
		return false, err
	}
	newSum, err := os.ReadFile(filepath.Join(work, "go.sum"))
	if err != nil && !os.IsNotExist(err) {
		return false, err
	}
	newSum = withoutSiblings(newSum)
	ok := bytes.Equal(newMod, mod) && bytes.Equal(newSum, sum)
	if !ok && fix {
		if err := os.WriteFile(filepath.Join(modDir, "go.mod"), newMod, 0o644); err != nil {
			return false, err
		}
		if len(newSum) > 0 || len(sum) > 0 {
			if err := os.WriteFile(filepath.Join(modDir, "go.sum"), newSum, 0o644); err != nil {
				return false, err
			}
		}
	}
	return ok, nil
}

// withoutSiblings drops the go.sum lines of this repository's modules.
func withoutSiblings(sum []byte) []byte {
	var out bytes.Buffer
	for _, line := range strings.SplitAfter(string(sum), "\n") {
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) > 0 && (f[0] == rootModule || strings.HasPrefix(f[0], rootModule+"/")) {
			continue
		}
		out.WriteString(line)
	}
	return out.Bytes()
}

// goTidy runs `go mod tidy` in dir outside any workspace, with the
// modules of this repository served from proxyDir and everything else from
// the local module cache or the usual proxy, into a scratch module cache
// (an unreleased version must never land in the shared one).
func goTidy(dir, proxyDir, modcache string) error {
	cmd := exec.Command("go", "mod", "tidy")
	cmd.Dir = dir
	cmd.Env = modEnv(proxyDir, modcache)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go mod tidy: %v\n%s", err, out)
	}
	return nil
}

// modEnv is the environment of a go command that resolves this
// repository's modules from the file proxy at proxyDir, and every other
// module from the machine's module cache first, then its GOPROXY.
func modEnv(proxyDir, modcache string) []string {
	shared := goEnv("GOMODCACHE")
	upstream := goEnv("GOPROXY")
	if upstream == "" || upstream == "off" {
		upstream = "https://proxy.golang.org,direct"
	}
	goproxy := "file://" + filepath.ToSlash(proxyDir)
	if shared != "" {
		goproxy += ",file://" + filepath.ToSlash(filepath.Join(shared, "cache", "download"))
	}
	goproxy += "," + upstream
	return append(os.Environ(),
		"GOWORK=off",
		"GOFLAGS=-modcacherw",
		"GOPROXY="+goproxy,
		"GONOSUMDB="+rootModule,
		"GONOSUMCHECK=1",
		"GOMODCACHE="+modcache,
	)
}

func goEnv(name string) string {
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}
