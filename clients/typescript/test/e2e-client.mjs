// End-to-end run of callTool (dist/src/client.js) against the example MCP
// server over streamable HTTP: node test/e2e-client.mjs <url>. Run by
// mcp/call_test.go (TestTypeScriptCallTool) after `npm ci && npm run build`
// here. Every check prints {"check": name, "ok": bool, ...}; exit status 1
// when one failed.
import assert from 'node:assert/strict';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { callTool, TaskFailedError } from '../dist/src/client.js';

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

const client = new Client({ name: 'taskschema-callTool-e2e', version: '0.0.0' });
await client.connect(new StreamableHTTPClientTransport(new URL(process.argv[2])));

await check('in_time', async () => {
  const updates = [];
  const res = await callTool(client, { name: 'fast', arguments: { text: 'hi' } }, { onProgress: (u) => updates.push(u) });
  assert.equal(res.structuredContent.echo, 'hi');
  assert.equal(updates.length, 0);
});

await check('fallback', async () => {
  const direct = await client.callTool({ name: 'slow', arguments: { ms: 600 } });
  assert.ok(direct.structuredContent.ref_id, 'the direct call is the fallback answer');
  const updates = [];
  const res = await callTool(client, { name: 'slow', arguments: { ms: 600 } }, { onProgress: (u) => updates.push(u) });
  assert.equal(res.structuredContent.steps, 4);
  assert.equal(updates[0].status, 'processing');
  assert.equal(updates.at(-1).status, 'complete');
  assert.ok(updates.some((u) => (u.progress?.current ?? 0) > 0), 'progress reported');
  return { updates: updates.length };
});

await check('failed', async () => {
  await assert.rejects(callTool(client, { name: 'slow', arguments: { ms: 300, fail: 'boom' } }), (err) => err instanceof TaskFailedError && /boom/.test(err.message));
});

await check('cancel', async () => {
  const ac = new AbortController();
  let refId;
  await assert.rejects(callTool(client, { name: 'slow', arguments: { ms: 60000 } }, {
    signal: ac.signal,
    onProgress: (u) => { refId ??= u.refId; ac.abort(new Error('stop')); },
  }), /stop/);
  const status = await client.callTool({ name: 'get_task_status', arguments: { ref_id: refId } });
  assert.equal(status.structuredContent.status, 'cancelled');
});

await check('task', async () => {
  const updates = [];
  const res = await callTool(client, { name: 'slow', arguments: { ms: 300 } }, { task: { ttl: 60000 }, onProgress: (u) => updates.push(u) });
  assert.equal(res.structuredContent.steps, 4);
  assert.ok(updates.some((u) => u.status === 'working'), 'polled tasks/get');
  assert.ok(updates.some((u) => u.status === '' && u.progress?.total === 4 && u.progress.current > 0), 'progress notifications of the task');
});

await check('task_cancel', async () => {
  const ac = new AbortController();
  const updates = [];
  await assert.rejects(callTool(client, { name: 'slow', arguments: { ms: 60000 } }, {
    task: { ttl: 60000 },
    signal: ac.signal,
    onProgress: (u) => { updates.push(u); ac.abort(new Error('stop')); },
  }), /stop/);
  const task = await client.experimental.tasks.getTask(updates[0].refId);
  assert.equal(task.status, 'cancelled');
});

await client.close();
process.exit(failed ? 1 : 0);
