// The bench's load generator: enrolled agents spread over K worker processes
// (loadgen-worker.ts), their figures summed from the JSON lines each prints.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ROOT } from '../demo/processes';
import { procStats, sleep } from './measure';

export interface LoadStats {
  /** When the first worker started connecting (ms since the epoch; 0: not yet), after loading its agents' identities. */
  firstConnectAt: number;
  connected: number;
  welcomed: number;
  reconnects: number;
  errors: number;
  sent: { heartbeat: number; delta: number; metrics: number; command_update: number };
  commands: number;
  /** Why streams ended, counted. */
  reasons: Record<string, number>;
}

export interface LoadOptions {
  /** Each agent's data directory (its enrolled identity) and the gateway it connects to. */
  agents: { dir: string; gatewayAddr: string }[];
  workers: number;
  deltaMs?: number;
  samplesMs?: number;
  samples?: number;
}

const zero = (): LoadStats => ({ firstConnectAt: 0, connected: 0, welcomed: 0, reconnects: 0, errors: 0, sent: { heartbeat: 0, delta: 0, metrics: 0, command_update: 0 }, commands: 0, reasons: {} });

export class LoadGenerator {
  private readonly latest: LoadStats[];
  private readonly procs: ChildProcess[] = [];
  private readonly stderr: string[] = [];

  private constructor(readonly workers: number) {
    this.latest = Array.from({ length: workers }, zero);
  }

  /** Starts the workers; each agent i goes to worker i mod K. */
  static start(o: LoadOptions): LoadGenerator {
    const g = new LoadGenerator(o.workers);
    for (let w = 0; w < o.workers; w++) {
      const agents = o.agents.map((a, i) => ({ i, ...a })).filter(({ i }) => i % o.workers === w);
      const child = spawn(process.execPath, ['--max-old-space-size=4096', '--import', 'tsx', 'scripts/bench/loadgen-worker.ts'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
      child.stdin!.end(JSON.stringify({ agents, deltaMs: o.deltaMs ?? 4000, samplesMs: o.samplesMs ?? 15_000, samples: o.samples ?? 50 }));
      createInterface({ input: child.stdout! }).on('line', (l) => {
        try {
          g.latest[w] = JSON.parse(l) as LoadStats;
        } catch {
          /* not a stats line */
        }
      });
      createInterface({ input: child.stderr! }).on('line', (l) => {
        g.stderr.push(`[worker ${w}] ${l}`);
        if (g.stderr.length > 200) g.stderr.shift();
      });
      g.procs.push(child);
    }
    return g;
  }

  stats(): LoadStats {
    const t = zero();
    for (const s of this.latest) {
      if (s.firstConnectAt && (!t.firstConnectAt || s.firstConnectAt < t.firstConnectAt)) t.firstConnectAt = s.firstConnectAt;
      t.connected += s.connected;
      t.welcomed += s.welcomed;
      t.reconnects += s.reconnects;
      t.errors += s.errors;
      t.commands += s.commands;
      for (const k of Object.keys(t.sent) as (keyof LoadStats['sent'])[]) t.sent[k] += s.sent[k];
      for (const [why, n] of Object.entries(s.reasons ?? {})) t.reasons[why] = (t.reasons[why] ?? 0) + n;
    }
    return t;
  }

  /** Waits until `n` agents were welcomed or `timeoutMs` passed; prints progress every 5 s. Returns seconds from the first connect (NaN on timeout). */
  async welcomed(n: number, timeoutMs: number, progress: (welcomed: number) => void): Promise<number> {
    const t0 = Date.now();
    let shown = t0;
    while (Date.now() - t0 < timeoutMs) {
      const s = this.stats();
      if (s.welcomed >= n) return (Date.now() - (s.firstConnectAt || t0)) / 1000;
      if (this.procs.some((p) => p.exitCode !== null)) throw new Error(`a load generator worker exited:\n${this.stderr.slice(-20).join('\n')}`);
      if (Date.now() - shown >= 5000) {
        shown = Date.now();
        progress(s.welcomed);
      }
      await sleep(100);
    }
    return NaN;
  }

  /** CPU seconds and RSS (MB) summed over the workers. */
  usage(): { cpuS: number; rssMb: number } {
    return this.procs.reduce(
      (sum, p) => {
        const s = p.pid ? procStats(p.pid) : null;
        return { cpuS: sum.cpuS + (s?.cpuS ?? 0), rssMb: sum.rssMb + (s?.rssMb ?? 0) };
      },
      { cpuS: 0, rssMb: 0 },
    );
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null) return resolve();
            p.once('exit', () => resolve());
            p.kill('SIGTERM');
            setTimeout(() => (p.kill('SIGKILL'), resolve()), 5000).unref();
          }),
      ),
    );
  }
}
