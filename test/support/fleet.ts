// A control service and simulated-commons agents as real child processes, in
// a temp directory with free ports and fast simulation clocks, for tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AgentProc,
  type CommonsSpec,
  type Control,
  DEMO_COMMONS,
  api,
  startAgent,
  startControl,
  stopProc,
} from '../../scripts/demo/processes';
import { freePort } from './free-port';
import { type TestDatabase, createTestDatabase } from './postgres';
import type { CommandView, CommonsSummary } from '../../contracts/api';

export const FAST_CONTROL_ENV = {
  DCOC_HEALTH_INTERVAL_MS: '500',
  DCOC_HEARTBEAT_INTERVAL_MS: '500',
  DCOC_METRICS_INTERVAL_MS: '1000',
  DCOC_AGENT_SILENCE_S: '3',
  // The simulated commons carry real public hostnames: no test probes those (tests that check external endpoints turn this on, pointed at a local server).
  DCOC_EXTERNAL_CHECKS: 'false',
};

export const ADMIN_TOKEN = 'dcoc_test-admin-token-0123456789';
export const PLUGIN_SECRET = 'test-plugin-secret-0123456789abcdef';

/** A control service for a test: the test admin token and plugin secret, free ports, fast agent intervals, and `env` on top. */
export async function startTestControl(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<Control> {
  return startControl({
    dataDir,
    adminToken: ADMIN_TOKEN,
    pluginSecret: PLUGIN_SECRET,
    httpPort: await freePort(),
    grpcPort: await freePort(),
    enrollPort: await freePort(),
    env: { ...FAST_CONTROL_ENV, ...env },
  });
}

export class TestFleet {
  agents: AgentProc[] = [];
  private readonly tokens = new Map<string, string>();

  private constructor(
    readonly dir: string,
    public control: Control,
    private readonly agentOpts: { tickMs: number; podStartMs: number },
    private readonly database: TestDatabase | null,
  ) {}

  /**
   * The store is SQLite in the fleet's directory, or, with DCOC_TEST_STORE=postgres (test/spine-postgres/),
   * a PostgreSQL database of the fleet's own, dropped at stop().
   */
  static async start(opts: { commons?: CommonsSpec[]; controlEnv?: NodeJS.ProcessEnv; tickMs?: number; podStartMs?: number } = {}): Promise<TestFleet> {
    const dir = mkdtempSync(join(tmpdir(), 'dcoc-test-'));
    const database = process.env.DCOC_TEST_STORE === 'postgres' ? await createTestDatabase('fleet') : null;
    const storeEnv = database ? { DCOC_DATABASE_URL: database.url } : {};
    const control = await startTestControl(join(dir, 'control'), { ...storeEnv, ...opts.controlEnv });
    const fleet = new TestFleet(dir, control, { tickMs: opts.tickMs ?? 100, podStartMs: opts.podStartMs ?? 300 }, database);
    for (const spec of opts.commons ?? DEMO_COMMONS) await fleet.addAgent(spec);
    return fleet;
  }

  async addAgent(spec: CommonsSpec, opts: { healthPort?: number } = {}): Promise<AgentProc> {
    const a = await startAgent({
      control: this.control,
      spec,
      dataDir: join(this.dir, 'agents', spec.environment),
      tickMs: this.agentOpts.tickMs,
      podStartMs: this.agentOpts.podStartMs,
      healthPort: opts.healthPort,
    });
    this.agents = [...this.agents.filter((x) => x.spec.hostname !== spec.hostname), a];
    return a;
  }

  agent(hostname: string): AgentProc {
    const a = this.agents.find((x) => x.spec.hostname === hostname);
    if (!a) throw new Error(`no agent for ${hostname}`);
    return a;
  }

  /** Restarts a stopped or killed agent with the same data directory and health port. */
  async restartAgent(hostname: string): Promise<AgentProc> {
    const old = this.agent(hostname);
    await stopProc(old);
    return this.addAgent(old.spec, { healthPort: old.healthPort });
  }

  /** Restarts the control service on the same ports and data directory. */
  async restartControl(): Promise<void> {
    await stopProc(this.control);
    const o = this.control.opts;
    this.control = await startControl(o);
  }

  api<T = unknown>(token: string | null, method: string, path: string, body?: unknown) {
    if (token === null) {
      return fetch(`${this.control.url}${path}`, {
        method,
        headers: body !== undefined ? { 'Content-Type': 'application/json' } : {},
        body: body !== undefined ? JSON.stringify(body) : undefined,
      }).then(async (r) => ({ status: r.status, body: (await r.json().catch(() => null)) as T }));
    }
    return api<T>(this.control, token, method, path, body);
  }

  admin<T = unknown>(method: string, path: string, body?: unknown) {
    return this.api<T>(ADMIN_TOKEN, method, path, body);
  }

  /** An API token bound to `role`, minted through the API by the admin. */
  async tokenFor(role: 'viewer' | 'developer' | 'operator' | 'admin'): Promise<string> {
    const cached = this.tokens.get(role);
    if (cached) return cached;
    const r = await this.admin<{ token: string }>('POST', '/api/v1/tokens', { name: `test-${role}`, role });
    if (r.status !== 201) throw new Error(`minting a ${role} token failed: ${r.status}`);
    this.tokens.set(role, r.body.token);
    return r.body.token;
  }

  /** Waits until every commons of the fleet (default: the three demo ones) is healthy with its agent connected; returns them. */
  async healthyCommons(count = 3, timeoutMs = 60_000): Promise<CommonsSummary[]> {
    return eventually(
      async () => {
        const items = (await this.admin<{ items: CommonsSummary[] }>('GET', '/api/v1/commons')).body.items;
        return items.length === count && items.every((c) => c.status === 'healthy' && c.agent.connected) && items;
      },
      { what: `${count} healthy commons`, timeoutMs },
    );
  }

  /** An operator restarts `service` of commons `id`; resolves with the command once it has succeeded. */
  async restartAndWait(id: string, service: string, timeoutMs = 60_000): Promise<CommandView> {
    const operator = await this.tokenFor('operator');
    const r = await this.api<{ command: { id: string } }>(operator, 'POST', `/api/v1/commons/${id}/services/${service}/restart`);
    if (r.status !== 202) throw new Error(`restart of ${service} on ${id}: ${r.status} ${JSON.stringify(r.body)}`);
    return eventually(
      async () => {
        const c = (await this.admin<CommandView>('GET', `/api/v1/commands/${r.body.command.id}`)).body;
        return c.state === 'succeeded' && c;
      },
      { what: `the restart of ${service} to succeed`, timeoutMs },
    );
  }

  async simState(hostname: string): Promise<SimState> {
    const r = await fetch(`http://127.0.0.1:${this.agent(hostname).healthPort}/__sim/state`);
    return (await r.json()) as SimState;
  }

  async simFault(hostname: string, service: string, fault: 'none' | 'down' | 'slow' | 'crashloop' | 'error'): Promise<void> {
    const r = await fetch(`http://127.0.0.1:${this.agent(hostname).healthPort}/__sim/fault`, {
      method: 'POST',
      body: JSON.stringify({ service, fault }),
    });
    if (!r.ok) throw new Error(`fault injection failed: ${r.status}`);
  }

  /** Every pod of `service` (or `pod` only) writes `text` to its log now; resolves with the pods and the time written. */
  async simLog(hostname: string, service: string, text: string, pod?: string): Promise<{ pods: string[]; timeMs: number }> {
    const r = await fetch(`http://127.0.0.1:${this.agent(hostname).healthPort}/__sim/log`, { method: 'POST', body: JSON.stringify({ service, text, pod }) });
    if (!r.ok) throw new Error(`writing a simulated log line failed: ${r.status} ${await r.text()}`);
    return (await r.json()) as { pods: string[]; timeMs: number };
  }

  async simNetwork(hostname: string, cut: boolean): Promise<void> {
    await fetch(`http://127.0.0.1:${this.agent(hostname).healthPort}/__sim/network`, { method: 'POST', body: JSON.stringify({ cut }) });
  }

  async stop(): Promise<void> {
    await Promise.all(this.agents.map((a) => stopProc(a)));
    await stopProc(this.control);
    await this.database?.drop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface SimState {
  identity: { hostname: string; environment: string };
  release: string;
  config: { revision: number; data: Record<string, string> };
  configWrites: number;
  networkCut: boolean;
  services: Record<string, { rollouts: number; scales: number; desired: number; ready: number; fault: string; restartedAt: string | null }>;
}

/** Polls `fn` until it returns a value other than undefined/false, or fails with the last observation. */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false && v !== null) return v as T;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'a condition'}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}
