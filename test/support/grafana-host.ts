// A fake Grafana for backend plugin tests: starts a plugin executable the way
// Grafana (through hashicorp/go-plugin) does, reads its handshake, talks
// pluginv2 gRPC to it with crafted PluginContexts, and stops it the way
// Grafana's Kill() does (GRPCController.Shutdown, 2 s grace, then SIGKILL).
//
//   const host = await startPlugin({ executable: exe });
//   const res = await host.queryData({ pluginContext: pluginContext({ role: 'Viewer' }), queries: [{ refId: 'A' }] });
//   const { exitedInGrace } = await host.shutdown();
import { spawn, type ChildProcess } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import {
  Client,
  credentials,
  makeGenericClientConstructor,
  type ClientReadableStream,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { DataService, DiagnosticsService, ResourceService, StreamService } from '../../plugin/sdk/pb/backend';
import { GRPCControllerService } from '../../plugin/sdk/pb/grpc_controller';
import { HealthService } from '../../plugin/sdk/pb/health';
import type {
  WireCallResourceResponse,
  WireCheckHealthResponse,
  WireCollectMetricsResponse,
  WireDataQuery,
  WirePluginContext,
  WireQueryDataResponse,
  WireServingStatus,
  WireStreamPacket,
  WireStreamRequest,
  WireStreamResponse,
  WireUser,
} from '../../plugin/sdk/wire';

// ------------------------------------------------------------------ PluginContext

export type OrgRole = 'Viewer' | 'Editor' | 'Admin' | 'None';

export interface PluginContextOptions {
  pluginId?: string;
  orgId?: number;
  /** The org role of the default user. */
  role?: OrgRole;
  /** Overrides for the user; null for a request Grafana itself makes (no user, e.g. alerting). */
  user?: Partial<WireUser> | null;
  /** App instance settings (requests to an app). */
  app?: { jsonData?: unknown; secureJsonData?: Record<string, string>; lastUpdated?: Date };
  /** Data source instance settings (requests to a data source). */
  datasource?: {
    id?: number;
    uid?: string;
    name?: string;
    url?: string;
    jsonData?: unknown;
    secureJsonData?: Record<string, string>;
    lastUpdated?: Date;
  };
  grafanaConfig?: Record<string, string>;
  pluginVersion?: string;
}

/** A PluginContext as Grafana would send it for a user with the given org role. */
export function pluginContext(opts: PluginContextOptions = {}): WirePluginContext {
  const role = opts.role ?? 'Viewer';
  const login = `${role.toLowerCase()}-user`;
  const user: WireUser | null =
    opts.user === null ? null : { login, name: `${role} User`, email: `${login}@example.org`, role, ...opts.user };
  const json = (v: unknown) => Buffer.from(v === undefined ? '' : JSON.stringify(v));
  /** What app and data source instance settings have alike. */
  const settings = (o: { jsonData?: unknown; secureJsonData?: Record<string, string>; lastUpdated?: Date }) => ({
    jsonData: json(o.jsonData),
    decryptedSecureJsonData: o.secureJsonData ?? {},
    lastUpdatedMS: String(o.lastUpdated?.getTime() ?? Date.now()),
    apiVersion: '',
  });
  return {
    orgId: String(opts.orgId ?? 1),
    pluginId: opts.pluginId ?? 'example-datasource',
    user,
    appInstanceSettings: opts.app ? settings(opts.app) : null,
    dataSourceInstanceSettings: opts.datasource
      ? {
          id: String(opts.datasource.id ?? 1),
          uid: opts.datasource.uid ?? 'example-ds-uid',
          name: opts.datasource.name ?? 'Example',
          url: opts.datasource.url ?? '',
          user: '',
          database: '',
          basicAuthEnabled: false,
          basicAuthUser: '',
          ...settings(opts.datasource),
        }
      : null,
    grafanaConfig: opts.grafanaConfig ?? {},
    pluginVersion: opts.pluginVersion ?? '1.0.0',
    userAgent: 'Grafana/12.3.0 (linux; amd64)',
    apiVersion: '',
    namespace: 'default',
  };
}

// ------------------------------------------------------------------ gRPC clients

type ServiceName = 'data' | 'resource' | 'diagnostics' | 'stream' | 'health' | 'grpcController';

const serviceNames: Record<ServiceName, string> = {
  data: 'pluginv2.Data',
  resource: 'pluginv2.Resource',
  diagnostics: 'pluginv2.Diagnostics',
  stream: 'pluginv2.Stream',
  health: 'grpc.health.v1.Health',
  grpcController: 'plugin.GRPCController',
};

/** The same generated service definitions the plugin serves (method keys camelCase: queryData). */
const serviceDefinitions: Record<ServiceName, ServiceDefinition> = {
  data: DataService,
  resource: ResourceService,
  diagnostics: DiagnosticsService,
  stream: StreamService,
  health: HealthService,
  grpcController: GRPCControllerService,
};

type UnaryMethod = (req: unknown, cb: (err: ServiceError | null, res: unknown) => void) => void;
type StreamMethod = (req: unknown) => ClientReadableStream<unknown>;

// ------------------------------------------------------------------ the host

export interface StartPluginOptions {
  executable: string;
  /** Extra environment, added after Grafana's own (GF_PLUGIN_*, …). */
  env?: Record<string, string>;
  /** GF_VERSION; default 12.3.0. */
  grafanaVersion?: string;
  /** PATH for the plugin; default /nonexistent, so no node binary can be found. */
  path?: string;
  /** How long to wait for the handshake line; default 10 s (go-plugin allows 60 s). */
  startTimeoutMs?: number;
}

export interface Handshake {
  line: string;
  core: string;
  app: string;
  network: string;
  address: string;
  protocol: string;
}

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ResourceResult {
  status: number;
  headers: Record<string, string[]>;
  body: Buffer;
  /** Every streamed message, as received. */
  messages: WireCallResourceResponse[];
}

export interface QueryInput {
  refId: string;
  json?: unknown;
  queryType?: string;
  timeRange?: { from: Date; to: Date };
  maxDataPoints?: number;
  intervalMs?: number;
}

/** The environment Grafana gives a plugin process (grafana envvars.go + go-plugin client.go), and nothing of ours. */
export function grafanaEnv(opts: Pick<StartPluginOptions, 'env' | 'grafanaVersion' | 'path'> = {}): Record<string, string> {
  return {
    PATH: opts.path ?? '/nonexistent',
    HOME: process.env.HOME ?? '/tmp',
    TMPDIR: process.env.TMPDIR ?? '/tmp',
    GF_VERSION: opts.grafanaVersion ?? '12.3.0',
    GF_EDITION: 'Open Source',
    ...opts.env,
    grafana_plugin_type: 'datasource',
    PLUGIN_MIN_PORT: '10000',
    PLUGIN_MAX_PORT: '25000',
    PLUGIN_PROTOCOL_VERSIONS: '2',
  };
}

export async function startPlugin(opts: StartPluginOptions): Promise<GrafanaHost> {
  const child = spawn(opts.executable, [], { env: grafanaEnv(opts), stdio: ['ignore', 'pipe', 'pipe'] });
  const host = new GrafanaHost(child, opts.executable);
  try {
    await host.waitForHandshake(opts.startTimeoutMs ?? 10_000);
  } catch (err) {
    host.kill();
    throw err;
  }
  return host;
}

export class GrafanaHost {
  readonly exited: Promise<ExitResult>;
  private exit: ExitResult | undefined;
  private stdoutText = '';
  private stderrText = '';
  private handshakeInfo: Handshake | undefined;
  private readonly clients = new Map<ServiceName, Client>();
  private readonly startedAt = Date.now();

  constructor(
    readonly child: ChildProcess,
    readonly executable: string,
  ) {
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (this.stdoutText += s));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (this.stderrText += s));
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Everything the plugin wrote to stdout so far (Grafana reads only the first line). */
  get stdout(): string {
    return this.stdoutText;
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** stderr lines parsed as hclog JSON (undefined for lines that are not). */
  logs(): (Record<string, unknown> | undefined)[] {
    return this.stderrText
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return undefined;
        }
      });
  }

  get handshake(): Handshake {
    if (!this.handshakeInfo) throw new Error('no handshake yet');
    return this.handshakeInfo;
  }

  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  /** The file the kernel runs for this process (Linux): proof of which binary is executing. */
  runningBinary(): string {
    return readlinkSync(`/proc/${this.pid}/exe`);
  }

  /** Resolves with the first stdout line, parsed as go-plugin's client parses it. */
  async waitForHandshake(timeoutMs: number): Promise<Handshake> {
    const deadline = Date.now() + timeoutMs;
    while (!this.stdoutText.includes('\n')) {
      if (this.exit) throw new Error(`plugin exited before its handshake (${JSON.stringify(this.exit)}); stderr:\n${this.stderrText}`);
      if (Date.now() > deadline) throw new Error(`timeout while waiting for plugin to start (${timeoutMs} ms); stderr:\n${this.stderrText}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const line = this.stdoutText.slice(0, this.stdoutText.indexOf('\n'));
    const parts = line.trim().split('|');
    if (parts.length < 4) throw new Error(`Unrecognized remote plugin message: ${line}`);
    const [core, app, network, address, protocol = 'netrpc'] = parts;
    if (core !== '1') throw new Error(`incompatible core API version with plugin: ${core}`);
    if (app !== '2') throw new Error(`plugin protocol version not supported: ${app}`);
    if (network !== 'tcp' && network !== 'unix') throw new Error(`unknown address type: ${network}`);
    if (protocol !== 'grpc') throw new Error(`unsupported plugin protocol ${protocol} (Grafana allows grpc only)`);
    this.handshakeInfo = { line, core, app, network, address, protocol };
    return this.handshakeInfo;
  }

  /** Milliseconds from spawn to now. */
  elapsedMs(): number {
    return Date.now() - this.startedAt;
  }

  private client(name: ServiceName): Client {
    let c = this.clients.get(name);
    if (!c) {
      const address = this.handshake.network === 'unix' ? `unix://${this.handshake.address}` : this.handshake.address;
      const Ctor = makeGenericClientConstructor(serviceDefinitions[name], serviceNames[name]);
      // go-plugin dials with MaxInt32 send/receive limits.
      c = new Ctor(address, credentials.createInsecure(), {
        'grpc.max_receive_message_length': 2 ** 31 - 1,
        'grpc.max_send_message_length': 2 ** 31 - 1,
      });
      this.clients.set(name, c);
    }
    return c;
  }

  private unary<Res>(service: ServiceName, method: string, request: unknown): Promise<Res> {
    const fn = (this.client(service) as unknown as Record<string, UnaryMethod>)[method];
    return new Promise((resolve, reject) => {
      fn.call(this.client(service), request, (err, res) => (err ? reject(err) : resolve(res as Res)));
    });
  }

  private serverStream<Res>(service: ServiceName, method: string, request: unknown): ClientReadableStream<Res> {
    const fn = (this.client(service) as unknown as Record<string, StreamMethod>)[method];
    return fn.call(this.client(service), request) as ClientReadableStream<Res>;
  }

  /** Calls any method path with raw protobuf bytes, e.g. one the plugin does not offer. */
  rawUnary(path: string, body: Buffer = Buffer.alloc(0)): Promise<Buffer> {
    const c = this.client('health');
    return new Promise((resolve, reject) => {
      c.makeUnaryRequest(
        path,
        (b: Buffer) => b,
        (b: Buffer) => b,
        body,
        (err, res) => (err ? reject(err) : resolve(res as Buffer)),
      );
    });
  }

  health(service = 'plugin'): Promise<WireServingStatus> {
    return this.unary<{ status: WireServingStatus }>('health', 'check', { service }).then((r) => r.status);
  }

  queryData(req: { pluginContext?: WirePluginContext; headers?: Record<string, string>; queries: QueryInput[] }): Promise<WireQueryDataResponse> {
    const now = Date.now();
    const queries: WireDataQuery[] = req.queries.map((q) => ({
      refId: q.refId,
      maxDataPoints: String(q.maxDataPoints ?? 1000),
      intervalMS: String(q.intervalMs ?? 1000),
      timeRange: {
        fromEpochMS: String(q.timeRange?.from.getTime() ?? now - 3_600_000),
        toEpochMS: String(q.timeRange?.to.getTime() ?? now),
      },
      json: Buffer.from(JSON.stringify(q.json ?? {})),
      queryType: q.queryType ?? '',
    }));
    return this.unary('data', 'queryData', {
      pluginContext: req.pluginContext ?? pluginContext(),
      headers: req.headers ?? {},
      queries,
      format: 'ARROW',
    });
  }

  /** Collects the streamed response as Grafana's httpresponsesender does: status and headers from the first message, bodies appended. */
  callResource(req: {
    pluginContext?: WirePluginContext;
    path: string;
    method?: string;
    url?: string;
    headers?: Record<string, string[]>;
    body?: string | Uint8Array;
  }): Promise<ResourceResult> {
    const headers = Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k, { values: v }]));
    const call = this.serverStream<WireCallResourceResponse>('resource', 'callResource', {
      pluginContext: req.pluginContext ?? pluginContext(),
      path: req.path,
      method: req.method ?? 'GET',
      url: req.url ?? req.path,
      headers,
      body: Buffer.from(req.body ?? ''),
    });
    return new Promise((resolve, reject) => {
      const messages: WireCallResourceResponse[] = [];
      call.on('data', (m: WireCallResourceResponse) => messages.push(m));
      call.on('error', reject);
      call.on('end', () => {
        const first = messages[0];
        if (!first) return reject(new Error('CallResource ended without a response message'));
        const headersOut = Object.fromEntries(Object.entries(first.headers).map(([k, v]) => [k, v.values]));
        resolve({ status: first.code, headers: headersOut, body: Buffer.concat(messages.map((m) => Buffer.from(m.body))), messages });
      });
    });
  }

  checkHealth(ctx: WirePluginContext = pluginContext(), headers: Record<string, string> = {}): Promise<WireCheckHealthResponse> {
    return this.unary('diagnostics', 'checkHealth', { pluginContext: ctx, headers });
  }

  async collectMetrics(ctx: WirePluginContext = pluginContext()): Promise<string> {
    const r = await this.unary<WireCollectMetricsResponse>('diagnostics', 'collectMetrics', { pluginContext: ctx });
    return Buffer.from(r.metrics?.prometheus ?? []).toString('utf8');
  }

  subscribeStream(req: Partial<WireStreamRequest> & { path: string }): Promise<WireStreamResponse> {
    return this.unary('stream', 'subscribeStream', streamRequest(req));
  }

  publishStream(req: Partial<WireStreamRequest> & { path: string; json?: unknown }): Promise<WireStreamResponse> {
    return this.unary('stream', 'publishStream', streamRequest(req));
  }

  /** Yields each packet's JSON; leaving the loop cancels the stream, as Grafana does when the last subscriber leaves. */
  async *runStream(req: Partial<WireStreamRequest> & { path: string }): AsyncGenerator<unknown> {
    const call = this.serverStream<WireStreamPacket>('stream', 'runStream', streamRequest(req));
    try {
      for await (const packet of call as AsyncIterable<WireStreamPacket>) {
        yield JSON.parse(Buffer.from(packet.data).toString('utf8'));
      }
    } finally {
      call.cancel();
    }
  }

  /**
   * The RunStream call itself, for a caller that reads packets as events and
   * cancels at a moment of its choosing, as Grafana does when the last
   * subscriber leaves (a for-await over runStream can only stop after a packet).
   */
  openStream(req: Partial<WireStreamRequest> & { path: string }): ClientReadableStream<WireStreamPacket> {
    return this.serverStream<WireStreamPacket>('stream', 'runStream', streamRequest(req));
  }

  /** Sends a signal to the plugin process. */
  signal(sig: NodeJS.Signals): void {
    this.child.kill(sig);
  }

  /** Waits up to `ms` for the process to exit; undefined if it is still running. */
  async waitForExit(ms: number): Promise<ExitResult | undefined> {
    if (this.exit) return this.exit;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)));
    const result = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    return result;
  }

  /**
   * Stops the plugin as Grafana's Kill() does: GRPCController.Shutdown (error
   * ignored), close the connection, wait up to 2 s, then SIGKILL.
   */
  async shutdown(): Promise<ExitResult & { exitedInGrace: boolean; ms: number }> {
    const started = Date.now();
    try {
      await this.unary('grpcController', 'shutdown', {});
    } catch {
      // go-plugin ignores the result.
    }
    this.closeClients();
    const graceful = await this.waitForExit(2000);
    if (graceful) return { ...graceful, exitedInGrace: true, ms: Date.now() - started };
    this.child.kill('SIGKILL');
    const killed = await this.exited;
    return { ...killed, exitedInGrace: false, ms: Date.now() - started };
  }

  /** For cleanup: SIGKILL if still running. */
  kill(): void {
    this.closeClients();
    if (!this.exit) this.child.kill('SIGKILL');
  }

  closeClients(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

function streamRequest(req: Partial<WireStreamRequest> & { path: string; json?: unknown }): WireStreamRequest {
  return {
    pluginContext: req.pluginContext ?? pluginContext(),
    path: req.path,
    data: req.data ?? Buffer.from(req.json === undefined ? '' : JSON.stringify(req.json)),
    headers: req.headers ?? {},
  };
}
