//go:build ignore

// Compare drives the runners of the comparison of docs/PERFORMANCE.md (make
// bench-compare, bench/compare.sh) so that every implementation is timed on
// the same payload at nearly the same moment: it starts each runner given as
// an argument (a command line, split on spaces), and then, for ROUNDS rounds,
// for each payload of testdata/bench/ and each of -reps repetitions, asks
// every implementation in turn for one timed loop of at least -target, in an
// order that rotates with the round and the repetition. A slow spell of a
// busy machine then falls on all implementations alike, and the ratios that
// bench/table.go pairs (same round, same payload) compare loops timed seconds
// apart at most.
//
// The runner protocol: a runner checks its payloads, writes JSON lines
// naming its implementations ({"runtime": R, "group": G, "version": V}),
// optionally {"runtime": R, "model": M, "skip": why} for a payload it does not
// time and {"runtime": R, "model": M, "payload": P, "allocs": A}, then
// {"ready": true}. It then reads one command per line on stdin,
// {"runtime": R, "model": M, "payload": P, "target_ns": T}, and answers each
// with {"ns": nanoseconds per call} for a loop of calls that lasts at least
// T (after one untimed loop the first time, to warm up) or {"error": why};
// it stops at the end of stdin. bench/peers, bench/python/bench.py and bench/node/bench.mjs are
// the runners.
//
// Compare writes every line the runners wrote before ready, then, after each
// round, one line per implementation and payload with the round's
// repetitions, {"runtime", "group", "model", "payload", "ns": [...]}, which
// is what bench/table.go reads.
//
// Usage: go run bench/compare.go [-rounds 10] [-reps 3] [-target 20ms] -- "runner command"...
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/mcp-refcache/taskschema/models"
)

// runner is one started runner process.
type runner struct {
	name string
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Scanner
}

// impl is one implementation that a runner times.
type impl struct {
	r       *runner
	runtime string
	group   string
}

type line struct {
	Runtime string  `json:"runtime"`
	Group   string  `json:"group,omitempty"`
	Model   string  `json:"model,omitempty"`
	Payload string  `json:"payload,omitempty"`
	Version string  `json:"version,omitempty"`
	Skip    string  `json:"skip,omitempty"`
	Ready   bool    `json:"ready,omitempty"`
	NS      float64 `json:"ns,omitempty"`
	Error   string  `json:"error,omitempty"`
}

func main() {
	rounds := flag.Int("rounds", 10, "rounds")
	reps := flag.Int("reps", 3, "timed loops per implementation, payload and round")
	target := flag.Duration("target", 20*time.Millisecond, "the duration of one timed loop")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: go run bench/compare.go [-rounds 10] [-reps 3] [-target 20ms] -- \"runner command\"...")
		os.Exit(2)
	}
	if err := run(flag.Args(), *rounds, *reps, *target); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

func run(commands []string, rounds, reps int, target time.Duration) error {
	out := json.NewEncoder(os.Stdout)
	var runners []*runner
	defer func() {
		for _, r := range runners {
			r.in.Close()
			r.cmd.Wait()
		}
	}()
	var impls []impl
	skip := map[string]bool{} // runtime/group/model
	for _, c := range commands {
		r, err := start(c)
		if err != nil {
			return err
		}
		runners = append(runners, r)
		for {
			l, raw, err := r.read()
			if err != nil {
				return fmt.Errorf("%s: %w", r.name, err)
			}
			if l.Ready {
				break
			}
			if _, err := os.Stdout.Write(append(raw, '\n')); err != nil {
				return err
			}
			switch {
			case l.Skip != "" && l.Model != "":
				skip[l.Runtime+"/"+l.Group+"/"+l.Model] = true
			case l.Version != "":
				impls = append(impls, impl{r: r, runtime: l.Runtime, group: l.Group})
			}
		}
	}
	for round := range rounds {
		fmt.Fprintf(os.Stderr, "bench/compare.go: round %d of %d\n", round+1, rounds)
		for _, stem := range models.SchemaNames() {
			for _, kind := range []string{"valid", "invalid"} {
				var todo []impl
				for _, im := range impls {
					if !skip[im.runtime+"/"+im.group+"/"+stem] {
						todo = append(todo, im)
					}
				}
				ns := make([][]float64, len(todo))
				for rep := range reps {
					for k := range todo {
						i := (k + round + rep) % len(todo)
						v, err := todo[i].time(stem, kind, target)
						if err != nil {
							return err
						}
						ns[i] = append(ns[i], v)
					}
				}
				for i, im := range todo {
					err := out.Encode(struct {
						Runtime string    `json:"runtime"`
						Group   string    `json:"group,omitempty"`
						Model   string    `json:"model"`
						Payload string    `json:"payload"`
						NS      []float64 `json:"ns"`
					}{im.runtime, im.group, stem, kind, ns[i]})
					if err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func start(command string) (*runner, error) {
	args := strings.Fields(command)
	if len(args) == 0 {
		return nil, errors.New("an empty runner command")
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", command, err)
	}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	return &runner{name: command, cmd: cmd, in: in, out: sc}, nil
}

// read reads one line of the runner's output.
func (r *runner) read() (line, []byte, error) {
	if !r.out.Scan() {
		if err := r.out.Err(); err != nil {
			return line{}, nil, err
		}
		return line{}, nil, errors.New("the runner stopped (see its message above)")
	}
	raw := append([]byte(nil), r.out.Bytes()...)
	var l line
	if err := json.Unmarshal(raw, &l); err != nil {
		return line{}, nil, fmt.Errorf("%q: %w", raw, err)
	}
	return l, raw, nil
}

// time asks for one timed loop and returns the nanoseconds per call.
func (im impl) time(stem, kind string, target time.Duration) (float64, error) {
	c, err := json.Marshal(map[string]any{"runtime": im.runtime, "model": stem, "payload": kind, "target_ns": target.Nanoseconds()})
	if err != nil {
		return 0, err
	}
	if _, err := im.r.in.Write(append(c, '\n')); err != nil {
		return 0, fmt.Errorf("%s: %w", im.r.name, err)
	}
	l, _, err := im.r.read()
	switch {
	case err != nil:
		return 0, fmt.Errorf("%s: %s on %s.%s.json: %w", im.r.name, im.runtime, stem, kind, err)
	case l.Error != "":
		return 0, fmt.Errorf("%s: %s on %s.%s.json: %s", im.r.name, im.runtime, stem, kind, l.Error)
	case l.NS <= 0:
		return 0, fmt.Errorf("%s: %s on %s.%s.json: no time in the answer", im.r.name, im.runtime, stem, kind)
	}
	return l.NS, nil
}
