// Command release holds the tools that publish this repository's modules
// and check that what is published works without the repository beside it.
// It is a development-only module (it needs golang.org/x/mod) and is never
// released itself.
//
//	go -C release run . proxy -repo .. -version v0.1.0 -out /tmp/proxy
//	    writes a GOPROXY=file:// directory with the released modules
//	    (the root, tasks/redisstore and mcp) as of their tags vX.Y.Z,
//	    tasks/redisstore/vX.Y.Z and mcp/vX.Y.Z, each zip made from `git
//	    archive` of its tag by golang.org/x/mod/zip, as the public proxy
//	    would, and prints the size of each zip.
//	go -C release run . tidy -repo ..      [-fix]
//	    checks that every module of go.work is tidy. A module that
//	    requires a sibling at a version not yet published is tidied in a
//	    copy, with GOWORK=off and the sibling served at that version from
//	    a proxy made of the working tree; go.sum lines of sibling modules
//	    are left out of the comparison and of the committed files (their
//	    hashes exist only once the version is tagged). -fix writes the
//	    tidied go.mod and go.sum back.
//
// release.sh (beside this file) bumps the requirements and tags a release;
// publish_test.go proves a release through a file-based module proxy.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "proxy":
		err = runProxy(os.Args[2:])
	case "tidy":
		err = runTidy(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: release proxy -repo DIR -version vX.Y.Z -out DIR | release tidy -repo DIR [-fix]")
	os.Exit(2)
}

func runProxy(args []string) error {
	fs := flag.NewFlagSet("proxy", flag.ExitOnError)
	repo := fs.String("repo", "..", "the git repository whose tags to publish")
	version := fs.String("version", "", "the version to publish (its tags must exist)")
	out := fs.String("out", "", "the proxy directory to write")
	fs.Parse(args)
	if *version == "" || *out == "" {
		return fmt.Errorf("proxy needs -version and -out")
	}
	stats, err := publish(*repo, *version, *out)
	for _, s := range stats {
		fmt.Printf("%-60s %8d bytes %5d files\n", s.Module, s.Bytes, s.Files)
	}
	return err
}

func runTidy(args []string) error {
	fs := flag.NewFlagSet("tidy", flag.ExitOnError)
	repo := fs.String("repo", "..", "the repository root (where go.work is)")
	fix := fs.Bool("fix", false, "write the tidied go.mod and go.sum back")
	fs.Parse(args)
	return tidyAll(*repo, *fix, os.Stdout)
}
