// Package compat applies the release policy on schema changes: a change
// that breaks producers or consumers (see package schemadiff) may only be
// released when the release bumps the major version, or when the changelog
// records it as intended. It also finds the last release tag and reads the
// schema files at that tag with git.
//
// The changelog is a Markdown file whose first level-2 heading names the
// release being prepared: "## Unreleased", or a version such as
// "## v2.0.0" (optionally in brackets and followed by a date). Only that
// section counts. A breaking change is recorded there by a list item of
// exactly this form, with a reason after the colon:
//
//   - `task_info.schema.json#/required` required-added: clients must send ...
//
// where the quoted text is the change's FILE#POINTER and the word after it
// its rule, both as taskschema diff prints them.
package compat

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/mcp-refcache/taskschema/internal/schemadiff"
)

// Version is a release version vMAJOR.MINOR.PATCH.
type Version struct{ Major, Minor, Patch int }

var versionRE = regexp.MustCompile(`^v?(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$`)

// ParseVersion reads "v1.2.3" or "1.2.3". Pre-release and build suffixes
// are refused: they are not releases.
func ParseVersion(s string) (Version, bool) {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return Version{}, false
	}
	var v Version
	v.Major, _ = strconv.Atoi(m[1])
	v.Minor, _ = strconv.Atoi(m[2])
	v.Patch, _ = strconv.Atoi(m[3])
	return v, true
}

// String returns "vMAJOR.MINOR.PATCH".
func (v Version) String() string { return fmt.Sprintf("v%d.%d.%d", v.Major, v.Minor, v.Patch) }

// Compare returns -1, 0 or +1 as v is lower than, equal to or higher than w.
func (v Version) Compare(w Version) int {
	for _, d := range [...]int{v.Major - w.Major, v.Minor - w.Minor, v.Patch - w.Patch} {
		switch {
		case d < 0:
			return -1
		case d > 0:
			return 1
		}
	}
	return 0
}

// Record is one breaking change recorded as intended in the changelog.
type Record struct {
	// Ref is the change's FILE#POINTER.
	Ref string
	// Rule is the change's rule, such as "required-added".
	Rule string
	// Line is the record's line number in the changelog, from 1.
	Line int
}

// Changelog is what the policy reads from a changelog: the section of the
// release being prepared.
type Changelog struct {
	// Heading is the text of the first level-2 heading, "" when there is
	// none.
	Heading string
	// Version is the version that heading names; nil for "Unreleased" (or
	// no heading), which does not bump anything.
	Version *Version
	// Records are the recorded breaking changes of that section.
	Records []Record
	// Malformed lists the lines of that section that look like a record
	// (a list item quoting a FILE#POINTER) but do not have its form.
	Malformed []string
}

var (
	recordRE = regexp.MustCompile("^\\s*[-*] `([^`]+#[^`]*)` ([A-Za-z0-9-]+): *(\\S.*)?$")
	quoteRE  = regexp.MustCompile("^\\s*[-*] .*`[^`]*\\.schema\\.json#")
)

// ParseChangelog reads the first level-2 section of a changelog. It fails
// when that section's heading is neither "Unreleased" nor a version.
func ParseChangelog(data []byte) (Changelog, error) {
	var cl Changelog
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	inSection := false
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			if inSection {
				break
			}
			inSection = true
			cl.Heading = strings.TrimSpace(line[3:])
			v, err := headingVersion(cl.Heading)
			if err != nil {
				return Changelog{}, fmt.Errorf("line %d: %w", n, err)
			}
			cl.Version = v
			continue
		}
		if !inSection {
			continue
		}
		if m := recordRE.FindStringSubmatch(line); m != nil && m[3] != "" {
			cl.Records = append(cl.Records, Record{Ref: m[1], Rule: m[2], Line: n})
		} else if quoteRE.MatchString(line) {
			cl.Malformed = append(cl.Malformed, fmt.Sprintf("line %d: %s", n, line))
		}
	}
	if err := sc.Err(); err != nil {
		return Changelog{}, err
	}
	return cl, nil
}

// headingVersion reads the version of a release heading: nil for
// "Unreleased", the version for "v1.2.3", "[1.2.3] - 2026-12-06" and the
// like.
func headingVersion(heading string) (*Version, error) {
	word, _, _ := strings.Cut(heading, " ")
	word = strings.TrimSuffix(strings.TrimPrefix(word, "["), "]")
	if strings.EqualFold(word, "unreleased") {
		return nil, nil
	}
	v, ok := ParseVersion(word)
	if !ok {
		return nil, fmt.Errorf("the first \"## \" heading, %q, names neither Unreleased nor a version vX.Y.Z", heading)
	}
	return &v, nil
}

// Verdict is the outcome of Check.
type Verdict struct {
	// OK reports whether the changes may be released.
	OK bool
	// Reason says why, in a sentence.
	Reason string
	// Unrecorded are the breaking changes that block the release: neither
	// excused by a major version bump nor recorded in the changelog.
	Unrecorded []schemadiff.Change
	// Recorded are the breaking changes the changelog records.
	Recorded []schemadiff.Change
}

// Check applies the policy to the changes since the release base. A
// breaking change passes when the changelog's section names a version whose
// major version is higher than base's, or when the section records it (same
// FILE#POINTER and rule). A section that names a version not above base
// has already been released, and records nothing for the next release.
func Check(base Version, changes []schemadiff.Change, cl Changelog) Verdict {
	var breaking []schemadiff.Change
	for _, c := range changes {
		if c.Impact.Breaking() {
			breaking = append(breaking, c)
		}
	}
	if len(breaking) == 0 {
		return Verdict{OK: true, Reason: fmt.Sprintf("no breaking schema change since %s", base)}
	}
	records := cl.Records
	var note string
	if cl.Version != nil {
		switch {
		case cl.Version.Compare(base) <= 0:
			records = nil
			note = fmt.Sprintf(" (the changelog's first section, %q, is not newer than %s, so it records nothing for the next release: add a \"## Unreleased\" section above it)", cl.Heading, base)
		case cl.Version.Major > base.Major:
			return Verdict{OK: true, Recorded: breaking, Reason: fmt.Sprintf(
				"%s since %s, released as %s, a new major version", countBreaking(len(breaking)), base, cl.Version)}
		}
	}
	type key struct{ ref, rule string }
	recorded := make(map[key]bool, len(records))
	for _, r := range records {
		recorded[key{r.Ref, r.Rule}] = true
	}
	var v Verdict
	for _, c := range breaking {
		if recorded[key{c.Ref(), c.Rule}] {
			v.Recorded = append(v.Recorded, c)
		} else {
			v.Unrecorded = append(v.Unrecorded, c)
		}
	}
	if len(v.Unrecorded) == 0 {
		v.OK = true
		v.Reason = fmt.Sprintf("%s since %s, each recorded as intended in the changelog", countBreaking(len(breaking)), base)
		return v
	}
	v.Reason = fmt.Sprintf("%d of %s since %s not recorded in the changelog, and the next release does not bump the major version%s",
		len(v.Unrecorded), countBreaking(len(breaking)), base, note)
	return v
}

// countBreaking returns "1 breaking schema change" or "N breaking schema changes".
func countBreaking(n int) string {
	if n == 1 {
		return "1 breaking schema change"
	}
	return fmt.Sprintf("%d breaking schema changes", n)
}

// RecordLine returns the changelog line that records c, with WHY where the
// reason goes.
func RecordLine(c schemadiff.Change) string {
	return fmt.Sprintf("- `%s` %s: WHY", c.Ref(), c.Rule)
}
