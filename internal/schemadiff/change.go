// Package schemadiff compares two versions of a set of JSON Schema files
// (draft 2020-12, as in the schema directory) and classifies each change by
// whom it can break: producers, which send payloads and must keep sending
// only what is valid, and consumers, which receive payloads and must accept
// whatever is valid.
//
// The rule is one of sets: a change that makes fewer payloads valid (a new
// required property, a tighter bound, a removed enum value) breaks producers,
// because a payload an old producer sends may now be invalid; a change that
// makes more payloads valid (a new enum value, a looser bound, a new property
// where additional properties were refused) breaks consumers, because an old
// consumer may now receive a payload it rejects or does not understand. A
// change that does both, or that this package cannot classify, breaks both.
// docs/SCHEMA-EVOLUTION.md lists every rule and the reason for its direction.
package schemadiff

import (
	"cmp"
	"slices"
	"strings"

	"github.com/mcp-refcache/taskschema/internal/jsonpointer"
)

// Impact says whom a change can break. It is a set of two bits, so that
// impacts combine with |.
type Impact uint8

// The impacts of a change.
const (
	// Compatible means no payload changes verdict in a way that matters.
	Compatible Impact = 0
	// Producers means fewer payloads are valid: a payload that an old
	// producer sends may now be rejected.
	Producers Impact = 1
	// Consumers means more payloads are valid: an old consumer may now
	// receive a payload it rejects or misreads.
	Consumers Impact = 2
	// Both means the change breaks producers and consumers.
	Both = Producers | Consumers
)

// String returns the impact in words, such as "breaking for producers".
func (i Impact) String() string {
	switch i {
	case Compatible:
		return "compatible"
	case Producers:
		return "breaking for producers"
	case Consumers:
		return "breaking for consumers"
	default:
		return "breaking for both"
	}
}

// Name returns the impact's short name: "compatible", "producers",
// "consumers" or "both", as in the JSON output of taskschema diff.
func (i Impact) Name() string {
	switch i {
	case Compatible:
		return "compatible"
	case Producers:
		return "producers"
	case Consumers:
		return "consumers"
	default:
		return "both"
	}
}

// Breaking reports whether the impact breaks anyone.
func (i Impact) Breaking() bool { return i != Compatible }

// MarshalText writes the impact's short name, so that it reads well in JSON.
func (i Impact) MarshalText() ([]byte, error) { return []byte(i.Name()), nil }

// Change is one difference between the old and the new schema files.
type Change struct {
	// File is the schema file's name, such as "task_info.schema.json".
	File string `json:"file"`
	// Pointer is the JSON Pointer (RFC 6901) of the changed keyword inside
	// File, "" for the file as a whole.
	Pointer string `json:"pointer"`
	// Rule names the kind of change, such as "enum-value-removed"; the
	// rules are listed in docs/SCHEMA-EVOLUTION.md.
	Rule string `json:"rule"`
	// Impact says whom the change can break.
	Impact Impact `json:"impact"`
	// Message says what changed and why it has this impact, in a sentence.
	Message string `json:"message"`
}

// Ref returns where the change is, as FILE#POINTER, such as
// "task_info.schema.json#/properties/status". This is how a changelog
// records it.
func (c Change) Ref() string { return c.File + "#" + c.Pointer }

// Summary returns the combined impact of changes: Compatible when none is
// breaking.
func Summary(changes []Change) Impact {
	var i Impact
	for _, c := range changes {
		i |= c.Impact
	}
	return i
}

// sortChanges orders changes by file, pointer (token by token), rule and
// message, so that the output of a diff is stable.
func sortChanges(changes []Change) {
	slices.SortStableFunc(changes, func(a, b Change) int {
		return cmp.Or(
			strings.Compare(a.File, b.File),
			jsonpointer.Compare(a.Pointer, b.Pointer),
			strings.Compare(a.Rule, b.Rule),
			strings.Compare(a.Message, b.Message),
		)
	})
}
