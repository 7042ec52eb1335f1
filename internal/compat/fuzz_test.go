package compat

import (
	"strings"
	"testing"
)

// FuzzParseChangelog reads arbitrary changelogs: no panic, every record
// quotes a FILE#POINTER and names a rule, on a line of the text, and the
// version is set only for a heading that is not Unreleased.
func FuzzParseChangelog(f *testing.F) {
	f.Add([]byte("# Changelog\n\n## Unreleased\n\n- `a.schema.json#/enum` enum-value-added: why\n\n## v1.0.0\n"))
	f.Add([]byte("## [2.0.0] - 2026-12-06\n* `a.schema.json#` file-removed: why\n- `b.schema.json#/x`: rule\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cl, err := ParseChangelog(data)
		if err != nil {
			return
		}
		lines := strings.Count(string(data), "\n") + 1
		for _, r := range cl.Records {
			if !strings.Contains(r.Ref, "#") || r.Rule == "" || r.Line < 2 || r.Line > lines {
				t.Fatalf("record %+v of %d lines", r, lines)
			}
		}
		if cl.Version != nil && strings.Contains(strings.ToLower(cl.Heading), "unreleased") && !strings.HasPrefix(cl.Heading, "v") && !strings.HasPrefix(cl.Heading, "[") {
			t.Fatalf("heading %q read as version %v", cl.Heading, cl.Version)
		}
	})
}
