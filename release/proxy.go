package main

import (
	archivezip "archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	"golang.org/x/mod/zip"
)

// rootModule is the module path of the repository's root module; the
// module of a subdirectory is rootModule + "/" + its path.
const rootModule = "github.com/mcp-refcache/taskschema"

// released lists the directories of the modules that are released and
// tagged together, relative to the repository root ("" is the root).
var released = []string{"", "tasks/redisstore", "tasks/otelmetrics", "mcp"}

// modulePath is the module path of the module in directory dir of the
// repository ("" for the root).
func modulePath(dir string) string {
	if dir == "" {
		return rootModule
	}
	return rootModule + "/" + dir
}

// tagName is the git tag of version v of the module in dir, as the go
// command expects it: "v1.2.3" for the root, "mcp/v1.2.3" for mcp.
func tagName(dir, v string) string {
	if dir == "" {
		return v
	}
	return dir + "/" + v
}

// A proxy is a directory laid out as a GOPROXY=file:// module proxy:
// <escaped module path>/@v/{list,<v>.info,<v>.mod,<v>.zip}.
type proxy struct {
	dir string
}

// zipStat is the size of one module zip that a proxy holds.
type zipStat struct {
	Module string
	Bytes  int64
	Files  int
}

// addFromGit writes version v of the module in directory dir of the git
// repository repo, as of its tag, into the proxy: the go.mod and the zip
// that proxy.golang.org would serve for that tag (made by
// golang.org/x/mod/zip from `git archive`).
func (p proxy) addFromGit(repo, dir, v string) (zipStat, error) {
	tag := tagName(dir, v)
	mod, err := gitShow(repo, tag, path.Join(dir, "go.mod"))
	if err != nil {
		return zipStat{}, err
	}
	var buf bytes.Buffer
	m := module.Version{Path: modulePath(dir), Version: v}
	if err := zip.CreateFromVCS(&buf, m, repo, tag, dir); err != nil {
		return zipStat{}, fmt.Errorf("zip of %s: %w", tag, err)
	}
	return p.write(m, mod, buf.Bytes())
}

// addFromDir writes the module in directory dir as version v into the
// proxy, from the files on disk (what a tidy check of the working tree
// needs; files that git ignores are left out as `git archive` would).
func (p proxy) addFromDir(repo, dir, v string) (zipStat, error) {
	abs := filepath.Join(repo, dir)
	mod, err := os.ReadFile(filepath.Join(abs, "go.mod"))
	if err != nil {
		return zipStat{}, err
	}
	m := module.Version{Path: modulePath(dir), Version: v}
	files, err := trackedFiles(repo, dir)
	if err != nil {
		return zipStat{}, err
	}
	var buf bytes.Buffer
	if err := zip.Create(&buf, m, files); err != nil {
		return zipStat{}, fmt.Errorf("zip of %s: %w", m, err)
	}
	return p.write(m, mod, buf.Bytes())
}

func (p proxy) write(m module.Version, mod, zipData []byte) (zipStat, error) {
	esc, err := module.EscapePath(m.Path)
	if err != nil {
		return zipStat{}, err
	}
	dir := filepath.Join(p.dir, filepath.FromSlash(esc), "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return zipStat{}, err
	}
	info, _ := json.Marshal(struct {
		Version string
		Time    time.Time
	}{m.Version, time.Now().UTC().Truncate(time.Second)})
	for name, data := range map[string][]byte{
		m.Version + ".info": info,
		m.Version + ".mod":  mod,
		m.Version + ".zip":  zipData,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return zipStat{}, err
		}
	}
	if err := appendVersion(filepath.Join(dir, "list"), m.Version); err != nil {
		return zipStat{}, err
	}
	n, err := zipFileCount(zipData)
	if err != nil {
		return zipStat{}, err
	}
	return zipStat{Module: m.String(), Bytes: int64(len(zipData)), Files: n}, nil
}

// appendVersion adds v to a proxy's list file, keeping it sorted and free
// of duplicates.
func appendVersion(list, v string) error {
	old, err := os.ReadFile(list)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	seen := map[string]bool{v: true}
	versions := []string{v}
	for _, line := range strings.Fields(string(old)) {
		if !seen[line] {
			seen[line] = true
			versions = append(versions, line)
		}
	}
	sort.Slice(versions, func(i, j int) bool { return semver.Compare(versions[i], versions[j]) < 0 })
	return os.WriteFile(list, []byte(strings.Join(versions, "\n")+"\n"), 0o644)
}

// trackedFiles lists the files of the module in dir as zip.Files: those
// git tracks or would track (not ignored), under dir, on disk as they are
// now. Nested modules are left out by zip.Create itself.
func trackedFiles(repo, dir string) ([]zip.File, error) {
	args := []string{"ls-files", "--cached", "--others", "--exclude-standard", "-z", "--"}
	if dir != "" {
		args = append(args, dir)
	}
	cmd := exec.Command("git", args...)
	cmd.Dir = repo
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-files in %s: %w", repo, err)
	}
	var files []zip.File
	for _, name := range strings.Split(string(out), "\x00") {
		if name == "" {
			continue
		}
		full := filepath.Join(repo, filepath.FromSlash(name))
		fi, err := os.Lstat(full)
		if err != nil {
			if os.IsNotExist(err) {
				continue // deleted in the working tree, not yet in the index
			}
			return nil, err
		}
		rel := name
		if dir != "" {
			rel = strings.TrimPrefix(name, dir+"/")
		}
		files = append(files, diskFile{rel: rel, full: full, info: fi})
	}
	return files, nil
}

// diskFile is a zip.File read from disk.
type diskFile struct {
	rel  string
	full string
	info os.FileInfo
}

func (f diskFile) Path() string                 { return f.rel }
func (f diskFile) Lstat() (os.FileInfo, error)  { return f.info, nil }
func (f diskFile) Open() (io.ReadCloser, error) { return os.Open(f.full) }

// gitShow returns the content of file at revision rev of repo.
func gitShow(repo, rev, file string) ([]byte, error) {
	cmd := exec.Command("git", "show", rev+":"+file)
	cmd.Dir = repo
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git show %s:%s: %v: %s", rev, file, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// siblingRequires returns the requirements of the go.mod file data on
// modules of this repository.
func siblingRequires(name string, data []byte) ([]module.Version, error) {
	f, err := modfile.ParseLax(name, data, nil)
	if err != nil {
		return nil, err
	}
	var out []module.Version
	for _, r := range f.Require {
		if r.Mod.Path == rootModule || strings.HasPrefix(r.Mod.Path, rootModule+"/") {
			out = append(out, r.Mod)
		}
	}
	return out, nil
}

// zipFileCount is the number of files in a zip archive.
func zipFileCount(data []byte) (int, error) {
	r, err := archivezip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return 0, err
	}
	return len(r.File), nil
}
