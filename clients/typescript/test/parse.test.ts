import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { parse, parseAsyncTaskResponse, parseTaskInfo, TaskStatusValues, validateTaskStatus, type TaskInfo } from '../src/index.js';

test('a valid payload gives its typed value', () => {
  const res = parseTaskInfo('{"ref_id": "r", "started_at": 1, "status": "processing"}');
  assert.ok(res.ok);
  const info: TaskInfo = res.value;
  assert.equal(info.status, 'processing');
});

test('violations have the Go library pointers, keywords and messages', () => {
  const res = parseTaskInfo('{"started_at": -1, "retry_count": "1", "status": "done", "error": 3}');
  assert.ok(!res.ok);
  assert.deepEqual(res.violations, [
    { instancePath: '/error', keyword: 'type', message: 'got number, want null or string' },
    { instancePath: '/ref_id', keyword: 'required', message: 'missing required property "ref_id"' },
    { instancePath: '/retry_count', keyword: 'type', message: 'got string, want integer' },
    { instancePath: '/started_at', keyword: 'minimum', message: 'must be at least 0, got -1' },
    { instancePath: '/status', keyword: 'enum', message: "value must be one of 'pending', 'processing', 'complete', 'failed', 'cancelled'" },
  ]);
});

test('a nullable object of the wrong type is one type violation, its members leaf violations', () => {
  const a = parseAsyncTaskResponse('{"ref_id": "r", "status": "pending", "started_at": "2025-01-15T10:30:00Z", "progress": "50%"}');
  assert.ok(!a.ok);
  assert.deepEqual(a.violations, [{ instancePath: '/progress', keyword: 'type', message: 'got string, want object or null' }]);
  const b = parseAsyncTaskResponse('{"ref_id": "r", "status": "pending", "started_at": "2025-01-15T10:30:00Z", "progress": {"percentage": 101}}');
  assert.ok(!b.ok);
  assert.deepEqual(b.violations.map((v) => [v.instancePath, v.keyword]), [['/progress/percentage', 'maximum']]);
});

test('a date-time that breaks format is reported for format only, a leap second for pattern', () => {
  const day32 = parse('async_task_response', '{"ref_id": "r", "status": "pending", "started_at": "2025-01-32T00:00:00Z"}');
  assert.ok(!day32.ok);
  assert.deepEqual(day32.violations.map((v) => v.keyword), ['format']);
  const leap = parse('async_task_response', '{"ref_id": "r", "status": "pending", "started_at": "2016-12-31T23:59:60Z"}');
  assert.ok(!leap.ok);
  assert.deepEqual(leap.violations.map((v) => v.keyword), ['pattern']);
});

test('bytes are strict UTF-8 and a byte order mark is refused', () => {
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('"pending"')]);
  const res = parse('task_status', bom);
  assert.ok(!res.ok);
  assert.equal(res.violations[0].keyword, 'json');
  const bad = parse('task_status', new Uint8Array([0x22, 0xff, 0x22]));
  assert.ok(!bad.ok);
  assert.equal(bad.violations[0].keyword, 'json');
});

test('validate checks parsed values; enum values are exported', () => {
  assert.deepEqual([...TaskStatusValues], ['pending', 'processing', 'complete', 'failed', 'cancelled']);
  assert.ok(validateTaskStatus('cancelled').ok);
  assert.ok(!validateTaskStatus(1).ok);
});

test('the package ships the schema files, and no schema is compiled at run time', () => {
  const url = new URL('../../schema/task_info.schema.json', import.meta.url);
  assert.equal(JSON.parse(readFileSync(url, 'utf8')).title, 'TaskInfo');
  const src = readFileSync(new URL('../src/validators.gen.js', import.meta.url), 'utf8');
  assert.ok(!/new Ajv|\.compile\(/.test(src), 'validators.gen.js is standalone code');
});

test('as the Go library, parse refuses duplicate keys and lone surrogates, at their pointers', () => {
  const dup = parse('task_info', '{"ref_id": "r", "started_at": 1, "retry_history": [{"attempt": 1, "error": "e", "timestamp": 1, "error": "f"}]}');
  assert.ok(!dup.ok);
  assert.deepEqual(dup.violations, [{ instancePath: '/retry_history/0/error', keyword: 'json', message: 'duplicate key "error" in an object' }]);
  const escapedDup = parse('task_info', '{"ref_id": "r", "started_at": 1, "r\\u0065f_id": "s"}');
  assert.ok(!escapedDup.ok);
  assert.equal(escapedDup.violations[0].instancePath, '/ref_id');
  const lone = parse('task_info', '{"ref_id": "a\\ud800", "started_at": 1}');
  assert.ok(!lone.ok);
  assert.deepEqual(lone.violations.map((v) => [v.instancePath, v.keyword]), [['/ref_id', 'json']]);
  const raw = parse('task_info', '{"ref_id": "a\ud800", "started_at": 1}');
  assert.ok(!raw.ok);
  assert.ok(parse('task_info', '{"ref_id": "\\ud83d\\udd11 \\"q\\" \\\\", "started_at": 1, "x": {"ref_id": 2}}').ok, 'a pair, escapes, the same key in another object');
});
