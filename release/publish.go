package main

import (
	"fmt"
	"path/filepath"

	"golang.org/x/mod/semver"
)

// publish writes version v of every released module, as of its tag in
// repo, into a file-based module proxy at out, and returns the size of
// each module zip.
func publish(repo, v, out string) ([]zipStat, error) {
	if !semver.IsValid(v) || semver.Canonical(v) != v {
		return nil, fmt.Errorf("version %q is not a canonical semantic version (vX.Y.Z)", v)
	}
	abs, err := filepath.Abs(repo)
	if err != nil {
		return nil, err
	}
	p := proxy{dir: out}
	var stats []zipStat
	for _, dir := range released {
		s, err := p.addFromGit(abs, dir, v)
		if err != nil {
			return stats, err
		}
		stats = append(stats, s)
	}
	return stats, nil
}
