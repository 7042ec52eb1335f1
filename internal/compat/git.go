package compat

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path"
	"strings"

	"github.com/mcp-refcache/taskschema/internal/schemadiff"
)

// git runs git in repo and returns its standard output; its error says
// what git wrote on standard error.
func git(repo string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"-C", repo}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 500 {
			msg = msg[:500] + "..."
		}
		return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, msg)
	}
	return out, nil
}

// LastTag returns the highest release tag vX.Y.Z of the root module among
// the tags reachable from HEAD in repo, and "" when there is none. Tags of
// nested modules (mcp/vX.Y.Z) and pre-releases (v1.0.0-rc.1) are not
// releases of the root module and are left out. A repository without a
// commit has no tag.
func LastTag(repo string) (string, error) {
	if _, err := git(repo, "rev-parse", "--git-dir"); err != nil {
		return "", err
	}
	if _, err := git(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"); err != nil {
		return "", nil
	}
	out, err := git(repo, "tag", "--list", "v[0-9]*", "--merged", "HEAD", "--sort=-v:refname")
	if err != nil {
		return "", err
	}
	best, found := "", Version{}
	for _, tag := range strings.Fields(string(out)) {
		v, ok := ParseVersion(tag)
		if !ok || !strings.HasPrefix(tag, "v") {
			continue
		}
		if best == "" || v.Compare(found) > 0 {
			best, found = tag, v
		}
	}
	return best, nil
}

// SchemaFiles returns the *.schema.json files directly in the directory
// dir (relative to the top of repo) at the revision rev, by name.
func SchemaFiles(repo, rev, dir string) (map[string][]byte, error) {
	dir = strings.Trim(path.Clean(strings.ReplaceAll(dir, `\`, "/")), "/")
	out, err := git(repo, "archive", "--format=tar", rev+":"+dir)
	if err != nil {
		return nil, err
	}
	files := make(map[string][]byte)
	tr := tar.NewReader(bytes.NewReader(out))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("git archive %s:%s: %w", rev, dir, err)
		}
		name := h.Name
		if h.Typeflag != tar.TypeReg || strings.Contains(name, "/") || !strings.HasSuffix(name, schemadiff.Suffix) {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("git archive %s:%s: %s: %w", rev, dir, name, err)
		}
		files[name] = data
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s:%s has no *%s file", rev, dir, schemadiff.Suffix)
	}
	return files, nil
}
