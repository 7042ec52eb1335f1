// Command peers times models.Unmarshal next to the fastest Go JSON decoders,
// which fill plain structs of the same shape and validate nothing:
// encoding/json (v1), github.com/goccy/go-json, github.com/bytedance/sonic
// (on amd64 and arm64) and, built with GOEXPERIMENT=jsonv2,
// encoding/json/v2. It is the Go part of the comparison of
// docs/PERFORMANCE.md (make bench-compare, bench/compare.sh), in a module of
// its own so that the library's go.mod names none of these peers.
//
// One run is one round: for each payload file of testdata/bench/, each
// decoder's loop is calibrated to about -target, then -reps repetitions are
// timed, the decoders taking turns within each repetition (in an order that
// rotates with -round). It prints JSON lines, one per decoder and payload:
//
//	{"runtime":"goccy","group":"","model":"task_info","payload":"valid","ns":[...],"allocs":9}
//
// and first one line per decoder with its version. bench/table.go pairs the
// lines of the same round and group to make the ratios.
//
// Before timing anything the run checks its inputs: models.Unmarshal must
// accept each valid payload and reject each invalid one with exactly the
// violations of expected_invalid.json, and every peer must decode each valid
// payload into the same values as models.Unmarshal. The peers are timed on
// the invalid payloads too, for the cost of the call, whether or not they
// return an error (most of the mistakes are ones only a validator sees).
//
// Usage (from the repository root):
//
//	go -C bench/peers build -o /tmp/peers . && /tmp/peers -dir testdata/bench [-reps 3] [-target 20ms] [-round 1]
//	GOEXPERIMENT=jsonv2 go -C bench/peers build -o /tmp/peers-v2 .   # adds encoding/json/v2
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"slices"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/models"
)

// result is one output line.
type result struct {
	Runtime string    `json:"runtime"`
	Group   string    `json:"group,omitempty"`
	Model   string    `json:"model,omitempty"`
	Payload string    `json:"payload,omitempty"`
	NS      []float64 `json:"ns,omitempty"`
	Allocs  *float64  `json:"allocs,omitempty"`
	Version string    `json:"version,omitempty"`
	Skip    string    `json:"skip,omitempty"`
}

func main() {
	dir := flag.String("dir", "testdata/bench", "the directory of the payload files")
	reps := flag.Int("reps", 3, "timed repetitions per payload and decoder")
	target := flag.Duration("target", 20*time.Millisecond, "the duration of one repetition")
	round := flag.Int("round", 1, "the round number; it rotates the order in which the decoders take turns")
	flag.Parse()
	if err := run(*dir, *reps, *target, *round); err != nil {
		fmt.Fprintln(os.Stderr, "peers:", err)
		os.Exit(1)
	}
}

// active returns the decoders of this build.
func active() []decoder {
	if only == nil {
		return decoders
	}
	return slices.DeleteFunc(slices.Clone(decoders), func(d decoder) bool { return !slices.Contains(only, d.name) })
}

// moduleVersions returns the version of each module linked in.
func moduleVersions() map[string]string {
	out := map[string]string{}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			out[m.Path] = m.Version
		}
	}
	return out
}

// A job is one decoder on one payload.
type job struct {
	dec  decoder
	call func() error
}

func run(dir string, reps int, target time.Duration, round int) error {
	binds, err := orderedBindings()
	if err != nil {
		return err
	}
	manifest, err := readManifest(filepath.Join(dir, "expected_invalid.json"))
	if err != nil {
		return err
	}
	decs := active()
	out := json.NewEncoder(os.Stdout)
	versions := moduleVersions()
	for _, s := range skipped {
		s.Group = group
		if err := out.Encode(s); err != nil {
			return err
		}
	}
	for _, d := range decs {
		v := d.about
		if d.module != "" {
			v += " " + versions[d.module]
		}
		if d.name == base || d.name == "json" || d.name == "json/v2" {
			v += ", " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
		}
		if err := out.Encode(result{Runtime: d.name, Group: group, Version: v}); err != nil {
			return err
		}
	}
	for _, b := range binds {
		for _, kind := range []string{"valid", "invalid"} {
			name := b.stem + "." + kind + ".json"
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				return err
			}
			valid := kind == "valid"
			if err := checkPayload(b, decs, data, valid, manifest[b.stem]); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			var jobs []job
			for _, d := range decs {
				decode := b.call(d.unmarshal, d.plain)
				call := func() error { _ = decode(data); return nil }
				if d.name == base {
					// The verdict must not change while it is timed.
					call = func() error {
						if err := decode(data); (err == nil) != valid {
							return fmt.Errorf("%s: the verdict of models.Unmarshal changed: %v", name, err)
						}
						return nil
					}
				}
				jobs = append(jobs, job{dec: d, call: call})
			}
			ns, err := measure(jobs, reps, target, round)
			if err != nil {
				return err
			}
			for i, j := range jobs {
				allocs := testing.AllocsPerRun(100, func() { _ = j.call() })
				r := result{Runtime: j.dec.name, Group: group, Model: b.stem, Payload: kind, NS: ns[i], Allocs: &allocs}
				if err := out.Encode(r); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// checkPayload checks the verdict of models.Unmarshal and, on a valid
// payload, that every peer decodes the same values.
func checkPayload(b binding, decs []decoder, data []byte, valid bool, want []string) error {
	model := reflect.New(b.model)
	err := models.Unmarshal(data, model.Interface())
	if !valid {
		return checkViolations(err, want)
	}
	if err != nil {
		return fmt.Errorf("models.Unmarshal rejects the valid payload: %w", err)
	}
	for _, d := range decs {
		if !d.plain {
			continue
		}
		plain := reflect.New(b.plain)
		if err := d.unmarshal(data, plain.Interface()); err != nil {
			return fmt.Errorf("%s rejects the valid payload: %w", d.name, err)
		}
		if err := sameValue("", model.Elem(), plain.Elem()); err != nil {
			return fmt.Errorf("%s decodes other values than models.Unmarshal: %w", d.name, err)
		}
	}
	return nil
}

// checkViolations fails unless err is a *models.ValidationError with
// exactly the wanted violations.
func checkViolations(err error, want []string) error {
	var verr *models.ValidationError
	if !errors.As(err, &verr) {
		return fmt.Errorf("models.Unmarshal: got %v, want a *models.ValidationError", err)
	}
	var got []string
	for _, v := range verr.Violations {
		got = append(got, v.InstancePath+" "+v.Keyword)
	}
	slices.Sort(got)
	if got = slices.Compact(got); !slices.Equal(got, want) {
		return fmt.Errorf("models.Unmarshal reports %q, want %q", got, want)
	}
	return nil
}

// measure calibrates each job's loop to last about target, then times reps
// rounds in which every job runs its loop once, starting with a job that
// rotates with round. It returns the nanoseconds per call of each job's
// repetitions.
func measure(jobs []job, reps int, target time.Duration, round int) ([][]float64, error) {
	loop := func(f func() error, n int) (time.Duration, error) {
		start := time.Now()
		for range n {
			if err := f(); err != nil {
				return 0, err
			}
		}
		return time.Since(start), nil
	}
	counts := make([]int, len(jobs))
	for i, j := range jobs {
		n := 1
		for {
			d, err := loop(j.call, n)
			if err != nil {
				return nil, err
			}
			if d >= target/4 {
				n = max(1, int(float64(n)*float64(target)/float64(d)))
				break
			}
			n *= 2
		}
		counts[i] = n
	}
	ns := make([][]float64, len(jobs))
	for r := range reps {
		for k := range jobs {
			i := (k + round + r) % len(jobs)
			d, err := loop(jobs[i].call, counts[i])
			if err != nil {
				return nil, err
			}
			ns[i] = append(ns[i], float64(d.Nanoseconds())/float64(counts[i]))
		}
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
