// Command peers times models.Unmarshal next to the fastest Go JSON decoders,
// which fill plain structs of the same shape and validate nothing:
// encoding/json (v1), github.com/goccy/go-json, github.com/bytedance/sonic
// (on amd64 and arm64) and, built with GOEXPERIMENT=jsonv2,
// encoding/json/v2. It is the Go runner of the comparison of
// docs/PERFORMANCE.md (make bench-compare), in a module of its own so that
// the library's go.mod names none of these peers.
//
// It speaks the runner protocol of bench/compare.go. At start it checks its
// inputs: models.Unmarshal must accept each valid payload of -dir and reject
// each invalid one with exactly the violations of expected_invalid.json, and
// every peer must decode each valid payload into the same values as
// models.Unmarshal. Then it prints one JSON line per decoder with its
// version, one per decoder and payload with the allocations per call
// (testing.AllocsPerRun), and {"ready":true}. After that it reads one
// command per line from stdin,
//
//	{"runtime":"goccy","model":"task_info","payload":"valid","target_ns":20000000}
//
// and answers each with {"ns":<nanoseconds per call>} for one timed loop of
// calls that lasts at least target_ns (see [job.time]; the first command for
// a decoder and payload runs one such loop untimed first, to warm up), or
// {"error":"..."}. It stops at the end of stdin.
//
// The peers are timed on the invalid payloads too, for the cost of the call,
// whether or not they return an error (most of the mistakes are ones only a
// validator sees). models.Unmarshal is timed until its *ValidationError is
// built, and its verdict is checked on every call.
//
// Usage (from the repository root; bench/compare.sh does this):
//
//	go -C bench/peers build -o /tmp/peers . && go run bench/compare.go -- "/tmp/peers -dir testdata/bench"
//	GOEXPERIMENT=jsonv2 go -C bench/peers build -o /tmp/peers-v2 .   # adds encoding/json/v2
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
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

// result is one output line before {"ready":true}.
type result struct {
	Runtime string   `json:"runtime"`
	Group   string   `json:"group,omitempty"`
	Model   string   `json:"model,omitempty"`
	Payload string   `json:"payload,omitempty"`
	Allocs  *float64 `json:"allocs,omitempty"`
	Version string   `json:"version,omitempty"`
	Skip    string   `json:"skip,omitempty"`
}

// command is one request read from stdin.
type command struct {
	Runtime  string `json:"runtime"`
	Model    string `json:"model"`
	Payload  string `json:"payload"`
	TargetNS int64  `json:"target_ns"`
}

// answer is the reply to a command.
type answer struct {
	NS    float64 `json:"ns,omitempty"`
	Error string  `json:"error,omitempty"`
}

func main() {
	dir := flag.String("dir", "testdata/bench", "the directory of the payload files")
	flag.Parse()
	jobs, err := setup(*dir, os.Stdout)
	if err == nil {
		err = serve(jobs, os.Stdin, os.Stdout)
	}
	if err != nil {
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

// A job is one decoder on one payload: call decodes it once.
type job struct {
	call   func() error
	warmed bool
}

// jobKey names a job as commands do.
func jobKey(runtime, model, payload string) string { return runtime + "/" + model + "/" + payload }

// setup checks the payloads, writes the versions, the allocations and the
// ready line to w, and returns the jobs by jobKey.
func setup(dir string, w io.Writer) (map[string]*job, error) {
	binds, err := orderedBindings()
	if err != nil {
		return nil, err
	}
	manifest, err := readManifest(filepath.Join(dir, "expected_invalid.json"))
	if err != nil {
		return nil, err
	}
	decs := active()
	out := json.NewEncoder(w)
	var lines []result
	for _, s := range skipped {
		s.Group = group
		lines = append(lines, s)
	}
	versions := moduleVersions()
	for _, d := range decs {
		v := d.about
		if d.module != "" {
			v += " " + versions[d.module]
		}
		if d.name == base || d.name == "json" || d.name == "json/v2" {
			v += ", " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
		}
		lines = append(lines, result{Runtime: d.name, Group: group, Version: v})
	}
	jobs := map[string]*job{}
	for _, b := range binds {
		for _, kind := range []string{"valid", "invalid"} {
			name := b.stem + "." + kind + ".json"
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				return nil, err
			}
			valid := kind == "valid"
			if err := checkPayload(b, decs, data, valid, manifest[b.stem]); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
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
				jobs[jobKey(d.name, b.stem, kind)] = &job{call: call}
				allocs := testing.AllocsPerRun(100, func() { _ = call() })
				lines = append(lines, result{Runtime: d.name, Group: group, Model: b.stem, Payload: kind, Allocs: &allocs})
			}
		}
	}
	for _, l := range lines {
		if err := out.Encode(l); err != nil {
			return nil, err
		}
	}
	if _, err := io.WriteString(w, `{"ready":true}`+"\n"); err != nil {
		return nil, err
	}
	return jobs, nil
}

// serve answers the commands read from r until its end.
func serve(jobs map[string]*job, r io.Reader, w io.Writer) error {
	sc := bufio.NewScanner(r)
	out := json.NewEncoder(w)
	for sc.Scan() {
		var c command
		var a answer
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			a.Error = fmt.Sprintf("command %q: %v", sc.Text(), err)
		} else if j, ok := jobs[jobKey(c.Runtime, c.Model, c.Payload)]; !ok {
			a.Error = fmt.Sprintf("no decoder %s for %s.%s.json in this build", c.Runtime, c.Model, c.Payload)
		} else {
			a.NS, err = j.time(time.Duration(c.TargetNS))
			if err != nil {
				a.Error = err.Error()
			}
		}
		if err := out.Encode(a); err != nil {
			return err
		}
	}
	return sc.Err()
}

// time runs calls until at least target has passed and returns the
// nanoseconds per call. It reads the clock after chunks of calls that double
// in size until they take about a sixteenth of target, so that the clock
// costs nothing measurable and a loop never ends early: a pause of the
// process (another program's turn on a busy machine) adds at most its own
// length to at least target of work.
func (j *job) time(target time.Duration) (float64, error) {
	if !j.warmed {
		j.warmed = true
		if _, err := j.time(target); err != nil {
			return 0, err
		}
	}
	calls, chunk := 0, 1
	start := time.Now()
	for {
		for range chunk {
			if err := j.call(); err != nil {
				return 0, err
			}
		}
		calls += chunk
		elapsed := time.Since(start)
		if elapsed >= target {
			return float64(elapsed.Nanoseconds()) / float64(calls), nil
		}
		if elapsed < target/16 {
			chunk *= 2
		}
	}
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
