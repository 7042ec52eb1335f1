package mcptasks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/mcp-refcache/taskschema/tasks"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// ProgressMetaKey is the _meta key under which a working task of the
// extension carries the runtime's structured progress (a TaskProgress of
// schema/task_progress.schema.json): the extension has no progress of its
// own, and its statusMessage is the progress message.
const ProgressMetaKey = "io.github.mcp-refcache.taskschema/progress"

// ExtTask is a task of the tasks extension with what its status adds: the
// result of tasks/get (DetailedTask) and the params of notifications/tasks.
type ExtTask struct {
	TaskID        string
	Status        TaskStatus
	StatusMessage string
	CreatedAt     time.Time
	LastUpdatedAt time.Time
	// TTLMs is the retention in milliseconds from creation; nil is
	// without limit.
	TTLMs          *int64
	PollIntervalMs int64
	// Result is the request's result of a completed task.
	Result json.RawMessage
	// Error is the JSON-RPC error of a failed task.
	Error *jsonrpc.Error
	// InputRequests are the outstanding requests of an input_required
	// task, a JSON object keyed by the ids the server minted.
	InputRequests json.RawMessage
	// Progress is the runtime's progress of a working task, or nil.
	Progress *models.TaskProgress
}

type extErrorWire struct {
	Code    int64           `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

type extTaskWire struct {
	ResultType     string          `json:"resultType,omitempty"`
	TaskID         string          `json:"taskId"`
	Status         TaskStatus      `json:"status"`
	StatusMessage  string          `json:"statusMessage,omitempty"`
	CreatedAt      string          `json:"createdAt"`
	LastUpdatedAt  string          `json:"lastUpdatedAt"`
	TTLMs          *int64          `json:"ttlMs"`
	PollIntervalMs int64           `json:"pollIntervalMs"`
	Result         json.RawMessage `json:"result,omitempty"`
	Error          *extErrorWire   `json:"error,omitempty"`
	InputRequests  json.RawMessage `json:"inputRequests,omitempty"`
	Meta           map[string]any  `json:"_meta,omitempty"`
}

func wireTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

func (t ExtTask) wire(resultType string, detailed bool, meta map[string]any) extTaskWire {
	w := extTaskWire{ResultType: resultType, TaskID: t.TaskID, Status: t.Status, StatusMessage: t.StatusMessage,
		CreatedAt: wireTime(t.CreatedAt), LastUpdatedAt: wireTime(t.LastUpdatedAt), TTLMs: t.TTLMs, PollIntervalMs: t.PollIntervalMs}
	if detailed {
		w.Result, w.InputRequests = t.Result, t.InputRequests
		if t.Error != nil {
			w.Error = &extErrorWire{Code: t.Error.Code, Message: t.Error.Message, Data: t.Error.Data}
		}
		if t.Progress != nil && t.Status == StatusWorking {
			meta = withKey(meta, ProgressMetaKey, t.Progress)
		}
	}
	w.Meta = meta
	return w
}

func withKey(m map[string]any, k string, v any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for key, val := range m {
		out[key] = val
	}
	out[k] = v
	return out
}

// checkDetailed checks what the schema cannot say: result exactly when
// completed, error exactly when failed, a non-empty inputRequests object
// exactly when input_required.
func checkDetailed(w extTaskWire) error {
	if (w.Status == StatusCompleted) != (len(w.Result) > 0) {
		return fmt.Errorf("task %s is %s: result must be present exactly when completed", w.TaskID, w.Status)
	}
	if (w.Status == StatusFailed) != (w.Error != nil) {
		return fmt.Errorf("task %s is %s: error must be present exactly when failed", w.TaskID, w.Status)
	}
	if w.Status == StatusInputRequired {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(w.InputRequests, &m); err != nil || len(m) == 0 {
			return fmt.Errorf("task %s is input_required: inputRequests must be a non-empty object", w.TaskID)
		}
	} else if len(w.InputRequests) > 0 {
		return fmt.Errorf("task %s is %s: inputRequests must be absent", w.TaskID, w.Status)
	}
	return nil
}

// encodeDetailed writes a DetailedTask (with resultType when given) and
// checks it against schema/mcp_ext_detailed_task.schema.json and
// checkDetailed.
func encodeDetailed(t ExtTask, resultType string, meta map[string]any) ([]byte, error) {
	w := t.wire(resultType, true, meta)
	if err := checkDetailed(w); err != nil {
		return nil, err
	}
	return encodeChecked("mcp_ext_detailed_task", w)
}

func encodeChecked(schema string, v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	b := bytes.TrimRight(buf.Bytes(), "\n")
	if err := models.ValidateJSON(schema, b); err != nil {
		return nil, err
	}
	return b, nil
}

// extCreateTaskResult is the flat CreateTaskResult: the task's members at
// the top level, resultType task.
type extCreateTaskResult struct {
	mcp.ResultBase
	Task ExtTask
}

// MarshalJSON writes the result, checked against
// schema/mcp_ext_create_task_result.schema.json.
func (r *extCreateTaskResult) MarshalJSON() ([]byte, error) {
	return encodeChecked("mcp_ext_create_task_result", r.Task.wire("task", false, r.Meta))
}

// extGetTaskResult is the result of tasks/get: the DetailedTask with
// resultType complete.
type extGetTaskResult struct {
	mcp.ResultBase
	Task ExtTask
}

// MarshalJSON writes the result, checked against
// schema/mcp_ext_detailed_task.schema.json.
func (r *extGetTaskResult) MarshalJSON() ([]byte, error) {
	return encodeDetailed(r.Task, "complete", r.Meta)
}

// extAck is the empty acknowledgement of tasks/update and tasks/cancel.
type extAck struct {
	mcp.ResultBase
}

// MarshalJSON writes {"resultType":"complete"} (and _meta when set),
// checked against schema/mcp_ext_ack_result.schema.json.
func (r *extAck) MarshalJSON() ([]byte, error) {
	return encodeChecked("mcp_ext_ack_result", struct {
		ResultType string         `json:"resultType"`
		Meta       map[string]any `json:"_meta,omitempty"`
	}{"complete", r.Meta})
}

// inputRequiredResult is the InputRequiredResult of a multi round-trip
// request (SEP-2322) that a tool's [InputGate] asks for before the tool
// runs.
type inputRequiredResult struct {
	mcp.ResultBase
	Requests mcp.InputRequestMap
}

// MarshalJSON writes resultType input_required and the requests.
func (r *inputRequiredResult) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ResultType    string              `json:"resultType"`
		InputRequests mcp.InputRequestMap `json:"inputRequests"`
		Meta          map[string]any      `json:"_meta,omitempty"`
	}{"input_required", r.Requests, r.Meta})
}

// extTaskFromResponse is the task of a CreateTaskResult: just stored,
// working.
func (s *Server) extTaskFromResponse(r models.AsyncTaskResponse) ExtTask {
	t := ExtTask{TaskID: r.RefID, Status: StatusWorking, PollIntervalMs: *s.conv.PollInterval,
		CreatedAt: unixTime(unixSeconds(r.StartedAt))}
	t.LastUpdatedAt = t.CreatedAt
	t.TTLMs = s.extTTL(t.CreatedAt, time.Now())
	if r.Message != nil {
		t.StatusMessage = *r.Message
	}
	return t
}

// extTaskOf is the DetailedTask of a stored record.
func (s *Server) extTaskOf(rec tasks.Record) ExtTask {
	mt := FromTaskInfo(rec.Task, s.conv)
	t := ExtTask{TaskID: mt.TaskID, Status: mt.Status, StatusMessage: mt.StatusMessage, CreatedAt: mt.CreatedAt,
		LastUpdatedAt: mt.LastUpdatedAt, PollIntervalMs: mt.PollInterval}
	end := time.Now() // a running task: its retention is extended as it runs
	if Terminal(t.Status) {
		end = t.LastUpdatedAt // a finished one: kept TTL after it finished
	}
	t.TTLMs = s.extTTL(t.CreatedAt, end)
	if p := rec.Task.Progress; p != nil && t.Status == StatusWorking {
		t.Progress = p
	}
	switch t.Status {
	case StatusCompleted:
		t.Result = rec.Result
		if len(t.Result) == 0 || bytes.Equal(t.Result, []byte("null")) {
			t.Result = json.RawMessage(`{"content":[]}`)
		}
	case StatusFailed:
		msg := "the task failed"
		if rec.Task.Error != nil {
			msg = *rec.Task.Error
		}
		t.Error = &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: msg}
	}
	if reqs := pendingInput(rec); len(reqs) > 0 && t.Status == StatusWorking {
		t.Status = StatusInputRequired
		t.InputRequests = reqs
	}
	return t
}

// extToolResult is a tool's result answered by the middleware on revision
// 2026-07-28: go-sdk sets resultType only on results of its own tool
// handlers (server.go:2043, an unexported field of CallToolResult), so it
// is written here.
type extToolResult struct {
	*mcp.CallToolResult
}

// MarshalJSON writes the CallToolResult with resultType complete.
func (r extToolResult) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(r.CallToolResult)
	if err != nil {
		return nil, err
	}
	if len(b) < 2 || b[0] != '{' {
		return nil, fmt.Errorf("mcptasks: a CallToolResult encoded as %.20q", b)
	}
	out := append([]byte(`{"resultType":"complete"`), b[1:]...)
	if len(b) > 2 {
		out = append([]byte(`{"resultType":"complete",`), b[1:]...)
	}
	return out, nil
}

// extTTL is a task's ttlMs: how long from its creation it stays readable.
// The store keeps a finished task for Options.TTL after it finished and
// never removes a running one, so ttlMs is the time from creation to the
// end (when the task finished, or now while it runs) plus Options.TTL: a
// running task's ttlMs grows as it runs (the extension lets it change),
// and no TTL ends work that is still going on. nil (null) when the store
// keeps tasks without limit (a negative Options.TTL).
func (s *Server) extTTL(created, end time.Time) *int64 {
	if s.conv.TTL == nil {
		return nil
	}
	ms := *s.conv.TTL + max(end.Sub(created).Milliseconds(), 0)
	return &ms
}
