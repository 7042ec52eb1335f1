package models

import (
	"bytes"
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	"github.com/mcp-refcache/taskschema/internal/jsonread"
)

func TestParseInteger(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"-0", 0, true}, {"2.0", 2, true}, {"1e2", 100, true}, {"1E+2", 100, true},
		{"200e-2", 2, true}, {"0.5e1", 5, true}, {"-3.00e0", -3, true}, {"0e999999999999999999999", 0, true},
		{"0.0e-500", 0, true}, {"9007199254740991", 9007199254740991, true}, {"9.007199254740991e15", 9007199254740991, true},
		{"9223372036854775807", 9223372036854775807, true}, {"-9223372036854775808", -9223372036854775808, true},
		{"9223372036854775808", 0, false}, {"1e19", 0, false}, {"1e18", 1e18, true}, {"2.5", 0, false},
		{"1e-1", 0, false}, {"1e999999999999999999999", 0, false}, {"1e-999999999999999999999", 0, false},
		{"1" + strings.Repeat("0", 401) + "e-401", 1, true},
	}
	for _, tc := range tests {
		got, err := parseInteger(json.Number(tc.in))
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("parseInteger(%s) = %d, %v; want %d, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestToAsyncTaskResponseCopiesPointers(t *testing.T) {
	task := NewTaskInfo("r", 1000)
	task.Status = TaskStatusFailed
	p := NewTaskProgress(1, 2)
	task.Progress = &p
	msg, e := "m", "boom"
	task.Progress.Message = &msg
	task.Error = &e
	resp := task.ToAsyncTaskResponse(ResponseOptions{})
	*resp.Progress.Current = 99
	*resp.Progress.Message = "changed"
	*resp.Error = "changed"
	if *task.Progress.Current != 1 || *task.Progress.Message != "m" || *task.Error != "boom" {
		t.Fatalf("changing the response changed the task: %+v %q", *task.Progress, *task.Error)
	}
}

// integral decides, without allocating, what parseInteger and big.Rat
// decide: whether a number token has an integer value.
func TestIntegral(t *testing.T) {
	for _, tok := range []string{"0", "-0", "0.0", "0e-5", "2", "2.0", "2.5", "-2.50", "1e2", "150e-1", "155e-1", "1.5e1",
		"1.25e1", "0.001e3", "0.0015e3", "100e-2", "1000e-2", "1e-400", "12345678901234567890", "1.0000000000000000001",
		"9007199254740993.0", "5E+0", "5.1E+1", "7e-0"} {
		r, ok := new(big.Rat).SetString(tok)
		if !ok {
			t.Fatalf("big.Rat cannot read %s", tok)
		}
		if got := integral([]byte(tok)); got != r.IsInt() {
			t.Errorf("integral(%s) = %v, want %v", tok, got, r.IsInt())
		}
	}
}

// readRaw keeps a value of any type as json.Compact writes it, whether it
// has white space to drop or not.
func TestReadRawCompacts(t *testing.T) {
	for _, raw := range []string{`1`, `"a b"`, `{"a":[1,2,{"b":"\" x"}]}`, `{"a": 1}`, `[1 ,2]`, `"\\"`, `["\\", 1]`,
		`["\\" ,1]`, `{"k":"\u0020"}`, "[\n1]", "[1,\r\n2]"} {
		var buf bytes.Buffer
		if err := json.Compact(&buf, []byte(raw)); err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		var r jsonread.Reader
		r.Reset([]byte(raw), jsonread.Limits{})
		var got json.RawMessage
		if !readRaw(&r, &got, &report{}) || !r.Finish() {
			t.Fatalf("readRaw(%s): %v", raw, r.Err())
		}
		if string(got) != buf.String() {
			t.Errorf("readRaw(%s) = %s, want %s", raw, got, buf.String())
		}
	}
}
