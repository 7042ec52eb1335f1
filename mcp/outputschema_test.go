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
