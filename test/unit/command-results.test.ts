// backend/gateway/command-results.ts: what an agent may report as a result
//, per command kind.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MAX_RESULT_BYTES, boundedMessage, boundedPercent, checkResult } from '../../backend/gateway/command-results';

const service = { name: 'fence', from: 'quay.io/cdis/fence:2026.07', to: 'quay.io/cdis/fence:2026.09', state: 'done', updated: 3, ready: 3, desired: 3, message: '' };

it('keeps JSON objects, and for a deploy its per-service progress', () => {
  assert.deepEqual(checkResult('restart', '{"deployment":"fence-deployment"}'), { ok: true, json: '{"deployment":"fence-deployment"}' });
  assert.equal(checkResult('deploy', JSON.stringify({ revision: 2, release: '2026.09', services: [service], unchanged: [] })).ok, true);
});

it('refuses what a later read could not use, saying why', () => {
  const why = (kind: string, json: string) => {
    const r = checkResult(kind, json);
    return r.ok ? 'accepted' : r.why;
  };
  assert.equal(why('restart', '{not json'), 'result_json is not JSON');
  assert.equal(why('restart', 'null'), 'result_json is not a JSON object');
  assert.equal(why('restart', '[1]'), 'result_json is not a JSON object');
  assert.equal(why('deploy', 'null'), 'result_json is not a JSON object');
  assert.match(why('deploy', '{"revision":2}'), /^result_json of a deploy command: services: /);
  assert.match(why('deploy', JSON.stringify({ services: [{ ...service, state: 'exploded' }] })), /^result_json of a deploy command: services\.0\.state: /);
  assert.match(why('deploy', JSON.stringify({ services: [{ ...service, ready: -1 }] })), /services\.0\.ready/);
  assert.equal(why('restart', JSON.stringify({ pad: 'x'.repeat(MAX_RESULT_BYTES) })), `result_json is larger than ${MAX_RESULT_BYTES} bytes`);
});

it('bounds progress messages and percentages', () => {
  assert.equal(boundedMessage('a\r\nb'), 'a b');
  assert.equal(boundedMessage('x'.repeat(5000)).length, 2000);
  assert.deepEqual([-5, 50.4, 1e9, Number.NaN].map(boundedPercent), [0, 50, 100, 0]);
});
