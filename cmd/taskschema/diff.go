package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/mcp-refcache/taskschema/internal/compat"
	"github.com/mcp-refcache/taskschema/internal/schemadiff"
)

// diffUsage returns the usage text of the diff command.
func diffUsage() string {
	return `Usage: taskschema diff [--json] OLD_DIR NEW_DIR

Compare the *.schema.json files of OLD_DIR with those of NEW_DIR and report
each change with whom it can break: producers (fewer payloads are valid, so
an old sender may send one that is now rejected), consumers (more payloads
are valid, so an old receiver may get one it rejects), both, or nobody.
The rules are in docs/SCHEMA-EVOLUTION.md.

Flags:
  --json      write one JSON object per change per line instead of text
  -h, --help  print this text

Output, one line per change, sorted by file and pointer, then a summary:
  FILE#POINTER: RULE: IMPACT: MESSAGE
IMPACT is "compatible", "breaking for producers", "breaking for consumers"
or "breaking for both". With --json, no summary, and one line per change:
  {"file":"task_status.schema.json","pointer":"/enum","rule":"enum-value-added","impact":"consumers","message":"..."}
where impact is compatible, producers, consumers or both.

Exit status: 0 no breaking change; 1 some change is breaking; 2 a usage
error, or a directory or schema file that cannot be read.
`
}

// runDiff implements "taskschema diff".
func runDiff(args []string, stdout, stderr io.Writer) int {
	const prefix = "taskschema diff"
	fs := newFlagSet("diff")
	asJSON := fs.Bool("json", false, "write one JSON object per change per line")
	dirs, err := parseArgs(fs, args)
	if err == nil && len(dirs) != 2 {
		err = errors.New("want two directories, OLD_DIR and NEW_DIR")
	}
	if err != nil {
		return usageError(err, "diff", diffUsage(), stdout, stderr)
	}
	old, err := schemadiff.LoadDir(dirs[0])
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
		return exitUsage
	}
	cur, err := schemadiff.LoadDir(dirs[1])
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
		return exitUsage
	}
	changes := schemadiff.Diff(old, cur)
	out := &errWriter{w: stdout}
	writeChanges(out, changes, *asJSON)
	if !*asJSON {
		fmt.Fprintln(out, summaryLine(changes))
	}
	code := exitOK
	if schemadiff.Summary(changes).Breaking() {
		code = exitInvalid
	}
	return out.finish(prefix, code, stderr)
}

// writeChanges writes one line per change, as text or as JSON.
func writeChanges(w io.Writer, changes []schemadiff.Change, asJSON bool) {
	for _, c := range changes {
		if asJSON {
			line, _ := json.Marshal(c) // strings and an Impact: cannot fail
			fmt.Fprintf(w, "%s\n", line)
			continue
		}
		fmt.Fprintf(w, "%s: %s: %s: %s\n", c.Ref(), c.Rule, c.Impact, c.Message)
	}
}

// summaryLine counts the changes by impact.
func summaryLine(changes []schemadiff.Change) string {
	if len(changes) == 0 {
		return "no changes"
	}
	var n [4]int
	for _, c := range changes {
		n[c.Impact]++
	}
	noun := "changes"
	if len(changes) == 1 {
		noun = "change"
	}
	return fmt.Sprintf("%d %s: %d breaking for producers, %d breaking for consumers, %d breaking for both, %d compatible",
		len(changes), noun, n[schemadiff.Producers], n[schemadiff.Consumers], n[schemadiff.Both], n[schemadiff.Compatible])
}

// compatUsage returns the usage text of the compat command.
func compatUsage() string {
	return `Usage: taskschema compat [--repo DIR] [--schema DIR] [--changelog FILE] [--base TAG] [--next VERSION]

Compare the schema files of the working tree with those of the last release
tag, as taskschema diff does, and apply the release policy: a breaking change
passes only when the next release bumps the major version or when the
changelog records it as intended. The policy and the changelog's form are in
docs/SCHEMA-EVOLUTION.md. The last release tag is the highest vX.Y.Z tag
reachable from HEAD (not mcp/vX.Y.Z, not a pre-release); with none, there is
nothing to compare against and the check passes.

Flags:
  --repo DIR        the top of the git repository (default .)
  --schema DIR      the schema directory, relative to --repo (default schema)
  --changelog FILE  the changelog, relative to --repo (default CHANGELOG.md)
  --base TAG        compare with TAG instead of the last release tag
  --next VERSION    the version about to be tagged (what a release script
                    passes); the changelog's first heading must be
                    "Unreleased" or this version
  -h, --help        print this text

Exit status: 0 the changes may be released; 1 a breaking change is neither
excused by a major version bump nor recorded; 2 a usage, git or I/O error.
`
}

// runCompat implements "taskschema compat".
func runCompat(args []string, stdout, stderr io.Writer) int {
	const prefix = "taskschema compat"
	fs := newFlagSet("compat")
	repo := fs.String("repo", ".", "the top of the git repository")
	schemaDir := fs.String("schema", "schema", "the schema directory, relative to --repo")
	changelogFile := fs.String("changelog", "CHANGELOG.md", "the changelog, relative to --repo")
	baseTag := fs.String("base", "", "the release tag to compare with")
	nextArg := fs.String("next", "", "the version about to be tagged")
	operands, err := parseArgs(fs, args)
	if err == nil && len(operands) > 0 {
		err = fmt.Errorf("unexpected argument %q", operands[0])
	}
	next, nextOK := compat.ParseVersion(*nextArg)
	if err == nil && *nextArg != "" && (!nextOK || (*nextArg)[0] != 'v') {
		err = fmt.Errorf("--next %q is not a version vX.Y.Z", *nextArg)
	}
	if err != nil {
		return usageError(err, "compat", compatUsage(), stdout, stderr)
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
		return exitUsage
	}

	tag := *baseTag
	if tag == "" {
		if tag, err = compat.LastTag(*repo); err != nil {
			return fail(err)
		}
	}
	out := &errWriter{w: stdout}
	if tag == "" {
		fmt.Fprintln(out, "no release tag vX.Y.Z is reachable from HEAD, so there is nothing to compare against (a shallow clone has no tags: fetch them with git fetch --tags); passed")
		return out.finish(prefix, exitOK, stderr)
	}
	base, ok := compat.ParseVersion(tag)
	if !ok {
		return fail(fmt.Errorf("--base %q is not a release tag vX.Y.Z", tag))
	}
	oldFiles, err := compat.SchemaFiles(*repo, tag, *schemaDir)
	if err != nil {
		return fail(err)
	}
	old, err := schemadiff.Load(oldFiles)
	if err != nil {
		return fail(fmt.Errorf("%s: %w", tag, err))
	}
	cur, err := schemadiff.LoadDir(filepath.Join(*repo, *schemaDir))
	if err != nil {
		return fail(err)
	}
	changes := schemadiff.Diff(old, cur)

	clPath := filepath.Join(*repo, *changelogFile)
	data, err := os.ReadFile(clPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fail(err)
	}
	cl, err := compat.ParseChangelog(data)
	if err != nil {
		return fail(fmt.Errorf("%s: %w", clPath, err))
	}
	if *nextArg != "" {
		if next.Compare(base) <= 0 {
			return fail(fmt.Errorf("--next %s is not newer than the last release %s", next, tag))
		}
		if cl.Version != nil && *cl.Version != next {
			return fail(fmt.Errorf("%s: the first section is %q, but the release is %s: name it \"## %[3]s\" or \"## Unreleased\"", clPath, cl.Heading, next))
		}
		cl.Version = &next
	}

	fmt.Fprintf(out, "schema changes since %s:\n", tag)
	writeChanges(out, changes, false)
	fmt.Fprintln(out, summaryLine(changes))
	for _, m := range cl.Malformed {
		fmt.Fprintf(out, "%s: not a record of the form \"- `FILE#POINTER` RULE: why\": %s\n", clPath, m)
	}
	v := compat.Check(base, changes, cl)
	if v.OK {
		fmt.Fprintf(out, "passed: %s\n", v.Reason)
		return out.finish(prefix, exitOK, stderr)
	}
	fmt.Fprintf(out, "FAILED: %s.\n", v.Reason)
	fmt.Fprintf(out, "If they are intended, add these lines under the first \"## \" heading of %s (\"## Unreleased\"), each with its reason, or make that heading the next major version:\n", clPath)
	for _, c := range v.Unrecorded {
		fmt.Fprintln(out, compat.RecordLine(c))
	}
	return out.finish(prefix, exitInvalid, stderr)
}
