package models_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/mcp-refcache/taskschema/models"
)

// FuzzEncodingJSON checks that the one verdict holds inside encoding/json:
// a payload decoded as a field of a struct by json.Unmarshal is accepted
// exactly when models.Unmarshal accepts it, into the same value, with the
// same violations; and json.Marshal of that struct writes the field as
// models.Marshal writes the value.
func FuzzEncodingJSON(f *testing.F) {
	for _, stem := range []string{"task_info", "async_task_response"} {
		for _, kind := range []string{"valid", "invalid"} {
			files, _ := filepath.Glob(filepath.Join("..", "tests", stem, kind, "*.json"))
			for i, file := range files {
				if i%4 != 0 {
					continue
				}
				if data, err := os.ReadFile(file); err == nil {
					f.Add(data)
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		fuzzEncodingJSON[models.TaskInfo](t, payload)
		fuzzEncodingJSON[models.AsyncTaskResponse](t, payload)
	})
}

func fuzzEncodingJSON[T any](t *testing.T, payload []byte) {
	var direct T
	directErr := models.Unmarshal(payload, &direct)
	if json.Valid(payload) {
		// encoding/json passes UnmarshalJSON the value without the
		// whitespace around it, and messages count bytes from there.
		direct = *new(T)
		directErr = models.Unmarshal(bytes.Trim(payload, " \t\r\n"), &direct)
	}
	if !json.Valid(payload) {
		// Not one JSON value: wrapped, it could read as more keys.
		if directErr == nil {
			t.Fatalf("models.Unmarshal accepts %q, which encoding/json finds invalid", payload)
		}
		return
	}
	var wrapped struct {
		Model T `json:"model"`
	}
	doc := append(append([]byte(`{"model":`), payload...), '}')
	wrappedErr := json.Unmarshal(doc, &wrapped)
	var syntax *json.SyntaxError
	if errors.As(wrappedErr, &syntax) {
		// encoding/json refused the document before calling UnmarshalJSON
		// (the payload is not one JSON value): models must refuse it too.
		if directErr == nil {
			t.Fatalf("encoding/json: %v; models.Unmarshal accepts %q", wrappedErr, payload)
		}
		return
	}
	if (directErr == nil) != (wrappedErr == nil) {
		t.Fatalf("models.Unmarshal: %v\njson.Unmarshal: %v\npayload: %q", directErr, wrappedErr, payload)
	}
	if directErr != nil {
		var a, b *models.ValidationError
		if errors.As(directErr, &a) && errors.As(wrappedErr, &b) && !reflect.DeepEqual(a, b) {
			t.Fatalf("violations differ:\nmodels: %v\njson:   %v", a, b)
		}
		return
	}
	if !reflect.DeepEqual(direct, wrapped.Model) {
		t.Fatalf("values differ:\nmodels: %+v\njson:   %+v", direct, wrapped.Model)
	}
	want, err := models.Marshal(direct)
	if err != nil {
		if errors.As(err, new(*models.ValidationError)) {
			return // beyond a limit once the defaults are written out
		}
		t.Fatal(err)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(wrapped); err != nil {
		t.Fatalf("json.Marshal of an accepted value: %v", err)
	}
	if got := out.String(); got != `{"model":`+string(want)+"}\n" {
		t.Fatalf("json.Marshal wrote %s, models.Marshal %s", got, want)
	}
}
