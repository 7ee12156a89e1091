// One bench run in one topology: a single control service on SQLite, or two
// replicas sharing a PostgreSQL database. Agents enroll through replica a; in
// the two-replica topology half of them connect to b, commands are all issued
// to a (so those for b's agents cross through NOTIFY) and their results are
// read from a's event stream (b's arrive through the event bridge).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { DB_FILES } from '../../backend/store/open-sqlite';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { Agent } from '../../agent/core/agent';
import { type AgentIdentity, enroll } from '../../agent/protocol/identity';
import { api, type Control, freePort, mintEnrollmentToken, startControl, stopProc } from '../demo/processes';
import { BenchPlatform } from './bench-platform';
import { createBenchDatabase } from './database';
import type { Cleanups } from './cleanups';
import { agentsHeld, fmt, parseMetrics, pct, pool, procStats, sleep } from './measure';
import { saturation } from './saturation';
import { LoadGenerator } from './loadgen';
import { type TransportFloor, caDirOf, transportFloor } from './transport-floor';
import { loadavg } from 'node:os';

export type Topology = 'sqlite' | 'postgres-2';

export const TOPOLOGY_TITLE: Record<Topology, string> = { sqlite: 'SQLite, 1 replica', 'postgres-2': 'PostgreSQL, 2 replicas' };

export interface BenchOptions {
  agents: number;
  seconds: number;
  commands: number;
  blastStreams: number;
  blastSeconds: number;
  /** Admin URL used to create the throwaway database (postgres-2 only). */
  databaseUrl: string;
  /** lean: agents in `workers` load generator processes (loadgen-worker.ts); agents: the full agent (agent/core) in this process. */
  generator: 'lean' | 'agents';
  workers: number;
  /** Write the control services' CPU profiles (node --cpu-prof) here. */
  profileDir?: string;
  /** A soak: the window is this many minutes, retention short, RSS and database size sampled every 30 s. */
  soakMinutes?: number;
}

/** One sample of a soak: minutes into the window, RSS of replica a, its database files (SQLite) in MB. */
export interface SoakSample {
  min: number;
  rssMb: number;
  dbMb: number;
}

// A soak keeps commands 2 minutes and audit entries 3, swept every 30 s: the store reaches its steady size within the run.
const SOAK_ENV = { DCOC_COMMAND_RETENTION_DAYS: String(2 / 1440), DCOC_AUDIT_RETENTION_DAYS: String(3 / 1440), DCOC_RETENTION_SWEEP_S: '30' };

/** Fleet /metrics scrapes during the window, every 15 s as the shipped Prometheus does. */
export interface Scrapes {
  n: number;
  failed: number;
  maxBytes: number;
  maxMs: number;
  /** Event-loop delay of the control service from its own histogram (prom-client resets it at each scrape): worst p99 and max over the window. */
  loopP99Ms: number;
  loopMaxMs: number;
}

export interface RoundTrips {
  p50: number;
  p99: number;
  max: number;
  n: number;
}

export interface Figures {
  topology: Topology;
  enrollS: number;
  connected: number;
  connectS: number;
  heartbeats: number;
  deltas: number;
  samples: number;
  rtt: RoundTrips;
  /** Two replicas: commands whose agent is on a (no crossing) and on b (through NOTIFY). */
  rttLocal?: RoundTrips;
  rttCrossed?: RoundTrips;
  /** waitPct: % of the window the replica's event-loop thread was runnable but waiting for a core (the machine is shared with the load generator). */
  replicas: { id: string; rssMb: number; cpuPct: number; waitPct: number }[];
  /** CPU of the PostgreSQL backends serving the bench database, % of one core; null when not measured. */
  postgresCpuPct: number | null;
  ingest: { dcoc: number; bare: number };
  /** The same agents against a bare grpc-js server with mutual TLS (lean, not in a soak): the transport's own connect time, RSS and CPU. */
  floor?: TransportFloor;
  scrapes: Scrapes;
  soak?: SoakSample[];
  /** The load generator's processes (lean only): CPU % of one core and RSS summed. */
  loadgen: { workers: number; cpuPct: number; rssMb: number; reconnects: number } | null;
  loadavg: number[];
}

const ADMIN = 'dcoc_bench-admin-token-0123456789';
// The full agents: short intervals, as before. The lean generator: the issue's load (heartbeat 10 s, samples every 15 s).
const CONTROL_ENV = { DCOC_HEARTBEAT_INTERVAL_MS: '1000', DCOC_HEALTH_INTERVAL_MS: '5000', DCOC_METRICS_INTERVAL_MS: '5000', DCOC_AGENT_SILENCE_S: '30', DCOC_EXTERNAL_CHECKS: 'false' };
const LEAN_ENV = { DCOC_HEARTBEAT_INTERVAL_MS: '10000', DCOC_METRICS_INTERVAL_MS: '15000', DCOC_AGENT_SILENCE_S: '35', DCOC_EXTERNAL_CHECKS: 'false' };
const log = pino({ level: 'warn' }, pino.destination(2));

const roundTrips = (xs: number[]): RoundTrips => ({ p50: pct(xs, 50), p99: pct(xs, 99), max: xs.length ? Math.max(...xs) : NaN, n: xs.length });
const line = (label: string, value: string) => console.log(`  ${label.padEnd(28)}${value}`);

export async function runTopology(topology: Topology, o: BenchOptions, dir: string, cleanups: Cleanups): Promise<Figures> {
  const two = topology === 'postgres-2';
  console.log(`\n== ${TOPOLOGY_TITLE[topology]}: ${o.agents} agents, ${o.seconds} s window, ${o.commands} commands (data in ${dir})`);

  const db = two ? await createBenchDatabase(o.databaseUrl) : null;
  if (db) {
    cleanups.push(`drop database ${db.name}`, () => db.drop());
    line('database', `${db.name} (dropped at the end)`);
  }
  // The control services' warnings and errors, counted by message (what went wrong, said at the end).
  const warnings = new Map<string, number>();
  const countWarning = (l: string) => {
    if (!l.includes('"level":40') && !l.includes('"level":50') && !l.includes('"level":60')) return;
    const msg = (/"msg":"([^"]{0,100})/.exec(l)?.[1] ?? l.slice(0, 100)).replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>');
    warnings.set(msg, (warnings.get(msg) ?? 0) + 1);
  };
  const replica = async (id: string, env: NodeJS.ProcessEnv = {}): Promise<Control> => {
    const c = await startControl({
      echo: countWarning,
      nodeArgs: o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : [],
      dataDir: join(dir, id),
      adminToken: ADMIN,
      httpPort: await freePort(),
      grpcPort: await freePort(),
      enrollPort: await freePort(),
      env: { ...(o.generator === 'lean' ? LEAN_ENV : CONTROL_ENV), ...(o.soakMinutes ? SOAK_ENV : {}), ...(db ? { DCOC_DATABASE_URL: db.url, DCOC_REPLICA_ID: id } : {}), ...env },
    });
    cleanups.push(`stop replica ${id}`, () => stopProc(c));
    return c;
  };
  const a = await replica('a');
  // Every replica signs and verifies with the same CA: b uses a's.
  const replicas = two ? [a, await replica('b', { DCOC_CA_CERT_FILE: join(dir, 'a', 'pki', 'ca.crt.pem'), DCOC_CA_KEY_FILE: join(dir, 'a', 'pki', 'ca.key.pem') })] : [a];
  const ids = two ? ['a', 'b'] : ['a'];
  /** Agent i connects to replica i mod replicas. */
  const home = (i: number) => i % replicas.length;

  const agents: Agent[] = [];
  let gen: LoadGenerator | null = null;
  cleanups.push('stop agents', async () => {
    await gen?.stop();
    for (const ag of agents.splice(0)) await ag.stop().catch(() => undefined);
  });
  // If a control service dies, say so with its last log lines (the caller prints them).
  let died: string | null = null;
  replicas.forEach((c, r) => void c.exited.then((code) => (died ??= `control service ${ids[r]} exited (${code}); its last log lines:\n${c.logs.slice(-50).join('\n')}`)));
  const alive = () => {
    if (died) throw new Error(died);
  };

  // Enroll through the real path on a: a token per agent, a CSR, a certificate.
  const caPem = readFileSync(a.caFile, 'utf8');
  let t = Date.now();
  const identities: AgentIdentity[] = new Array(o.agents + o.blastStreams);
  let shown = Date.now();
  let enrolled = 0;
  await pool([...identities.keys()], 16, async (_x, i) => {
    alive();
    const token = await mintEnrollmentToken(a);
    identities[i] = await enroll({ dataDir: join(dir, 'agents', String(i)), enrollAddr: a.enrollAddr, caPem, token, version: 'bench', hostname: `c${i}.bench.gen3.org` });
    enrolled++;
    if (Date.now() - shown > 10_000) {
      shown = Date.now();
      line('  enrolling', `${enrolled} / ${identities.length}`);
    }
  });
  const enrollS = (Date.now() - t) / 1000;
  line('enrolled', `${identities.length} agents in ${fmt(enrollS)} s (through replica a)`);

  t = Date.now();
  if (o.generator === 'lean') {
    // Agent i to replica i mod replicas, in worker i mod workers.
    gen = LoadGenerator.start({ agents: [...Array(o.agents).keys()].map((i) => ({ dir: join(dir, 'agents', String(i)), gatewayAddr: replicas[home(i)].gatewayAddr })), workers: o.workers });
    line('load generator', `${o.workers} worker processes, ${Math.ceil(o.agents / o.workers)} agents each`);
    await gen.welcomed(o.agents, 180_000, (k) => {
      alive();
      const st = gen!.stats();
      line('  connecting', `${k} / ${o.agents} welcomed after ${fmt((Date.now() - t) / 1000)} s (${st.connected} streams open, ${st.reconnects} reconnects)`);
    });
  } else {
    for (let i = 0; i < o.agents; i++) {
      const platform = new BenchPlatform(
        { hostname: `c${i}.bench.gen3.org`, environment: `bench${i % 10}`, name: `Bench ${i}`, namespace: `bench${i}`, release: '2026.07', tickMs: 1000, podStartMs: 200 },
        5000,
      );
      const agent = new Agent({ platform, identity: identities[i], gatewayAddr: replicas[home(i)].gatewayAddr, dataDir: join(dir, 'agents', String(i)), log, deltaDebounceMs: 250 });
      agents.push(agent);
      await agent.start();
    }
  }
  let held: number[] = [];
  const connectDeadline = Date.now() + 120_000;
  while (Date.now() < connectDeadline) {
    alive();
    // A refused or reset poll (a loaded service) is not the end of the bench: try again.
    held = await Promise.all(replicas.map((c) => agentsHeld(c.url).catch(() => 0)));
    if (held.reduce((x, y) => x + y, 0) >= o.agents) break;
    await sleep(500);
  }
  const connected = held.reduce((x, y) => x + y, 0);
  // From the first connect: the load generator's own start (loading every identity) is not the control service's.
  const firstConnect = gen?.stats().firstConnectAt || t;
  const connectS = (Date.now() - firstConnect) / 1000;
  if (gen) line('load generator ready', `${fmt((firstConnect - t) / 1000)} s after it started (agents' identities loaded)`);
  line('agents connected', `${connected} / ${o.agents} (in ${fmt(connectS)} s from the first connect)${two ? `  [${ids.map((id, k) => `${id} ${held[k]}`).join(', ')}]` : ''}`);
  await sleep(o.generator === 'lean' ? 16_000 : 6000); // one health and metrics round everywhere

  // Steady-state window, with commands round-tripping through it and /metrics scraped every 15 s.
  const scrapes: Scrapes = { n: 0, failed: 0, maxBytes: 0, maxMs: 0, loopP99Ms: 0, loopMaxMs: 0 };
  const scrapeOnce = async (c: Control, count: boolean): Promise<Map<string, number> | null> => {
    const s0 = performance.now();
    try {
      const text = await (await fetch(`${c.url}/metrics`, { signal: AbortSignal.timeout(30_000) })).text();
      const m = parseMetrics(text);
      if (count) {
        scrapes.n++;
        scrapes.maxBytes = Math.max(scrapes.maxBytes, Buffer.byteLength(text));
        scrapes.maxMs = Math.max(scrapes.maxMs, performance.now() - s0);
        scrapes.loopP99Ms = Math.max(scrapes.loopP99Ms, (m.get('dcoc_nodejs_eventloop_lag_p99_seconds') ?? 0) * 1000);
        scrapes.loopMaxMs = Math.max(scrapes.loopMaxMs, (m.get('dcoc_nodejs_eventloop_lag_max_seconds') ?? 0) * 1000);
      }
      return m;
    } catch {
      if (count) scrapes.failed++;
      return null;
    }
  };
  const scrapeAll = async () => Promise.all(replicas.map((c) => scrapeOnce(c, false)));
  const cpuAll = () => replicas.map((c) => procStats(c.child.pid!));
  const m0 = await scrapeAll();
  const p0 = cpuAll();
  const g0 = gen?.usage() ?? null;
  const pg0 = db ? await db.backendCpuS() : null;
  const w0 = Date.now();
  const scraper = setInterval(() => void Promise.all(replicas.map((c) => scrapeOnce(c, true))), 15_000);
  const soak: SoakSample[] = [];
  const dbMb = () => DB_FILES.reduce((n, f) => n + (existsSync(join(dir, 'a', f)) ? statSync(join(dir, 'a', f)).size : 0), 0) / 2 ** 20;
  const sampleSoak = () => soak.push({ min: (Date.now() - w0) / 60_000, rssMb: procStats(a.child.pid!)?.rssMb ?? NaN, dbMb: dbMb() });
  const soaker = o.soakMinutes ? setInterval(sampleSoak, 30_000) : null;
  if (soaker) {
    sampleSoak();
    cleanups.push('stop soak sampling', async () => clearInterval(soaker));
  }
  cleanups.push('stop scraping', async () => clearInterval(scraper));
  const local: number[] = [];
  const crossed: number[] = [];
  const sse = new AbortController();
  cleanups.push('close the event stream', async () => sse.abort());
  const res = await fetch(`${a.url}/api/v1/events`, { headers: { Authorization: `Bearer ${ADMIN}` }, signal: sse.signal });
  const done = new Map<string, (at: number) => void>();
  // A command can succeed before its 202 is read here: its time waits for the caller.
  const arrived = new Map<string, number>();
  void (async () => {
    for await (const l of createInterface({ input: Readable.fromWeb(res.body as never) })) {
      if (!l.startsWith('data: ')) continue;
      const e = JSON.parse(l.slice(6)) as { type: string; command?: string; state?: string };
      if (e.type === 'command.updated' && e.state === 'succeeded' && e.command) {
        const waiting = done.get(e.command);
        if (waiting) waiting(Date.now());
        else arrived.set(e.command, Date.now());
      }
    }
  })().catch(() => undefined);
  const gap = (o.seconds * 1000) / Math.max(1, o.commands);
  let refused = 0;
  await pool([...Array(o.commands).keys()], 8, async (i) => {
    await sleep(Math.random() * gap * 8);
    alive();
    const target = (i * 7919) % o.agents;
    // A no-op scale (the target is already reached): the round trip itself, control → agent → control.
    const start = Date.now();
    const r = await api<{ command: { id: string } }>(a, ADMIN, 'POST', `/api/v1/commons/c${target}-bench-gen3-org/services/fence/scale`, { replicas: 3 }).catch((e: Error) => ({ status: 0, body: { error: e.message } }));
    if (r.status !== 202) {
      refused++;
      if (refused <= 3) line('  command refused', `c${target}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      return;
    }
    const id = (r.body as { command: { id: string } }).command.id;
    const end = await new Promise<number>((resolve) => {
      const early = arrived.get(id);
      if (early !== undefined) return resolve(early);
      done.set(id, resolve);
      setTimeout(() => resolve(NaN), 30_000);
    });
    if (Number.isFinite(end)) (home(target) === 0 ? local : crossed).push(end - start);
  });
  const left = o.seconds * 1000 - (Date.now() - w0);
  if (left > 0) await sleep(left);
  clearInterval(scraper);
  if (soaker) {
    clearInterval(soaker);
    sampleSoak();
  }
  alive();
  const m1 = await scrapeAll();
  const p1 = cpuAll();
  const g1 = gen?.usage() ?? null;
  const pg1 = db ? await db.backendCpuS() : null;
  const secs = (Date.now() - w0) / 1000;
  sse.abort();
  const rate = (k: string) => m1.reduce((sum, m, r) => sum + (m?.get(k) ?? NaN) - (m0[r]?.get(k) ?? NaN), 0) / secs;

  const f: Figures = {
    topology,
    enrollS,
    connected,
    connectS,
    heartbeats: rate('dcoc_agent_messages_total{type="heartbeat"}'),
    deltas: rate('dcoc_agent_messages_total{type="delta"}'),
    samples: rate('dcoc_agent_metric_samples_total'),
    rtt: roundTrips([...local, ...crossed]),
    ...(two ? { rttLocal: roundTrips(local), rttCrossed: roundTrips(crossed) } : {}),
    replicas: ids.map((id, r) => ({
      id,
      rssMb: p1[r]?.rssMb ?? NaN,
      cpuPct: p0[r] && p1[r] ? ((p1[r].cpuS - p0[r].cpuS) / secs) * 100 : NaN,
      waitPct: p0[r] && p1[r] ? ((p1[r].waitS - p0[r].waitS) / secs) * 100 : NaN,
    })),
    postgresCpuPct: pg0 !== null && pg1 !== null ? ((pg1 - pg0) / secs) * 100 : null,
    ingest: { dcoc: NaN, bare: NaN },
    scrapes,
    ...(o.soakMinutes ? { soak } : {}),
    loadgen: gen && g0 && g1 ? { workers: o.workers, cpuPct: ((g1.cpuS - g0.cpuS) / secs) * 100, rssMb: g1.rssMb, reconnects: gen.stats().reconnects } : null,
    loadavg: loadavg(),
  };
  const sum = two ? ' (sum over both replicas)' : '';
  line('heartbeats/s', `${fmt(f.heartbeats)}${sum}`);
  line('status deltas/s', `${fmt(f.deltas)}${sum}`);
  line('metric samples/s ingested', `${fmt(f.samples)}${sum}`);
  const rt = (x: RoundTrips) => `p50 ${fmt(x.p50)} ms   p99 ${fmt(x.p99)} ms   max ${fmt(x.max)} ms`;
  line('command round trip', `${rt(f.rtt)}   (${f.rtt.n}/${o.commands} no-op scale commands, API accept → agent → succeeded event${two ? ', all issued to a' : ''})`);
  if (f.rttLocal && f.rttCrossed) {
    line('  agent on a', `${rt(f.rttLocal)}   (${f.rttLocal.n})`);
    line('  agent on b (NOTIFY)', `${rt(f.rttCrossed)}   (${f.rttCrossed.n})`);
  }
  line('event-loop delay', `p99 ${fmt(scrapes.loopP99Ms)} ms   max ${fmt(scrapes.loopMaxMs)} ms   (worst 15 s interval, the control service's own histogram${two ? ', either replica' : ''})`);
  line('/metrics scrapes', `${scrapes.n} every 15 s, ${scrapes.failed} failed; largest ${fmt(scrapes.maxBytes / 1e6, 2)} MB, slowest ${fmt(scrapes.maxMs, 0)} ms`);
  for (const [k, r] of f.replicas.entries()) {
    const who = two ? `replica ${r.id}` : 'control service';
    const mb = (name: string) => fmt((m1[k]?.get(name) ?? NaN) / 2 ** 20, 0);
    line(`${who} RSS`, `${fmt(r.rssMb)} MB   (V8 heap used ${mb('dcoc_nodejs_heap_size_used_bytes')} MB, external ${mb('dcoc_nodejs_external_memory_bytes')} MB)`);
    line(`${who} CPU`, `${fmt(r.cpuPct)} % of one core; its event loop waited for a core ${fmt(r.waitPct)} % of the window (run queue)`);
  }
  if (f.loadgen) line('load generator', `${f.loadgen.workers} processes: CPU ${fmt(f.loadgen.cpuPct)} % of one core, RSS ${fmt(f.loadgen.rssMb)} MB, ${f.loadgen.reconnects} reconnects`);
  const reasons = Object.entries(gen?.stats().reasons ?? {}).sort((x, y) => y[1] - x[1]);
  for (const [why, n] of reasons.slice(0, 5)) line('  streams ended', `${n} × ${why}`);
  if (two) line('PostgreSQL backends CPU', f.postgresCpuPct === null ? 'not measured (server not local)' : `${fmt(f.postgresCpuPct)} % of one core`);
  for (const [msg, n] of [...warnings].sort((x, y) => y[1] - x[1]).slice(0, 5)) line('  control warned', `${n} × ${msg}`);
  line('load average', f.loadavg.map((x) => fmt(x, 2)).join(' '));
  if (f.soak) printSoak(f.soak, o.soakMinutes!);

  // Saturation, against replica a only in either topology.
  await gen?.stop();
  gen = null;
  for (const ag of agents.splice(0)) await ag.stop();
  await sleep(1000);
  alive();
  if (o.generator === 'lean' && !o.soakMinutes) {
    f.floor = await transportFloor(caDirOf(join(dir, 'a')), [...Array(o.agents).keys()].map((i) => join(dir, 'agents', String(i))), o.workers, Math.min(20, o.seconds), (l) => line('  bare connecting', l));
    const dcocRss = f.replicas.reduce((n, r) => n + r.rssMb, 0);
    line('bare gRPC, same agents', `${f.floor.connected} / ${o.agents} welcomed in ${fmt(f.floor.connectS)} s; RSS ${fmt(f.floor.rssMb)} MB, CPU ${fmt(f.floor.cpuPct)} % of one core, ${f.floor.reconnects} reconnects`);
    line('  DCOC over bare', `RSS ${fmt(dcocRss / f.floor.rssMb, 2)}×, connect ${fmt(f.connectS / f.floor.connectS, 2)}×  (bare: grpc-js with mutual TLS, counting and welcoming only)`);
  }
  f.ingest = await saturation(a, identities.slice(o.agents), o.blastSeconds, dir);
  line('saturation ingest', `DCOC ${fmt(f.ingest.dcoc, 0)} samples/s vs bare gRPC stream ${fmt(f.ingest.bare, 0)} samples/s (${o.blastStreams} streams, ${o.blastSeconds} s${two ? ', into replica a' : ''})`);
  line('ingest ratio DCOC / bare', fmt(f.ingest.dcoc / f.ingest.bare, 2));
  return f;
}

/** The soak's samples, and how far RSS and the database moved over its second half (retention applies from minute 2-3). */
function printSoak(samples: SoakSample[], minutes: number): void {
  console.log(`\n  soak: ${minutes} min, commands kept 2 min and audit entries 3 min, swept every 30 s\n  ${'minute'.padStart(8)}${'RSS MB'.padStart(10)}${'database MB'.padStart(14)}`);
  for (const x of samples) console.log(`  ${fmt(x.min).padStart(8)}${fmt(x.rssMb).padStart(10)}${fmt(x.dbMb, 2).padStart(14)}`);
  const late = samples.filter((x) => x.min >= minutes / 2);
  const spread = (xs: number[]) => (Math.max(...xs) - Math.min(...xs)) / Math.min(...xs);
  line('soak, second half', `RSS within ${fmt(spread(late.map((x) => x.rssMb)) * 100)} %, database within ${fmt(spread(late.map((x) => x.dbMb)) * 100)} % (max against min)`);
}
