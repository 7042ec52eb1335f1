// Package proof holds the research programs for issue 10: small, tested
// demonstrations that go-sdk v1.8.0 can carry MCP Tasks (protocol revision
// 2025-11-25) without a fork. It is not the implementation. Its task table
// is a toy kept in one process's memory; the real server keeps tasks in the
// task runtime's store (issue 9). docs/MCP-DESIGN.md explains each
// mechanism and names the go-sdk source lines it relies on.
//
// The mechanisms, one file each:
//   - lift.go: go-sdk decodes tools/call params into CallToolParamsRaw,
//     which has no "task" field, so the "task" member would be dropped.
//     A connection wrapper (stdio, in-memory) and an HTTP body rewriter
//     (streamable HTTP) move params.task into params._meta[TaskMetaKey]
//     before go-sdk decodes the request.
//   - middleware.go: a receiving middleware adds capabilities.tasks to the
//     initialize result, execution.taskSupport to each tool of tools/list,
//     and answers a task-augmented tools/call with a CreateTaskResult.
//   - methods.go: tasks/get, tasks/result, tasks/list and tasks/cancel are
//     registered with mcp.AddReceivingCustomMethod.
//   - notify.go: notifications/tasks/status is written by the connection
//     wrapper (stdio, in-memory) or injected into the session's standalone
//     SSE stream (streamable HTTP), because go-sdk's ServerSession can only
//     send the notifications it knows.
package proof
