package mcptasks

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestFallbackOutputSchema compiles the fallback output schema with the
// reference validator and checks it accepts both answers of the tool and
// rejects what is neither.
func TestFallbackOutputSchema(t *testing.T) {
	s, err := FallbackOutputSchema(map[string]any{"type": "object", "properties": map[string]any{"answer": map[string]any{"type": "integer"}, "took_ms": map[string]any{"type": "integer"}}, "required": []any{"answer", "took_ms"}})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(s)
	if strings.Contains(string(raw), `"$id"`) || strings.Contains(string(raw), ".schema.json") {
		t.Fatalf("nested $id or file reference left: %s", raw)
	}
	var defs []string
	for k := range s["$defs"].(map[string]any) {
		defs = append(defs, k)
	}
	slices.Sort(defs)
	if want := []string{"AsyncTaskResponse", "TaskProgress", "TaskStatus"}; !slices.Equal(defs, want) {
		t.Errorf("$defs %v, want %v", defs, want)
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("out.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("out.json")
	if err != nil {
		t.Fatal(err)
	}
	async, err := models.Marshal(models.NewAsyncTaskResponse("r1", models.TaskStatusProcessing, mustTime(t)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{string(async), true},
		{`{"answer": 1, "took_ms": 2}`, true},
		{`{"answer": "x", "took_ms": 2}`, false},
		{`{"ref_id": "r1", "status": "nope", "started_at": "2025-11-25T10:30:00Z"}`, false},
		{`{"ref_id": "r1", "status": "processing", "started_at": "yesterday"}`, false},
	} {
		v, _ := jsonschema.UnmarshalJSON(strings.NewReader(tc.in))
		if got := sch.Validate(v) == nil; got != tc.want {
			t.Errorf("%s: valid=%v, want %v", tc.in, got, tc.want)
		}
	}
}

func mustTime(t *testing.T) (tm time.Time) {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, "2025-11-25T10:30:00Z")
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// TestPollingOutputSchemas compiles the output schemas of the polling tools
// with the reference validator and checks them on what the tools write.
func TestPollingOutputSchemas(t *testing.T) {
	async, err := models.Marshal(models.NewAsyncTaskResponse("r1", models.TaskStatusProcessing, mustTime(t)))
	if err != nil {
		t.Fatal(err)
	}
	page, err := models.Marshal(models.AsyncTaskPage{Tasks: []models.AsyncTaskResponse{models.NewAsyncTaskResponse("r1", models.TaskStatusComplete, mustTime(t))}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		schema func() (map[string]any, error)
		good   string
		bad    string
	}{
		{"async", AsyncOutputSchema, string(async), `{"ref_id": "r1", "status": "done", "started_at": "2025-11-25T10:30:00Z"}`},
		{"list", ListOutputSchema, string(page), `{"tasks": [{"ref_id": "r1"}]}`},
	} {
		s, err := tc.schema()
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(s)
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
		if err != nil {
			t.Fatal(err)
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		if err := c.AddResource(tc.name+".json", doc); err != nil {
			t.Fatal(err)
		}
		sch, err := c.Compile(tc.name + ".json")
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		good, _ := jsonschema.UnmarshalJSON(strings.NewReader(tc.good))
		bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(tc.bad))
		if err := sch.Validate(good); err != nil {
			t.Errorf("%s rejects %s: %v", tc.name, tc.good, err)
		}
		if sch.Validate(bad) == nil {
			t.Errorf("%s accepts %s", tc.name, tc.bad)
		}
	}
}
