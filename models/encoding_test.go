package models_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcp-refcache/taskschema/models"
)

// corpusValid returns the valid payloads of the fixture corpus for a schema.
func corpusValid(t *testing.T, stem string) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "tests", stem, "valid", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no valid payloads for %s: %v", stem, err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = data
	}
	return out
}

// TestWriterMatchesEncodingJSON: on every valid payload of the corpus, the
// generated writer (through Marshal) writes exactly what encoding/json
// writes for the same values in the plain mirror types, HTML escaping off.
func TestWriterMatchesEncodingJSON(t *testing.T) {
	compared := 0
	defer func() {
		if compared < 100 {
			t.Errorf("only %d payloads compared", compared)
		}
	}()
	for _, c := range modelCases {
		for name, data := range corpusValid(t, c.name) {
			v, plain := c.model(), c.plain()
			if err := models.Unmarshal(data, v); err != nil {
				t.Fatalf("%s/%s: %v", c.name, name, err)
			}
			if err := json.Unmarshal(data, plain); err != nil {
				continue // a form encoding/json cannot read into the plain type (2.0 into an int)
			}
			got, err := models.Marshal(v)
			if err != nil {
				t.Fatalf("%s/%s: Marshal: %v", c.name, name, err)
			}
			// The plain type gets no defaults: compare with the values
			// Unmarshal gave, re-read through Marshal's output.
			if err := json.Unmarshal(got, plain); err != nil {
				t.Fatalf("%s/%s: encoding/json cannot read Marshal's output %s: %v", c.name, name, got, err)
			}
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(plain); err != nil {
				t.Fatal(err)
			}
			compared++
			if w := bytes.TrimSuffix(want.Bytes(), []byte("\n")); !bytes.Equal(got, w) {
				t.Errorf("%s/%s:\nMarshal:       %s\nencoding/json: %s", c.name, name, got, w)
			}
		}
	}
}

// Defect 1: Marshal escaped HTML, so a valid 300,028-byte ref_id of '<'
// came back as 1,800,128 bytes that Unmarshal refuses.
func TestMarshalDoesNotEscapeHTML(t *testing.T) {
	ref := strings.Repeat("<", 300_028)
	out, err := models.Marshal(models.NewTaskInfo(ref, 1))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte(`\u003c`)) || len(out) > 300_028+200 {
		t.Fatalf("Marshal escaped the ref_id: %d bytes", len(out))
	}
	var back models.TaskInfo
	if err := models.Unmarshal(out, &back); err != nil || back.RefID != ref {
		t.Fatalf("Unmarshal of Marshal's output: %v", err)
	}
	small, err := models.Marshal(models.NewTaskInfo("a<b>&c\u2028", 1))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(small, []byte(`"ref_id":"a<b>&c\u2028"`)) {
		t.Errorf("Marshal wrote %s", small)
	}
}

// Defect 1: a payload of exactly MaxBytes grows when its defaults are
// written out; Marshal refuses the encoding instead of writing what
// Unmarshal refuses.
func TestMarshalRefusesBeyondMaxBytes(t *testing.T) {
	head, tail := `{"ref_id":"`, `","started_at":1}`
	data := []byte(head + strings.Repeat("x", 1<<20-len(head)-len(tail)) + tail)
	if len(data) != 1<<20 {
		t.Fatalf("payload is %d bytes", len(data))
	}
	var v models.TaskInfo
	if err := models.Unmarshal(data, &v); err != nil {
		t.Fatalf("Unmarshal of a payload of exactly MaxBytes: %v", err)
	}
	out, err := models.Marshal(v)
	assertLimit(t, out, err)
	if _, err := json.Marshal(v); !errors.As(err, new(*models.ValidationError)) {
		t.Errorf("json.Marshal: got %v, want the *ValidationError of MarshalJSON", err)
	}
	// With a larger MaxBytes it is written, and reads back with it.
	big := models.DefaultLimits()
	big.MaxBytes = 2 << 20
	out, err = big.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Unmarshal(out, new(models.TaskInfo)); err != nil {
		t.Fatal(err)
	}
}

// Defect 1: Limits.Marshal refuses an encoding beyond its other limits.
func TestLimitsMarshal(t *testing.T) {
	task := models.NewTaskInfo("r", 1)
	task.RetryHistory = []models.RetryInfo{{Attempt: 1, Error: "e", Timestamp: 1.5e-7}}
	for name, l := range map[string]models.Limits{
		"MaxDepth 2":        {MaxDepth: 2},
		"MaxBytes 50":       {MaxBytes: 50},
		"MaxNumberLength 5": {MaxNumberLength: 5},
		"MaxExponent 5":     {MaxExponent: 5},
	} {
		t.Run(name, func(t *testing.T) {
			out, err := l.Marshal(task)
			assertLimit(t, out, err)
			if err := l.Unmarshal(mustMarshal(t, task), new(models.TaskInfo)); err == nil {
				t.Error("Unmarshal with the same limits accepts the encoding that Marshal refused")
			}
		})
	}
	if _, err := (models.Limits{MaxDepth: 3}).Marshal(task); err != nil {
		t.Errorf("MaxDepth 3: %v", err)
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	out, err := models.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func assertLimit(t *testing.T, out []byte, err error) {
	t.Helper()
	var ve *models.ValidationError
	if !errors.As(err, &ve) || len(ve.Violations) != 1 || ve.Violations[0].Keyword != models.KeywordLimit {
		t.Fatalf("got %d bytes and %v, want one violation with the keyword limit", len(out), err)
	}
	if out != nil {
		t.Errorf("Marshal returned %d bytes with its error", len(out))
	}
}

// Defect 2: integers are int64, so a value above 2^32 is kept on 32-bit
// platforms too (run: GOARCH=arm GOARM=7 go test -exec qemu-arm ./models/).
func TestIntegersAbove32Bits(t *testing.T) {
	var p models.TaskProgress
	if err := models.Unmarshal([]byte(`{"current":4294967296,"total":9007199254740991}`), &p); err != nil {
		t.Fatal(err)
	}
	if *p.Current != 4294967296 || *p.Total != 9007199254740991 {
		t.Fatalf("current %d, total %d", *p.Current, *p.Total)
	}
	out := mustMarshal(t, p)
	if !bytes.Contains(out, []byte(`"current":4294967296,"total":9007199254740991`)) {
		t.Errorf("Marshal wrote %s", out)
	}
	if err := models.Unmarshal([]byte(`{"current":9007199254740992}`), &p); err == nil {
		t.Error("2^53 accepted")
	}
}

// Defect 8: where encoding/json meets a model, the model's methods give the
// one verdict.
const bogusTask = `{"ref_id":"r","started_at":1,"RETRY_COUNT":-5,"status":"bogus"}`

func TestEncodingJSONEmbedded(t *testing.T) {
	// An embedded model promotes its methods: the outer struct reads and
	// writes as the model.
	var embedded struct{ models.TaskInfo }
	err := json.Unmarshal([]byte(bogusTask), &embedded)
	assertViolationAt(t, err, "/status")
	if err := json.Unmarshal([]byte(`{"ref_id":"r","started_at":1}`), &embedded); err != nil {
		t.Fatal(err)
	}
	if embedded.Status != models.TaskStatusPending || embedded.MaxRetries != 3 {
		t.Errorf("defaults not applied: %+v", embedded.TaskInfo)
	}
	out, err := json.Marshal(embedded)
	if err != nil || string(out) != string(mustMarshal(t, embedded.TaskInfo)) {
		t.Errorf("json.Marshal of the embedding struct: %s, %v", out, err)
	}
	embedded.RetryCount = -1
	_, err = json.Marshal(embedded)
	assertViolationAt(t, err, "/retry_count")
}

func TestEncodingJSONField(t *testing.T) {
	type envelope struct {
		Task   models.TaskInfo           `json:"task"`
		Resp   *models.AsyncTaskResponse `json:"resp"`
		Status models.TaskStatus         `json:"status"`
	}
	// Pointers are relative to the model value, not to the outer document.
	err := json.Unmarshal([]byte(`{"task":`+bogusTask+`}`), new(envelope))
	assertViolationAt(t, err, "/status")
	err = json.Unmarshal([]byte(`{"task":{"ref_id":"r","started_at":1},"status":"bogus"}`), new(envelope))
	assertViolationAt(t, err, "")
	err = json.Unmarshal([]byte(`{"task":{"ref_id":"r","started_at":1},"resp":{"ref_id":"r","status":"pending"}}`), new(envelope))
	assertViolationAt(t, err, "/started_at")

	var e envelope
	if err := json.Unmarshal([]byte(`{"task":{"ref_id":"r","started_at":1},"resp":null,"status":"failed"}`), &e); err != nil {
		t.Fatal(err)
	}
	if e.Task.MaxRetries != 3 || e.Status != models.TaskStatusFailed || e.Resp != nil {
		t.Errorf("decoded %+v", e)
	}
	out, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"task":` + string(mustMarshal(t, e.Task)) + `,"resp":null,"status":"failed"}`; string(out) != want {
		t.Errorf("json.Marshal:\n got %s\nwant %s", out, want)
	}
	e.Status = "bogus"
	_, err = json.Marshal(e)
	assertViolationAt(t, err, "")
}

func TestEncodingJSONSliceAndMap(t *testing.T) {
	for _, c := range modelCases {
		t.Run(c.name, func(t *testing.T) {
			valid := firstValid(t, c.name)
			// A slice and a map of the model type: the invalid second
			// value gives the model's *ValidationError.
			for _, doc := range []string{`[` + string(valid) + `,12]`, `{"a":` + string(valid) + `,"b":12}`} {
				err := json.Unmarshal([]byte(doc), sliceOrMap(t, c, doc))
				assertViolationAt(t, err, "")
			}
			for _, doc := range []string{`[` + string(valid) + `]`, `{"a":` + string(valid) + `}`} {
				target := sliceOrMap(t, c, doc)
				if err := json.Unmarshal([]byte(doc), target); err != nil {
					t.Fatalf("%s: %v", doc, err)
				}
				if _, err := json.Marshal(target); err != nil {
					t.Fatalf("json.Marshal: %v", err)
				}
			}
		})
	}
}

// sliceOrMap returns a pointer to a []T or map[string]T of the model type.
func sliceOrMap(t *testing.T, c modelCase, doc string) any {
	t.Helper()
	switch c.model().(type) {
	case *models.TaskStatus:
		return pick[models.TaskStatus](doc)
	case *models.TaskProgress:
		return pick[models.TaskProgress](doc)
	case *models.RetryInfo:
		return pick[models.RetryInfo](doc)
	case *models.TaskInfo:
		return pick[models.TaskInfo](doc)
	case *models.AsyncTaskResponse:
		return pick[models.AsyncTaskResponse](doc)
	case *models.AsyncTaskPage:
		return pick[models.AsyncTaskPage](doc)
	case *models.MCPTaskStatus:
		return pick[models.MCPTaskStatus](doc)
	case *models.MCPTask:
		return pick[models.MCPTask](doc)
	case *models.MCPCreateTaskResult:
		return pick[models.MCPCreateTaskResult](doc)
	case *models.MCPListTasksResult:
		return pick[models.MCPListTasksResult](doc)
	case *models.ResponseFormat:
		return pick[models.ResponseFormat](doc)
	case *models.ExpectedSchema:
		return pick[models.ExpectedSchema](doc)
	case *models.MinimalTaskResponse:
		return pick[models.MinimalTaskResponse](doc)
	case *models.StandardTaskResponse:
		return pick[models.StandardTaskResponse](doc)
	case *models.FullTaskResponse:
		return pick[models.FullTaskResponse](doc)
	case *models.MCPExtTaskStatus:
		return pick[models.MCPExtTaskStatus](doc)
	case *models.MCPExtResultTypeTask:
		return pick[models.MCPExtResultTypeTask](doc)
	case *models.MCPExtResultTypeComplete:
		return pick[models.MCPExtResultTypeComplete](doc)
	case *models.MCPExtTaskError:
		return pick[models.MCPExtTaskError](doc)
	case *models.MCPExtToolResult:
		return pick[models.MCPExtToolResult](doc)
	case *models.MCPExtCreateTaskResult:
		return pick[models.MCPExtCreateTaskResult](doc)
	case *models.MCPExtDetailedTask:
		return pick[models.MCPExtDetailedTask](doc)
	case *models.TaskInput:
		return pick[models.TaskInput](doc)
	case *models.MCPExtAckResult:
		return pick[models.MCPExtAckResult](doc)
	}
	t.Fatalf("sliceOrMap has no case for %s: add one", c.title)
	return nil
}

func pick[T any](doc string) any {
	if doc[0] == '[' {
		return new([]T)
	}
	return new(map[string]T)
}

func firstValid(t *testing.T, stem string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(benchDir, stem+".valid.json"))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSpace(data)
}

func assertViolationAt(t *testing.T, err error, pointer string) {
	t.Helper()
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want a *models.ValidationError", err)
	}
	for _, v := range ve.Violations {
		if v.InstancePath == pointer {
			return
		}
	}
	t.Errorf("no violation at %q: %v", pointer, ve)
}

// TestEncodingJSONNull: null for a pointer to a model is nil, as
// encoding/json always does; for a model value it is checked and refused.
func TestEncodingJSONNull(t *testing.T) {
	var withPointer struct {
		Task *models.TaskInfo `json:"task"`
	}
	if err := json.Unmarshal([]byte(`{"task":null}`), &withPointer); err != nil || withPointer.Task != nil {
		t.Errorf("null into *TaskInfo: %v, %v", err, withPointer.Task)
	}
	var withValue struct {
		Task   models.TaskInfo   `json:"task"`
		Status models.TaskStatus `json:"status"`
	}
	assertViolationAt(t, json.Unmarshal([]byte(`{"task":null}`), &withValue), "")
	assertViolationAt(t, json.Unmarshal([]byte(`{"status":null}`), &withValue), "")
}
