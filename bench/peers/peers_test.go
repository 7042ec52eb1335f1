package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const benchDir = "../../testdata/bench"

// TestBindings checks that there is a plain struct for every schema and that
// each has the shape of its model type.
func TestBindings(t *testing.T) {
	if _, err := orderedBindings(); err != nil {
		t.Fatal(err)
	}
}

// TestSameShapeCatchesDrift checks that sameShape sees a renamed tag, a
// changed type and a missing field.
func TestSameShapeCatchesDrift(t *testing.T) {
	type model struct {
		A *int      `json:"a"`
		T time.Time `json:"t"`
	}
	type renamed struct {
		A *int      `json:"b"`
		T time.Time `json:"t"`
	}
	type retyped struct {
		A *float64  `json:"a"`
		T time.Time `json:"t"`
	}
	type fewer struct {
		A *int `json:"a"`
	}
	type same struct {
		A *int      `json:"a"`
		T time.Time `json:"t"`
	}
	for name, err := range map[string]error{
		"renamed": sameShape("x", reflect.TypeFor[model](), reflect.TypeFor[renamed]()),
		"retyped": sameShape("x", reflect.TypeFor[model](), reflect.TypeFor[retyped]()),
		"fewer":   sameShape("x", reflect.TypeFor[model](), reflect.TypeFor[fewer]()),
	} {
		if err == nil {
			t.Errorf("%s: sameShape found no difference", name)
		}
	}
	if err := sameShape("x", reflect.TypeFor[model](), reflect.TypeFor[same]()); err != nil {
		t.Errorf("same: %v", err)
	}
}

// TestPayloads runs the checks that precede every timing: models.Unmarshal's
// verdicts, and every peer decoding the valid payloads to the same values.
func TestPayloads(t *testing.T) {
	binds, err := orderedBindings()
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := readManifest(filepath.Join(benchDir, "expected_invalid.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range binds {
		for _, kind := range []string{"valid", "invalid"} {
			data, err := os.ReadFile(filepath.Join(benchDir, b.stem+"."+kind+".json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := checkPayload(b, active(), data, kind == "valid", manifest[b.stem]); err != nil {
				t.Errorf("%s.%s.json: %v", b.stem, kind, err)
			}
		}
	}
}

// TestCheckPayloadCatchesDisagreement feeds checkPayload a peer that drops a
// value and one that fails.
func TestCheckPayloadCatchesDisagreement(t *testing.T) {
	binds, err := orderedBindings()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(benchDir, "task_progress.valid.json"))
	if err != nil {
		t.Fatal(err)
	}
	var progress binding
	for _, b := range binds {
		if b.stem == "task_progress" {
			progress = b
		}
	}
	dropper := decoder{name: "dropper", plain: true, unmarshal: func(data []byte, v any) error {
		if err := json.Unmarshal(data, v); err != nil {
			return err
		}
		v.(*plainTaskProgress).Total = nil
		return nil
	}}
	if err := checkPayload(progress, []decoder{dropper}, data, true, nil); err == nil {
		t.Error("a peer that drops total passed the check")
	}
	failer := decoder{name: "failer", plain: true, unmarshal: func([]byte, any) error { return os.ErrInvalid }}
	if err := checkPayload(progress, []decoder{failer}, data, true, nil); err == nil {
		t.Error("a peer that fails passed the check")
	}
}

// TestServe runs the runner protocol: the ready line after the checks, a
// time for a known decoder and payload, an error for an unknown one.
func TestServe(t *testing.T) {
	var setupOut strings.Builder
	jobs, err := setup(benchDir, &setupOut)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(setupOut.String(), `{"ready":true}`+"\n") {
		t.Fatalf("setup did not end with the ready line:\n%s", setupOut.String())
	}
	in := strings.NewReader(`{"runtime":"go","model":"task_info","payload":"invalid","target_ns":1000000}
{"runtime":"json","model":"task_status","payload":"valid","target_ns":1000000}
{"runtime":"nope","model":"task_info","payload":"valid","target_ns":1000000}
not json
`)
	var out strings.Builder
	if err := serve(jobs, in, &out); err != nil {
		t.Fatal(err)
	}
	var answers []answer
	dec := json.NewDecoder(strings.NewReader(out.String()))
	for dec.More() {
		var a answer
		if err := dec.Decode(&a); err != nil {
			t.Fatal(err)
		}
		answers = append(answers, a)
	}
	if len(answers) != 4 {
		t.Fatalf("got %d answers, want 4:\n%s", len(answers), out.String())
	}
	for i, a := range answers[:2] {
		if a.NS <= 0 || a.Error != "" {
			t.Errorf("answer %d: %+v, want a time", i, a)
		}
	}
	for i, a := range answers[2:] {
		if a.Error == "" {
			t.Errorf("answer %d: %+v, want an error", i+2, a)
		}
	}
}
