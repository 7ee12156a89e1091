// Starts the control service and simulated-commons agents as child processes,
// enrolled through the real enrollment path. Used by `npm start`, the bench
// and the tests (which kill -9 these processes).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = resolve(import.meta.dirname, '..', '..');

export interface CommonsSpec {
  hostname: string;
  environment: string;
  name: string;
  release: string;
  size: 'small' | 'medium' | 'large';
}

export const DEMO_COMMONS: CommonsSpec[] = [
  { hostname: 'brh.data-commons.org', environment: 'brhprod', name: 'Biomedical Research Hub', release: '2026.07', size: 'large' },
  { hostname: 'data.midrc.org', environment: 'midrcprod', name: 'MIDRC', release: '2026.06', size: 'medium' },
  { hostname: 'healdata.org', environment: 'healprod', name: 'HEAL Data Platform', release: '2026.04', size: 'small' },
];

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

/** A secret kept in a 0600 file in the demo directory, made once. */
export function secretFile(file: string, prefix = '', bytes = 24): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const v = `${prefix}${randomBytes(bytes).toString('base64url')}`;
  writeFileSync(file, `${v}\n`, { mode: 0o600 });
  return v;
}

export interface Proc {
  child: ChildProcess;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<number | string>;
  /** Resolves with the first JSON log line for which `pick` returns a value. */
  waitForLog<T>(pick: (line: Record<string, unknown>) => T | undefined, timeoutMs?: number): Promise<T>;
  logs: string[];
}

// What an agent inherits from the launcher's environment: enough to run node,
// never the control service's secrets (DCOC_ADMIN_TOKEN, DCOC_PLUGIN_SECRET)
// or anything else the operator exported.
const AGENT_ENV = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ', 'NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS', 'DCOC_LOG_LEVEL', 'CI'];

/** The launcher's environment cut down to AGENT_ENV. */
export function agentEnvironment(from: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(AGENT_ENV.filter((k) => from[k] !== undefined).map((k) => [k, from[k]]));
}

/** Starts `node --import tsx <args>` with `env` over `base` (the launcher's whole environment unless given). */
export function launch(args: string[], env: NodeJS.ProcessEnv, echo?: (line: string) => void, base: NodeJS.ProcessEnv = process.env, nodeArgs: string[] = []): Proc {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', ...args], { cwd: ROOT, env: { ...base, ...env }, stdio: ['ignore', 'inherit', 'pipe'] });
  const logs: string[] = [];
  const waiters = new Set<(line: Record<string, unknown>) => void>();
  createInterface({ input: child.stderr! }).on('line', (line) => {
    logs.push(line);
    if (logs.length > 2000) logs.shift();
    echo?.(line);
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    for (const w of waiters) w(parsed);
  });
  const exited = new Promise<number | string>((res) => child.once('exit', (code, signal) => res(code ?? signal ?? -1)));
  return {
    child,
    exited,
    logs,
    waitForLog<T>(pick: (line: Record<string, unknown>) => T | undefined, timeoutMs = 30_000) {
      return new Promise<T>((res, rej) => {
        const t = setTimeout(() => {
          waiters.delete(w);
          rej(new Error(`timed out waiting for a log line; last lines:\n${logs.slice(-10).join('\n')}`));
        }, timeoutMs);
        const w = (line: Record<string, unknown>) => {
          const v = pick(line);
          if (v !== undefined) {
            clearTimeout(t);
            waiters.delete(w);
            res(v);
          }
        };
        waiters.add(w);
        void exited.then((code) => {
          if (!waiters.has(w)) return;
          clearTimeout(t);
          waiters.delete(w);
          rej(new Error(`process exited (${code}) first; last lines:\n${logs.slice(-10).join('\n')}`));
        });
      });
    },
  };
}

export interface ControlOptions {
  dataDir: string;
  adminToken: string;
  pluginSecret?: string;
  httpPort: number;
  grpcPort: number;
  enrollPort: number;
  env?: NodeJS.ProcessEnv;
  echo?: (line: string) => void;
  /** Node options for the control service's process (the bench's --profile: --cpu-prof). */
  nodeArgs?: string[];
}

export interface Control extends Proc {
  url: string;
  gatewayAddr: string;
  enrollAddr: string;
  caFile: string;
  opts: ControlOptions;
}

export async function startControl(opts: ControlOptions): Promise<Control> {
  mkdirSync(opts.dataDir, { recursive: true });
  const p = launch(
    ['backend/main.ts'],
    {
      DCOC_DATA_DIR: opts.dataDir,
      DCOC_ADMIN_TOKEN: opts.adminToken,
      ...(opts.pluginSecret ? { DCOC_PLUGIN_SECRET: opts.pluginSecret } : {}),
      DCOC_HTTP_ADDR: `127.0.0.1:${opts.httpPort}`,
      DCOC_GRPC_ADDR: `127.0.0.1:${opts.grpcPort}`,
      DCOC_ENROLL_ADDR: `127.0.0.1:${opts.enrollPort}`,
      ...opts.env,
    },
    opts.echo,
    process.env,
    opts.nodeArgs,
  );
  const started = await p.waitForLog((l) => (l.msg === 'control service started' ? (l as unknown as { httpUrl: string; gatewayAddr: string; enrollAddr: string }) : undefined));
  return { ...p, url: started.httpUrl, gatewayAddr: started.gatewayAddr, enrollAddr: started.enrollAddr, caFile: join(opts.dataDir, 'pki', 'ca.crt.pem'), opts };
}

export async function api<T = unknown>(control: { url: string }, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${control.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function mintEnrollmentToken(control: Control, ttlSeconds = 600): Promise<string> {
  const r = await api<{ token: string }>(control, control.opts.adminToken, 'POST', '/api/v1/enrollment-tokens', { ttlSeconds, description: 'demo agent' });
  if (r.status !== 201) throw new Error(`could not mint an enrollment token: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token;
}

export interface AgentProc extends Proc {
  healthPort: number;
  spec: CommonsSpec;
  dataDir: string;
}

export async function startAgent(opts: {
  control: Control;
  spec: CommonsSpec;
  dataDir: string;
  token?: string;
  tickMs?: number;
  podStartMs?: number;
  healthPort?: number;
  env?: NodeJS.ProcessEnv;
  echo?: (line: string) => void;
}): Promise<AgentProc> {
  const { control, spec } = opts;
  const enrolled = existsSync(join(opts.dataDir, 'agent.crt.pem'));
  const token = enrolled ? undefined : (opts.token ?? (await mintEnrollmentToken(control)));
  const p = launch(
    [
      'agent/main.ts',
      '--simulate',
      '--control',
      control.gatewayAddr,
      '--enroll',
      control.enrollAddr,
      '--data-dir',
      opts.dataDir,
      '--ca-file',
      control.caFile,
      '--hostname',
      spec.hostname,
      '--environment',
      spec.environment,
      '--name',
      spec.name,
      '--release',
      spec.release,
      '--size',
      spec.size,
      '--tick-ms',
      String(opts.tickMs ?? 500),
      '--pod-start-ms',
      String(opts.podStartMs ?? 1500),
      '--health-port',
      String(opts.healthPort ?? 0),
    ],
    { ...(token ? { DCOC_ENROLL_TOKEN: token } : {}), ...opts.env },
    opts.echo,
    agentEnvironment(),
  );
  // Generous: an agent is a node process compiling TypeScript, and tests start many at once on a shared 2-core machine.
  const healthPort = await p.waitForLog((l) => (l.msg === 'agent running' ? (l.healthPort as number) : undefined), 120_000);
  return { ...p, healthPort, spec, dataDir: opts.dataDir };
}

/** SIGTERM, then SIGKILL if it has not exited in time. */
export async function stopProc(p: Proc, graceMs = 5000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const t = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(t);
}
