// callTool: a tool's final result through the official MCP client
// (@modelcontextprotocol/sdk), whether the server answered in time,
// answered with an AsyncTaskResponse after the tool's timeout (then the
// status tool is polled, paced by eta_seconds, and the result tool called),
// or, with options.task, created a task of the Tasks utility (2025-11-25:
// the SDK's callToolStream polls tasks/get and fetches tasks/result).
// Aborting options.signal cancels the task (cancel_task or tasks/cancel).
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, type CallToolRequest, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';

import type { AsyncTaskResponse, TaskProgress } from './types.gen.js';
import { validateAsyncTaskResponse } from './parsers.gen.js';

/** One progress report of a call that did not answer in time. */
export interface Update {
  /** The task's ref_id (fallback) or taskId (Tasks utility). */
  refId: string;
  /** The task's status as the server words it ("processing", "working", ...). */
  status: string;
  /** The task's progress, when the server reported one. */
  progress?: TaskProgress | null;
  /** The task's message or status message, when there is one. */
  message?: string | null;
}

/** Options of callTool; every one may be left out. */
export interface CallOptions {
  /**
   * Called with each polled status, in order, and with each progress
   * notification the server sends for the call (while it is open, and for a
   * task until it ends); a notification's update has refId and status "".
   */
  onProgress?: (u: Update) => void;
  /** Aborting it cancels the task and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Ask for a task of the Tasks utility (2025-11-25) with this ttl (ms). */
  task?: { ttl?: number };
  /** Bounds of the wait between polls of the fallback; defaults 50 and 5000 ms. */
  minIntervalMs?: number;
  maxIntervalMs?: number;
  /** The polling tools; defaults get_task_status, get_task_result, cancel_task. */
  statusTool?: string;
  resultTool?: string;
  cancelTool?: string;
}

/** The error of a task that failed or was cancelled on the server's side. */
export class TaskFailedError extends Error {
  constructor(
    readonly refId: string,
    readonly status: string,
    detail: string | null | undefined,
  ) {
    super(`task ${refId} did not complete: ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'TaskFailedError';
  }
}

/** The fallback answer in a tool result, if it is one: a valid AsyncTaskResponse still pending or processing. */
export function asyncResponse(res: CallToolResult): AsyncTaskResponse | undefined {
  if (res.isError || res.structuredContent === undefined) return undefined;
  const v = validateAsyncTaskResponse(res.structuredContent);
  if (!v.ok || (v.value.status !== 'pending' && v.value.status !== 'processing')) return undefined;
  return v.value;
}

// notified turns the SDK's progress notification into an Update.
function notified(options: CallOptions) {
  if (!options.onProgress) return undefined;
  return (p: { progress: number; total?: number; message?: string }) => {
    const whole = (n: number | undefined) => (n !== undefined && Number.isInteger(n) && n >= 0 ? n : null);
    const progress: TaskProgress = { current: whole(p.progress), total: whole(p.total), message: p.message ?? null, percentage: null };
    if (p.total !== undefined && p.total > 0) progress.percentage = Math.min(Math.max((100 * p.progress) / p.total, 0), 100);
    options.onProgress!({ refId: '', status: '', progress, message: p.message ?? null });
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** callTool calls a tool and resolves to its final result. */
export async function callTool(client: Client, params: CallToolRequest['params'], options: CallOptions = {}): Promise<CallToolResult> {
  if (options.task) return viaTask(client, params, options);
  const first = (await client.callTool(params, CallToolResultSchema, { signal: options.signal, onprogress: notified(options) })) as CallToolResult;
  let resp = asyncResponse(first);
  if (resp === undefined) return first;
  const o = {
    min: options.minIntervalMs ?? 50,
    max: options.maxIntervalMs ?? 5000,
    status: options.statusTool ?? 'get_task_status',
    result: options.resultTool ?? 'get_task_result',
    cancel: options.cancelTool ?? 'cancel_task',
  };
  const id = resp.ref_id;
  let wait = o.min;
  try {
    for (;;) {
      options.onProgress?.({ refId: id, status: resp.status, progress: resp.progress, message: resp.message });
      if (resp.status === 'complete') {
        return (await client.callTool({ name: o.result, arguments: { ref_id: id } }, CallToolResultSchema, { signal: options.signal })) as CallToolResult;
      }
      if (resp.status === 'failed' || resp.status === 'cancelled') throw new TaskFailedError(id, resp.status, resp.error);
      wait = Math.min(Math.max(resp.eta_seconds != null ? resp.eta_seconds * 1000 : 2 * wait, o.min), o.max);
      await sleep(wait, options.signal);
      const res = (await client.callTool({ name: o.status, arguments: { ref_id: id } }, CallToolResultSchema, { signal: options.signal })) as CallToolResult;
      const v = validateAsyncTaskResponse(res.structuredContent);
      if (res.isError || !v.ok) throw new Error(`${o.status} ${id}: ${JSON.stringify(res.isError ? res.content : v)}`);
      resp = v.value;
    }
  } catch (err) {
    if (options.signal?.aborted) await client.callTool({ name: o.cancel, arguments: { ref_id: id } }).catch(() => undefined);
    throw err;
  }
}

async function viaTask(client: Client, params: CallToolRequest['params'], options: CallOptions): Promise<CallToolResult> {
  let taskId: string | undefined;
  try {
    const stream = client.experimental.tasks.callToolStream(params, CallToolResultSchema, { task: options.task, signal: options.signal, onprogress: notified(options) });
    for await (const msg of stream) {
      if (msg.type === 'taskCreated') taskId = msg.task.taskId;
      if (msg.type === 'taskStatus') options.onProgress?.({ refId: msg.task.taskId, status: msg.task.status, message: msg.task.statusMessage });
      if (msg.type === 'error') throw msg.error;
      if (msg.type === 'result') return msg.result as CallToolResult;
    }
    throw new Error('the task stream ended without a result');
  } catch (err) {
    if (options.signal?.aborted && taskId !== undefined) await client.experimental.tasks.cancelTask(taskId).catch(() => undefined);
    if (options.signal?.aborted) throw options.signal.reason;
    throw err;
  }
}
