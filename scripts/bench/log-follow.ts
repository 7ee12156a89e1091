// `npm run bench -- --log-follow`: how long a log line takes from a pod to a
// follower. One control service (SQLite) and one simulated commons' real
// agent; a service scaled to several replicas; a follow stream (SSE) open on
// it while lines are written to every pod through /__sim/log at a steady pace
// under the follow rate bound. Prints write→received latency p50/p95/max.
import { join } from 'node:path';
import { LOG_FOLLOW_LINES_PER_S, type LogsStreamEvent } from '../../contracts/api';
import { DEMO_COMMONS, api, freePort, startAgent, startControl, stopProc } from '../demo/processes';
import type { Cleanups } from './cleanups';
import { fmt, pct, sleep } from './measure';

export interface LogFollowOptions {
  /** Lines in all (each write is one line per replica). */
  lines: number;
  replicas: number;
}

export interface LogFollowFigures {
  lines: number;
  received: number;
  replicas: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

const ADMIN = 'dcoc_bench-admin-token-0123456789';
const SERVICE = 'indexd';

export async function logFollowBench(o: LogFollowOptions, dir: string, cleanups: Cleanups): Promise<LogFollowFigures> {
  const control = await startControl({ dataDir: join(dir, 'control'), adminToken: ADMIN, httpPort: await freePort(), grpcPort: await freePort(), enrollPort: await freePort(), env: { DCOC_HEARTBEAT_INTERVAL_MS: '1000' } });
  cleanups.push('stop the control service', () => stopProc(control));
  const spec = DEMO_COMMONS[2];
  const agent = await startAgent({ control, spec, dataDir: join(dir, 'agent'), tickMs: 100, podStartMs: 200 });
  cleanups.push('stop the agent', () => stopProc(agent));
  const id = 'healdata-org';
  const until = async (what: string, fn: () => Promise<boolean>, seconds = 60) => {
    for (let i = 0; i < seconds * 10; i++) {
      if (await fn().catch(() => false)) return;
      await sleep(100);
    }
    throw new Error(`bench: timed out waiting for ${what}`);
  };
  await until('the commons to connect', async () => (await api<{ agent: { connected: boolean } }>(control, ADMIN, 'GET', `/api/v1/commons/${id}`)).body?.agent?.connected === true);
  const scaled = await api(control, ADMIN, 'POST', `/api/v1/commons/${id}/services/${SERVICE}/scale`, { replicas: o.replicas });
  if (scaled.status !== 202) throw new Error(`bench: scaling ${SERVICE}: ${scaled.status} ${JSON.stringify(scaled.body)}`);
  const write = async (text: string) => {
    const r = await fetch(`http://127.0.0.1:${agent.healthPort}/__sim/log`, { method: 'POST', body: JSON.stringify({ service: SERVICE, text }) });
    return (await r.json()) as { pods: string[]; timeMs: number };
  };
  await until(`${o.replicas} ${SERVICE} pods`, async () => (await write('warm up')).pods.length === o.replicas);

  const received = new Map<string, number>();
  const stream = new AbortController();
  cleanups.push('close the follow stream', async () => stream.abort());
  const res = await fetch(`${control.url}/api/v1/commons/${id}/services/${SERVICE}/logs/stream?tail=0`, { headers: { Authorization: `Bearer ${ADMIN}` }, signal: stream.signal });
  if (res.status !== 200) throw new Error(`bench: follow answered ${res.status}: ${await res.text()}`);
  let opened = false;
  void (async () => {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        const now = Date.now();
        buf += decoder.decode(value, { stream: true });
        let at: number;
        while ((at = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, at);
          buf = buf.slice(at + 2);
          const data = /^event: logs\ndata: (.*)$/m.exec(block)?.[1];
          if (!data) continue;
          const e = JSON.parse(data) as LogsStreamEvent;
          if (e.pods) opened = true;
          for (const l of e.lines) if (l.line.startsWith('bench ')) received.set(`${l.pod} ${l.line}`, now);
        }
      }
    } catch {
      // closed
    }
  })();
  await until('the follow stream to start', async () => opened);

  // Under the rate bound: at most half of LOG_FOLLOW_LINES_PER_S lines a second.
  const writes = Math.ceil(o.lines / o.replicas);
  const gapMs = (1000 * o.replicas) / (LOG_FOLLOW_LINES_PER_S / 2);
  const written = new Map<string, number>();
  for (let i = 0; i < writes; i++) {
    const text = `bench ${i}`;
    const w = await write(text);
    for (const pod of w.pods) written.set(`${pod} ${text}`, w.timeMs);
    await sleep(gapMs);
  }
  await until('every line to arrive', async () => received.size >= written.size, 5).catch(() => undefined);
  stream.abort();
  const latencies = [...written].filter(([k]) => received.has(k)).map(([k, t]) => received.get(k)! - t);
  return { lines: written.size, received: latencies.length, replicas: o.replicas, p50Ms: pct(latencies, 50), p95Ms: pct(latencies, 95), maxMs: Math.max(...latencies) };
}

export function logFollowTable(f: LogFollowFigures): string {
  return [
    `log follow latency (write in a pod → received over SSE), ${f.replicas} replicas`,
    `  lines written      ${f.lines}`,
    `  lines received     ${f.received}`,
    `  p50                ${fmt(f.p50Ms, 0)} ms`,
    `  p95                ${fmt(f.p95Ms, 0)} ms`,
    `  max                ${fmt(f.maxMs, 0)} ms`,
  ].join('\n');
}
