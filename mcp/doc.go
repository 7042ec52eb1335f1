// Package mcptasks serves the timeout fallback of package tasks and the
// Tasks of MCP protocol revision 2025-11-25 on a server of the official Go
// SDK (github.com/modelcontextprotocol/go-sdk v1.8.0), with every task in
// the task runtime's store: two replicas on one shared store (Redis, say)
// answer for each other's tasks.
//
// # Tools
//
// [AddTool] adds a typed tool that runs under the task runner:
//   - a call without params.task (any client) that finishes within the
//     tool's Timeout gets a normal CallToolResult; a later one gets the
//     task's AsyncTaskResponse as structuredContent, and the same run goes
//     on. The tool's output schema accepts either ([FallbackOutputSchema]).
//     The client polls with the tools get_task_status, get_task_result,
//     cancel_task and list_tasks;
//   - a task-augmented call (params.task, 2025-11-25) is answered at once
//     with a CreateTaskResult; the client polls with tasks/get, fetches
//     the result with tasks/result, and may call tasks/cancel and
//     tasks/list. The server sends notifications/tasks/status when a task
//     it runs completes or fails, and when it cancels one.
//
// While the client's request is open and it sent a progressToken, each
// [Progress.Report] also sends notifications/progress; after a
// CreateTaskResult the token stays valid until the task ends, after a
// fallback answer no more are sent.
//
// # Who may see a task
//
// A task belongs to its requestor: the user of the bearer token that
// go-sdk's auth.RequireBearerToken verified (TokenInfo.UserID), else the
// session. The requestor is stored with the task, so every replica
// applies the rule: tasks/get, tasks/result, tasks/cancel and the polling
// tools answer another requestor's task exactly as an unknown one, and
// tasks/list and list_tasks list the requestor's tasks only.
// Options.SharedTasks shares every task; Options.Requestor names
// requestors another way; the stores limit the tasks in flight per
// requestor (tasks.MemoryOptions and redisstore.Options
// MaxInFlightPerRequestor). [Server.HTTPHandler] refuses an Origin
// outside Options.AllowedOrigins with 403 and closes idle sessions;
// [StdioTransport] survives a malformed line. docs/SECURITY.md has the
// details.
//
// # What go-sdk v1.8.0 lacks, and how it is carried
//
// go-sdk v1.8.0 has no tasks. This package works around it without a fork
// (docs/MCP-DESIGN.md names the SDK's source lines):
//   - params.task of tools/call is dropped by go-sdk's decoder, so it is
//     moved into params._meta[TaskMetaKey] before go-sdk decodes the
//     request: by a connection wrapper ([Server.Connect], [Transport]) on
//     stdio and in-memory transports, by an http.Handler in front of the
//     streamable handler ([Server.HTTPHandler], [LiftTaskHandler]);
//   - a receiving middleware adds capabilities.tasks to the initialize
//     result and execution.taskSupport to tools/list (go-sdk's types have
//     neither), and answers task-augmented calls;
//   - tasks/* are custom methods (mcp.AddReceivingCustomMethod);
//   - notifications/tasks/status cannot be sent through a ServerSession,
//     so it is written on the wrapped connection, or injected into the
//     session's GET stream ([SSEInjector]).
//
// # Client
//
// [CallTool] calls a tool through go-sdk's ClientSession and returns the
// final result whether the server answered in time or with an
// AsyncTaskResponse (it polls get_task_status and fetches get_task_result,
// and calls cancel_task when the caller's context is cancelled), or, with
// CallOptions.Task on a session connected through [ClientTransport], created
// a task of 2025-11-25 ([WaitTask]: tasks/get, tasks/result, tasks/cancel).
//
// # Schemas and the status table
//
// [Task] is models.MCPTask, generated from schema/mcp_task.schema.json
// like the other models; a Task, a [CreateTaskResult] and a
// [ListTasksResult] are checked against their schemas whenever they are
// written. [FromTaskInfo] and [ToTaskInfo] convert between the runtime's
// TaskInfo and the MCP Task: pending and processing -> working; complete
// -> completed; failed -> failed; cancelled -> cancelled.
package mcptasks
