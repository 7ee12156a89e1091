// The agent: runs its platform's collectors, keeps one stream to the control
// service (hello, snapshot, deltas, heartbeats, metric batches, command
// updates up; commands, cancels, config and acks down), and carries out
// commands with its platform's executors, at least once and idempotently.
import type { Logger } from '../../lib/logger';
import { VERSION } from '../../lib/version';
import type { CommandSpec, Executor } from '../executors/executor';
import { ExecError } from '../executors/executor';
import type { Platform } from '../executors/platform';
import type { AgentMessage, CommandUpdateMsg, ControlMessage, ServiceStateMsg } from '../protocol/client';
import { ControlConnection } from '../protocol/connection';
import { toCronJobListMsg } from '../protocol/cronjob-msg';
import { type AgentIdentity, type IdentityStore, fileIdentityStore, renew, renewalDueAt } from '../protocol/identity';
import { Journal } from '../protocol/journal';
import type { InspectRequestMsg, LogRequestMsg } from '../../contracts/agent-messages';
import { inspect, inspectCapabilities } from './inspect';
import { LogRelay } from './log-relay';
import { Observations } from './observations';
import { type ConfigFacts, type LogQuery, LogSourceError, type ServiceState } from './types';

export const AGENT_VERSION = VERSION;

/** Log requests one agent serves at once (each may be a follow stream that reads every pod). */
export const LOG_REQUESTS_MAX = 8;
/** Messages waiting in the stream's write buffer beyond which a log request holds its lines. */
const LOG_BACKLOG_MAX = 64;

export interface AgentOptions {
  platform: Platform;
  identity: AgentIdentity;
  gatewayAddr: string;
  dataDir: string;
  /** Where a renewed certificate is kept; the data directory by default. */
  identityStore?: IdentityStore;
  log: Logger;
  /** Delay before a burst of changes goes out as one delta. */
  deltaDebounceMs?: number;
  /** The control service revoked this agent (it has stopped reconnecting); `why` is the control service's word. */
  onRevoked?: (why: string) => void;
}

type CommandMsg = NonNullable<Extract<ControlMessage, { command: unknown }>['command']>;

export function toServiceMsg(s: ServiceState): ServiceStateMsg {
  return {
    name: s.name,
    status: s.status,
    deployment: s.deployment,
    desired_replicas: s.desired,
    ready_replicas: s.ready,
    updated_replicas: s.updated,
    image: s.image,
    version: s.version,
    reason: s.statusReason,
    health: s.health && {
      url: s.health.url,
      http_status: s.health.httpStatus,
      latency_ms: s.health.latencyMs,
      checked_at_ms: s.health.checkedAtMs,
      ok: s.health.ok,
      detail: s.health.detail,
    },
    restarted_at: s.restartedAt ?? '',
    restart_count: s.restartCount,
    rollout: s.rollout,
    gitops_owner: s.gitopsOwner ?? '',
  };
}

function toConfigMsg(c: ConfigFacts) {
  return { revision: c.revision, data: c.data, resource_version: c.resourceVersion ?? '' };
}

export class Agent {
  readonly obs = new Observations();
  private readonly journal: Journal;
  private readonly executors: Map<string, Executor>;
  private readonly running = new Map<string, AbortController>();
  private readonly logRequests = new Map<string, AbortController>();
  private readonly conn: ControlConnection;
  private identity: AgentIdentity;
  private welcomed = false;
  private stopping = false;
  private timers: NodeJS.Timeout[] = [];
  private deltaTimer: NodeJS.Timeout | null = null;
  private renewTimer: NodeJS.Timeout | null = null;
  private intervals = { heartbeat: 5000, metrics: 15000 };
  private readonly log: Logger;

  constructor(private readonly opts: AgentOptions) {
    this.identity = opts.identity;
    this.log = opts.log.child({ agentId: opts.identity.agentId });
    this.journal = new Journal(`${opts.dataDir}/journal.json`);
    this.executors = new Map(opts.platform.executors.map((e) => [e.kind, e]));
    this.conn = new ControlConnection(
      opts.gatewayAddr,
      () => this.identity,
      { onOpen: () => this.onOpen(), onMessage: (m) => this.onMessage(m), onClose: (r) => this.onClose(r), onRevoked: (why) => this.opts.onRevoked?.(why) },
      this.log,
      () => opts.platform.canReachControl?.() ?? true,
    );
    opts.platform.onReachabilityChange?.((reachable) => {
      if (!reachable) this.conn.reconnect('network to the control service cut');
    });
  }

  get agentId(): string {
    return this.identity.agentId;
  }

  get connected(): boolean {
    return this.conn.connected && this.welcomed;
  }

  async start(): Promise<void> {
    await this.opts.platform.start();
    for (const c of this.opts.platform.collectors) await c.start(this.obs);
    this.obs.on('change', () => this.scheduleDelta());
    this.conn.start();
    this.restartTimers();
    this.scheduleRenewal();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.timers.forEach(clearInterval);
    if (this.deltaTimer) clearTimeout(this.deltaTimer);
    if (this.renewTimer) clearTimeout(this.renewTimer);
    for (const a of this.running.values()) a.abort('agent stopping');
    this.stopLogRequests('agent stopping');
    this.conn.stop();
    for (const c of this.opts.platform.collectors) await c.stop();
    await this.opts.platform.stop();
  }

  private send(msg: AgentMessage): boolean {
    return this.conn.send(msg);
  }

  private capabilities(): string[] {
    const { collectors, executors } = this.opts.platform;
    return [
      ...collectors.flatMap((c) => [`collector:${c.name}`, ...(c.capabilities ?? [])]),
      ...executors.map((e) => `executor:${e.kind}`),
      ...executors.filter((e) => e.method).map((e) => `${e.kind}:${e.method}`),
      ...inspectCapabilities(this.opts.platform.inspector),
    ];
  }

  private onOpen(): void {
    this.welcomed = false;
    const identity = this.obs.identity;
    if (!identity) {
      this.conn.reconnect('commons identity not known yet');
      return;
    }
    this.send({
      hello: {
        agent_id: this.identity.agentId,
        agent_version: AGENT_VERSION,
        capabilities: this.capabilities(),
        commons: identity,
        finished: this.journal.unacknowledged(),
      },
    });
    const snap = this.obs.takeSnapshot();
    this.send({
      snapshot: { commons: identity, release: snap.release, services: snap.services.map(toServiceMsg), config: toConfigMsg(snap.config), taken_at_ms: Date.now(), cronjobs: toCronJobListMsg(snap.cronjobs) },
    });
  }

  private onClose(reason: string): void {
    if (this.welcomed && !this.stopping) this.log.warn({ reason }, 'lost the control service stream; reconnecting');
    this.welcomed = false;
    // Their readers were on that stream: the control service has failed them.
    this.stopLogRequests('stream closed');
  }

  private onMessage(m: ControlMessage & { body?: string }): void {
    if ('welcome' in m && m.welcome) {
      this.welcomed = true;
      this.conn.welcomed();
      this.applyConfig(m.welcome.config);
      this.log.info({ commons: m.welcome.commons_id }, 'connected to the control service');
    } else if ('command' in m && m.command) {
      const id = m.command.id;
      this.onCommand(m.command).catch((e: unknown) => this.log.error({ command: id, err: (e as Error).message }, 'command handling failed'));
    } else if ('cancel' in m && m.cancel) {
      this.running.get(m.cancel.command_id)?.abort(m.cancel.reason);
    } else if ('config' in m && m.config) {
      this.applyConfig(m.config);
    } else if ('ack' in m && m.ack) {
      if (m.ack.state === 'succeeded' || m.ack.state === 'failed') this.journal.ack(m.ack.command_id);
    } else if ('logs' in m && m.logs) {
      const id = m.logs.id;
      this.onLogs(m.logs).catch((e: unknown) => this.log.error({ request: id, err: (e as Error).message }, 'log request handling failed'));
    } else if ('stop_logs' in m && m.stop_logs) {
      this.logRequests.get(m.stop_logs.id)?.abort('stopped by the control service');
    } else if ('inspect' in m && m.inspect) {
      void this.onInspect(m.inspect);
    }
  }

  private stopLogRequests(reason: string): void {
    for (const a of this.logRequests.values()) a.abort(reason);
    this.logRequests.clear();
  }

  /** Serves one log request from the platform's LogSource, within its bounds (log-relay.ts). */
  private async onLogs(r: LogRequestMsg): Promise<void> {
    const fail = (error: string) => void this.send({ log_chunk: { id: r.id, lines: [], pods: [], done: false, error, truncated: false } });
    const source = this.opts.platform.inspector?.logs;
    if (!source) return fail('this agent cannot read logs (no inspect:logs capability); upgrade the agent');
    if (this.logRequests.has(r.id)) return;
    if (this.logRequests.size >= LOG_REQUESTS_MAX) {
      return fail(`this agent already serves ${LOG_REQUESTS_MAX} log requests (follow streams count until closed); close one and retry`);
    }
    const abort = new AbortController();
    this.logRequests.set(r.id, abort);
    const relay = new LogRelay({
      request: r,
      send: (chunk) => !abort.signal.aborted && this.send({ log_chunk: chunk }),
      backedUp: () => this.conn.backlog() > LOG_BACKLOG_MAX,
      onFull: () => abort.abort('bound reached'),
    });
    abort.signal.addEventListener('abort', () => {
      // Bounds reached: the relay still ends the request; anything else stops it here.
      if (abort.signal.reason !== 'bound reached') relay.stop();
    });
    const q: LogQuery = {
      service: r.service || undefined,
      job: r.job || undefined,
      pod: r.pod || undefined,
      previous: r.previous,
      follow: r.follow,
      sinceMs: Number(r.since_ms) > 0 ? Number(r.since_ms) : null,
      tailLines: r.tail_lines > 0 ? r.tail_lines : null,
    };
    try {
      await source.streamLogs(q, relay, abort.signal);
      await relay.end();
    } catch (e) {
      if (e instanceof LogSourceError) await relay.end(e.message.slice(0, 2000));
      else if (abort.signal.aborted && abort.signal.reason === 'bound reached') await relay.end();
      else if (!abort.signal.aborted) {
        this.log.error({ request: r.id, service: r.service, job: r.job, err: (e as Error).message }, 'reading logs failed');
        await relay.end("the agent failed reading the logs; see the agent's log");
      }
    } finally {
      if (this.logRequests.get(r.id) === abort) this.logRequests.delete(r.id);
    }
  }

  private async onInspect(r: InspectRequestMsg): Promise<void> {
    const result = await inspect(this.opts.platform.inspector, r);
    if (result.error) this.log.warn({ request: r.id, kind: r.kind, error: result.error }, 'inspect request not answered');
    this.send({ inspect_result: result });
  }

  private applyConfig(c: { heartbeat_interval_ms: number; health_interval_ms: number; metrics_interval_ms: number } | null | undefined): void {
    if (!c) return;
    if (c.heartbeat_interval_ms) this.intervals.heartbeat = c.heartbeat_interval_ms;
    if (c.metrics_interval_ms) this.intervals.metrics = c.metrics_interval_ms;
    if (c.health_interval_ms) for (const col of this.opts.platform.collectors) col.setInterval?.(c.health_interval_ms);
    this.restartTimers();
  }

  private restartTimers(): void {
    this.timers.forEach(clearInterval);
    this.timers = [
      setInterval(() => this.send({ heartbeat: { sent_at_ms: Date.now() } }), this.intervals.heartbeat),
      setInterval(() => this.flushMetrics(), this.intervals.metrics),
    ];
  }

  private flushMetrics(): void {
    if (!this.connected) return;
    const samples = this.obs.takeSamples();
    if (samples.length) {
      this.send({ metrics: { samples: samples.map((s) => ({ name: s.name, labels: s.labels, value: s.value, timestamp_ms: s.timestampMs })) } });
    }
  }

  private scheduleDelta(): void {
    if (this.deltaTimer || !this.connected) return;
    this.deltaTimer = setTimeout(() => this.flushDelta(), this.opts.deltaDebounceMs ?? 100);
  }

  private flushDelta(): void {
    if (this.deltaTimer) clearTimeout(this.deltaTimer);
    this.deltaTimer = null;
    if (!this.connected) return;
    const d = this.obs.takeDelta();
    if (!d) return;
    this.send({
      delta: { services: d.services.map(toServiceMsg), removed_services: d.removed, config: d.config && toConfigMsg(d.config), release: d.release, taken_at_ms: Date.now(), cronjobs: toCronJobListMsg(d.cronjobs) },
    });
  }

  private update(commandId: string, state: string, message: string, percent: number, result?: Record<string, unknown>): CommandUpdateMsg {
    return { command_id: commandId, state, message, percent, at_ms: Date.now(), result_json: result ? JSON.stringify(result) : '' };
  }

  private async onCommand(c: CommandMsg): Promise<void> {
    const done = this.journal.finished(c.id);
    if (done) {
      // Delivered again (at-least-once): answer from the journal, run nothing.
      this.send({ command_update: done });
      return;
    }
    if (this.running.has(c.id)) return;
    const executor = this.executors.get(c.kind);
    const abort = new AbortController();
    this.running.set(c.id, abort);
    const log = this.log.child({ command: c.id, kind: c.kind, service: c.service });
    let final: CommandUpdateMsg;
    try {
      if (!executor) throw new ExecError(`this agent has no ${c.kind} executor (capabilities: ${this.capabilities().join(', ')})`);
      const spec: CommandSpec = {
        id: c.id,
        kind: c.kind,
        service: c.service,
        target: JSON.parse(c.target_json) as Record<string, unknown>,
        deadlineMs: c.deadline_ms,
        createdAtMs: c.created_at_ms,
      };
      this.send({ command_update: this.update(c.id, 'running', `${c.kind} started by agent ${this.identity.agentId}`, 0) });
      const res = await executor.execute(spec, {
        signal: abort.signal,
        progress: (message, percent, result) => void this.send({ command_update: this.update(c.id, 'running', message, percent, result) }),
      });
      final = this.update(c.id, 'succeeded', res.message, 100, res.result);
      log.info({ message: res.message }, 'command succeeded');
    } catch (e) {
      const message = e instanceof ExecError ? e.message : `executor error: ${(e as Error).message}`;
      final = this.update(c.id, 'failed', message, 0);
      log.warn({ message }, 'command failed');
    } finally {
      this.running.delete(c.id);
    }
    this.journal.recordFinal(final);
    // The state the command produced goes out before its result, so whoever sees "succeeded" sees the change.
    this.flushDelta();
    this.send({ command_update: final });
  }

  private scheduleRenewal(): void {
    if (this.renewTimer) clearTimeout(this.renewTimer);
    const inMs = Math.max(1000, renewalDueAt(this.identity) - Date.now());
    this.renewTimer = setTimeout(() => void this.renewNow(), Math.min(inMs, 2 ** 31 - 1));
  }

  /** Renews the certificate and moves the stream onto it. */
  async renewNow(): Promise<void> {
    try {
      this.identity = await renew(this.opts.identityStore ?? fileIdentityStore(this.opts.dataDir), this.opts.gatewayAddr, this.identity);
      this.log.info({ notAfter: new Date(this.identity.notAfterMs).toISOString() }, 'certificate renewed');
      this.conn.reconnect('certificate renewed');
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'certificate renewal failed; will retry');
      this.renewTimer = setTimeout(() => void this.renewNow(), 30_000);
      return;
    }
    this.scheduleRenewal();
  }
}
