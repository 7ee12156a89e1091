// `npm run bench`: N simulated agents (default 1000) against the control
// service, in one or both topologies: one replica on SQLite, and two replicas
// sharing a PostgreSQL database. Prints, per topology, agents connected,
// heartbeats/s, status deltas/s, metric samples/s ingested, command round trip
// p50/p99, each replica's RSS and CPU, and the ratio of DCOC's ingest rate to
// a bare gRPC stream of the same messages; then both side by side.
//   npm run bench -- --topology both --agents 1000 --seconds 20 --commands 200
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Cleanups } from './bench/cleanups';
import { BenchSetupError, DEFAULT_ADMIN_URL, redact } from './bench/database';
import { type BenchOptions, type Figures, runTopology, type Topology } from './bench/run';
import { sideBySide } from './bench/table';
import { logFollowBench, logFollowTable } from './bench/log-follow';
import { valuesEditTable } from './bench/values-edit';
import { storeBench } from './bench/store';
import { metricsBench } from './bench/metrics';
import { queriesBench } from './bench/queries';

const HELP = `Usage: npm run bench -- [options]

Runs simulated agents against the control service and prints its throughput,
command round trip, memory and CPU, and its saturation ingest rate against a
bare gRPC server.

Options:
  --topology T        sqlite | postgres-2 | both (default both)
                        sqlite      one control service on SQLite
                        postgres-2  replicas a and b on one PostgreSQL database;
                                    half the agents on each, commands issued to a
  --agents N          simulated agents (default 1000; 10,000 and more work)
  --generator G       lean (default): agents speak the protocol from --workers
                        load generator processes (heartbeat 10 s, a status
                        delta every ~4 s, 50 samples every 15 s), and
                        /metrics is scraped every 15 s during the window
                      agents: the full agent (agent/core) with a simulated
                        commons, all in the bench's process (heartbeat 1 s)
  --workers K         load generator processes (default agents / 2,500, 1-4)
  --soak MINUTES      the window lasts this long (commands keep flowing at
                      --commands per --seconds), commands are kept 2 min and
                      audit entries 3 min, and the control service's RSS and
                      database size are printed every 30 s, then how far each
                      moved over the second half (SQLite only)
  --profile DIR       write each control service's CPU profile there (node
                      --cpu-prof, at its exit); open it in Chrome DevTools
  --seconds S         steady-state window (default 20)
  --commands C        no-op scale commands issued during the window (default 200)
  --blast-streams N   streams in the saturation test (default 16)
  --blast-seconds S   length of the saturation test (default 5)
  --log-follow        instead: log follow latency (a line written in a pod →
                      received over SSE) on one control service and one
                      simulated commons; with --log-lines N (default 300) and
                      --log-replicas R (default 3)
  --values-edit       instead: how the GitOps values edit's time grows with
                      the values file (about 5,000 and 50,000 lines)
  --store             instead: the store on SQLite: the deadline sweep over
                      100k and 1M commands, old query against the indexed one,
                      and agents' last_seen statements per minute for 10,000
                      agents, per-heartbeat writes against batched flushes
  --metrics           instead: /metrics of 1,000 and 10,000 synthetic commons
                      (in process, no agents): body size, render time and the
                      longest event-loop stall, the old /metrics against the
                      fleet /metrics, and one commons' /metrics/commons/{id}
  --queries           instead: the data source's fleet-wide queries (fleet,
                      health, services of all commons) through the shipped
                      executable under Grafana's plugin client, at 1,000 and
                      10,000 commons seeded on PostgreSQL (no agents): p50/p95
                      over --runs N (default 50), requests made, frame size
  --database-url URL  PostgreSQL admin URL, a role that may CREATE DATABASE; a
                      throwaway database is made there and dropped at the end
                      (default $DCOC_TEST_DATABASE_URL, else ${DEFAULT_ADMIN_URL};
                      \`bash .ci/postgres\` starts that server)
  -h, --help          this text`;

function parse() {
  try {
    return parseArgs({
      options: {
        topology: { type: 'string', default: 'both' },
        agents: { type: 'string', default: '1000' },
        seconds: { type: 'string', default: '20' },
        commands: { type: 'string', default: '200' },
        'blast-streams': { type: 'string', default: '16' },
        'blast-seconds': { type: 'string', default: '5' },
        generator: { type: 'string', default: 'lean' },
        workers: { type: 'string' },
        profile: { type: 'string' },
        soak: { type: 'string' },
        'log-follow': { type: 'boolean', default: false },
        'values-edit': { type: 'boolean', default: false },
        store: { type: 'boolean', default: false },
        metrics: { type: 'boolean', default: false },
        queries: { type: 'boolean', default: false },
        runs: { type: 'string', default: '50' },
        'log-lines': { type: 'string', default: '300' },
        'log-replicas': { type: 'string', default: '3' },
        'database-url': { type: 'string', default: process.env.DCOC_TEST_DATABASE_URL || DEFAULT_ADMIN_URL },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (e) {
    throw new BenchSetupError(`${(e as Error).message} (see --help)`, { cause: e });
  }
}

function options(): { topologies: Topology[]; opts: BenchOptions; logFollow: { lines: number; replicas: number } | null; valuesEdit: boolean; store: boolean; metrics: boolean; queries: number | null } {
  const a = parse();
  if (a.help) {
    console.log(HELP);
    process.exit(0);
  }
  if (a.generator !== 'lean' && a.generator !== 'agents') throw new BenchSetupError(`--generator must be lean or agents, not "${a.generator}" (see --help)`);
  const positive = (name: 'agents' | 'workers' | 'soak' | 'seconds' | 'commands' | 'blast-streams' | 'blast-seconds' | 'log-lines' | 'log-replicas' | 'runs') => {
    const n = Number(a[name]);
    if (!Number.isInteger(n) || n < 1) throw new BenchSetupError(`--${name} must be a whole number of at least 1, not "${a[name]}" (see --help)`);
    return n;
  };
  const topologies: Record<string, Topology[]> = { sqlite: ['sqlite'], 'postgres-2': ['postgres-2'], both: ['sqlite', 'postgres-2'] };
  if (!topologies[a.topology]) throw new BenchSetupError(`--topology must be sqlite, postgres-2 or both, not "${a.topology}"`);
  if (!/^postgres(ql)?:\/\//.test(a['database-url'])) throw new BenchSetupError(`--database-url must be a postgres:// URL, not "${redact(a['database-url'])}"`);
  return {
    topologies: topologies[a.topology],
    valuesEdit: a['values-edit'],
    store: a.store,
    metrics: a.metrics,
    queries: a.queries ? positive('runs') : null,
    logFollow: a['log-follow'] ? { lines: positive('log-lines'), replicas: Math.min(positive('log-replicas'), 100) } : null,
    opts: {
      agents: positive('agents'),
      // A soak's window is its minutes, with commands at the rate --commands per --seconds gives.
      seconds: a.soak === undefined ? positive('seconds') : positive('soak') * 60,
      commands: a.soak === undefined ? positive('commands') : Math.round((positive('commands') / positive('seconds')) * positive('soak') * 60),
      blastStreams: positive('blast-streams'),
      blastSeconds: positive('blast-seconds'),
      generator: a.generator as 'lean' | 'agents',
      profileDir: a.profile,
      soakMinutes: a.soak === undefined ? undefined : positive('soak'),
      // About 2,500 agents a process by default: enough processes that none is the bottleneck, few enough for 2 cores.
      workers: a.workers === undefined ? Math.max(1, Math.min(4, Math.ceil(positive('agents') / 2500))) : positive('workers'),
      databaseUrl: a['database-url'],
    },
  };
}

const cleanups = new Cleanups();

async function main(): Promise<void> {
  const { topologies, opts, logFollow, valuesEdit, store, metrics, queries } = options();
  if (metrics) {
    console.log(await metricsBench());
    return;
  }
  if (queries) {
    try {
      console.log(await queriesBench({ sizes: [1_000, 10_000], runs: queries, databaseUrl: opts.databaseUrl }, cleanups));
    } finally {
      await cleanups.run();
    }
    return;
  }
  if (store) {
    console.log(await storeBench());
    return;
  }
  if (valuesEdit) {
    console.log(valuesEditTable());
    return;
  }
  if (logFollow) {
    const dir = mkdtempSync(join(tmpdir(), 'dcoc-bench-logs-'));
    cleanups.push(`remove ${dir}`, async () => rmSync(dir, { recursive: true, force: true }));
    try {
      console.log(logFollowTable(await logFollowBench(logFollow, dir, cleanups)));
    } finally {
      await cleanups.run();
    }
    return;
  }
  const results: Figures[] = [];
  for (const topology of topologies) {
    const dir = mkdtempSync(join(tmpdir(), `dcoc-bench-${topology}-`));
    cleanups.push(`remove ${dir}`, async () => rmSync(dir, { recursive: true, force: true }));
    try {
      results.push(await runTopology(topology, opts, dir, cleanups));
    } finally {
      await cleanups.run();
    }
  }
  if (results.length === 2) {
    console.log(`\n== Side by side: ${opts.agents} agents, ${opts.seconds} s window, ${opts.commands} commands, saturation ${opts.blastStreams} streams × ${opts.blastSeconds} s\n`);
    console.log(sideBySide(results[0], results[1]));
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`bench: ${signal}, cleaning up`);
    void cleanups.run().finally(() => process.exit(130));
  });
}

main().then(
  () => process.exit(0),
  async (e: Error) => {
    console.error(`bench failed: ${e instanceof BenchSetupError ? e.message : (e.stack ?? e.message)}`);
    await cleanups.run();
    process.exit(1);
  },
);
