// The agent's log relay (agent/core/log-relay.ts): the bounds of a log
// request applied on the agent, with a clock the test moves.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOG_FOLLOW_LINES_PER_S, LOG_LINES_MAX } from '../../contracts/api';
import type { LogChunkMsg, LogRequestMsg } from '../../contracts/agent-messages';
import { CHUNK_BYTES, CHUNK_LINES, LINE_CAP_BYTES, LogRelay, PENDING_MAX_BYTES, capLine } from '../../agent/core/log-relay';
import type { LogLineFacts } from '../../agent/core/types';

const request = (r: Partial<LogRequestMsg> = {}): LogRequestMsg => ({
  id: 'r1',
  service: 'fence',
  job: '',
  pod: '',
  previous: false,
  follow: false,
  since_ms: 0,
  until_ms: 0,
  tail_lines: 0,
  filter: '',
  max_lines: 0,
  max_bytes: 0,
  ...r,
});

const line = (text: string, timeMs = 1000, pod = 'fence-a'): LogLineFacts => ({ pod, container: 'fence', timeMs, text });

function relay(r: Partial<LogRequestMsg> = {}, opts: { backedUp?: () => boolean; now?: () => number } = {}) {
  const chunks: LogChunkMsg[] = [];
  let full = 0;
  const rel = new LogRelay({ request: request(r), send: (c) => (chunks.push(c), true), backedUp: opts.backedUp ?? (() => false), onFull: () => full++, now: opts.now });
  const texts = () => chunks.flatMap((c) => c.lines.map((l) => l.text));
  return { rel, chunks, texts, full: () => full };
}

describe('log relay', () => {
  it('keeps lines containing the filter, any case, and drops lines at or after until', async () => {
    const { rel, texts, chunks } = relay({ filter: 'ErRoR', until_ms: 5000 });
    rel.pods(['fence-a']);
    rel.lines([line('an ERROR here', 1000), line('all fine', 2000), line('error later', 5000), line('no time error', 0)]);
    await rel.end();
    assert.deepEqual(texts(), ['an ERROR here', 'no time error']);
    assert.deepEqual(chunks[0].pods, ['fence-a']);
    const last = chunks.at(-1)!;
    assert.equal(last.done, true);
    assert.equal(last.truncated, false);
  });

  it('stops at max_lines (never above LOG_LINES_MAX), says truncated, and tells the source it may stop', async () => {
    const { rel, texts, chunks, full } = relay({ max_lines: 3 });
    rel.lines(Array.from({ length: 10 }, (_, i) => line(`l${i}`)));
    await rel.end();
    assert.deepEqual(texts(), ['l0', 'l1', 'l2']);
    assert.equal(full(), 1);
    assert.equal(chunks.at(-1)!.truncated, true);

    const big = relay({ max_lines: 1_000_000 });
    big.rel.lines(Array.from({ length: LOG_LINES_MAX + 10 }, (_, i) => line(`${i}`)));
    await big.rel.end();
    assert.equal(big.texts().length, LOG_LINES_MAX);
    assert.ok(big.chunks.every((c) => c.lines.length <= CHUNK_LINES));
  });

  it('stops at max_bytes', async () => {
    const { rel, texts, chunks } = relay({ max_bytes: 1000 });
    rel.lines(Array.from({ length: 10 }, () => line('x'.repeat(300))));
    await rel.end();
    assert.ok(texts().length <= 3 && texts().length >= 2, `${texts().length} lines`);
    assert.equal(chunks.at(-1)!.truncated, true);
  });

  it('cuts a line over the cap and marks it', () => {
    const cut = capLine('é'.repeat(LINE_CAP_BYTES));
    assert.ok(Buffer.byteLength(cut) < LINE_CAP_BYTES + 64);
    assert.match(cut, /\[line cut: \d+ more bytes\]$/);
    assert.ok(!cut.includes('\uFFFD'), 'no half character');
    assert.equal(capLine('short'), 'short');
  });

  it('sends chunks of at most CHUNK_BYTES', async () => {
    const { rel, chunks } = relay({ max_bytes: 4 * 1024 * 1024 });
    rel.lines(Array.from({ length: 40 }, () => line('y'.repeat(10_000))));
    await rel.end();
    for (const c of chunks) assert.ok(c.lines.reduce((n, l) => n + l.text.length, 0) <= CHUNK_BYTES, 'chunk within bytes');
    assert.equal(chunks.flatMap((c) => c.lines).length, 40);
  });

  it('follow: the tail allowance, then LOG_FOLLOW_LINES_PER_S a second; dropped lines say truncated', async () => {
    let now = 0;
    const { rel, texts, chunks } = relay({ follow: true, tail_lines: 10, max_lines: LOG_LINES_MAX }, { now: () => now });
    rel.pods(['fence-a', 'fence-b']);
    // 20 tail lines, and one second's burst on top.
    rel.lines(Array.from({ length: 20 + LOG_FOLLOW_LINES_PER_S + 100 }, (_, i) => line(`t${i}`)));
    now += 1000;
    rel.lines(Array.from({ length: LOG_FOLLOW_LINES_PER_S * 3 }, (_, i) => line(`s${i}`)));
    now += 100;
    rel.lines(Array.from({ length: 100 }, (_, i) => line(`u${i}`)));
    await rel.end();
    const got = texts();
    assert.equal(got.filter((t) => t.startsWith('t')).length, 20 + LOG_FOLLOW_LINES_PER_S);
    assert.equal(got.filter((t) => t.startsWith('s')).length, LOG_FOLLOW_LINES_PER_S);
    assert.equal(got.filter((t) => t.startsWith('u')).length, LOG_FOLLOW_LINES_PER_S / 10);
    assert.ok(chunks.some((c) => c.truncated));
  });

  it('holds lines while the stream is backed up, at most PENDING_MAX_BYTES, then drops', async () => {
    let backed = true;
    const { rel, texts, chunks } = relay({ follow: true, tail_lines: 5000, max_lines: LOG_LINES_MAX }, { backedUp: () => backed });
    rel.pods(['fence-a']);
    const lines = Array.from({ length: 400 }, (_, i) => line(`${i} ${'z'.repeat(4000)}`));
    rel.lines(lines);
    assert.equal(chunks.length, 0, 'nothing sent while backed up');
    backed = false;
    await rel.end();
    const held = texts().length;
    assert.ok(held < 400 && held * 4000 <= PENDING_MAX_BYTES, `${held} lines held`);
    assert.ok(chunks.some((c) => c.truncated));
  });

  it('after stop nothing is sent', async () => {
    const { rel, chunks } = relay();
    rel.lines([line('a')]);
    rel.stop();
    rel.lines([line('b')]);
    await rel.end();
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(chunks.length, 0);
  });

  it('an error ends the request with it', async () => {
    const { rel, chunks } = relay();
    await rel.end('previous terminated container in pod fence-a not found');
    assert.deepEqual(chunks, [{ id: 'r1', lines: [], pods: [], done: false, error: 'previous terminated container in pod fence-a not found', truncated: false }]);
  });
});
