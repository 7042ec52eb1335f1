package schemadiff

import (
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strings"

	"github.com/mcp-refcache/taskschema/internal/jsonpointer"
)

// Diff compares every file of old with the file of the same name in new and
// returns the changes, sorted by file and pointer. A file only in new is
// "file-added" (compatible); a file only in old is "file-removed" (breaking
// for both).
func Diff(old, new *Set) []Change {
	d := &differ{old: old, new: new, followed: make(map[string]bool)}
	names := slices.Concat(old.Files(), new.Files())
	slices.Sort(names)
	for _, name := range slices.Compact(names) {
		o, inOld := old.docs[name]
		n, inNew := new.docs[name]
		c := ctx{file: name, oldFile: name, newFile: name}
		switch {
		case !inOld:
			d.emit(c, "", "file-added", Compatible,
				"the schema file was added; no payload was checked against it before")
		case !inNew:
			d.emit(c, "", "file-removed", Both,
				"the schema file was removed: whoever validates against it, or refers to it with $ref, is left without its contract")
		default:
			d.schema(c, "", o, n)
		}
	}
	sortChanges(d.changes)
	return d.changes
}

// differ collects the changes of one Diff.
type differ struct {
	old, new *Set
	changes  []Change
	// followed holds the pairs of $ref targets compared so far, with where
	// their changes are reported, so that a recursive schema, or one
	// reached by many paths, is compared once for each place it is
	// reported at.
	followed map[string]bool
}

// ctx is where a comparison stands.
type ctx struct {
	// file is the file the changes are reported in.
	file string
	// oldFile and newFile hold the schemas being compared, for resolving
	// their $refs; they differ from file below a changed $ref.
	oldFile, newFile string
	// at, when not "", is the pointer in file of a changed $ref: every
	// change found below it is reported there, with via and the inner
	// location in its message.
	at, via string
	// flip is true below an odd number of "not": narrower is wider there.
	flip bool
	// oneOf is true below a oneOf branch.
	oneOf bool
}

// emit records a change found at ptr, after the adjustments of c.
func (d *differ) emit(c ctx, ptr, rule string, impact Impact, msg string) {
	if c.flip && impact != Compatible && impact != Both {
		impact ^= Both
		msg += " (inside not, which reverses the direction)"
	}
	if c.oneOf && impact != Compatible && impact != Both {
		impact = Both
		msg += " (inside a oneOf branch: a branch that accepts more can make a value match two branches, one that accepts less can make a value that matched two match one)"
	}
	if c.at != "" {
		msg = fmt.Sprintf("%s, at %s#%s: %s", c.via, c.newFile, ptr, msg)
		ptr = c.at
	}
	d.changes = append(d.changes, Change{File: c.file, Pointer: ptr, Rule: rule, Impact: impact, Message: msg})
}

// unreadable records a keyword whose value this package cannot read.
func (d *differ) unreadable(c ctx, ptr string, err error) {
	d.emit(c, ptr, "keyword-unreadable", Both,
		fmt.Sprintf("%v, so the change cannot be classified and counts as breaking for both", err))
}

// schema compares the schemas o and n (objects or booleans).
func (d *differ) schema(c ctx, ptr string, o, n any) {
	if equal(o, n) {
		return
	}
	om, oOK := asSchema(o)
	nm, nOK := asSchema(n)
	if !oOK || !nOK {
		d.emit(c, ptr, "schema-unreadable", Both,
			"a schema here is neither an object nor a boolean, so the change cannot be classified and counts as breaking for both")
		return
	}
	oFalse, nFalse := o == false, n == false
	switch {
	case oFalse && nFalse:
		return
	case oFalse:
		d.emit(c, ptr, "schema-allowed", Consumers,
			"no value was valid here (false); now values are, which an old consumer rejects")
		return
	case nFalse:
		d.emit(c, ptr, "schema-refused", Producers,
			"values were valid here; now none is (false), so an old producer that sends one is rejected")
		return
	}
	d.keywords(c, ptr, om, nm)
}

// asSchema returns the keywords of a schema; true is the empty schema. It
// reports false when v is not a schema.
func asSchema(v any) (map[string]any, bool) {
	switch v := v.(type) {
	case map[string]any:
		return v, true
	case bool:
		return map[string]any{}, true
	}
	return nil, false
}

// annotations are the keywords that do not change which values are valid.
var annotations = map[string]bool{
	"title": true, "description": true, "$comment": true, "examples": true,
	"deprecated": true, "readOnly": true, "writeOnly": true,
}

// classified are the keywords keywords handles; any other keyword that
// changes is "keyword-unclassified".
var classified = map[string]bool{
	"type": true, "enum": true, "const": true,
	"minimum": true, "exclusiveMinimum": true, "maximum": true, "exclusiveMaximum": true,
	"multipleOf": true, "minLength": true, "maxLength": true, "minItems": true,
	"maxItems": true, "minProperties": true, "maxProperties": true, "uniqueItems": true,
	"pattern": true, "format": true, "required": true, "properties": true,
	"additionalProperties": true, "items": true, "not": true,
	"anyOf": true, "allOf": true, "oneOf": true, "$ref": true, "$defs": true,
	"default": true, "$schema": true, "$id": true,
}

// countKeywords are the keywords whose value is a count, with whether each
// is a lower bound.
var countKeywords = []struct {
	kw  string
	min bool
}{
	{"minLength", true}, {"maxLength", false},
	{"minItems", true}, {"maxItems", false},
	{"minProperties", true}, {"maxProperties", false},
}

// keywords compares two schema objects keyword by keyword.
func (d *differ) keywords(c ctx, ptr string, o, n map[string]any) {
	d.types(c, ptr, o, n)
	d.enum(c, ptr, o, n)
	d.constant(c, ptr, o, n)
	d.bound(c, ptr, o, n, "minimum", "exclusiveMinimum", true)
	d.bound(c, ptr, o, n, "maximum", "exclusiveMaximum", false)
	d.multipleOf(c, ptr, o, n)
	for _, k := range countKeywords {
		d.count(c, ptr, o, n, k.kw, k.min)
	}
	d.uniqueItems(c, ptr, o, n)
	d.text(c, ptr, o, n, "pattern")
	d.text(c, ptr, o, n, "format")
	d.required(c, ptr, o, n)
	d.properties(c, ptr, o, n)
	if o["items"] != nil || n["items"] != nil {
		d.schema(c, jsonpointer.Key(ptr, "items"), orTrue(o["items"]), orTrue(n["items"]))
	}
	if o["not"] != nil || n["not"] != nil {
		cn := c
		cn.flip = !c.flip
		d.schema(cn, jsonpointer.Key(ptr, "not"), orFalse(o["not"]), orFalse(n["not"]))
	}
	d.branches(c, ptr, o, n, "anyOf")
	d.branches(c, ptr, o, n, "allOf")
	d.branches(c, ptr, o, n, "oneOf")
	d.ref(c, ptr, o, n)
	d.defs(c, ptr, o, n)
	d.defaults(c, ptr, o, n)

	for _, kw := range unionKeys(o, n) {
		ov, inO := o[kw]
		nv, inN := n[kw]
		if inO && inN && equal(ov, nv) {
			continue
		}
		p := jsonpointer.Key(ptr, kw)
		switch {
		case annotations[kw]:
			d.emit(c, p, "annotation-changed", Compatible,
				fmt.Sprintf("%s %s; an annotation does not change which payloads are valid", kw, verb(inO, inN)))
		case kw == "$schema":
			d.emit(c, p, "dialect-changed", Both,
				fmt.Sprintf("$schema %s: the keywords may now mean something else", verb(inO, inN)))
		case kw == "$id" && c.at != "":
			// Below a changed $ref the targets are different places, whose
			// $ids differ by nature; each file's own $id is compared with
			// the file.
		case kw == "$id":
			d.emit(c, p, "id-changed", Both,
				fmt.Sprintf("$id %s: a $ref to the old URI, or a client that fetches the schema by it, no longer finds it", verb(inO, inN)))
		case !classified[kw]:
			d.emit(c, p, "keyword-unclassified", Both,
				fmt.Sprintf("keyword %s %s; taskschema diff does not classify it, so it counts as breaking for both", kw, verb(inO, inN)))
		}
	}
}

// verb says how a keyword changed, from whether the old and the new schema
// have it.
func verb(inOld, inNew bool) string {
	switch {
	case !inOld:
		return "was added"
	case !inNew:
		return "was removed"
	}
	return "changed"
}

// unionKeys returns the member names of o and n, sorted.
func unionKeys(o, n map[string]any) []string {
	keys := make([]string, 0, len(o)+len(n))
	for k := range o {
		keys = append(keys, k)
	}
	for k := range n {
		if _, ok := o[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

func orTrue(v any) any {
	if v == nil {
		return true
	}
	return v
}

func orFalse(v any) any {
	if v == nil {
		return false
	}
	return v
}

// allTypes are the JSON Schema type names; a schema without "type" accepts
// all of them.
var allTypes = []string{"array", "boolean", "integer", "null", "number", "object", "string"}

// typeSet reads the type keyword of m: its names, or allTypes when absent.
func typeSet(m map[string]any) ([]string, error) {
	switch v := m["type"].(type) {
	case nil:
		if _, ok := m["type"]; ok {
			return nil, fmt.Errorf("type is null, not a type name")
		}
		return allTypes, nil
	case string:
		if !slices.Contains(allTypes, v) {
			return nil, fmt.Errorf("type %q is not a JSON Schema type", v)
		}
		return []string{v}, nil
	}
	names, err := stringList(m, "type")
	if err != nil {
		return nil, err
	}
	for _, t := range names {
		if !slices.Contains(allTypes, t) {
			return nil, fmt.Errorf("type %q is not a JSON Schema type", t)
		}
	}
	return names, nil
}

// acceptsType reports whether the type names set accept values of type t:
// number accepts integers.
func acceptsType(set []string, t string) bool {
	return slices.Contains(set, t) || (t == "integer" && slices.Contains(set, "number"))
}

func (d *differ) types(c ctx, ptr string, o, n map[string]any) {
	ot, err1 := typeSet(o)
	nt, err2 := typeSet(n)
	p := jsonpointer.Key(ptr, "type")
	if err := cmpErr(err1, err2); err != nil {
		d.unreadable(c, p, err)
		return
	}
	var added, removed []string
	for _, t := range nt {
		if !acceptsType(ot, t) {
			added = append(added, t)
		}
	}
	for _, t := range ot {
		if !acceptsType(nt, t) {
			removed = append(removed, t)
		}
	}
	was, now := typeText(o), typeText(n)
	switch {
	case len(added) > 0 && len(removed) > 0:
		d.emit(c, p, "type-changed", Both, fmt.Sprintf(
			"type %s became %s: values of type %s are now valid and values of type %s no longer are",
			was, now, strings.Join(added, ", "), strings.Join(removed, ", ")))
	case len(added) > 0:
		d.emit(c, p, "type-widened", Consumers, fmt.Sprintf(
			"type %s became %s: values of type %s are now valid, which an old consumer rejects",
			was, now, strings.Join(added, ", ")))
	case len(removed) > 0:
		d.emit(c, p, "type-narrowed", Producers, fmt.Sprintf(
			"type %s became %s: values of type %s are no longer valid, which an old producer may send",
			was, now, strings.Join(removed, ", ")))
	}
}

func typeText(m map[string]any) string {
	if v, ok := m["type"]; ok {
		return show(v)
	}
	return "(any)"
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func (d *differ) enum(c ctx, ptr string, o, n map[string]any) {
	ov, inO := o["enum"]
	nv, inN := n["enum"]
	p := jsonpointer.Key(ptr, "enum")
	oa, ok1 := ov.([]any)
	na, ok2 := nv.([]any)
	if (inO && !ok1) || (inN && !ok2) {
		d.unreadable(c, p, fmt.Errorf("enum is not an array"))
		return
	}
	switch {
	case !inO && !inN:
	case !inO:
		d.emit(c, p, "enum-added", Producers,
			fmt.Sprintf("enum was added: only %d listed values are valid now, and an old producer may send another", len(na)))
	case !inN:
		d.emit(c, p, "enum-removed", Consumers,
			"enum was removed: values beyond the listed ones are now valid, which an old consumer rejects")
	default:
		for _, v := range na {
			if !containsValue(oa, v) {
				d.emit(c, p, "enum-value-added", Consumers,
					fmt.Sprintf("the value %s is now valid, and an old consumer rejects it", show(v)))
			}
		}
		for _, v := range oa {
			if !containsValue(na, v) {
				d.emit(c, p, "enum-value-removed", Producers,
					fmt.Sprintf("the value %s is no longer valid, and an old producer may send it", show(v)))
			}
		}
	}
}

func containsValue(list []any, v any) bool {
	return slices.ContainsFunc(list, func(e any) bool { return equal(e, v) })
}

func (d *differ) constant(c ctx, ptr string, o, n map[string]any) {
	ov, inO := o["const"]
	nv, inN := n["const"]
	p := jsonpointer.Key(ptr, "const")
	switch {
	case !inO && !inN, inO && inN && equal(ov, nv):
	case !inO:
		d.emit(c, p, "const-added", Producers,
			fmt.Sprintf("const %s was added: only that value is valid now, and an old producer may send another", show(nv)))
	case !inN:
		d.emit(c, p, "const-removed", Consumers,
			fmt.Sprintf("const %s was removed: other values are now valid, which an old consumer rejects", show(ov)))
	default:
		d.emit(c, p, "const-changed", Both,
			fmt.Sprintf("const %s became %s: an old producer sends the old value, an old consumer rejects the new one", show(ov), show(nv)))
	}
}

// limit is a numeric bound: its value and whether it is exclusive.
type limit struct {
	kw   string
	v    *big.Rat
	excl bool
}

func (l limit) String(lower bool) string {
	switch {
	case lower && l.excl:
		return "more than " + l.v.RatString()
	case lower:
		return "at least " + l.v.RatString()
	case l.excl:
		return "less than " + l.v.RatString()
	}
	return "at most " + l.v.RatString()
}

// limitOf reads the bound of m given by the inclusive keyword inc and the
// exclusive keyword exc; with both, the tighter one is the bound.
func limitOf(m map[string]any, inc, exc string, lower bool) (l limit, present bool, err error) {
	iv, iok, err1 := number(m, inc)
	ev, eok, err2 := number(m, exc)
	if err := cmpErr(err1, err2); err != nil {
		return limit{}, true, err
	}
	switch {
	case iok && eok:
		c := ev.Cmp(iv)
		if !lower {
			c = -c
		}
		if c >= 0 { // the exclusive bound is at least as tight
			return limit{exc, ev, true}, true, nil
		}
		return limit{inc, iv, false}, true, nil
	case iok:
		return limit{inc, iv, false}, true, nil
	case eok:
		return limit{exc, ev, true}, true, nil
	}
	return limit{}, false, nil
}

// tighter returns +1 when the bound n admits fewer values than o, -1 when
// more, 0 when the same.
func tighter(o, n limit, lower bool) int {
	c := n.v.Cmp(o.v)
	if !lower {
		c = -c
	}
	if c != 0 {
		return c
	}
	switch {
	case n.excl == o.excl:
		return 0
	case n.excl:
		return 1
	}
	return -1
}

// bound compares the numeric bound given by inc and exc ("minimum" and
// "exclusiveMinimum", or the maximum pair). Its rules are named after inc.
func (d *differ) bound(c ctx, ptr string, o, n map[string]any, inc, exc string, lower bool) {
	ol, inO, err1 := limitOf(o, inc, exc, lower)
	nl, inN, err2 := limitOf(n, inc, exc, lower)
	if err := cmpErr(err1, err2); err != nil {
		d.unreadable(c, jsonpointer.Key(ptr, inc), err)
		return
	}
	raised, lowered := "raised", "lowered"
	if !lower {
		raised, lowered = lowered, raised // a tighter maximum is a lower one
	}
	switch {
	case !inO && !inN:
	case !inO:
		d.emit(c, jsonpointer.Key(ptr, nl.kw), inc+"-added", Producers,
			fmt.Sprintf("a bound was added: values must be %s, and an old producer may send others", nl.String(lower)))
	case !inN:
		d.emit(c, jsonpointer.Key(ptr, ol.kw), inc+"-removed", Consumers,
			fmt.Sprintf("the bound %s was removed: other values are now valid, which an old consumer rejects", ol.String(lower)))
	default:
		switch tighter(ol, nl, lower) {
		case 1:
			d.emit(c, jsonpointer.Key(ptr, nl.kw), inc+"-"+raised, Producers,
				fmt.Sprintf("the bound %s became %s: an old producer may send a value now out of range", ol.String(lower), nl.String(lower)))
		case -1:
			d.emit(c, jsonpointer.Key(ptr, nl.kw), inc+"-"+lowered, Consumers,
				fmt.Sprintf("the bound %s became %s: values now in range are rejected by an old consumer", ol.String(lower), nl.String(lower)))
		}
	}
}

func (d *differ) multipleOf(c ctx, ptr string, o, n map[string]any) {
	ov, inO, err1 := number(o, "multipleOf")
	nv, inN, err2 := number(n, "multipleOf")
	p := jsonpointer.Key(ptr, "multipleOf")
	if err := cmpErr(err1, err2); err != nil {
		d.unreadable(c, p, err)
		return
	}
	if (inO && ov.Sign() <= 0) || (inN && nv.Sign() <= 0) {
		d.unreadable(c, p, fmt.Errorf("multipleOf is not positive"))
		return
	}
	switch {
	case !inO && !inN, inO && inN && ov.Cmp(nv) == 0:
	case !inO:
		d.emit(c, p, "multipleOf-added", Producers,
			fmt.Sprintf("multipleOf %s was added: an old producer may send a value that is not a multiple", nv.RatString()))
	case !inN:
		d.emit(c, p, "multipleOf-removed", Consumers,
			fmt.Sprintf("multipleOf %s was removed: values that are not multiples are now valid, which an old consumer rejects", ov.RatString()))
	case new(big.Rat).Quo(nv, ov).IsInt():
		d.emit(c, p, "multipleOf-narrowed", Producers,
			fmt.Sprintf("multipleOf %s became %s: every multiple of %[2]s is a multiple of %[1]s but not the reverse, so an old producer may send a value now invalid", ov.RatString(), nv.RatString()))
	case new(big.Rat).Quo(ov, nv).IsInt():
		d.emit(c, p, "multipleOf-widened", Consumers,
			fmt.Sprintf("multipleOf %s became %s: more values are now valid, which an old consumer rejects", ov.RatString(), nv.RatString()))
	default:
		d.emit(c, p, "multipleOf-changed", Both,
			fmt.Sprintf("multipleOf %s became %s: some values became valid and others invalid", ov.RatString(), nv.RatString()))
	}
}

// count compares a count keyword such as minLength. An absent lower bound
// is 0; an absent upper bound is none.
func (d *differ) count(c ctx, ptr string, o, n map[string]any, kw string, lower bool) {
	ov, inO, err1 := number(o, kw)
	nv, inN, err2 := number(n, kw)
	p := jsonpointer.Key(ptr, kw)
	if err := cmpErr(err1, err2); err != nil {
		d.unreadable(c, p, err)
		return
	}
	if lower {
		zero := new(big.Rat)
		if !inO {
			ov, inO = zero, true
		}
		if !inN {
			nv, inN = zero, true
		}
	}
	switch {
	case !inO && !inN:
	case !inO:
		d.emit(c, p, kw+"-added", Producers,
			fmt.Sprintf("%s %s was added: an old producer may send more", kw, nv.RatString()))
	case !inN:
		d.emit(c, p, kw+"-removed", Consumers,
			fmt.Sprintf("%s %s was removed: more is now valid, which an old consumer rejects", kw, ov.RatString()))
	default:
		cmp := nv.Cmp(ov)
		if !lower {
			cmp = -cmp
		}
		dir := map[bool]string{true: "raised", false: "lowered"}
		switch {
		case cmp > 0: // tighter
			d.emit(c, p, kw+"-"+dir[lower], Producers,
				fmt.Sprintf("%s %s became %s: an old producer may send a value now out of range", kw, ov.RatString(), nv.RatString()))
		case cmp < 0:
			d.emit(c, p, kw+"-"+dir[!lower], Consumers,
				fmt.Sprintf("%s %s became %s: values now in range are rejected by an old consumer", kw, ov.RatString(), nv.RatString()))
		}
	}
}

func (d *differ) uniqueItems(c ctx, ptr string, o, n map[string]any) {
	ov, _ := o["uniqueItems"].(bool)
	nv, _ := n["uniqueItems"].(bool)
	p := jsonpointer.Key(ptr, "uniqueItems")
	for _, m := range []map[string]any{o, n} {
		if v, ok := m["uniqueItems"]; ok {
			if _, isBool := v.(bool); !isBool {
				d.unreadable(c, p, fmt.Errorf("uniqueItems is %s, not a boolean", show(v)))
				return
			}
		}
	}
	switch {
	case !ov && nv:
		d.emit(c, p, "uniqueItems-added", Producers,
			"items must now be unique: an old producer may send an array with duplicates")
	case ov && !nv:
		d.emit(c, p, "uniqueItems-removed", Consumers,
			"arrays with duplicate items are now valid, which an old consumer rejects")
	}
}

// text compares a keyword whose value is a string that constrains values
// and whose meanings cannot be compared: pattern and format. The validators
// of this project assert format, so format is treated as an assertion.
func (d *differ) text(c ctx, ptr string, o, n map[string]any, kw string) {
	ov, inO := o[kw]
	nv, inN := n[kw]
	p := jsonpointer.Key(ptr, kw)
	_, ok1 := ov.(string)
	_, ok2 := nv.(string)
	if (inO && !ok1) || (inN && !ok2) {
		d.unreadable(c, p, fmt.Errorf("%s is not a string", kw))
		return
	}
	switch {
	case !inO && !inN, inO && inN && ov == nv:
	case !inO:
		d.emit(c, p, kw+"-added", Producers,
			fmt.Sprintf("%s %s was added: an old producer may send a value that does not match", kw, show(nv)))
	case !inN:
		d.emit(c, p, kw+"-removed", Consumers,
			fmt.Sprintf("%s %s was removed: values that did not match are now valid, which an old consumer rejects", kw, show(ov)))
	default:
		d.emit(c, p, kw+"-changed", Both,
			fmt.Sprintf("%s %s became %s: which values match cannot be compared, so it counts as breaking for both", kw, show(ov), show(nv)))
	}
}

func (d *differ) required(c ctx, ptr string, o, n map[string]any) {
	ol, err1 := stringList(o, "required")
	nl, err2 := stringList(n, "required")
	p := jsonpointer.Key(ptr, "required")
	if err := cmpErr(err1, err2); err != nil {
		d.unreadable(c, p, err)
		return
	}
	for _, name := range nl {
		if !slices.Contains(ol, name) {
			d.emit(c, p, "required-added", Producers,
				fmt.Sprintf("property %q is now required: an old producer may leave it out", name))
		}
	}
	for _, name := range ol {
		if !slices.Contains(nl, name) {
			d.emit(c, p, "required-removed", Consumers,
				fmt.Sprintf("property %q is no longer required: an old consumer may count on it", name))
		}
	}
}

// apKind says what additionalProperties allows: "open" (absent or true),
// "closed" (false) or "schema".
func apKind(v any) string {
	switch v {
	case nil, true:
		return "open"
	case false:
		return "closed"
	}
	return "schema"
}

func (d *differ) properties(c ctx, ptr string, o, n map[string]any) {
	op, ok1 := orEmpty(o["properties"])
	np, ok2 := orEmpty(n["properties"])
	if !ok1 || !ok2 {
		d.unreadable(c, jsonpointer.Key(ptr, "properties"), fmt.Errorf("properties is not an object"))
		return
	}
	oAP, nAP := o["additionalProperties"], n["additionalProperties"]
	_, oPat := o["patternProperties"]
	_, nPat := n["patternProperties"]
	for _, k := range unionKeys(op, np) {
		ov, inO := op[k]
		nv, inN := np[k]
		p := jsonpointer.Key(jsonpointer.Key(ptr, "properties"), k)
		switch {
		case inO && inN:
			d.schema(c, p, ov, nv)
		case oPat || nPat:
			d.emit(c, p, "property-"+strings.TrimPrefix(verb(inO, inN), "was "), Both, fmt.Sprintf(
				"property %q %s next to patternProperties, which taskschema diff does not classify, so it counts as breaking for both", k, verb(inO, inN)))
		case inN:
			switch apKind(oAP) {
			case "open":
				d.emit(c, p, "property-added", Compatible, fmt.Sprintf(
					"property %q was added to an object that allowed undeclared members; an undeclared member carried no contract, so this is counted as compatible (see docs/SCHEMA-EVOLUTION.md)", k))
			case "closed":
				d.emit(c, p, "property-added", Consumers, fmt.Sprintf(
					"property %q was added where additionalProperties refused undeclared members: an old consumer rejects a payload that has it", k))
			default:
				d.emit(c, p, "property-added", Compatible, fmt.Sprintf(
					"property %q was added; it was covered by additionalProperties, and the difference between the two schemas follows", k))
				d.schema(c, p, oAP, nv)
			}
		default: // removed
			switch apKind(nAP) {
			case "open":
				d.emit(c, p, "property-removed", Consumers, fmt.Sprintf(
					"property %q is no longer declared: it may now hold any value, and an old consumer that reads it may get one it does not expect", k))
			case "closed":
				d.emit(c, p, "property-removed", Producers, fmt.Sprintf(
					"property %q is no longer declared and additionalProperties refuses undeclared members: an old producer that sends it is rejected", k))
			default:
				d.emit(c, p, "property-removed", Compatible, fmt.Sprintf(
					"property %q is no longer declared; additionalProperties covers it now, and the difference between the two schemas follows", k))
				d.schema(c, p, ov, nAP)
			}
		}
	}

	p := jsonpointer.Key(ptr, "additionalProperties")
	switch ok, nk := apKind(oAP), apKind(nAP); {
	case ok == "open" && nk == "open":
	case ok == "open" && nk == "closed":
		d.emit(c, p, "additionalProperties-refused", Producers,
			"undeclared members were allowed and are now refused: an old producer that sends one is rejected")
	case ok == "closed" && nk == "open":
		d.emit(c, p, "additionalProperties-allowed", Consumers,
			"undeclared members were refused and are now allowed: an old consumer rejects a payload that has one")
	default:
		d.schema(c, p, orTrue(oAP), orTrue(nAP))
	}
}

// orEmpty returns the object v, or an empty one when v is absent.
func orEmpty(v any) (map[string]any, bool) {
	if v == nil {
		return map[string]any{}, true
	}
	m, ok := v.(map[string]any)
	return m, ok
}

// branches compares the applicator kw (anyOf, allOf or oneOf). Identical
// branches are matched wherever they are; the others are compared in order
// when as many remain on each side, and are otherwise added and removed.
func (d *differ) branches(c ctx, ptr string, o, n map[string]any, kw string) {
	ov, inO := o[kw]
	nv, inN := n[kw]
	p := jsonpointer.Key(ptr, kw)
	oa, ok1 := ov.([]any)
	na, ok2 := nv.([]any)
	if (inO && !ok1) || (inN && !ok2) {
		d.unreadable(c, p, fmt.Errorf("%s is not an array", kw))
		return
	}
	// The impact of a branch added or removed: an allOf branch constrains,
	// an anyOf branch admits, a oneOf branch can do either.
	addBranch, removeBranch := Both, Both
	switch kw {
	case "allOf":
		addBranch, removeBranch = Producers, Consumers
	case "anyOf":
		addBranch, removeBranch = Consumers, Producers
	}
	switch {
	case !inO && !inN:
		return
	case !inO:
		d.emit(c, p, kw+"-added", Producers,
			fmt.Sprintf("%s was added: a value must now match its branches, and an old producer may send one that does not", kw))
		return
	case !inN:
		d.emit(c, p, kw+"-removed", Consumers,
			fmt.Sprintf("%s was removed: values that matched none of its branches are now valid, which an old consumer rejects", kw))
		return
	}
	matchedO := make([]bool, len(oa))
	matchedN := make([]bool, len(na))
	for i, x := range oa {
		for j, y := range na {
			if !matchedN[j] && equal(x, y) {
				matchedO[i], matchedN[j] = true, true
				break
			}
		}
	}
	var restO, restN []int
	for i, m := range matchedO {
		if !m {
			restO = append(restO, i)
		}
	}
	for j, m := range matchedN {
		if !m {
			restN = append(restN, j)
		}
	}
	cb := c
	if kw == "oneOf" {
		cb.oneOf = true
	}
	if len(restO) == len(restN) {
		for k := range restO {
			d.schema(cb, jsonpointer.Index(p, restN[k]), oa[restO[k]], na[restN[k]])
		}
		return
	}
	for _, i := range restO {
		d.emit(c, jsonpointer.Index(p, i), kw+"-branch-removed", removeBranch,
			fmt.Sprintf("branch %d of %s (old numbering) was removed: %s", i, kw, branchWhy(kw, false)))
	}
	for _, j := range restN {
		d.emit(c, jsonpointer.Index(p, j), kw+"-branch-added", addBranch,
			fmt.Sprintf("branch %d of %s was added: %s", j, kw, branchWhy(kw, true)))
	}
}

func branchWhy(kw string, added bool) string {
	switch {
	case kw == "oneOf":
		return "a value may now match a different number of branches, which can make it valid or invalid"
	case kw == "anyOf" && added, kw == "allOf" && !added:
		return "more values are valid, which an old consumer rejects"
	}
	return "fewer values are valid, and an old producer may send one that is not"
}

// ref compares $ref. The same $ref text refers to the same place, whose
// changes are reported where it is defined. A changed $ref (or one added
// or removed, which stands for the schema true) is followed: the old and
// the new targets are compared, and what differs is reported at the $ref.
func (d *differ) ref(c ctx, ptr string, o, n map[string]any) {
	ov, inO := o["$ref"]
	nv, inN := n["$ref"]
	p := jsonpointer.Key(ptr, "$ref")
	oref, ok1 := ov.(string)
	nref, ok2 := nv.(string)
	if (inO && !ok1) || (inN && !ok2) {
		d.unreadable(c, p, fmt.Errorf("$ref is not a string"))
		return
	}
	if !inO && !inN || inO && inN && oref == nref && c.oldFile == c.newFile {
		return
	}
	ot := target{file: c.oldFile, schema: true}
	nt := target{file: c.newFile, schema: true}
	var err error
	if inO {
		if ot, err = d.old.resolve(c.oldFile, oref); err != nil {
			d.emit(c, p, "ref-unresolved", Both, fmt.Sprintf("in the old schemas, %v, so the change counts as breaking for both", err))
			return
		}
	}
	if inN {
		if nt, err = d.new.resolve(c.newFile, nref); err != nil {
			d.emit(c, p, "ref-unresolved", Both, fmt.Sprintf("in the new schemas, %v, so the change counts as breaking for both", err))
			return
		}
	}
	if inO && inN && ot.file == nt.file && ot.pointer == nt.pointer {
		return // the same place, whose changes are reported where it is
	}
	at := c.at
	if at == "" {
		at = p
	}
	key := fmt.Sprintf("%s#%s|%s#%s|%s#%s|%v|%v", ot.file, ot.pointer, nt.file, nt.pointer, c.file, at, c.flip, c.oneOf)
	if d.followed[key] {
		return
	}
	d.followed[key] = true

	d.emit(c, p, "ref-changed", Compatible, fmt.Sprintf(
		"$ref %s became %s; what differs between the two targets is reported here too", refText(oref, inO), refText(nref, inN)))
	cr := c
	cr.oldFile, cr.newFile = ot.file, nt.file
	if cr.at == "" {
		cr.at = p
		cr.via = fmt.Sprintf("through $ref %s (was %s)", refText(nref, inN), refText(oref, inO))
	}
	d.schema(cr, nt.pointer, ot.schema, nt.schema)
}

func refText(ref string, present bool) string {
	if !present {
		return "(none)"
	}
	return fmt.Sprintf("%q", ref)
}

func (d *differ) defs(c ctx, ptr string, o, n map[string]any) {
	od, ok1 := orEmpty(o["$defs"])
	nd, ok2 := orEmpty(n["$defs"])
	p := jsonpointer.Key(ptr, "$defs")
	if !ok1 || !ok2 {
		d.unreadable(c, p, fmt.Errorf("$defs is not an object"))
		return
	}
	for _, k := range unionKeys(od, nd) {
		ov, inO := od[k]
		nv, inN := nd[k]
		pk := jsonpointer.Key(p, k)
		switch {
		case inO && inN:
			d.schema(c, pk, ov, nv)
		case inN:
			d.emit(c, pk, "def-added", Compatible,
				fmt.Sprintf("definition %q was added; a definition constrains nothing until a $ref uses it", k))
		default:
			d.emit(c, pk, "def-removed", Both,
				fmt.Sprintf("definition %q was removed: a $ref to it, from this or another schema, no longer resolves", k))
		}
	}
}

func (d *differ) defaults(c ctx, ptr string, o, n map[string]any) {
	ov, inO := o["default"]
	nv, inN := n["default"]
	p := jsonpointer.Key(ptr, "default")
	switch {
	case !inO && !inN, inO && inN && equal(ov, nv):
	case !inO:
		d.emit(c, p, "default-added", Both, fmt.Sprintf(
			"default %s was added: a member left out now means %[1]s, where it meant nothing before; old and new readers of the same payload disagree", show(nv)))
	case !inN:
		d.emit(c, p, "default-removed", Both, fmt.Sprintf(
			"default %s was removed: a member left out no longer means %[1]s; old and new readers of the same payload disagree", show(ov)))
	default:
		d.emit(c, p, "default-changed", Both, fmt.Sprintf(
			"default %s became %s: a member left out meant %[1]s and now means %[2]s; old and new readers of the same payload disagree", show(ov), show(nv)))
	}
}
