// What the control service makes of an agent's answers (backend/inspect/):
// bounded at the gateway, cut into NOTIFY-sized pieces for another replica
// and put back together, and shown merged, sorted and summed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHUNK_LINES_MAX, LINE_TEXT_MAX, checkChunk, checkInspectResult } from '../../backend/inspect/agent-answers';
import { PART_BYTES, PartsAssembler, splitParts } from '../../backend/inspect/parts';
import { mergeByTime, resourcesView } from '../../backend/inspect/views';
import { ClusterMessage } from '../../backend/cluster/cluster';

describe('agent answers at the gateway', () => {
  it('drops impossible lines, cuts text, and keeps at most CHUNK_LINES_MAX lines a chunk', () => {
    const ok = { pod: 'fence-6d9f-abcde', container: 'fence', time_ms: Date.now(), text: 'fine' };
    const lines = [ok, { ...ok, pod: 'Bad Pod' }, { ...ok, container: 'a/b' }, { ...ok, time_ms: 5 }, { ...ok, time_ms: Date.now() + 7 * 86_400_000 }, { ...ok, text: 'x'.repeat(100_000) }, { ...ok, time_ms: 0 }];
    const { chunk, dropped } = checkChunk({ id: 'r', lines, pods: ['fence-6d9f-abcde', '../x'], done: false, error: '', truncated: false });
    assert.equal(dropped, 4);
    assert.equal(chunk.lines.length, 3);
    assert.ok(chunk.lines[1].text.length <= LINE_TEXT_MAX + 1);
    assert.deepEqual(chunk.pods, ['fence-6d9f-abcde']);
    assert.equal(chunk.truncated, true);
    const many = checkChunk({ id: 'r', lines: Array.from({ length: CHUNK_LINES_MAX + 5 }, () => ok), pods: [], done: true, error: '', truncated: false });
    assert.equal(many.chunk.lines.length, CHUNK_LINES_MAX);
    assert.equal(many.dropped, 5);
  });

  it('bounds events and resources', () => {
    const ev = { type: 'Warning', reason: 'BackOff', message: 'm'.repeat(10_000), object_kind: 'Pod', object_name: 'fence-a', service: 'Not A Service', count: -3, first_time: 'yesterday', last_time: '2026-01-01T00:00:00Z', source: 'kubelet' };
    const { result, dropped } = checkInspectResult({ id: 'r', error: '', events: { items: [ev, { ...ev, type: 'Critical' }] } });
    assert.equal(dropped, 1);
    const e = result.events!.items[0];
    assert.equal(e.service, '');
    assert.equal(e.count, 0);
    assert.equal(e.first_time, '');
    assert.ok(e.message.length <= 2001);
    const pods = checkInspectResult({ id: 'r', error: '', resources: { available: true, detail: '', pods: [{ pod: 'p', service: 's', cpu_cores: Infinity, memory_bytes: -1, cpu_request_cores: NaN, cpu_limit_cores: 1e9, memory_request_bytes: 1, memory_limit_bytes: 1 }] } });
    assert.deepEqual(pods.result.resources!.pods[0], { pod: 'p', service: 's', cpu_cores: 0, memory_bytes: 0, cpu_request_cores: 0, cpu_limit_cores: 1e6, memory_request_bytes: 1, memory_limit_bytes: 1 });
  });
});

describe('answers between replicas', () => {
  it('splits into NOTIFY-sized pieces that parse as cluster messages and reassemble exactly', () => {
    const value = { t: 'chunk', chunk: { lines: Array.from({ length: 50 }, (_, i) => ({ text: `${i} ${'é"\\😀'.repeat(400)}` })) } };
    const parts = splitParts(value);
    assert.ok(parts.length > 1);
    const a = new PartsAssembler();
    let out: unknown;
    parts.forEach((data, seq) => {
      const msg = { kind: 'inspect-part', to: 'replica-a', id: 'r1', seq, last: seq === parts.length - 1, data };
      assert.ok(Buffer.byteLength(JSON.stringify({ from: 'replica-b-12345', msg })) < 7000, 'under the NOTIFY limit');
      assert.ok(Buffer.byteLength(JSON.stringify(data)) <= PART_BYTES);
      assert.ok(ClusterMessage.safeParse(msg).success);
      out = a.add('r1', seq, seq === parts.length - 1, data);
    });
    assert.deepEqual(out, value);
  });

  it('refuses pieces out of order', () => {
    const a = new PartsAssembler();
    assert.equal(a.add('r', 0, false, '{"a":'), undefined);
    assert.ok(a.add('r', 2, true, '1}') instanceof Error);
  });
});

describe('views', () => {
  it('merges lines of several pods by time; a line without time stays after its pod\'s previous line', () => {
    const l = (pod: string, time_ms: number, text: string) => ({ pod, container: 'c', time_ms, text });
    const merged = mergeByTime([l('a', 30, 'a3'), l('b', 10, 'b1'), l('a', 0, 'a3+'), l('b', 20, 'b2'), l('a', 5, 'a0')]);
    assert.deepEqual(merged.map((x) => x.text), ['a0', 'b1', 'b2', 'a3', 'a3+']);
  });

  it('passes on why resources are not available', () => {
    const v = resourcesView({ available: false, detail: 'no metrics-server', pods: [] });
    assert.deepEqual(v, { available: false, detail: 'no metrics-server', items: [] });
  });
});
