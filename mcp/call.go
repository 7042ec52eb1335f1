package mcptasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/mcp-refcache/taskschema/models"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// The client side: CallTool makes the timeout fallback transparent to a
// program that calls tools through go-sdk's ClientSession, and WaitTask does
// the same for a task of the Tasks utility (2025-11-25).

// CallOptions configure [CallTool] and [WaitTask]. The zero value works with
// the servers of this package.
type CallOptions struct {
	// OnProgress, when set, is called with the progress of each status the
	// call polls (an AsyncTaskResponse's progress, or a Task's status
	// message), in order, from the calling goroutine; and, with Progress,
	// with each progress notification, from go-sdk's goroutine (its Status
	// and RefID empty).
	OnProgress func(Update)
	// Progress, when set with OnProgress, routes the server's progress
	// notifications for this call to OnProgress (see [ProgressRouter]).
	Progress *ProgressRouter
	// MinInterval and MaxInterval bound the wait between two polls;
	// defaults 50ms and 5s. Without a hint the wait starts at MinInterval
	// and doubles; a hint (an AsyncTaskResponse's eta_seconds, a Task's
	// pollInterval) sets it, within the bounds.
	MinInterval, MaxInterval time.Duration
	// StatusTool, ResultTool and CancelTool name the polling tools;
	// defaults get_task_status, get_task_result and cancel_task.
	StatusTool, ResultTool, CancelTool string
	// Task, when set, asks for a task of the Tasks utility (2025-11-25):
	// the call is task-augmented with it as params.task. The session must
	// be connected through a [ClientTransport] and its client must have had
	// [RegisterTaskMethods]. A server that does not create the task (another
	// protocol version, or a tool whose taskSupport is forbidden, which is
	// an error) is handled as without it.
	Task *TaskMetadata
	// NoExtension, when set, keeps CallTool from declaring the tasks
	// extension (io.modelcontextprotocol/tasks) on a session that
	// negotiated 2026-07-28. By default CallTool declares it on its
	// tools/call (and on its tasks/get, tasks/update, tasks/cancel), so the
	// server may answer with a task of the extension, which CallTool
	// follows; the session must be connected through a [ClientTransport]
	// and its client must have had [RegisterTaskMethods] (without them the
	// declaration does not reach the server, which then answers as to a
	// client without tasks: the result, or the timeout fallback's task).
	NoExtension bool
	// OnInput, when set, answers the input requests of a task of the
	// extension that is input_required (delivered with tasks/update).
	// Without it such a call ends with an error wrapping
	// [ErrInputRequired], and the task is cancelled. The multi round-trip
	// phase of a tools/call (an InputRequiredResult, before any task) is
	// answered by go-sdk's own middleware with the client's handlers
	// (ClientOptions.ElicitationHandler, ...); only when a client turns it
	// off (ClientOptions.MultiRoundTrip.Disabled) does CallTool see it, and
	// then it answers with OnInput and retries the call (or, without
	// OnInput, returns an error wrapping ErrInputRequired).
	OnInput InputFunc
}

// Update is one progress report that [CallTool] or [WaitTask] passes to
// CallOptions.OnProgress.
type Update struct {
	// RefID is the task's ref_id (fallback) or taskId (Tasks utility).
	RefID string
	// Status is the task's status as the server words it ("processing",
	// "working", ...).
	Status string
	// Progress is the task's progress; nil when the server reported none.
	Progress *models.TaskProgress
	// Message is the task's message or status message; "" when none.
	Message string
}

// ErrTaskFailed is wrapped by the error of a task that failed or was
// cancelled on the server's side.
var ErrTaskFailed = errors.New("task did not complete")

func (o *CallOptions) withDefaults() CallOptions {
	var c CallOptions
	if o != nil {
		c = *o
	}
	if c.MinInterval <= 0 {
		c.MinInterval = 50 * time.Millisecond
	}
	if c.MaxInterval < c.MinInterval {
		c.MaxInterval = max(5*time.Second, c.MinInterval)
	}
	if c.StatusTool == "" {
		c.StatusTool = ToolGetTaskStatus
	}
	if c.ResultTool == "" {
		c.ResultTool = ToolGetTaskResult
	}
	if c.CancelTool == "" {
		c.CancelTool = ToolCancelTask
	}
	return c
}

// CallTool calls a tool and returns its final result, whether the server
// answered in time or answered with an AsyncTaskResponse after the tool's
// timeout (the fallback of [AddTool]): then it polls the status tool, paced
// by the response's eta_seconds (or a doubling wait without one), reports
// each status's progress to opts.OnProgress, and fetches the result with the
// result tool once the status is complete. A task that fails or is cancelled
// gives an error wrapping [ErrTaskFailed] with the task's error.
//
// With opts.Task, the call asks for a task of the Tasks utility; when the
// server creates one, CallTool follows it with [WaitTask].
//
// On a session that negotiated 2026-07-28, CallTool declares the tasks
// extension on the call (unless opts.NoExtension) and, when the server
// answers with a CreateTaskResult, polls tasks/get, paced by the task's
// pollIntervalMs, reporting each statusMessage (and the TaskProgress under
// [ProgressMetaKey]) to opts.OnProgress: a completed task gives its inlined
// result (isError as the server set it), a failed one an error wrapping
// [ErrTaskFailed] and the task's *jsonrpc.Error (its code and message), a
// cancelled one an error wrapping ErrTaskFailed. An input_required task is
// answered with opts.OnInput and tasks/update; without OnInput the task is
// cancelled and the error wraps [ErrInputRequired]. Every result of the
// extension is checked against its schema (schema/mcp_ext_*.schema.json).
//
// When ctx is cancelled while the task runs, CallTool cancels the task
// (the cancel tool, tasks/cancel for a task of either revision, on a
// context of its own with a bounded wait) and returns ctx's error.
//
// A result is taken for the fallback answer only when it is not an error and
// its structuredContent is a valid AsyncTaskResponse (models.Unmarshal)
// whose status is pending or processing.
func CallTool(ctx context.Context, cs *mcp.ClientSession, params *mcp.CallToolParams, opts *CallOptions) (*mcp.CallToolResult, error) {
	o := opts.withDefaults()
	ext := o.usesExt(cs)
	if ext || o.Task != nil || o.Progress != nil && o.OnProgress != nil {
		p := *params
		p.Meta = mcp.Meta{}
		for k, v := range params.Meta {
			p.Meta[k] = v
		}
		if o.Task != nil {
			p.Meta[TaskMetaKey] = o.Task
		}
		if ext {
			p.Meta[extOptInKey] = true
		}
		if o.Progress != nil && o.OnProgress != nil {
			token, done := o.Progress.add(o.OnProgress)
			defer done()
			p.SetProgressToken(token)
		}
		params = &p
	}
	if ext {
		res, done, err := o.callExt(ctx, cs, params)
		if done || err != nil {
			return res, err
		}
		return o.afterCall(ctx, cs, params, res)
	}
	res, err := cs.CallTool(ctx, params)
	if err != nil {
		return nil, err
	}
	return o.afterCall(ctx, cs, params, res)
}

// afterCall follows what a tools/call answered: a task of the Tasks
// utility, the fallback's AsyncTaskResponse, or the result itself.
func (o CallOptions) afterCall(ctx context.Context, cs *mcp.ClientSession, params *mcp.CallToolParams, res *mcp.CallToolResult) (*mcp.CallToolResult, error) {
	if raw, ok := res.Meta[TaskMetaKey]; ok && o.Task != nil {
		var task Task
		b, err := json.Marshal(raw)
		if err == nil {
			err = models.Unmarshal(b, &task)
		}
		if err != nil {
			return nil, fmt.Errorf("the CreateTaskResult of %s: %w", params.Name, err)
		}
		return WaitTask(ctx, cs, task, &o)
	}
	if o.Task != nil && res.Content == nil && res.StructuredContent == nil {
		return nil, fmt.Errorf("%s: the answer has no content: a CreateTaskResult read without mcptasks.ClientTransport?", params.Name)
	}
	resp, ok := asyncResponse(res)
	if !ok {
		return res, nil
	}
	return o.follow(ctx, cs, resp)
}

// asyncResponse reports whether a tool result is the fallback answer.
func asyncResponse(res *mcp.CallToolResult) (models.AsyncTaskResponse, bool) {
	var resp models.AsyncTaskResponse
	if res == nil || res.IsError || res.StructuredContent == nil {
		return resp, false
	}
	raw, err := json.Marshal(res.StructuredContent)
	if err != nil || models.Unmarshal(raw, &resp) != nil {
		return resp, false
	}
	switch resp.Status {
	case models.TaskStatusPending, models.TaskStatusProcessing:
		return resp, true
	}
	return resp, false
}

// follow polls a fallback task to its end.
func (o CallOptions) follow(ctx context.Context, cs *mcp.ClientSession, resp models.AsyncTaskResponse) (*mcp.CallToolResult, error) {
	id := resp.RefID
	wait := o.MinInterval
	for {
		o.report(resp)
		switch resp.Status {
		case models.TaskStatusComplete:
			res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: o.ResultTool, Arguments: map[string]any{"ref_id": id}})
			if err != nil {
				return nil, o.cancelled(ctx, cs, id, err)
			}
			return res, nil
		case models.TaskStatusFailed, models.TaskStatusCancelled:
			msg := string(resp.Status)
			if resp.Error != nil {
				msg += ": " + *resp.Error
			}
			return nil, fmt.Errorf("task %s %w: %s", id, ErrTaskFailed, msg)
		}
		wait = o.next(wait, resp.EtaSeconds)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, o.cancelled(ctx, cs, id, ctx.Err())
		case <-t.C:
		}
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: o.StatusTool, Arguments: map[string]any{"ref_id": id}})
		if err != nil {
			return nil, o.cancelled(ctx, cs, id, err)
		}
		if res.IsError {
			return nil, fmt.Errorf("%s %s: %s", o.StatusTool, id, resultText(res))
		}
		raw, err := json.Marshal(res.StructuredContent)
		if err != nil {
			return nil, err
		}
		if err := models.Unmarshal(raw, &resp); err != nil {
			return nil, fmt.Errorf("%s %s: %w", o.StatusTool, id, err)
		}
	}
}

// next is the wait before the next poll: the ETA when the server gives one,
// else twice the last wait, within the bounds.
func (o CallOptions) next(last time.Duration, eta *float64) time.Duration {
	w := 2 * last
	if eta != nil {
		w = time.Duration(*eta * float64(time.Second))
	}
	return min(max(w, o.MinInterval), o.MaxInterval)
}

// nextTaskPoll is the wait before the next look at a task: the interval
// its server suggests in milliseconds (0 for none), else twice the last
// wait, within the bounds.
func (o CallOptions) nextTaskPoll(last time.Duration, suggestedMs int64) time.Duration {
	if suggestedMs > 0 {
		return min(max(time.Duration(suggestedMs)*time.Millisecond, o.MinInterval), o.MaxInterval)
	}
	return min(2*last, o.MaxInterval)
}

func (o CallOptions) report(resp models.AsyncTaskResponse) {
	if o.OnProgress == nil {
		return
	}
	u := Update{RefID: resp.RefID, Status: string(resp.Status), Progress: resp.Progress}
	if resp.Message != nil {
		u.Message = *resp.Message
	}
	o.OnProgress(u)
}

// cancelled cancels the task when ctx is done, and returns err.
func (o CallOptions) cancelled(ctx context.Context, cs *mcp.ClientSession, id string, err error) error {
	if ctx.Err() == nil {
		return err
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, cerr := cs.CallTool(cctx, &mcp.CallToolParams{Name: o.CancelTool, Arguments: map[string]any{"ref_id": id}}); cerr != nil {
		return errors.Join(err, fmt.Errorf("%s %s: %w", o.CancelTool, id, cerr))
	}
	return err
}

func resultText(res *mcp.CallToolResult) string {
	for _, c := range res.Content {
		if t, ok := c.(*mcp.TextContent); ok {
			return t.Text
		}
	}
	return "error without text"
}

// The Tasks utility (2025-11-25) through go-sdk's custom methods: go-sdk
// v1.8.0 has none of tasks/*, so they are sent with mcp.CallCustomMethod
// (go-sdk mcp/client.go, AddSendingCustomMethod and CallCustomMethod).

// RegisterTaskMethods lets a go-sdk client send tasks/get, tasks/result and
// tasks/cancel, which [WaitTask] needs, and tasks/update, which [CallTool]
// needs for the tasks extension (tasks/get and tasks/cancel serve both
// revisions). Call it once on the client before
// its sessions are used.
func RegisterTaskMethods(c *mcp.Client) error {
	return errors.Join(
		mcp.AddSendingCustomMethod[*TaskIDParams, *TaskResult](c, "tasks/get"),
		mcp.AddSendingCustomMethod[*TaskIDParams, *TaskResult](c, "tasks/cancel"),
		mcp.AddSendingCustomMethod[*TaskIDParams, *mcp.CallToolResult](c, "tasks/result"),
		mcp.AddSendingCustomMethod[*UpdateTaskParams, *extRaw](c, "tasks/update"),
	)
}

// WaitTask follows a task of the Tasks utility that a task-augmented call
// created (its CreateTaskResult's task): it polls tasks/get, paced by the
// task's pollInterval, reports each status to opts.OnProgress, and returns
// the result of tasks/result once the task completed (a failed tool's
// result too, with isError). A cancelled task, or one that failed without a
// result, gives an error wrapping [ErrTaskFailed]. When ctx is cancelled it
// sends tasks/cancel and returns ctx's error. The client must have had
// [RegisterTaskMethods].
//
// [CallTool] with CallOptions.Task creates the task and calls WaitTask; a
// task created otherwise (another SDK, a raw request) can be handed to it
// too. A task of the tasks extension (2026-07-28) is followed by CallTool.
func WaitTask(ctx context.Context, cs *mcp.ClientSession, task Task, opts *CallOptions) (*mcp.CallToolResult, error) {
	o := opts.withDefaults()
	wait := o.MinInterval
	for {
		if o.OnProgress != nil {
			o.OnProgress(Update{RefID: task.TaskID, Status: string(task.Status), Message: task.StatusMessage})
		}
		switch task.Status {
		case StatusCompleted, StatusFailed:
			res, err := mcp.CallCustomMethod[*TaskIDParams, *mcp.CallToolResult](ctx, cs, "tasks/result", &TaskIDParams{TaskID: task.TaskID})
			if err != nil {
				return nil, o.cancelTask(ctx, cs, task.TaskID, err)
			}
			return res, nil
		case StatusCancelled:
			return nil, fmt.Errorf("task %s %w: cancelled: %s", task.TaskID, ErrTaskFailed, task.StatusMessage)
		}
		wait = o.nextTaskPoll(wait, task.PollInterval)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, o.cancelTask(ctx, cs, task.TaskID, ctx.Err())
		case <-t.C:
		}
		got, err := mcp.CallCustomMethod[*TaskIDParams, *TaskResult](ctx, cs, "tasks/get", &TaskIDParams{TaskID: task.TaskID})
		if err != nil {
			return nil, o.cancelTask(ctx, cs, task.TaskID, err)
		}
		task = got.Task
	}
}

// UnmarshalJSON reads the Task's members at the top level of the result,
// checked against schema/mcp_task.schema.json (other members, such as
// _meta, are allowed and left out). A result of the tasks extension
// (2026-07-28: it has a resultType) is kept as it came, for [CallTool],
// which checks it against the extension's schemas; its Task stays empty.
func (r *TaskResult) UnmarshalJSON(b []byte) error {
	var probe struct {
		ResultType *string `json:"resultType"`
	}
	if json.Unmarshal(b, &probe) == nil && probe.ResultType != nil {
		r.ext = append(json.RawMessage(nil), b...)
		return nil
	}
	return models.Unmarshal(b, &r.Task)
}

func (o CallOptions) cancelTask(ctx context.Context, cs *mcp.ClientSession, id string, err error) error {
	if ctx.Err() == nil {
		return err
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, cerr := mcp.CallCustomMethod[*TaskIDParams, *TaskResult](cctx, cs, "tasks/cancel", &TaskIDParams{TaskID: id}); cerr != nil {
		return errors.Join(err, fmt.Errorf("tasks/cancel %s: %w", id, cerr))
	}
	return err
}
