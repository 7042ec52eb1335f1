package mcptasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The client of the tasks extension (2026-07-28): [CallTool] declares the
// extension on its requests through the [ClientTransport] seam
// (clientlift.go), follows a CreateTaskResult with tasks/get, answers
// input_required with tasks/update and cancels with tasks/cancel.

// extOptInKey is the params._meta key with which CallTool asks
// ClientTransport to declare the tasks extension on one request; the
// transport removes it. Without a ClientTransport it reaches the server as
// an unknown _meta key, which changes nothing.
const extOptInKey = "io.github.mcp-refcache.taskschema/declare-tasks-extension"

// extTaskMetaKey is the _meta key under which ClientTransport hands a
// CreateTaskResult of the extension to CallTool inside a CallToolResult.
const extTaskMetaKey = "io.github.mcp-refcache.taskschema/ext-create-task-result"

// ErrInputRequired is wrapped by the error of a call whose task (or whose
// multi round-trip tools/call) asks for input while CallOptions.OnInput is
// not set; the task is cancelled.
var ErrInputRequired = errors.New("the server asks for input and CallOptions.OnInput is not set")

// InputFunc answers a server's input requests (elicitations, sampling),
// keyed as the server keyed them: [CallTool] calls it for an
// input_required task (and delivers the answers with tasks/update) and,
// when go-sdk's multi round-trip middleware is off, for a tools/call
// answered with an InputRequiredResult (and retries the call with them). It may answer some of the requests only; CallTool asks again
// for the others while the server still wants them. An error ends the call
// (and cancels the task).
type InputFunc func(ctx context.Context, requests mcp.InputRequestMap) (mcp.InputResponseMap, error)

// usesExt reports whether CallTool declares the extension on the session.
func (o CallOptions) usesExt(cs *mcp.ClientSession) bool {
	ir := cs.InitializeResult()
	return !o.NoExtension && ir != nil && ir.ProtocolVersion >= ExtProtocolVersion
}

// declareExt adds the tasks extension to the per-request client
// capabilities of params whose _meta has extOptInKey, and removes the key.
func declareExt(params json.RawMessage) (json.RawMessage, bool) {
	obj, meta := splitMeta(params)
	if meta[extOptInKey] == nil {
		return params, false
	}
	delete(meta, extOptInKey)
	if raw, ok := meta[mcp.MetaKeyClientCapabilities]; ok {
		var caps map[string]json.RawMessage
		if json.Unmarshal(raw, &caps) != nil || caps == nil {
			return params, false
		}
		exts := map[string]json.RawMessage{}
		if e, ok := caps["extensions"]; ok && string(e) != "null" && json.Unmarshal(e, &exts) != nil {
			return params, false
		}
		if _, ok := exts[ExtensionID]; !ok {
			exts[ExtensionID] = json.RawMessage(`{}`)
		}
		caps["extensions"], _ = json.Marshal(exts)
		meta[mcp.MetaKeyClientCapabilities], _ = json.Marshal(caps)
	}
	return joinMeta(obj, meta)
}

// extTaskAsToolResult rewrites the extension's CreateTaskResult into a
// CallToolResult whose _meta[extTaskMetaKey] is the CreateTaskResult.
func extTaskAsToolResult(result json.RawMessage) (json.RawMessage, bool) {
	var probe struct {
		ResultType string `json:"resultType"`
	}
	if json.Unmarshal(result, &probe) != nil || probe.ResultType != "task" {
		return result, false
	}
	out, err := json.Marshal(map[string]any{"content": []any{}, "_meta": map[string]json.RawMessage{extTaskMetaKey: result}})
	return out, err == nil
}

// extMeta is the _meta of a request on which CallTool declares the
// extension.
func extMeta(m mcp.Meta) mcp.Meta {
	out := mcp.Meta{}
	for k, v := range m {
		out[k] = v
	}
	out[extOptInKey] = true
	return out
}

// readExtTask reads a CreateTaskResult or a tasks/get result, checked
// against its schema (mcp_ext_create_task_result or mcp_ext_detailed_task)
// and, for a DetailedTask, result, error and inputRequests against its
// status.
func readExtTask(schema string, raw []byte) (extTaskWire, error) {
	var w extTaskWire
	if err := models.ValidateJSON(schema, raw); err != nil {
		return w, err
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return w, err
	}
	if schema == "mcp_ext_detailed_task" {
		return w, checkDetailed(w)
	}
	return w, nil
}

// extRaw is a result of the extension as the server wrote it.
type extRaw struct {
	mcp.ResultBase
	raw json.RawMessage
}

// UnmarshalJSON keeps the result.
func (r *extRaw) UnmarshalJSON(b []byte) error {
	r.raw = append(json.RawMessage(nil), b...)
	return nil
}

// callExt is the tools/call of a session on which the extension is
// declared: a multi round-trip answer (InputRequiredResult) is answered
// with OnInput and the call retried, a CreateTaskResult followed to the
// task's end.
func (o CallOptions) callExt(ctx context.Context, cs *mcp.ClientSession, params *mcp.CallToolParams) (*mcp.CallToolResult, bool, error) {
	p := *params
	for round := 0; ; round++ {
		res, err := cs.CallTool(ctx, &p)
		if err != nil {
			return nil, true, err
		}
		if res.NeedsInput() {
			if o.OnInput == nil {
				return nil, true, fmt.Errorf("%s: %w", p.Name, ErrInputRequired)
			}
			if round >= 16 {
				return nil, true, fmt.Errorf("%s: still asks for input after %d answers", p.Name, round)
			}
			answers, err := o.OnInput(ctx, res.InputRequests)
			if err != nil {
				return nil, true, fmt.Errorf("%s: OnInput: %w", p.Name, err)
			}
			p.InputResponses, p.RequestState = answers, res.RequestState
			continue
		}
		raw, ok := res.Meta[extTaskMetaKey]
		if !ok {
			return res, false, nil
		}
		b, err := json.Marshal(raw)
		if err != nil {
			return nil, true, err
		}
		created, err := readExtTask("mcp_ext_create_task_result", b)
		if err != nil {
			return nil, true, fmt.Errorf("the CreateTaskResult of %s: %w", p.Name, err)
		}
		res, err = o.followExt(ctx, cs, created)
		return res, true, err
	}
}

// followExt polls a task of the extension to its end with tasks/get, paced
// by its pollIntervalMs.
func (o CallOptions) followExt(ctx context.Context, cs *mcp.ClientSession, task extTaskWire) (*mcp.CallToolResult, error) {
	id := task.TaskID
	wait := o.MinInterval
	answered := map[string]bool{}
	for {
		o.reportExt(task)
		switch { // a CreateTaskResult has neither result, error nor inputRequests: it is polled
		case task.Status == StatusCompleted && len(task.Result) > 0:
			var res mcp.CallToolResult
			if err := json.Unmarshal(task.Result, &res); err != nil {
				return nil, fmt.Errorf("task %s: the result: %w", id, err)
			}
			return &res, nil
		case task.Status == StatusFailed && task.Error != nil:
			jerr := &jsonrpc.Error{Code: task.Error.Code, Message: task.Error.Message, Data: task.Error.Data}
			return nil, fmt.Errorf("task %s %w: failed: %w", id, ErrTaskFailed, jerr)
		case task.Status == StatusCancelled:
			return nil, fmt.Errorf("task %s %w: cancelled: %s", id, ErrTaskFailed, task.StatusMessage)
		case task.Status == StatusInputRequired && len(task.InputRequests) > 0:
			if err := o.answerExt(ctx, cs, task, answered); err != nil {
				return nil, o.cancelExt(ctx, cs, id, err, true)
			}
		}
		wait = o.nextTaskPoll(wait, task.PollIntervalMs)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, o.cancelExt(ctx, cs, id, ctx.Err(), false)
		case <-t.C:
		}
		got, err := mcp.CallCustomMethod[*TaskIDParams, *TaskResult](ctx, cs, "tasks/get", &TaskIDParams{ParamsBase: mcp.ParamsBase{Meta: extMeta(nil)}, TaskID: id})
		if err != nil {
			return nil, o.cancelExt(ctx, cs, id, err, false)
		}
		if got.ext == nil {
			return nil, fmt.Errorf("tasks/get %s: not a DetailedTask of the tasks extension (no resultType)", id)
		}
		if task, err = readExtTask("mcp_ext_detailed_task", got.ext); err != nil {
			return nil, fmt.Errorf("tasks/get %s: %w", id, err)
		}
		if task.TaskID != id {
			return nil, fmt.Errorf("tasks/get %s: answered with task %q", id, task.TaskID)
		}
	}
}

// answerExt asks OnInput for the task's outstanding input requests not yet
// answered and delivers the answers with tasks/update.
func (o CallOptions) answerExt(ctx context.Context, cs *mcp.ClientSession, task extTaskWire, answered map[string]bool) error {
	if o.OnInput == nil {
		return fmt.Errorf("task %s: %w", task.TaskID, ErrInputRequired)
	}
	var all mcp.InputRequestMap
	if err := json.Unmarshal(task.InputRequests, &all); err != nil {
		return fmt.Errorf("task %s: inputRequests: %w", task.TaskID, err)
	}
	open := mcp.InputRequestMap{}
	for k, r := range all {
		if !answered[k] {
			open[k] = r
		}
	}
	if len(open) == 0 {
		return nil // answered; the server has not resumed yet
	}
	answers, err := o.OnInput(ctx, open)
	if err != nil {
		return fmt.Errorf("task %s: OnInput: %w", task.TaskID, err)
	}
	params := &UpdateTaskParams{ParamsBase: mcp.ParamsBase{Meta: extMeta(nil)}, TaskID: task.TaskID, InputResponses: map[string]json.RawMessage{}}
	for k, a := range answers {
		if _, ok := open[k]; !ok {
			return fmt.Errorf("task %s: OnInput answered %q, which the server did not ask", task.TaskID, k)
		}
		b, err := json.Marshal(a)
		if err != nil {
			return fmt.Errorf("task %s: the answer to %q: %w", task.TaskID, k, err)
		}
		params.InputResponses[k] = b
	}
	if len(params.InputResponses) == 0 {
		return nil
	}
	ack, err := mcp.CallCustomMethod[*UpdateTaskParams, *extRaw](ctx, cs, "tasks/update", params)
	if err != nil {
		return fmt.Errorf("tasks/update %s: %w", task.TaskID, err)
	}
	if err := models.ValidateJSON("mcp_ext_ack_result", ack.raw); err != nil {
		return fmt.Errorf("tasks/update %s: %w", task.TaskID, err)
	}
	for k := range params.InputResponses {
		answered[k] = true
	}
	return nil
}

// reportExt passes a task's status to OnProgress: its statusMessage, and
// the TaskProgress under ProgressMetaKey when the server sent one.
func (o CallOptions) reportExt(task extTaskWire) {
	if o.OnProgress == nil {
		return
	}
	u := Update{RefID: task.TaskID, Status: string(task.Status), Message: task.StatusMessage}
	if raw, ok := task.Meta[ProgressMetaKey]; ok {
		var p models.TaskProgress
		if b, err := json.Marshal(raw); err == nil && models.Unmarshal(b, &p) == nil {
			u.Progress = &p
		}
	}
	o.OnProgress(u)
}

// cancelExt sends tasks/cancel when ctx is done (or always, with force),
// on a context of its own with a bounded wait, and returns err.
func (o CallOptions) cancelExt(ctx context.Context, cs *mcp.ClientSession, id string, err error, force bool) error {
	if ctx.Err() == nil && !force {
		return err
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	ack, cerr := mcp.CallCustomMethod[*TaskIDParams, *TaskResult](cctx, cs, "tasks/cancel", &TaskIDParams{ParamsBase: mcp.ParamsBase{Meta: extMeta(nil)}, TaskID: id})
	if cerr == nil && ack.ext != nil {
		cerr = models.ValidateJSON("mcp_ext_ack_result", ack.ext)
	}
	if cerr != nil {
		return errors.Join(err, fmt.Errorf("tasks/cancel %s: %w", id, cerr))
	}
	return err
}
