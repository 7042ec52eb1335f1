// Command gobench is the Go column of the cross-language comparison
// (bench/compare.sh, docs/PERFORMANCE.md): it times models.Unmarshal on the
// payload files of testdata/bench/ and prints one JSON line per payload with
// the nanoseconds per call of each repetition:
//
//	{"runtime":"go","model":"task_info","payload":"valid","ns":[1712.3, ...]}
//
// Each repetition is one timed loop of many calls, sized to take about
// -target; the loop is calibrated (and the code warmed up) first. Before
// timing, each payload's verdict is checked: the valid one must decode, and
// the invalid one must give exactly the violations listed in
// expected_invalid.json. An invalid payload is timed for the full call,
// building the *models.ValidationError included.
//
// Usage (from the repository root):
//
//	go run ./bench/gobench [-dir testdata/bench] [-reps 5] [-target 50ms]
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/mcp-refcache/taskschema/models"
)

// result is one output line.
type result struct {
	Runtime string    `json:"runtime"`
	Model   string    `json:"model,omitempty"`
	Payload string    `json:"payload,omitempty"`
	NS      []float64 `json:"ns,omitempty"`
	Version string    `json:"version,omitempty"`
}

func main() {
	dir := flag.String("dir", "testdata/bench", "the directory of the payload files")
	reps := flag.Int("reps", 5, "timed repetitions per payload")
	target := flag.Duration("target", 50*time.Millisecond, "the duration of one repetition")
	flag.Parse()
	if err := run(*dir, *reps, *target); err != nil {
		fmt.Fprintln(os.Stderr, "gobench:", err)
		os.Exit(1)
	}
}

// unmarshal calls models.Unmarshal into a fresh value of the model type of
// the schema stem.
func unmarshal(stem string, data []byte) error {
	v, ok := models.NewValue(stem)
	if !ok {
		return fmt.Errorf("no model type for schema %s", stem)
	}
	return models.Unmarshal(data, v)
}

func run(dir string, reps int, target time.Duration) error {
	manifest, err := readManifest(filepath.Join(dir, "expected_invalid.json"))
	if err != nil {
		return err
	}
	out := json.NewEncoder(os.Stdout)
	if err := out.Encode(result{Runtime: "go", Version: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH}); err != nil {
		return err
	}
	for _, stem := range models.SchemaNames() {
		call := func(data []byte) error { return unmarshal(stem, data) }
		for _, kind := range []string{"valid", "invalid"} {
			data, err := os.ReadFile(filepath.Join(dir, stem+"."+kind+".json"))
			if err != nil {
				return err
			}
			valid := kind == "valid"
			if err := check(call(data), valid, manifest[stem]); err != nil {
				return fmt.Errorf("%s.%s.json: %w", stem, kind, err)
			}
			ns, err := measure(func() error {
				if err := call(data); (err == nil) != valid {
					return fmt.Errorf("%s.%s.json: verdict changed: %v", stem, kind, err)
				}
				return nil
			}, reps, target)
			if err != nil {
				return err
			}
			if err := out.Encode(result{Runtime: "go", Model: stem, Payload: kind, NS: ns}); err != nil {
				return err
			}
		}
	}
	return nil
}

// check compares Unmarshal's verdict with the expected one.
func check(err error, valid bool, want []string) error {
	if valid {
		return err
	}
	var verr *models.ValidationError
	if !errors.As(err, &verr) {
		return fmt.Errorf("got %v, want a *models.ValidationError", err)
	}
	var got []string
	for _, v := range verr.Violations {
		got = append(got, v.InstancePath+" "+v.Keyword)
	}
	slices.Sort(got)
	if got = slices.Compact(got); !slices.Equal(got, want) {
		return fmt.Errorf("violations %q, want %q", got, want)
	}
	return nil
}

// measure calibrates a loop of f to last about target, then times reps such
// loops and returns the nanoseconds per call of each.
func measure(f func() error, reps int, target time.Duration) ([]float64, error) {
	loop := func(n int) (time.Duration, error) {
		start := time.Now()
		for range n {
			if err := f(); err != nil {
				return 0, err
			}
		}
		return time.Since(start), nil
	}
	n := 1
	for {
		d, err := loop(n)
		if err != nil {
			return nil, err
		}
		if d >= target/4 {
			n = max(1, int(float64(n)*float64(target)/float64(d)))
			break
		}
		n *= 2
	}
	ns := make([]float64, 0, reps)
	for range reps {
		d, err := loop(n)
		if err != nil {
			return nil, err
		}
		ns = append(ns, float64(d.Nanoseconds())/float64(n))
	}
	return ns, nil
}

// readManifest reads expected_invalid.json as sorted
// "<instancePath> <keyword>" strings per stem.
func readManifest(path string) (map[string][]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m map[string]struct {
		Violations []struct {
			InstancePath string `json:"instancePath"`
			Keyword      string `json:"keyword"`
		} `json:"violations"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := map[string][]string{}
	for stem, e := range m {
		for _, v := range e.Violations {
			out[stem] = append(out[stem], v.InstancePath+" "+v.Keyword)
		}
		slices.Sort(out[stem])
	}
	return out, nil
}
