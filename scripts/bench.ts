// `npm run bench`: N simulated agents (default 1000) against one control
// service. Prints agents connected, heartbeats/s, metric samples/s ingested,
// command round trip p50/p99, the control service's RSS and CPU, and the
// ratio of DCOC's ingest rate to a bare gRPC stream of the same messages.
//   npm run bench -- --agents 1000 --seconds 20 --commands 200
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type * as grpc from '@grpc/grpc-js';
import type { AgentMessage, ControlMessage } from '../contracts/pb/agent';
import pino from 'pino';
import { Agent } from '../agent/core/agent';
import { gatewayClient, type TlsIdentity } from '../agent/protocol/client';
import { type AgentIdentity, enroll } from '../agent/protocol/identity';
import { CertificateAuthority } from '../backend/pki/ca';
import { BenchPlatform } from './bench/bench-platform';
import { api, freePort, mintEnrollmentToken, ROOT, startControl, stopProc } from './demo/processes';

const { values: a } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    commands: { type: 'string', default: '200' },
    'blast-streams': { type: 'string', default: '16' },
    'blast-seconds': { type: 'string', default: '5' },
  },
});
const N = Number(a.agents);
const WINDOW_S = Number(a.seconds);
const COMMANDS = Number(a.commands);
const BLAST_STREAMS = Number(a['blast-streams']);
const BLAST_S = Number(a['blast-seconds']);
const ADMIN = 'dcoc_bench-admin-token-0123456789';
const log = pino({ level: 'warn' }, pino.destination(2));

const fmt = (n: number, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const pct = (xs: number[], p: number) => xs.slice().sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function pool<T>(items: T[], width: number, fn: (t: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  }));
}

function procStats(pid: number) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuS = (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ (100)
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpuS, rssMb: rssKb / 1024 };
}

async function scrape(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}

function metricBatch(i: number) {
  const now = Date.now();
  return {
    seq: 0,
    metrics: {
      samples: Array.from({ length: 15 }, (_, k) => ({ name: 'dcoc_health_check_latency_seconds', labels: { service: `svc${k}` }, value: 0.001 * ((i + k) % 50), timestamp_ms: now })),
    },
  };
}

/** Writes metric batches as fast as flow control allows for `seconds`, on `streams` streams. */
async function blast(open: () => Promise<grpc.ClientDuplexStream<AgentMessage, ControlMessage>>, streams: number, seconds: number): Promise<number> {
  const calls = await Promise.all(Array.from({ length: streams }, open));
  const until = Date.now() + seconds * 1000;
  let sent = 0;
  await Promise.all(
    calls.map(async (call, s) => {
      while (Date.now() < until) {
        if (!call.write(metricBatch(sent + s))) await new Promise((r) => call.once('drain', r));
        sent += 1;
      }
    }),
  );
  for (const c of calls) c.cancel();
  return sent * 15;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dcoc-bench-'));
  console.log(`DCOC bench: ${N} agents, ${WINDOW_S} s window, ${COMMANDS} commands (data in ${dir})`);
  const control = await startControl({
    dataDir: join(dir, 'control'),
    adminToken: ADMIN,
    httpPort: await freePort(),
    grpcPort: await freePort(),
    enrollPort: await freePort(),
    env: { DCOC_HEARTBEAT_INTERVAL_MS: '1000', DCOC_HEALTH_INTERVAL_MS: '5000', DCOC_METRICS_INTERVAL_MS: '5000', DCOC_AGENT_SILENCE_S: '30' },
  });
  const caPem = readFileSync(control.caFile, 'utf8');
  const agents: Agent[] = [];
  try {
    // Enroll through the real path: a token per agent, a CSR, a certificate.
    let t = Date.now();
    const identities: AgentIdentity[] = new Array(N + BLAST_STREAMS);
    await pool([...identities.keys()], 16, async (_x, i) => {
      const token = await mintEnrollmentToken(control);
      identities[i] = await enroll({ dataDir: join(dir, 'agents', String(i)), enrollAddr: control.enrollAddr, caPem, token, version: 'bench', hostname: `c${i}.bench.gen3.org` });
    });
    console.log(`  enrolled                    ${N + BLAST_STREAMS} agents in ${fmt((Date.now() - t) / 1000)} s`);

    t = Date.now();
    for (let i = 0; i < N; i++) {
      const platform = new BenchPlatform(
        { hostname: `c${i}.bench.gen3.org`, environment: `bench${i % 10}`, name: `Bench ${i}`, namespace: `bench${i}`, release: '2026.07', tickMs: 1000, podStartMs: 200 },
        5000,
      );
      const agent = new Agent({ platform, identity: identities[i], gatewayAddr: control.gatewayAddr, dataDir: join(dir, 'agents', String(i)), log, deltaDebounceMs: 250 });
      agents.push(agent);
      await agent.start();
    }
    let connected = 0;
    const connectDeadline = Date.now() + 120_000;
    while (Date.now() < connectDeadline) {
      connected = (await scrape(control.url)).get('dcoc_agents_connected') ?? 0;
      if (connected >= N) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    console.log(`  agents connected            ${connected} / ${N} (in ${fmt((Date.now() - t) / 1000)} s)`);
    await new Promise((r) => setTimeout(r, 6000)); // one health and metrics round everywhere

    // Steady state window, with commands round-tripping through it.
    const m0 = await scrape(control.url);
    const p0 = procStats(control.child.pid!);
    const w0 = Date.now();
    const rtts: number[] = [];
    const sse = await fetch(`${control.url}/api/v1/events`, { headers: { Authorization: `Bearer ${ADMIN}` } });
    const done = new Map<string, (at: number) => void>();
    void (async () => {
      const reader = createInterface({ input: (await import('node:stream')).Readable.fromWeb(sse.body as never) });
      for await (const line of reader) {
        if (!line.startsWith('data: ')) continue;
        const e = JSON.parse(line.slice(6)) as { type: string; command?: string; state?: string };
        if (e.type === 'command.updated' && e.state === 'succeeded' && e.command) done.get(e.command)?.(Date.now());
      }
    })().catch(() => undefined);
    const gap = (WINDOW_S * 1000) / Math.max(1, COMMANDS);
    await pool([...Array(COMMANDS).keys()], 8, async (i) => {
      await new Promise((r) => setTimeout(r, Math.random() * gap * 8));
      const c = `c${(i * 7919) % N}-bench-gen3-org`;
      // A no-op scale (the target is already reached): the round trip itself, control → agent → control.
      const start = Date.now();
      const r = await api<{ command: { id: string } }>(control, ADMIN, 'POST', `/api/v1/commons/${c}/services/fence/scale`, { replicas: 3 });
      if (r.status !== 202) throw new Error(`scale on ${c}: ${r.status} ${JSON.stringify(r.body)}`);
      const end = await new Promise<number>((resolve) => {
        done.set(r.body.command.id, resolve);
        setTimeout(() => resolve(NaN), 30_000);
      });
      if (Number.isFinite(end)) rtts.push(end - start);
    });
    const left = WINDOW_S * 1000 - (Date.now() - w0);
    if (left > 0) await new Promise((r) => setTimeout(r, left));
    const m1 = await scrape(control.url);
    const p1 = procStats(control.child.pid!);
    const secs = (Date.now() - w0) / 1000;
    const rate = (k: string) => ((m1.get(k) ?? 0) - (m0.get(k) ?? 0)) / secs;
    const hb = rate('dcoc_agent_messages_total{type="heartbeat"}');
    const deltas = rate('dcoc_agent_messages_total{type="delta"}');
    const samples = rate('dcoc_agent_metric_samples_total');
    console.log(`  heartbeats/s                ${fmt(hb)}`);
    console.log(`  status deltas/s             ${fmt(deltas)}`);
    console.log(`  metric samples/s ingested   ${fmt(samples)}`);
    console.log(`  command round trip          p50 ${fmt(pct(rtts, 50))} ms   p99 ${fmt(pct(rtts, 99))} ms   (${rtts.length}/${COMMANDS} no-op scale commands, API accept → agent → succeeded event)`);
    console.log(`  control service RSS         ${fmt(p1.rssMb)} MB`);
    console.log(`  control service CPU         ${fmt(((p1.cpuS - p0.cpuS) / secs) * 100)} % of one core`);

    // Saturation: the same metric batches, as fast as flow control allows, into DCOC and into a bare gRPC server.
    for (const ag of agents.splice(0)) await ag.stop();
    await new Promise((r) => setTimeout(r, 1000));
    const blastIds = identities.slice(N);
    let k = 0;
    const openDcoc = async () => {
      const id = blastIds[k++ % blastIds.length];
      const call = gatewayClient(control.gatewayAddr, id).connect();
      call.on('error', () => undefined);
      call.write({ seq: 0, hello: { agent_id: id.agentId, agent_version: 'bench', capabilities: [], commons: { hostname: `blast${k}.bench.gen3.org`, environment: 'blast', name: 'blast', namespace: 'blast' }, finished: [] } });
      await new Promise((r) => call.once('data', r));
      return call;
    };
    const b0 = (await scrape(control.url)).get('dcoc_agent_metric_samples_total') ?? 0;
    const bt0 = Date.now();
    await blast(openDcoc, BLAST_STREAMS, BLAST_S);
    // Count what the service has processed, once it has drained what was sent.
    let b1 = b0;
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const v = (await scrape(control.url)).get('dcoc_agent_metric_samples_total') ?? 0;
      if (v === b1 && i > 2) break;
      b1 = v;
    }
    const dcocRate = (b1 - b0) / ((Date.now() - bt0) / 1000);

    const ca = await CertificateAuthority.loadOrCreate(join(dir, 'bare-ca'));
    const cert = await ca.issueServerCertificate(['localhost', '127.0.0.1']);
    const bare = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/bare-grpc-server.ts'], {
      cwd: ROOT,
      env: { ...process.env, BENCH_KEY: cert.keyPem, BENCH_CERT: cert.certPem },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: bare.stdout! })[Symbol.asyncIterator]();
    const { port } = JSON.parse((await lines.next()).value as string) as { port: number };
    const bareId: TlsIdentity = { caPem: ca.certPem, keyPem: cert.keyPem, certPem: cert.certPem };
    const openBare = async () => {
      const call = gatewayClient(`localhost:${port}`, bareId).connect();
      call.on('error', () => undefined);
      return call;
    };
    const bb0 = Date.now();
    await blast(openBare, BLAST_STREAMS, BLAST_S);
    let bareSamples = 0;
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 200));
      bare.stdin!.write('?\n');
      const v = (JSON.parse((await lines.next()).value as string) as { samples: number }).samples;
      if (v === bareSamples && i > 2) break;
      bareSamples = v;
    }
    const bareRate = bareSamples / ((Date.now() - bb0) / 1000);
    bare.kill();
    console.log(`  saturation ingest           DCOC ${fmt(dcocRate, 0)} samples/s vs bare gRPC stream ${fmt(bareRate, 0)} samples/s (${BLAST_STREAMS} streams, ${BLAST_S} s)`);
    console.log(`  ingest ratio DCOC / bare    ${fmt(dcocRate / bareRate, 2)}`);
  } finally {
    for (const ag of agents) await ag.stop().catch(() => undefined);
    await stopProc(control);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(`bench failed: ${e.stack ?? e.message}`);
    process.exit(1);
  },
);
