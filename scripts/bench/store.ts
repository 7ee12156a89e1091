// `npm run bench -- --store`: the store under fleet load, on SQLite.
// 1. The deadline sweep (every second, on the sweeper replica) over 100k and
//    1M commands, mostly finished, 1% open of which a few are due: the old
//    query (every open command, filtered in JS; kept here only to compare)
//    against the indexed one (only the due commands); and one batch of
//    command retention.
// 2. agents.last_seen writes for 10,000 agents over a simulated minute
//    (heartbeat every 10 s): the old per-agent write (at most one per 30 s per
//    agent) against the batched flush every 15 s (200 agents a statement, the
//    event loop free between statements); SQL statements counted and
//    the time spent in the store measured (synchronous=FULL, as shipped).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { LastSeenWriter } from '../../backend/gateway/last-seen';
import { openEmbeddedStore } from '../../backend/store/open-sqlite';
import type { SqlStore } from '../../backend/store/sql-store';
import { createLogger } from '../../lib/logger';
import { fmt, pct } from './measure';

const log = createLogger('bench-store', 'silent');
const NOW = Date.parse('2026-12-04T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** Counts every statement better-sqlite3 prepares (Kysely prepares each query it runs, BEGIN and COMMIT included). */
let statements = 0;
const prepare = Sqlite.prototype.prepare;
Sqlite.prototype.prepare = function (this: Sqlite.Database, source: string) {
  statements++;
  return prepare.call(this, source);
} as typeof prepare;

async function filled(dir: string, commands: number): Promise<SqlStore> {
  // The schema from the store itself, then rows written straight into the file (fast), then the store opened again.
  await (await openEmbeddedStore(dir)).close();
  const db = new Sqlite(join(dir, 'dcoc.sqlite'));
  db.pragma('journal_mode = WAL');
  const ins = db.prepare(
    'insert into commands (id, kind, commons_id, service, target_json, state, message, percent, actor, created_at, updated_at, deadline, attempts, result_json) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const finals = ['succeeded', 'succeeded', 'succeeded', 'failed', 'expired', 'cancelled'];
  db.transaction(() => {
    for (let i = 0; i < commands; i++) {
      const created = NOW - (commands - i) * 1000;
      const open = i % 100 === 0;
      // Of the open ones, one in 100 is past its deadline; the rest are due in the future.
      const due = open && i % 10_000 === 0;
      const state = open ? (['queued', 'dispatched', 'running'] as const)[(i / 100) % 3] : finals[i % finals.length];
      const deadline = open ? iso(due ? NOW - 1000 : NOW + 3_600_000) : iso(created + 300_000);
      ins.run(`cmd-${i}`, 'restart', `commons-${i % 1000}`, 'fence', '{"service":"fence"}', state, 'done', 100, 'token:bench', iso(created), iso(created + 5000), deadline, 1, null);
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return openEmbeddedStore(dir);
}

function timed<T>(runs: number, fn: () => Promise<T>): Promise<{ p50: number; max: number; result: T }> {
  return (async () => {
    const ms: number[] = [];
    let result!: T;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      result = await fn();
      ms.push(performance.now() - t0);
    }
    return { p50: pct(ms, 50), max: Math.max(...ms), result };
  })();
}

async function sweepRows(commands: number): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'dcoc-bench-store-'));
  try {
    const t0 = performance.now();
    const store = await filled(dir, commands);
    const fillS = (performance.now() - t0) / 1000;
    const now = iso(NOW);
    // Before: every open command, each deadline compared in JS (CommandService.sweepDeadlines up to this change).
    const old = await timed(20, async () => (await store.listOpenCommands()).filter((c) => Date.parse(c.deadline) <= NOW));
    const neu = await timed(20, () => store.listDueCommands(now));
    if (old.result.length !== neu.result.length) throw new Error(`the two sweeps disagree: ${old.result.length} due before, ${neu.result.length} after`);
    const open = (await store.listOpenCommands()).length;
    // Retention: one batch of 500 finished commands (half the table is past the cutoff), as the sweeper deletes them.
    const prune = await timed(5, () => store.pruneCommands(iso(NOW - (commands / 2) * 1000), 500));
    const size = statSync(join(dir, 'dcoc.sqlite')).size / 1024 / 1024;
    await store.close();
    return [
      `  ${String(commands).padStart(9)} commands (${open} open, ${neu.result.length} due; ${fmt(size, 0)} MB, filled in ${fmt(fillS)} s)`,
      `      before (every open command, filtered in JS): p50 ${fmt(old.p50, 2)} ms, max ${fmt(old.max, 2)} ms`,
      `      after  (state + deadline index, due only):   p50 ${fmt(neu.p50, 2)} ms, max ${fmt(neu.max, 2)} ms`,
      `      retention, one batch of ${prune.result.commands} commands deleted: p50 ${fmt(prune.p50, 1)} ms, max ${fmt(prune.max, 1)} ms`,
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function heartbeatRows(agents: number): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'dcoc-bench-store-'));
  try {
    const store = await openEmbeddedStore(dir);
    await store.close();
    const db = new Sqlite(join(dir, 'dcoc.sqlite'));
    const ins = db.prepare(
      "insert into agents (id, commons_id, hostname, version, cert_serial, prev_cert_serial, cert_not_after, revoked, enrolled_at, last_seen, enrollment_token_id) values (?, ?, 'x', 'v', ?, null, ?, 0, ?, null, '')",
    );
    db.transaction(() => {
      for (let a = 0; a < agents; a++) ins.run(`agent-${a}`, `commons-${a}`, `serial-${a}`, iso(NOW + 86_400_000), iso(NOW));
    })();
    db.close();
    const s = await openEmbeddedStore(dir);
    const HEARTBEAT_MS = 10_000;
    const MINUTE = 60_000;
    // Each agent's heartbeats over a minute, spread evenly (agent a beats at a·10 s/agents + k·10 s), in time order.
    const beats: [number, string][] = [];
    for (let k = 0; k < MINUTE / HEARTBEAT_MS; k++) for (let a = 0; a < agents; a++) beats.push([k * HEARTBEAT_MS + Math.floor((a * HEARTBEAT_MS) / agents), `agent-${a}`]);
    beats.sort((x, y) => x[0] - y[0]);

    // Before: AgentStream.touch(): one UPDATE per agent at most every 30 s (its first heartbeat writes at once).
    const lastWrite = new Map<string, number>();
    let before = statements;
    let t0 = performance.now();
    for (const [t, id] of beats) {
      if (t - (lastWrite.get(id) ?? -Infinity) < 30_000) continue;
      lastWrite.set(id, t);
      await s.updateAgent(id, { last_seen: iso(NOW + t) });
    }
    const oldMs = performance.now() - t0;
    const oldStatements = statements - before;

    // After: remembered in memory, one flush every 15 s.
    const w = new LastSeenWriter(s, 15_000, log);
    const FLUSH_MS = 15_000;
    let nextFlush = FLUSH_MS;
    let flushes = 0;
    let flushMs = 0;
    let flushMax = 0;
    before = statements;
    const flush = async () => {
      const f0 = performance.now();
      await w.flush();
      const d = performance.now() - f0;
      flushMs += d;
      flushMax = Math.max(flushMax, d);
      flushes++;
    };
    t0 = performance.now();
    for (const [t, id] of beats) {
      while (t >= nextFlush) {
        await flush();
        nextFlush += FLUSH_MS;
      }
      w.seen(id, NOW + t);
    }
    await flush();
    const newMs = performance.now() - t0;
    const newStatements = statements - before;
    await s.close();
    return [
      `  ${agents} agents, heartbeat every ${HEARTBEAT_MS / 1000} s, one simulated minute (${beats.length} heartbeats):`,
      `      before (one UPDATE per agent per 30 s): ${oldStatements} statements/min, ${fmt(oldMs)} ms in the store per minute`,
      `      after  (batched, flush every 15 s):     ${newStatements} statements/min in ${flushes} flushes, ${fmt(newMs)} ms per minute (slowest flush ${fmt(flushMax)} ms wall, yielding between statements of ~${fmt(flushMs / Math.max(1, newStatements), 2)} ms each)`,
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function storeBench(): Promise<string> {
  const out = ['== Store (SQLite, synchronous=FULL): the deadline sweep, best of 20 runs as p50/max'];
  for (const n of [100_000, 1_000_000]) out.push(...(await sweepRows(n)));
  out.push('', "== Store: agents' last_seen writes");
  out.push(...(await heartbeatRows(10_000)));
  return out.join('\n');
}
