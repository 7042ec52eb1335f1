// ext-tasks-check drives the fixture server (mcp/examples/conformance) over
// streamable HTTP at protocol 2026-07-28 as a client of the tasks extension,
// and judges every answer with the validators and capability helpers of the
// extension's own TypeScript package, @modelcontextprotocol/ext-tasks
// (core/v2). Its session API (client/) needs the MCP TypeScript SDK v2
// client, which this check does not use.
//
// Usage: node ext-tasks-check.mjs http://127.0.0.1:PORT/mcp
// Prints one line per check and "N passed, N failed"; exits 1 on a failure.
import {
  hasTaskServerCapabilityV2,
  isDetailedTaskV2,
  isToolCallTaskResultV2,
  isTaskStatusNotificationV2,
  readAcceptedTaskIdsV2,
  withTaskCapabilityV2,
  hasTaskClientCapabilityV2,
  TASKS_EXTENSION_ID_V2,
} from "@modelcontextprotocol/ext-tasks/core/v2";

const url = process.argv[2];
if (!url) {
  console.error("usage: node ext-tasks-check.mjs URL");
  process.exit(2);
}
const version = "2026-07-28";
let id = 0;
let passed = 0;
let failed = 0;

function check(name, ok, detail) {
  if (ok) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}: ${JSON.stringify(detail).slice(0, 800)}`);
  }
}

// frame adds the per-request _meta; withTaskCapabilityV2 (the package's
// helper) declares the extension in the client capabilities.
function frame(params, declare) {
  const base = {
    ...params,
    _meta: {
      "io.modelcontextprotocol/protocolVersion": version,
      "io.modelcontextprotocol/clientCapabilities": { elicitation: {} },
    },
  };
  return declare ? withTaskCapabilityV2(base) : base;
}

function parseBody(text) {
  const msgs = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith("data:")) {
      try {
        msgs.push(JSON.parse(line.slice(5).trim()));
      } catch {}
    }
  }
  if (msgs.length === 0 && text.trim().startsWith("{")) msgs.push(JSON.parse(text));
  return msgs;
}

async function post(method, params, declare = true) {
  const rid = ++id;
  const body = { jsonrpc: "2.0", id: rid, method, params: frame(params, declare) };
  const headers = {
    "Content-Type": "application/json",
    Accept: "application/json, text/event-stream",
    "MCP-Protocol-Version": version,
    "Mcp-Method": method,
  };
  const name = params.name ?? params.taskId;
  if (typeof name === "string") headers["Mcp-Name"] = name;
  const res = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
  const msgs = parseBody(await res.text());
  const reply = msgs.find((m) => m.id === rid);
  if (!reply) throw new Error(`${method}: no reply (HTTP ${res.status})`);
  return { reply, msgs, status: res.status };
}

async function result(method, params, declare = true) {
  const { reply } = await post(method, params, declare);
  if (reply.error) throw new Error(`${method}: error ${JSON.stringify(reply.error)}`);
  return reply.result;
}

async function pollUntil(taskId, statuses) {
  const deadline = Date.now() + 15000;
  for (;;) {
    const t = await result("tasks/get", { taskId });
    check(`tasks/get (${t.status}) is a DetailedTask`, isDetailedTaskV2(t), t);
    if (statuses.includes(t.status)) return t;
    if (Date.now() > deadline) throw new Error(`task ${taskId} stayed ${t.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

try {
  check("the client framing declares the extension", hasTaskClientCapabilityV2(frame({}, true)), frame({}, true));
  const discover = await result("server/discover", {}, false);
  check("server/discover advertises the extension", hasTaskServerCapabilityV2(discover.capabilities), discover.capabilities);

  const created = await result("tools/call", { name: "slow_compute", arguments: { seconds: 1, label: "ext-tasks" } });
  check("tools/call answers with a CreateTaskResult", isToolCallTaskResultV2("tools/call", created), created);
  const done = await pollUntil(created.taskId, ["completed", "failed", "cancelled"]);
  check("the task completes with its result inlined", done.status === "completed" && Array.isArray(done.result?.content), done);

  const asking = await result("tools/call", { name: "confirm_delete", arguments: { filename: "a.txt" } });
  check("confirm_delete answers with a CreateTaskResult", isToolCallTaskResultV2("tools/call", asking), asking);
  const waiting = await pollUntil(asking.taskId, ["input_required"]);
  const keys = Object.keys(waiting.inputRequests ?? {});
  check("input_required carries inputRequests", keys.length === 1, waiting);
  const ack = await result("tasks/update", {
    taskId: asking.taskId,
    inputResponses: { [keys[0]]: { action: "accept", content: { confirm: true } } },
  });
  check("tasks/update is an empty acknowledgement", ack.resultType === "complete" && !("taskId" in ack), ack);
  const confirmed = await pollUntil(asking.taskId, ["completed", "failed", "cancelled"]);
  check("the task resumes and completes", confirmed.status === "completed", confirmed);

  // Status notifications on subscriptions/listen.
  const watched = await result("tools/call", { name: "slow_compute", arguments: { seconds: 1, label: "watched" } });
  const listen = await post("subscriptions/listen", { notifications: { taskIds: [watched.taskId] } });
  const ackNote = listen.msgs.find((m) => m.method === "notifications/subscriptions/acknowledged");
  check("the listen acknowledgement accepts the task", readAcceptedTaskIdsV2(ackNote?.params).includes(watched.taskId), ackNote);
  const notes = listen.msgs.filter((m) => m.method === "notifications/tasks");
  check("notifications/tasks arrive", notes.length > 0, listen.msgs);
  for (const n of notes) check(`notifications/tasks (${n.params?.status}) is a TaskStatusNotification`, isTaskStatusNotificationV2(n), n);
  check("the last notification is the completed task", notes.at(-1)?.params?.status === "completed", notes.at(-1));
  check("extension id", TASKS_EXTENSION_ID_V2 === "io.modelcontextprotocol/tasks", TASKS_EXTENSION_ID_V2);
} catch (e) {
  failed++;
  console.log(`FAIL ${e.message}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
