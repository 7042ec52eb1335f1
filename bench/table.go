//go:build ignore

// Table prints the tables of the comparison (make bench-compare,
// docs/PERFORMANCE.md) from the JSON lines that bench/compare.go writes:
//
//	{"runtime": "goccy", "group": "", "model": "task_info", "payload": "valid", "ns": [...]}
//
// one line per implementation, payload and round, in the order of the
// rounds, so the k-th line of an implementation for a payload belongs to
// round k. Within a round, the value of an implementation is the median of
// its repetitions; the paired ratio of the round is models.Unmarshal's value
// (runtime "go" of the same group, from the same round) divided by the
// implementation's. The tables give the median of all repetitions, the
// median of the paired ratios with their minimum and maximum over the rounds,
// the allocations per call (lines with "allocs"), and the targets of issue 11.
//
// A line with "version" names a runtime; a line with "skip" (optionally with
// "model") says why a column or a cell is missing.
//
// Usage: go run bench/table.go samples.jsonl...
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
)

type line struct {
	Runtime string    `json:"runtime"`
	Group   string    `json:"group"`
	Model   string    `json:"model"`
	Payload string    `json:"payload"`
	NS      []float64 `json:"ns"`
	Allocs  *float64  `json:"allocs"`
	Version string    `json:"version"`
	Skip    string    `json:"skip"`
}

// A column is one runtime of one group.
type column struct {
	group, runtime string
	title          string
}

func (c column) key() string { return c.group + "|" + c.runtime }

// base returns the column that c's ratios divide: models.Unmarshal timed by
// the same build (the default build for ajv and pydantic).
func (c column) base() column { return column{group: c.group, runtime: "go"} }

var (
	goColumn = column{"", "go", "Unmarshal"}
	columns  = []column{
		goColumn,
		{"", "json", "json v1"},
		{"", "goccy", "goccy"},
		{"", "sonic", "sonic"},
		{"", "sonic-std", "sonic std"},
		{"jsonv2", "json/v2", "json/v2"},
		{"jsonv2", "json", "json v1 on v2"},
		{"", "ajv", "ajv"},
		{"", "pydantic", "pydantic"},
		{"", "ts-parse", "TS parse"},
		{"", "pydantic-gen", "pydantic generated"},
		{"jsonv2", "go", "Unmarshal (jsonv2 build)"},
	}
	// targets are the peers that Unmarshal must beat on valid payloads
	// (issue 11), and, those of them that validate, on invalid ones too.
	validTargets   = []string{"|goccy", "|sonic", "jsonv2|json/v2", "|ajv", "|pydantic"}
	invalidTargets = []string{"|ajv", "|pydantic"}
	kinds          = []string{"valid", "invalid"}
)

type data struct {
	stems    []string             // in the order first seen
	rounds   map[string][]float64 // column key/model/payload -> median of each round
	all      map[string][]float64 // column key/model/payload -> every repetition
	allocs   map[string]float64   // column key/model/payload -> allocations per call
	versions map[string]string    // column key -> version
	skips    map[string][]string  // column key -> reasons
	nrounds  int
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: go run bench/table.go samples.jsonl...")
		os.Exit(2)
	}
	d := &data{rounds: map[string][]float64{}, all: map[string][]float64{}, allocs: map[string]float64{},
		versions: map[string]string{}, skips: map[string][]string{}}
	for _, name := range os.Args[1:] {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		err = read(f, d.add)
		f.Close()
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			os.Exit(2)
		}
	}
	d.print(os.Stdout)
}

func (d *data) add(l line) {
	c := column{group: l.Group, runtime: l.Runtime}
	switch {
	case l.Skip != "":
		what := "skipped"
		if l.Model != "" {
			what = l.Model + " skipped"
		}
		reason := what + ": " + l.Skip
		if !slices.Contains(d.skips[c.key()], reason) {
			d.skips[c.key()] = append(d.skips[c.key()], reason)
		}
	case l.Version != "":
		d.versions[c.key()] = l.Version
	case l.Model != "":
		if !slices.Contains(d.stems, l.Model) {
			d.stems = append(d.stems, l.Model)
		}
		k := c.key() + "/" + l.Model + "/" + l.Payload
		if m, ok := median(l.NS); ok {
			d.rounds[k] = append(d.rounds[k], m)
			d.nrounds = max(d.nrounds, len(d.rounds[k]))
		}
		d.all[k] = append(d.all[k], l.NS...)
		if l.Allocs != nil {
			d.allocs[k] = *l.Allocs
		}
	}
}

// present returns the columns with any data.
func (d *data) present() []column {
	var out []column
	for _, c := range columns {
		for k := range d.all {
			if strings.HasPrefix(k, c.key()+"/") {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// ratios returns the paired ratios, one per round, of a's value over b's
// on one payload.
func (d *data) ratios(a, b string, stem, kind string) []float64 {
	ra, rb := d.rounds[a+"/"+stem+"/"+kind], d.rounds[b+"/"+stem+"/"+kind]
	var out []float64
	for i := range min(len(ra), len(rb)) {
		out = append(out, ra[i]/rb[i])
	}
	return out
}

// ratioOf is the paired ratio of models.Unmarshal over column c.
func (d *data) ratioOf(c column, stem, kind string) []float64 {
	return d.ratios(c.base().key(), c.key(), stem, kind)
}

func spread(rs []float64) string {
	m, ok := median(rs)
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%.2f (%.2f–%.2f)", m, slices.Min(rs), slices.Max(rs))
}

func (d *data) print(w io.Writer) {
	cols := d.present()
	fmt.Fprintln(w, "Runtimes:")
	fmt.Fprintln(w)
	for _, c := range columns {
		v, ok := d.versions[c.key()]
		if !ok && len(d.skips[c.key()]) == 0 {
			continue
		}
		if !ok {
			v = "not run"
		}
		fmt.Fprintf(w, "- %s: %s", c.title, v)
		if s := d.skips[c.key()]; len(s) > 0 {
			fmt.Fprintf(w, "; %s", strings.Join(s, "; "))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)

	header := func(first string, cs []column) {
		cells := []string{"model", "payload"}
		align := []string{"---", "---"}
		for _, c := range cs {
			cells = append(cells, first+c.title)
			align = append(align, "---:")
		}
		fmt.Fprintln(w, "| "+strings.Join(cells, " | ")+" |")
		fmt.Fprintln(w, "| "+strings.Join(align, " | ")+" |")
	}
	rows := func(cell func(c column, stem, kind string) string, cs []column) {
		for _, kind := range kinds {
			for _, stem := range d.stems {
				cells := []string{stem, kind}
				for _, c := range cs {
					cells = append(cells, cell(c, stem, kind))
				}
				fmt.Fprintln(w, "| "+strings.Join(cells, " | ")+" |")
			}
		}
	}

	fmt.Fprintf(w, "Median nanoseconds per call, over all repetitions of all %d rounds:\n\n", d.nrounds)
	header("", cols)
	rows(func(c column, stem, kind string) string {
		m, ok := median(d.all[c.key()+"/"+stem+"/"+kind])
		if !ok {
			return "–"
		}
		return fmt.Sprintf("%.0f", m)
	}, cols)
	fmt.Fprintln(w)

	var others []column
	for _, c := range cols {
		if c.runtime != "go" {
			others = append(others, c)
		}
	}
	fmt.Fprintln(w, "Unmarshal / peer, paired by round (each round's median of Unmarshal over the peer's, in the same build and round): the median of the rounds' ratios, (minimum–maximum). Below 1 means Unmarshal is faster; the json/v2 columns divide Unmarshal timed in the jsonv2 build.")
	fmt.Fprintln(w)
	header("÷ ", others)
	rows(func(c column, stem, kind string) string { return spread(d.ratioOf(c, stem, kind)) }, others)
	fmt.Fprintln(w)

	var goCols []column
	for _, c := range cols {
		if c.runtime != "ajv" && c.runtime != "pydantic" && c.runtime != "ts-parse" && c.runtime != "pydantic-gen" {
			goCols = append(goCols, c)
		}
	}
	fmt.Fprintln(w, "Allocations per call (testing.AllocsPerRun):")
	fmt.Fprintln(w)
	header("", goCols)
	rows(func(c column, stem, kind string) string {
		a, ok := d.allocs[c.key()+"/"+stem+"/"+kind]
		if !ok {
			return "–"
		}
		return fmt.Sprintf("%.0f", a)
	}, goCols)
	fmt.Fprintln(w)

	d.targets(w)
}

// targets prints the verdict on each target of issue 11, one row per
// model: the median paired ratio and whether it meets the target, and by how
// much it misses.
func (d *data) targets(w io.Writer) {
	type target struct {
		title string
		limit float64 // a ratio below 1 for "faster than", at most limit otherwise
		rs    func(stem string) []float64
	}
	faster := func(kind, key string) target {
		g, rt, _ := strings.Cut(key, "|")
		c := column{group: g, runtime: rt}
		title := rt
		for _, col := range columns {
			if col.key() == c.key() {
				title = col.title
			}
		}
		return target{title: kind + ": ÷ " + title + " < 1", limit: 1,
			rs: func(stem string) []float64 { return d.ratioOf(c, stem, kind) }}
	}
	var ts []target
	for _, key := range validTargets {
		ts = append(ts, faster("valid", key))
	}
	ts = append(ts, target{title: "invalid ÷ valid ≤ 2", limit: 2, rs: d.invalidOverValid})
	for _, key := range invalidTargets {
		ts = append(ts, faster("invalid", key))
	}
	met, total := 0, 0
	cells := []string{"model"}
	align := []string{"---"}
	for _, t := range ts {
		cells = append(cells, t.title)
		align = append(align, "---")
	}
	for _, kind := range kinds {
		cells = append(cells, kind+": allocs ≤ json/v2")
		align = append(align, "---")
	}
	fmt.Fprintln(w, "Targets of issue 11: the median paired ratio of each payload, met or missed and by how much.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| "+strings.Join(cells, " | ")+" |")
	fmt.Fprintln(w, "| "+strings.Join(align, " | ")+" |")
	for _, stem := range d.stems {
		cells := []string{stem}
		for _, t := range ts {
			m, ok := median(t.rs(stem))
			if !ok {
				cells = append(cells, "–")
				continue
			}
			total++
			// Compared as printed, rounded to two decimals.
			r := math.Round(m*100) / 100
			if r < t.limit || (t.limit != 1 && r <= t.limit) {
				met++
				cells = append(cells, fmt.Sprintf("%.2f met", m))
			} else {
				cells = append(cells, fmt.Sprintf("%.2f **missed** by %.0f%%", m, (r/t.limit-1)*100))
			}
		}
		for _, kind := range kinds {
			ours, ok1 := d.allocs[goColumn.key()+"/"+stem+"/"+kind]
			v2, ok2 := d.allocs["jsonv2|json/v2/"+stem+"/"+kind]
			if !ok1 || !ok2 {
				cells = append(cells, "–")
				continue
			}
			total++
			if ours <= v2 {
				met++
				cells = append(cells, fmt.Sprintf("%.0f / %.0f met", ours, v2))
			} else {
				cells = append(cells, fmt.Sprintf("%.0f / %.0f **missed** by %.0f", ours, v2, ours-v2))
			}
		}
		fmt.Fprintln(w, "| "+strings.Join(cells, " | ")+" |")
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Targets: %d of %d met.\n", met, total)
}

// invalidOverValid is, per round, Unmarshal's time on the invalid payload
// over its time on the valid one.
func (d *data) invalidOverValid(stem string) []float64 {
	k := goColumn.key() + "/" + stem + "/"
	inv, val := d.rounds[k+"invalid"], d.rounds[k+"valid"]
	var out []float64
	for i := range min(len(inv), len(val)) {
		out = append(out, inv[i]/val[i])
	}
	return out
}

func read(r io.Reader, f func(line)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var l line
		if err := json.Unmarshal([]byte(text), &l); err != nil {
			return fmt.Errorf("%q: %w", text, err)
		}
		f(l)
	}
	return sc.Err()
}

func median(vs []float64) (float64, bool) {
	if len(vs) == 0 {
		return 0, false
	}
	vs = slices.Sorted(slices.Values(vs))
	if n := len(vs); n%2 == 1 {
		return vs[n/2], true
	}
	n := len(vs)
	return (vs[n/2-1] + vs[n/2]) / 2, true
}
