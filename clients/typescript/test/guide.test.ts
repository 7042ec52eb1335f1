// The TypeScript code of docs/CLIENTS.md: every line of its ts blocks about
// the package is a line of this file (tests/conformance_test.go checks),
// and npm test runs it.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseAsyncTaskResponse, type AsyncTaskResponse } from '@mcp-refcache/taskschema';

test('guide: parse a payload into its type', () => {
  const body = '{"ref_id": "job-1", "status": "processing", "started_at": "2025-01-15T10:30:00Z", "progress": {"percentage": 140}}';
  const res = parseAsyncTaskResponse(body);
  if (!res.ok) {
    for (const v of res.violations) console.log(`${v.instancePath} ${v.keyword}: ${v.message}`);
    // /progress/percentage maximum: must be at most 100, got 140
  }
  assert.ok(!res.ok);
  assert.deepEqual(res.violations, [{ instancePath: '/progress/percentage', keyword: 'maximum', message: 'must be at most 100, got 140' }]);
  const good = parseAsyncTaskResponse('{"ref_id": "job-1", "status": "complete", "started_at": "2025-01-15T10:30:00Z"}');
  assert.ok(good.ok);
  const resp: AsyncTaskResponse = good.value; // typed: status is "pending" | "processing" | ...
  assert.equal(resp.status, 'complete');
});
