// End-to-end client for the taskschema MCP server, built on the official
// TypeScript SDK (@modelcontextprotocol/sdk, pinned by package-lock.json).
//
//   node client.mjs <url> [scenario ...]
//
// Scenarios (default: all):
//   fast      tools/call of a tool that answers in time            -> callTool
//   task      task-augmented tools/call (params.task = {ttl}),
//             then tasks/get polling and tasks/result               -> experimental.tasks.callToolStream
//             + progress notifications after the CreateTaskResult  -> options.onprogress
//             + notifications/tasks/status on the GET stream       -> setNotificationHandler
//   result    tasks/result called while the task still works       -> experimental.tasks.getTaskResult
//   cancel    tasks/cancel, then -32602 for the terminal task       -> experimental.tasks.cancelTask
//   list      tasks/list with paging                                -> experimental.tasks.listTasks
//   fallback  a slow tool answers with the AsyncTaskResponse as
//             structuredContent; the polling tools (status, list,
//             result) reach the result                            -> callTool + outputSchema (ajv)
//   progress  progress notifications of a call without a task arrive
//             while it is open, and none after its fallback answer -> callTool + onprogress
//   cancel_tool  cancel_task of a fallback task                     -> callTool
//
// The server is the example server (mcp/internal/demo): "fast" answers at
// once, "slow" runs {ms} milliseconds in four progress steps and falls back
// after its timeout (the Go test sets 200ms). Tool names can be changed
// through the environment: E2E_FAST_TOOL (fast), E2E_SLOW_TOOL (slow),
// E2E_FALLBACK_TOOL (slow), E2E_STATUS_TOOL (get_task_status),
// E2E_RESULT_TOOL (get_task_result), E2E_CANCEL_TOOL (cancel_task),
// E2E_LIST_TOOL (list_tasks).
//
// A client error (the SDK's onerror, such as a progress notification for a
// request already answered) fails the run.
//
// Every check prints one JSON line {"check": ..., "ok": true|false, ...};
// the exit status is 1 when one check failed. Loops are bounded.
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  ErrorCode,
  McpError,
  TaskStatusNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';

const RELATED_TASK = 'io.modelcontextprotocol/related-task';
const env = (k, d) => process.env[k] ?? d;
const FAST = env('E2E_FAST_TOOL', 'fast');
const SLOW = env('E2E_SLOW_TOOL', 'slow');
const FALLBACK = env('E2E_FALLBACK_TOOL', 'slow');
const STATUS = env('E2E_STATUS_TOOL', 'get_task_status');
const RESULT = env('E2E_RESULT_TOOL', 'get_task_result');
const CANCEL = env('E2E_CANCEL_TOOL', 'cancel_task');
const LIST = env('E2E_LIST_TOOL', 'list_tasks');

let failed = 0;
async function check(name, fn) {
  try {
    const detail = await fn();
    console.log(JSON.stringify({ check: name, ok: true, ...(detail ?? {}) }));
  } catch (err) {
    failed++;
    console.log(JSON.stringify({ check: name, ok: false, error: String(err?.stack ?? err) }));
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond, what, ms = 5000) {
  for (let waited = 0; waited < ms; waited += 20) {
    if (cond()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

// createTask sends a task-augmented tools/call and returns the Task.
async function createTask(client, name, args) {
  const res = await client.request(
    { method: 'tools/call', params: { name, arguments: args } },
    CreateTaskResultSchema,
    { task: { ttl: 60000 } },
  );
  return res.task;
}

const scenarios = {
  async fast(client) {
    const res = await client.callTool({ name: FAST, arguments: {} });
    assert.equal(res.isError ?? false, false);
    assert.ok(res.content.length > 0, 'content');
    return { content: res.content };
  },

  async task(client, seen) {
    const progress = [];
    const kinds = [];
    let result;
    let taskId;
    const stream = client.experimental.tasks.callToolStream(
      { name: SLOW, arguments: { ms: 400 } },
      CallToolResultSchema,
      { task: { ttl: 60000 }, onprogress: (p) => progress.push(p) },
    );
    for await (const msg of stream) {
      kinds.push(msg.type);
      if (msg.type === 'taskCreated') taskId = msg.task.taskId;
      if (msg.type === 'error') throw msg.error;
      if (msg.type === 'result') result = msg.result;
    }
    assert.equal(kinds[0], 'taskCreated');
    assert.ok(kinds.includes('taskStatus'), 'polled tasks/get');
    assert.equal(kinds.at(-1), 'result');
    assert.equal(result._meta?.[RELATED_TASK]?.taskId, taskId, 'related-task _meta');
    await waitFor(() => progress.length > 0, 'progress notifications');
    await waitFor(() => seen.status.some((t) => t.taskId === taskId && t.status === 'completed'),
      'notifications/tasks/status completed');
    const task = await client.experimental.tasks.getTask(taskId);
    assert.equal(task.status, 'completed');
    return { taskId, kinds, progress: progress.length };
  },

  async result(client) {
    const task = await createTask(client, SLOW, { ms: 300 });
    assert.equal(task.status, 'working');
    const res = await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    assert.equal(res._meta?.[RELATED_TASK]?.taskId, task.taskId);
    const after = await client.experimental.tasks.getTask(task.taskId);
    assert.equal(after.status, 'completed', 'tasks/result returned only when terminal');
    return { taskId: task.taskId };
  },

  async cancel(client) {
    const task = await createTask(client, SLOW, { ms: 10000 });
    const cancelled = await client.experimental.tasks.cancelTask(task.taskId);
    assert.equal(cancelled.status, 'cancelled');
    await assert.rejects(client.experimental.tasks.cancelTask(task.taskId),
      (err) => err instanceof McpError && err.code === ErrorCode.InvalidParams);
    await assert.rejects(client.experimental.tasks.getTask('no-such-task'),
      (err) => err instanceof McpError && err.code === ErrorCode.InvalidParams);
    return { taskId: task.taskId };
  },

  async list(client) {
    const ids = new Set();
    for (let i = 0; i < 3; i++) ids.add((await createTask(client, SLOW, { ms: 0 })).taskId);
    const listed = new Set();
    let cursor;
    for (let page = 0; page < 100; page++) {
      const res = await client.experimental.tasks.listTasks(cursor);
      res.tasks.forEach((t) => listed.add(t.taskId));
      cursor = res.nextCursor;
      if (!cursor) break;
    }
    for (const id of ids) assert.ok(listed.has(id), `tasks/list has ${id}`);
    return { listed: listed.size };
  },

  // The timeout fallback: the tool's outputSchema accepts the normal result
  // or an AsyncTaskResponse, and the SDK validates structuredContent against
  // it with ajv (client/index.js callTool) before we see it.
  async fallback(client) {
    const { tools } = await client.listTools();
    const schema = tools.find((t) => t.name === FALLBACK)?.outputSchema;
    assert.ok(schema?.anyOf?.length === 2, 'outputSchema: anyOf of the result and AsyncTaskResponse');
    // callTool validates structuredContent against that schema (ajv) and
    // throws when it does not match, so reaching the asserts means it did.
    const first = await client.callTool({ name: FALLBACK, arguments: { ms: 600 } });
    const ref = first.structuredContent?.ref_id;
    assert.ok(ref, 'AsyncTaskResponse.ref_id');
    assert.ok(['pending', 'processing'].includes(first.structuredContent.status), 'not yet complete');
    let status;
    for (let i = 0; i < 200; i++) {
      status = (await client.callTool({ name: STATUS, arguments: { ref_id: ref } })).structuredContent;
      if (status.status === 'complete' || status.status === 'failed') break;
      await sleep(50);
    }
    assert.equal(status.status, 'complete');
    const listed = await client.callTool({ name: LIST, arguments: { status: 'complete' } });
    assert.ok(listed.structuredContent.tasks.some((t) => t.ref_id === ref), 'list_tasks has the task');
    const res = await client.callTool({ name: RESULT, arguments: { ref_id: ref } });
    assert.equal(res.isError ?? false, false);
    assert.ok(res.structuredContent && res.structuredContent.ref_id === undefined, 'the tool result itself');
    const fast = await client.callTool({ name: FALLBACK, arguments: { ms: 0 } });
    assert.equal(fast.structuredContent?.ref_id, undefined, 'in time: the tool result itself');
    return { ref_id: ref, result: res.structuredContent, inTime: fast.structuredContent };
  },

  async progress(client, seen) {
    const progress = [];
    const errorsBefore = seen.errors.length;
    // 300ms in four steps against a 200ms timeout: steps 1 and 2 (75ms,
    // 150ms) report while the call is open, steps 3 and 4 after its answer.
    const first = await client.callTool({ name: FALLBACK, arguments: { ms: 300 } }, undefined,
      { onprogress: (p) => progress.push(p) });
    const ref = first.structuredContent?.ref_id;
    assert.ok(ref, 'fallback answer');
    assert.ok(progress.length >= 1, `progress while the call was open (got ${progress.length})`);
    const atAnswer = progress.length;
    for (let i = 0; i < 200; i++) {
      const st = (await client.callTool({ name: STATUS, arguments: { ref_id: ref } })).structuredContent;
      if (st.status === 'complete') break;
      await sleep(50);
    }
    assert.equal(progress.length, atAnswer, 'no progress after the fallback answer');
    assert.equal(seen.errors.length, errorsBefore, `client errors: ${seen.errors.slice(errorsBefore)}`);
    return { progress: progress.map((p) => [p.progress, p.total, p.message]) };
  },

  async cancel_tool(client) {
    const first = await client.callTool({ name: FALLBACK, arguments: { ms: 10000 } });
    const ref = first.structuredContent?.ref_id;
    assert.ok(ref, 'fallback answer');
    const res = await client.callTool({ name: CANCEL, arguments: { ref_id: ref } });
    assert.equal(res.structuredContent?.status, 'cancelled');
    const again = await client.callTool({ name: CANCEL, arguments: { ref_id: ref } });
    assert.equal(again.isError, true, 'a second cancel is a tool error');
    const task = await client.experimental.tasks.getTask(ref);
    assert.equal(task.status, 'cancelled', 'the same task through tasks/get');
    return { ref_id: ref };
  },
};

async function main() {
  const [url, ...names] = process.argv.slice(2);
  if (!url) {
    console.error('usage: node client.mjs <url> [scenario ...]');
    process.exit(2);
  }
  const seen = { status: [], errors: [] };
  const client = new Client({ name: 'taskschema-e2e', version: '0.0.0' }, { capabilities: {} });
  client.setNotificationHandler(TaskStatusNotificationSchema, (n) => { seen.status.push(n.params); });
  client.onerror = (err) => {
    seen.errors.push(String(err));
    console.log(JSON.stringify({ clientError: String(err) }));
  };
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  await check('capabilities.tasks', async () => {
    const caps = client.getServerCapabilities();
    assert.ok(caps?.tasks?.requests?.tools?.call, 'tasks.requests.tools.call');
    assert.ok(caps.tasks.list && caps.tasks.cancel, 'tasks.list and tasks.cancel');
  });
  await check('tools/list execution.taskSupport', async () => {
    const { tools } = await client.listTools(); // also caches taskSupport and output validators
    const slow = tools.find((t) => t.name === SLOW);
    assert.ok(['optional', 'required'].includes(slow?.execution?.taskSupport), 'slow tool supports tasks');
    return { tools: tools.map((t) => [t.name, t.execution?.taskSupport ?? null]) };
  });
  for (const name of names.length ? names : Object.keys(scenarios)) {
    const fn = scenarios[name];
    if (!fn) throw new Error(`unknown scenario ${name}`);
    await check(name, () => fn(client, seen));
  }
  await check('no client errors', async () => {
    assert.deepEqual(seen.errors, []);
  });
  await client.close();
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
