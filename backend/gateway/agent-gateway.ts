// The mutual-TLS side of the gateway: the agent stream and certificate
// renewal. The agent is identified by the CN of the client certificate the
// TLS handshake verified against our CA; a revoked agent is refused.
import * as grpc from '@grpc/grpc-js';
import type { ServiceStatus, ServiceView } from '../../contracts/api';
import type { Cluster } from '../cluster/cluster';
import type { CommandService } from '../commands/command-service';
import type { AgentRequests } from '../inspect/agent-requests';
import type { Logger } from '../../lib/logger';
import type { Fleet } from '../fleet/fleet';
import type { Metrics } from '../metrics/registry';
import { type CertificateAuthority, CsrError } from '../pki/ca';
import { sameSerial } from '../../lib/pki/x509';
import type { AgentRow, Store } from '../store/store';
import type { AgentConfigMsg, AgentMessage, ConfigStateMsg, ControlMessage, ServiceStateMsg } from '../../contracts/agent-messages';
import type { AgentGatewayServer, ControlMessage as ControlMessageWire, RenewRequest, RenewResponse } from '../../contracts/pb/agent';
import type { AsyncHandlers } from './guard';
import { reportedCronJobs } from './cronjob-report';
import { isRequestSample, reportedRequestSamples } from './request-metrics-report';
import { bodyOf } from './message-body';
import type { AgentSession, AgentSessions } from './sessions';
import { commonsIdFor } from './slug';
import type { LastSeenWriter } from './last-seen';
import { AgentWarnings } from './agent-warnings';

export interface GatewayDeps {
  store: Store;
  fleet: Fleet;
  sessions: AgentSessions;
  commands: CommandService;
  metrics: Metrics;
  ca: CertificateAuthority;
  cluster: Cluster;
  log: Logger;
  certTtlMs: number;
  agentConfig: AgentConfigMsg;
  /** Log and inspect requests this replica sent to its agents: their answers go back here. */
  requests?: AgentRequests;
  /** Where heartbeats go: agents.last_seen is written in batches, not per message. */
  lastSeen: Pick<LastSeenWriter, 'seen'>;
  /** Warnings about what agents sent, throttled per commons (a new one per handler set when absent). */
  agentWarnings?: AgentWarnings;
}

type StreamDeps = GatewayDeps & { agentWarnings: AgentWarnings };

const STATUSES = new Set(['healthy', 'degraded', 'down', 'unknown']);

/** What an agent says owns a service, kept only in the one form agents send (argocd:<Kubernetes name>). */
const GITOPS_OWNER = /^argocd:[a-z0-9]([a-z0-9._-]{0,251}[a-z0-9])?$/;
const gitopsOwnerOf = (v: unknown): string | null => (typeof v === 'string' && GITOPS_OWNER.test(v) ? v : null);

export function toServiceView(s: ServiceStateMsg): ServiceView {
  const h = s.health;
  return {
    name: s.name,
    status: (STATUSES.has(s.status) ? s.status : 'unknown') as ServiceStatus,
    deployment: s.deployment,
    desiredReplicas: s.desired_replicas,
    readyReplicas: s.ready_replicas,
    updatedReplicas: s.updated_replicas,
    image: s.image,
    version: s.version,
    reason: s.reason,
    restartedAt: s.restarted_at || null,
    restartCount: s.restart_count,
    rollout: s.rollout || null,
    gitopsOwner: gitopsOwnerOf(s.gitops_owner),
    health: h
      ? { url: h.url, httpStatus: h.http_status, latencyMs: h.latency_ms, checkedAt: h.checked_at_ms ? new Date(h.checked_at_ms).toISOString() : null, ok: h.ok, detail: h.detail }
      : null,
  };
}

/**
 * The agent behind a verified client certificate, with the serial it presented.
 * Only its current certificate is accepted, and the one it renewed from until
 * the new one is first used (an agent that stopped between renewing and saving
 * can still connect); any older certificate is superseded.
 */
async function authenticatedAgent(call: Pick<grpc.ServerUnaryCall<unknown, unknown>, 'getAuthContext'>, store: Store): Promise<{ agent: AgentRow; serial: string } | string> {
  const peer = call.getAuthContext()?.sslPeerCertificate;
  const cn = peer?.subject?.CN;
  if (!cn) return 'no client certificate';
  const agent = await store.getAgent(String(cn));
  if (!agent) return `unknown agent ${cn}`;
  if (agent.revoked) return `agent ${cn} has been revoked; enroll it again with a new token`;
  const serial = String(peer.serialNumber ?? '');
  if (sameSerial(serial, agent.cert_serial)) {
    if (agent.prev_cert_serial) await store.updateAgent(agent.id, { prev_cert_serial: null });
    return { agent: { ...agent, prev_cert_serial: null }, serial };
  }
  if (agent.prev_cert_serial && sameSerial(serial, agent.prev_cert_serial)) return { agent, serial };
  return `the certificate of agent ${cn} (serial ${serial}) was superseded by a renewal; the agent must use the newest certificate in its data directory, or enroll again with a new token`;
}

/** More than any Gen3 commons runs (the umbrella chart has about 60). */
const MAX_SERVICES = 200;
const MAX_SAMPLES = 1000;
/** Request samples in one message: every (service, class) of the revproxy mapping, 16 samples each, with room to spare. */
const MAX_REQUEST_SAMPLES = 4000;
const SERVICE_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]{1,253}$/;
const MAX_CONFIG_BYTES = 1024 * 1024;

export function agentGatewayHandlers(deps: GatewayDeps): AsyncHandlers<AgentGatewayServer> {
  const d: StreamDeps = { ...deps, agentWarnings: deps.agentWarnings ?? new AgentWarnings(deps.log) };
  return {
    async renew(call: grpc.ServerUnaryCall<RenewRequest, RenewResponse>, callback: grpc.sendUnaryData<RenewResponse>) {
      const who = await authenticatedAgent(call, d.store);
      if (typeof who === 'string') return callback({ code: grpc.status.UNAUTHENTICATED, details: who });
      const { agent, serial } = who;
      try {
        const cert = await d.ca.signAgentCsr(call.request.csr_pem, agent.id, d.certTtlMs);
        // The certificate that asked stays valid until the new one is first used; any other one is retired now.
        await d.store.updateAgent(agent.id, { cert_serial: cert.serial, prev_cert_serial: serial, cert_not_after: cert.notAfter.toISOString() });
        d.log.info({ agentId: agent.id, notAfter: cert.notAfter }, 'agent certificate renewed');
        callback(null, { certificate_pem: cert.certPem, not_after_ms: cert.notAfter.getTime() });
      } catch (e) {
        if (!(e instanceof CsrError)) throw e;
        callback({ code: grpc.status.INVALID_ARGUMENT, details: e.message });
      }
    },

    async connect(call: grpc.ServerDuplexStream<AgentMessage, ControlMessageWire>) {
      const who = await authenticatedAgent(call, d.store);
      if (typeof who === 'string') {
        d.log.warn({ peer: call.getPeer() }, `agent stream refused: ${who}`);
        call.emit('error', { code: grpc.status.UNAUTHENTICATED, details: who });
        return;
      }
      new AgentStream(d, call, who.agent).run();
    },
  };
}

/** One agent's stream: messages are handled strictly in order. */
class AgentStream {
  private commonsId: string | null = null;
  private session: AgentSession | null = null;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly log: Logger;

  constructor(
    private readonly d: StreamDeps,
    private readonly call: grpc.ServerDuplexStream<AgentMessage, ControlMessageWire>,
    private readonly agent: AgentRow,
  ) {
    this.log = d.log.child({ agentId: agent.id });
  }

  run(): void {
    this.call.on('data', (msg: AgentMessage) => {
      this.chain = this.chain.then(() => this.handle(msg)).catch((e: Error) => this.fail(grpc.status.INTERNAL, e.message));
    });
    // The agent is done sending: finish our side too (status OK), after what it sent is handled.
    this.call.on('end', () => {
      this.chain = this.chain.then(() => {
        if (!this.closed) this.call.end();
        this.close('agent closed the stream');
      });
    });
    this.call.on('error', (e) => this.close(`stream error: ${e.message}`));
    this.call.on('cancelled', () => this.close('stream cancelled'));
  }

  private send = (msg: ControlMessage): boolean => {
    if (this.closed) return false;
    this.call.write(msg);
    return true;
  };

  private fail(code: grpc.status, details: string): void {
    this.log.warn({ code }, `closing agent stream: ${details}`);
    if (!this.closed) this.call.emit('error', { code, details });
    this.close(details);
  }

  private close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.session && this.d.sessions.remove(this.session) && this.commonsId) {
      this.d.fleet.agentDisconnected(this.commonsId, this.agent.id, reason);
    }
    if (this.session) this.d.requests?.sessionClosed(this.session);
    this.log.info({ commons: this.commonsId, reason }, 'agent stream closed');
  }

  private async handle(msg: AgentMessage): Promise<void> {
    if (this.closed) return;
    const type = bodyOf(msg) ?? 'unknown';
    this.d.metrics.agentMessages.inc({ type });
    if (type === 'hello' && msg.hello) return this.hello(msg.hello);
    if (!this.commonsId) return this.fail(grpc.status.FAILED_PRECONDITION, 'the first message on the stream must be hello');
    const id = this.commonsId;
    switch (type) {
      case 'heartbeat':
        this.d.fleet.seen(id);
        return this.touch();
      case 'snapshot': {
        if (!msg.snapshot) return;
        const before = this.d.fleet.get(id)?.release;
        this.d.fleet.applyServices(id, this.reportedServices(id, msg.snapshot.services), { replace: true, release: msg.snapshot.release });
        this.cronjobs(id, msg.snapshot.cronjobs);
        await this.persistState(msg.snapshot.config, msg.snapshot.release, before);
        return this.touch();
      }
      case 'delta': {
        if (!msg.delta) return;
        const before = this.d.fleet.get(id)?.release;
        this.d.fleet.applyServices(id, this.reportedServices(id, msg.delta.services), {
          replace: false,
          removed: msg.delta.removed_services,
          release: msg.delta.release || undefined,
        });
        this.cronjobs(id, msg.delta.cronjobs);
        await this.persistState(msg.delta.config, msg.delta.release, before);
        return;
      }
      case 'metrics':
        return this.metrics(id, msg.metrics?.samples ?? []);
      case 'command_update':
        if (!msg.command_update) return;
        if (await this.d.commands.applyUpdate(id, msg.command_update)) {
          this.send({ ack: { command_id: msg.command_update.command_id, state: msg.command_update.state } });
        }
        return;
      case 'log_chunk':
        if (msg.log_chunk && this.session) this.d.requests?.logChunk(this.session, msg.log_chunk);
        return;
      case 'inspect_result':
        if (msg.inspect_result && this.session) this.d.requests?.inspectResult(this.session, msg.inspect_result);
        return;
      default:
        this.log.warn({ type }, 'unknown agent message; ignored');
    }
  }

  private async hello(h: NonNullable<AgentMessage['hello']>): Promise<void> {
    if (this.commonsId) return this.fail(grpc.status.FAILED_PRECONDITION, 'hello sent twice on one stream');
    const ident = h.commons;
    const id = ident?.hostname ? commonsIdFor(ident.hostname) : '';
    if (!ident || !id) return this.fail(grpc.status.INVALID_ARGUMENT, 'hello must name the commons hostname (manifest-global hostname)');
    if (this.agent.commons_id && this.agent.commons_id !== id) {
      return this.fail(grpc.status.PERMISSION_DENIED, `this agent is bound to commons ${this.agent.commons_id}, not ${id}`);
    }
    const existing = await this.d.store.getCommons(id);
    if (existing?.agent_id && existing.agent_id !== this.agent.id) {
      const owner = await this.d.store.getAgent(existing.agent_id);
      if (owner && !owner.revoked) {
        return this.fail(
          grpc.status.PERMISSION_DENIED,
          `commons ${id} is served by agent ${owner.id}; revoke it first (DELETE /api/v1/agents/${owner.id}) to move the commons to this agent`,
        );
      }
    }
    const now = new Date().toISOString();
    // The commons and the agent's binding to it in one transaction (one commit, not two, per connect).
    const row = await this.d.store.agentHello(
      {
        id,
        name: ident.name || ident.hostname,
        hostname: ident.hostname,
        environment: ident.environment || 'default',
        namespace: ident.namespace || 'default',
        agent_id: this.agent.id,
        release: existing?.release ?? '',
        config_revision: existing?.config_revision ?? 0,
        config_json: existing?.config_json ?? '{}',
        created_at: existing?.created_at ?? now,
        updated_at: now,
      },
      this.agent.id,
      { commons_id: id, version: h.agent_version.slice(0, 64), last_seen: now },
    );
    this.commonsId = id;
    this.d.fleet.ensure(row);
    this.session = {
      agentId: this.agent.id,
      commonsId: id,
      capabilities: h.capabilities.slice(0, 200).map((c) => String(c).slice(0, 128)),
      version: h.agent_version.slice(0, 64),
      send: this.send,
      close: (reason) => this.fail(grpc.status.UNAVAILABLE, reason),
    };
    this.d.sessions.add(this.session);
    this.d.requests?.agentConnected(id);
    if (this.d.cluster.shared) {
      // A replica still holding an older stream of this commons closes it (commands go to one stream).
      this.d.cluster.tell({ kind: 'session', commons: id, agent: this.agent.id }).catch((e: Error) => this.log.warn({ err: e.message }, 'could not tell the other replicas of this agent'));
    }
    this.d.fleet.agentConnected(id, this.agent.id, h.agent_version, h.capabilities);
    this.log.info({ commons: id, finished: h.finished.length, capabilities: h.capabilities }, 'agent connected');
    this.send({ welcome: { agent_id: this.agent.id, commons_id: id, config: this.d.agentConfig } });
    // Results the agent finished while we could not hear it come first, then whatever is still open goes out again.
    for (const u of h.finished) {
      if (await this.d.commands.applyUpdate(id, u)) this.send({ ack: { command_id: u.command_id, state: u.state } });
    }
    await this.d.commands.redispatch(id);
  }

  /** The agent is the truth for the commons' release and config revision; keep the store in step. */
  private async persistState(reported: ConfigStateMsg | null | undefined, release: string, releaseBefore: string | undefined): Promise<void> {
    const id = this.commonsId!;
    const c = this.d.fleet.get(id);
    if (!c) return;
    const config = reported ? this.validConfig(id, reported) : undefined;
    const updated_at = new Date().toISOString();
    if (config && (config.revision !== c.config.revision || (config.resource_version ?? '') !== (c.config.resourceVersion ?? ''))) {
      this.d.fleet.applyConfig(id, { revision: config.revision, data: config.data, resourceVersion: config.resource_version || undefined });
      await this.d.store.updateCommons(id, { config_revision: config.revision, config_json: JSON.stringify(config.data), updated_at });
      if (config.revision > 0) {
        await this.d.store.recordObservedConfigRevision({
          commons_id: id,
          revision: config.revision,
          data_json: JSON.stringify(config.data),
          author: `agent:${this.agent.id}`,
          created_at: updated_at,
          command_id: null,
          state: 'observed',
        });
      }
    }
    if (release && release !== releaseBefore) await this.d.store.updateCommons(id, { release, updated_at });
  }

  /**
   * Config as a ConfigMap can hold it (Kubernetes: keys [-._a-zA-Z0-9], at most
   * 1 MiB in all); anything else is dropped with a warning, never stored.
   */
  private validConfig(id: string, config: ConfigStateMsg): ConfigStateMsg | undefined {
    const entries = Object.entries(config.data ?? {});
    const size = entries.reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0);
    const badKey = entries.find(([k]) => !CONFIG_KEY.test(k));
    const revisionOk = Number.isSafeInteger(config.revision) && config.revision >= 0;
    if (badKey || size > MAX_CONFIG_BYTES || !revisionOk) {
      this.d.agentWarnings.warn(id, 'config', { size, badKey: badKey?.[0].slice(0, 64), revision: config.revision }, 'agent reported a config no ConfigMap can hold; ignored');
      return undefined;
    }
    return config;
  }

  /**
   * Services as an agent reports them, within what a Gen3 commons can have:
   * names as Kubernetes allows them, at most MAX_SERVICES (each becomes
   * series on /metrics and rows in every view).
   */
  private reportedServices(id: string, services: ServiceStateMsg[]): ServiceView[] {
    const ok = services.filter((s) => typeof s.name === 'string' && SERVICE_NAME.test(s.name)).slice(0, MAX_SERVICES);
    if (ok.length < services.length) this.d.agentWarnings.warn(id, 'services', { sent: services.length, kept: ok.length }, `agent reported services with invalid names or more than ${MAX_SERVICES}; the rest were dropped`);
    return ok.map(toServiceView);
  }

  /** CronJobs, when the message carries them, within bounds (cronjob-report.ts). */
  private cronjobs(id: string, list: Parameters<typeof reportedCronJobs>[0]): void {
    const report = reportedCronJobs(list);
    if (!report) return;
    if (report.dropped) this.d.agentWarnings.warn(id, 'cronjobs', { kept: report.items.length, dropped: report.dropped, why: report.why }, 'agent reported CronJobs no Gen3 commons can have; those were dropped');
    this.d.fleet.applyCronJobs(id, report.items);
  }

  /**
   * Samples become series labelled by service, so only services the commons
   * reported in its state count (an agent cannot mint series at will), with
   * sane values, and at most MAX_SAMPLES per message.
   */
  private metrics(id: string, all: NonNullable<AgentMessage['metrics']>['samples']): void {
    const c = this.d.fleet.get(id);
    this.d.fleet.seen(id);
    // Request metrics (request-metrics-report.ts) are bounded by their own labels, not MAX_SAMPLES: a commons has up to ~1,500 of them.
    const requests = reportedRequestSamples(all.filter(isRequestSample).slice(0, MAX_REQUEST_SAMPLES), new Set(c?.services.keys()));
    const samples = all.filter((s) => !isRequestSample(s));
    if (c) this.d.metrics.requests.update(id, requests.samples);
    const requestsDropped = requests.dropped + Math.max(0, all.length - samples.length - MAX_REQUEST_SAMPLES) + (c ? 0 : requests.samples.length);
    this.d.metrics.metricSamples.inc(Math.min(samples.length, MAX_SAMPLES) + requests.samples.length);
    this.d.metrics.requestSamplesDropped.inc(requestsDropped);
    if (requestsDropped) this.d.agentWarnings.warn(id, 'request-samples', { dropped: requestsDropped }, 'agent sent request metrics with names, services, codes, buckets or values revproxy cannot log; dropped');
    let dropped = Math.max(0, samples.length - MAX_SAMPLES);
    for (const s of samples.slice(0, MAX_SAMPLES)) {
      if (s.name !== 'dcoc_health_check_latency_seconds') continue;
      const service = s.labels?.service;
      if (!service || !c?.services.has(service) || !Number.isFinite(s.value) || s.value < 0 || s.value > 3600) {
        dropped++;
        continue;
      }
      this.d.metrics.healthLatency.observe({ commons: id, environment: c.environment, service }, s.value);
    }
    if (dropped) this.d.agentWarnings.warn(id, 'samples', { dropped }, 'agent sent metric samples for services it does not run, with impossible values, or too many; dropped');
  }

  private touch(): void {
    this.d.lastSeen.seen(this.agent.id);
  }
}
