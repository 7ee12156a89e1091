// backend/http/refusal-audit.ts AnonymousRefusals: per minute, the first
// ANONYMOUS_PER_MINUTE unauthenticated refusals are written one by one and the
// rest counted into one row when the next minute begins.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Request } from 'express';
import { ANONYMOUS_PER_MINUTE, AnonymousRefusals } from '../../backend/http/refusal-audit';
import type { Store } from '../../backend/store/store';

it('writes the minute\'s first refusals, then one summary row for the rest', async () => {
  const rows: { action: string; detail_json: string }[] = [];
  const store = { appendAudit: async (r: { action: string; detail_json: string }) => void rows.push(r) } as unknown as Store;
  let now = 1_000_000;
  const refusals = new AnonymousRefusals(store, () => now);
  const req = { method: 'POST', originalUrl: `/api/v1/commons/${'x'.repeat(1000)}?a=b`, ip: '10.0.0.9' } as unknown as Request;
  for (let i = 0; i < 500; i++) await refusals.record(req, 'missing bearer token');
  assert.equal(rows.length, ANONYMOUS_PER_MINUTE);
  assert.ok(rows.every((r) => r.action.length === 'POST '.length + 200 + 1));
  now += 60_000;
  await refusals.record(req, 'missing bearer token');
  assert.equal(rows.length, ANONYMOUS_PER_MINUTE + 2);
  assert.equal(rows[ANONYMOUS_PER_MINUTE].action, 'unauthenticated requests');
  assert.match(rows[ANONYMOUS_PER_MINUTE].detail_json, new RegExp(`"${500 - ANONYMOUS_PER_MINUTE} more unauthenticated changes refused in one minute`));
});
