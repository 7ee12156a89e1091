// Grafana's own plugin client for tests: the Go program in
// test/tools/grafana-host starts a plugin executable with hashicorp/go-plugin
// configured as Grafana configures it and talks pluginv2 through
// grafana-plugin-sdk-go, decoding replies with the SDK's own decoders. This
// module finds that program (built by scripts/tools/go-tools.ts) and drives it.
//
//   const host = await GoGrafanaHost.start(exe);
//   const r = await host.queryData({ pluginContext, queries: [query({ refId: 'A', json: { queryType: 'fleet' } })] });
//   const { exitedByItself } = await host.kill();
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { describe, it } from 'node:test';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { WirePluginContext } from '../../plugin/sdk/wire';
import { findGoTool } from '../../scripts/tools/go-tools';


// ------------------------------------------------------------------ finding Go and the binary

/** Whether `go` runs here. */
export function haveGo(): boolean {
  return spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Why tests that need Go cannot run here, after saying so loudly; undefined
 * when they can. Under CI a missing Go is a failure, never a skip.
 */
export function goMissing(what: string): string | undefined {
  if (haveGo()) return undefined;
  const reason = `${what} needs Go (https://go.dev) on PATH`;
  if (process.env.CI) throw new Error(`${reason}; CI must install it`);
  console.warn(`*** SKIPPED: ${reason} ***`);
  return reason;
}

/**
 * Why tests that need the Go Grafana host cannot run here, after saying so
 * loudly; undefined when they can. Tests never build it (scripts/tools/go-tools.ts
 * does, as .ci/run); under CI a missing build is a failure, never a skip.
 */
export function grafanaHostMissing(what: string): string | undefined {
  if (process.env.DCOC_GRAFANA_HOST || findGoTool('grafana-host')) return undefined;
  const reason = `${what} needs the Go Grafana host, which is not built: run node --import tsx scripts/tools/go-tools.ts grafana-host (needs Go 1.26)`;
  if (process.env.CI) throw new Error(`${reason}; CI must build it (see .ci/run)`);
  console.warn(`*** SKIPPED: ${reason} ***`);
  return reason;
}

/**
 * describe(name, fn) when `missing` is undefined; otherwise one test that
 * t.skip()s with the reason, so the run counts the skip (a skipped suite counts
 * as no test at all).
 */
export function describeUnless(missing: string | undefined, name: string, fn: () => void): void {
  if (missing === undefined) describe(name, fn);
  else it(name, (t) => t.skip(missing));
}

/** DCOC_GRAFANA_HOST, or the build scripts/tools/go-tools.ts made. */
export function grafanaHostBinary(): string {
  const given = process.env.DCOC_GRAFANA_HOST;
  if (given) {
    if (!existsSync(given)) throw new Error(`DCOC_GRAFANA_HOST=${given} does not exist`);
    return given;
  }
  const dir = findGoTool('grafana-host');
  if (!dir) throw new Error('the Go Grafana host is not built: run node --import tsx scripts/tools/go-tools.ts grafana-host');
  return join(dir, 'grafana-host');
}

// ------------------------------------------------------------------ what the host reports

export interface RenderedField {
  name: string;
  /** The SDK's element type in words: "string", "nullable time", "float64", "json", … */
  type: string;
  /** The SDK's own name for it: "string", "*time.Time", … */
  goType: string;
  labels: Record<string, string> | null;
  config: Record<string, unknown> | null;
  /** Times are decimal strings of epoch nanoseconds; NaN/±Inf and int64 beyond 2^53 are strings too. */
  values: unknown[];
}

export interface RenderedFrame {
  name: string;
  refId: string;
  meta: Record<string, unknown> | null;
  rows: number;
  fields: RenderedField[];
  /** Grafana's JSON frame form of it (data.FrameToJSON), as /api/ds/query serves it. */
  json: { schema: Record<string, unknown>; data: Record<string, unknown> };
}

export interface DataResponse {
  status: number;
  wireStatus: number;
  wireFormat: string;
  error: string;
  errorSource: string;
  frames: RenderedFrame[];
}

export interface ResourceReply {
  status: number;
  headers: Record<string, string[]>;
  messages: { status: number; headers: number; bytes: number }[];
  bodyBase64: string;
  body?: string;
}

export interface HealthReply {
  status: 'OK' | 'ERROR' | 'UNKNOWN';
  message: string;
  jsonDetails: unknown;
}

export interface StreamReply {
  status: 'OK' | 'NOT_FOUND' | 'PERMISSION_DENIED';
  data: unknown;
}

export interface Packet {
  json: unknown;
  frame: RenderedFrame | null;
  notFrame?: string;
}

export interface RunStreamReply {
  packets: Packet[];
  end: 'maxPackets' | 'timeout' | 'cancelled' | 'eof' | 'error';
}

export interface KillReply {
  ms: number;
  /** False when go-plugin had to SIGKILL after its 2 s grace. */
  exitedByItself: boolean;
  /** What go-plugin's Exited() says afterwards. */
  exited: boolean;
  exitLogged: boolean;
  exitError: string;
}

export interface Started {
  ok: boolean;
  ms: number;
  pid: number;
  negotiatedVersion: number;
  protocol: string;
  addr: string;
  error?: string;
}

/** A failed call: go-plugin's or gRPC's error, as Grafana would get it. */
export class HostCallError extends Error {
  constructor(
    message: string,
    readonly grpcCode: string | undefined,
    readonly result: unknown,
  ) {
    super(message);
  }
}

/** The plugin did not start: go-plugin's error. */
export class PluginStartError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

// ------------------------------------------------------------------ requests (pluginv2 in protojson)

/** A value made ready for protojson: bytes as base64, no nulls (absent messages). */
export function protoJson(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(protoJson);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).flatMap(([k, x]) => (x === null || x === undefined ? [] : [[k, protoJson(x)]])));
  return v;
}

const jsonBytes = (v: unknown): Buffer => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

export interface QuerySpec {
  refId: string;
  json: Record<string, unknown>;
  timeRange?: { from: Date; to: Date };
}

/** A DataQuery as Grafana sends it: queryType both in the message and in the model. */
export function query(q: QuerySpec) {
  const range = q.timeRange ?? { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000) };
  return {
    refId: q.refId,
    queryType: String(q.json.queryType ?? ''),
    json: jsonBytes(q.json),
    maxDataPoints: '1000',
    intervalMS: '1000',
    timeRange: { fromEpochMS: String(range.from.getTime()), toEpochMS: String(range.to.getTime()) },
  };
}

export interface ResourceSpec {
  pluginContext: WirePluginContext;
  path: string;
  method?: string;
  body?: unknown;
  headers?: Record<string, string[]>;
}

/** A CallResourceRequest as Grafana builds it: path without, url with the query string. */
export function resourceRequest(r: ResourceSpec) {
  const [path, qs] = r.path.split('?');
  const headers = { ...(r.body !== undefined ? { 'Content-Type': ['application/json'] } : {}), ...r.headers };
  return {
    pluginContext: r.pluginContext,
    path,
    url: qs ? `${path}?${qs}` : path,
    method: r.method ?? 'GET',
    headers: Object.fromEntries(Object.entries(headers).map(([k, values]) => [k, { values }])),
    body: r.body === undefined ? undefined : jsonBytes(r.body),
  };
}

// ------------------------------------------------------------------ the running host

interface HostLine {
  event?: string;
  id?: string;
  call?: string;
  ok?: boolean;
  ms?: number;
  result?: unknown;
  error?: string;
  grpcCode?: string;
  packet?: Packet;
  kill?: KillReply;
  [k: string]: unknown;
}

/** One started plugin, driven through grafana-host's stdin/stdout. */
export class GoGrafanaHost {
  stderr = '';
  stopped: KillReply | undefined;
  private nextId = 0;
  private readonly waiting = new Map<string, { call: string; resolve: (l: HostLine) => void; reject: (e: Error) => void }>();
  /** Set once grafana-host has exited: later calls fail at once. */
  private exitCode: number | null | undefined;
  private readonly packetListeners = new Map<string, (p: Packet) => void>();

  private constructor(
    readonly child: ChildProcess,
    readonly started: Started,
    readonly exited: Promise<number | null>,
  ) {
    // One handler for every call still waiting when grafana-host exits: a handler per call on `exited`
    // would keep each call's answer reachable until the host exits (a bench of large frames ran out of heap).
    const fail = (e: Error) => {
      for (const w of this.waiting.values()) w.reject(this.exitError(w.call, e));
      this.waiting.clear();
    };
    exited.then((code) => {
      this.exitCode = code;
      fail(new Error(`grafana-host exited (${code})`));
    }, fail);
  }

  /**
   * Starts `executable` through grafana-host. `env` is Grafana's own list for
   * the plugin (go-plugin then adds the host's environment, which here is only
   * PATH=/nonexistent, HOME and TMPDIR, and its own variables).
   */
  static async start(executable: string, opts: { env?: Record<string, string>; grafanaVersion?: string } = {}): Promise<GoGrafanaHost> {
    const env = { GF_VERSION: opts.grafanaVersion ?? '12.3.0', GF_EDITION: 'Open Source', ...opts.env };
    const args = ['run', ...Object.entries(env).flatMap(([k, v]) => ['-env', `${k}=${v}`]), executable];
    const child = spawn(grafanaHostBinary(), args, {
      env: { PATH: '/nonexistent', HOME: process.env.HOME ?? '/tmp', TMPDIR: process.env.TMPDIR ?? '/tmp' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const lines = createInterface({ input: child.stdout! });
    const first = await new Promise<HostLine>((resolve, reject) => {
      lines.once('line', (l) => resolve(JSON.parse(l) as HostLine));
      void exited.then((code) => reject(new PluginStartError(`grafana-host exited (${code}) before reporting the start`, stderr)));
    });
    if (!first.ok) {
      await exited; // its log is complete once it has exited
      throw new PluginStartError(first.error ?? 'unknown start error', stderr);
    }
    const host = new GoGrafanaHost(child, first as unknown as Started, exited);
    child.stderr!.removeAllListeners('data').on('data', (s: string) => (host.stderr += s));
    host.stderr = stderr;
    lines.on('line', (l) => host.onLine(JSON.parse(l) as HostLine));
    return host;
  }

  get pid(): number {
    return this.started.pid;
  }

  private onLine(l: HostLine): void {
    if (l.event === 'stopped') this.stopped = l.kill;
    if (!l.id) return;
    if (l.packet) {
      this.packetListeners.get(l.id)?.(l.packet);
      return;
    }
    this.waiting.get(l.id)?.resolve(l);
    this.waiting.delete(l.id);
  }

  private exitError(call: string, cause: Error): Error {
    return new Error(`grafana-host exited (${this.exitCode === undefined ? cause.message : this.exitCode}) during ${call}; its log:\n${this.stderr.slice(-4000)}`);
  }

  private send(call: string, request: unknown, extra: Record<string, unknown> = {}): { id: string; reply: Promise<HostLine> } {
    const id = `c${this.nextId++}`;
    const reply = new Promise<HostLine>((resolve, reject) => {
      if (this.exitCode !== undefined) reject(this.exitError(call, new Error('exited')));
      else this.waiting.set(id, { call, resolve, reject });
    });
    this.child.stdin!.write(`${JSON.stringify({ id, call, request: protoJson(request), ...extra })}\n`);
    return { id, reply };
  }

  /** Any call; resolves with its result, rejects with HostCallError when the call failed. */
  async call<T>(call: string, request: unknown, extra: Record<string, unknown> = {}): Promise<T> {
    const l = await this.send(call, request, extra).reply;
    if (!l.ok) throw new HostCallError(`${call}: ${l.error}`, l.grpcCode, l.result);
    return l.result as T;
  }

  async queryData(req: { pluginContext: WirePluginContext; queries: ReturnType<typeof query>[]; headers?: Record<string, string> }): Promise<Record<string, DataResponse>> {
    return (await this.call<{ responses: Record<string, DataResponse> }>('QueryData', req)).responses;
  }

  callResource(spec: ResourceSpec, timeoutMs?: number): Promise<ResourceReply> {
    return this.call('CallResource', resourceRequest(spec), { timeoutMs });
  }

  checkHealth(req: { pluginContext: WirePluginContext; headers?: Record<string, string> }): Promise<HealthReply> {
    return this.call('CheckHealth', req);
  }

  async collectMetrics(req: { pluginContext: WirePluginContext }): Promise<string> {
    return (await this.call<{ prometheus: string }>('CollectMetrics', req)).prometheus;
  }

  subscribeStream(req: { pluginContext: WirePluginContext; path: string }): Promise<StreamReply> {
    return this.call('SubscribeStream', req);
  }

  publishStream(req: { pluginContext: WirePluginContext; path: string; data?: Buffer }): Promise<StreamReply> {
    return this.call('PublishStream', req);
  }

  /** A RunStream call in the background: packets as they arrive, the end when it ends or is cancelled (as Grafana does when the last subscriber leaves). */
  runStream(req: { pluginContext: WirePluginContext; path: string }, opts: { maxPackets?: number; timeoutMs?: number } = {}) {
    const packets: Packet[] = [];
    const { id, reply } = this.send('RunStream', req, { async: true, maxPackets: opts.maxPackets ?? 0, timeoutMs: opts.timeoutMs ?? 120_000 });
    this.packetListeners.set(id, (p) => packets.push(p));
    const done = reply.then((l) => {
      this.packetListeners.delete(id);
      return { ok: l.ok === true, error: l.error, ...(l.result as RunStreamReply) };
    });
    return { packets, done, cancel: () => this.call<{ cancelled: boolean }>('cancel', undefined, { target: id }) };
  }

  /** go-plugin's Client.Kill(), as Grafana stops a plugin. */
  kill(): Promise<KillReply> {
    return this.call('kill', undefined);
  }

  /** Waits for go-plugin's Exited() (how Grafana notices a plugin died). */
  waitExit(timeoutMs = 10_000): Promise<{ exited: boolean; ms: number; exitError?: string }> {
    return this.call('waitExit', undefined, { timeoutMs });
  }

  /** Ends the script: grafana-host kills the plugin if no call did, and exits. */
  async close(): Promise<number | null> {
    this.child.stdin!.end();
    return this.exited;
  }

  /** For after hooks: kill() as Grafana stops the plugin (whatever it answers), then close(). */
  async stop(): Promise<number | null> {
    await this.kill().catch(() => undefined);
    return this.close();
  }

  /** go-plugin's log lines (hclog JSON), the plugin's stderr among them. */
  logs(): Record<string, unknown>[] {
    return this.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

// ------------------------------------------------------------------ decode mode

export type DecodeReply = { ok: true; frame: RenderedFrame } | { ok: false; error: string };

/** Only the SDK's frame decoder, on bytes given to it (`grafana-host decode`). */
export function sdkDecode(bytes: Uint8Array | string, format: 'arrow' | 'json' = 'arrow'): DecodeReply {
  const r = spawnSync(grafanaHostBinary(), ['decode', '-format', format], { input: bytes, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`grafana-host decode failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as DecodeReply;
}
