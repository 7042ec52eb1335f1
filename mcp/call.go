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
// When ctx is cancelled while the task runs, CallTool cancels the task
// (the cancel tool, on a context of its own with a bounded wait) and returns
// ctx's error.
//
// A result is taken for the fallback answer only when it is not an error and
// its structuredContent is a valid AsyncTaskResponse (models.Unmarshal)
// whose status is pending or processing.
func CallTool(ctx context.Context, cs *mcp.ClientSession, params *mcp.CallToolParams, opts *CallOptions) (*mcp.CallToolResult, error) {
	o := opts.withDefaults()
	if o.Task != nil || o.Progress != nil && o.OnProgress != nil {
		p := *params
		p.Meta = mcp.Meta{}
		for k, v := range params.Meta {
			p.Meta[k] = v
		}
		if o.Task != nil {
			p.Meta[TaskMetaKey] = o.Task
		}
		if o.Progress != nil && o.OnProgress != nil {
			token, done := o.Progress.add(o.OnProgress)
			defer done()
			p.SetProgressToken(token)
		}
		params = &p
	}
	res, err := cs.CallTool(ctx, params)
	if err != nil {
		return nil, err
	}
	if raw, ok := res.Meta[TaskMetaKey]; ok && o.Task != nil {
		var task Task
		b, err := json.Marshal(raw)
		if err == nil {
			err = models.Unmarshal(b, &task)
		}
		if err != nil {
			return nil, fmt.Errorf("the CreateTaskResult of %s: %w", params.Name, err)
		}
		return WaitTask(ctx, cs, task, opts)
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
// tasks/cancel, which [WaitTask] needs. Call it once on the client before
// its sessions are used.
func RegisterTaskMethods(c *mcp.Client) error {
	return errors.Join(
		mcp.AddSendingCustomMethod[*TaskIDParams, *TaskResult](c, "tasks/get"),
		mcp.AddSendingCustomMethod[*TaskIDParams, *TaskResult](c, "tasks/cancel"),
		mcp.AddSendingCustomMethod[*TaskIDParams, *mcp.CallToolResult](c, "tasks/result"),
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
// too. The tasks extension of 2026-07-28 will be followed the same way,
// with its method names, once the server speaks it.
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
		wait = min(2*wait, o.MaxInterval)
		if task.PollInterval > 0 {
			wait = min(max(time.Duration(task.PollInterval)*time.Millisecond, o.MinInterval), o.MaxInterval)
		}
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
// _meta, are allowed and left out).
func (r *TaskResult) UnmarshalJSON(b []byte) error { return models.Unmarshal(b, &r.Task) }

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
