// Composition root of the control service: wires the store, CA, fleet state,
// command queue, HTTP API and agent gateway, and stops them in order.
import { createServer, type Server } from 'node:http';
import { type Server as HttpsServer, createServer as createTlsServer } from 'node:https';
import { dirname, join } from 'node:path';
import { applyAdminTokenSetting } from './auth/admin-token';
import { Authenticator } from './auth/authenticate';
import { CommandService } from './commands/command-service';
import { type Env, splitHostPort } from './config/env';
import { createLogger, type Logger } from '../lib/logger';
import { EventBus } from './events/bus';
import { Fleet } from './fleet/fleet';
import { ExternalChecks } from './external/checks';
import { externalCheckSettings } from './external/settings';
import { agentGatewayHandlers } from './gateway/agent-gateway';
import { enrollmentHandlers } from './gateway/enrollment';
import { startGrpcServers } from './gateway/server';
import { AgentSessions } from './gateway/sessions';
import { LastSeenWriter } from './gateway/last-seen';
import { Blueprints } from './deployments/blueprints';
import { GitOps } from './deployments/gitops';
import { ReleaseCatalog } from './deployments/release-catalog';
import { DeploymentService } from './deployments/service';
import { keepCommonsDashboardsInSync } from './dashboards/keep-in-sync';
import { createApp } from './http/app';
import { Metrics } from './metrics/registry';
import { CertificateAuthority } from './pki/ca';
import { caLocation } from './pki/ca-location';
import { readCertificatePair, watchCertificateFiles } from './pki/certificate-files';
import { gatewayIdentity } from './gateway/gateway-identity';
import { openStore } from './store/open-store';
import { type Cluster, LocalCluster, defaultReplicaId } from './cluster/cluster';
import { PostgresCluster } from './cluster/postgres-cluster';
import { bridgeEvents } from './cluster/event-bridge';
import { shareLiveState } from './cluster/live-sync';
import { AgentRequests } from './inspect/agent-requests';
import { GroupDirectory } from './groups/directory';
import { ChangeGate } from './changes/gate';
import { alertmanagerFromEnv } from './alerting/from-env';
import { builtinActions } from './windows/actions';
import { DenyWindowCheck } from './windows/deny-check';
import { MaintenanceMode } from './windows/maintenance-mode';
import { WindowScheduler } from './windows/scheduler';
import { WindowSilences } from './windows/silences';
import { Windows } from './windows/windows';
import { Backups } from './backups/backups';
import { registerBackupMetrics } from './metrics/backups';
import { Approvals } from './policies/approvals';
import { Policies } from './policies/policies';
import { PolicyCheck } from './policies/policy-check';
import { SoakGate } from './rollouts/gates';
import { RolloutEngine } from './rollouts/engine';
import { RolloutService } from './rollouts/service';
import { AuditRetention } from './audit/retention';
import { CommandRetention } from './commands/retention';

/** How often the sweeper prunes audit entries past the retention (a day's worth moves by the minute; this is plenty). */
import { AccessResolver } from './auth/access';

export interface ControlService {
  httpUrl: string;
  gatewayAddr: string;
  enrollAddr: string;
  caPem: string;
  replicaId: string;
  fleet: Fleet;
  events: EventBus;
  stop(): Promise<void>;
}

/** Slow or stalled requests cannot hold connections: the whole request must arrive in time, checked every second. */
export function httpServerOptions(requestTimeoutMs: number) {
  return { requestTimeout: requestTimeoutMs, headersTimeout: Math.min(requestTimeoutMs, 60_000), connectionsCheckingInterval: Math.min(1000, requestTimeoutMs) };
}

export async function startControlService(env: Env, log: Logger = createLogger('dcoc-control', env.DCOC_LOG_LEVEL, { sync: false })): Promise<ControlService> {
  let ready = false;
  // Settings that fail their cross-checks refuse the start before anything is opened.
  const externalSettings = externalCheckSettings(env);
  const replicaId = env.DCOC_REPLICA_ID ?? defaultReplicaId();
  log = log.child({ replica: replicaId });
  const store = await openStore(env, log.child({ module: 'store' }), replicaId);
  await applyAdminTokenSetting(store, env.DCOC_ADMIN_TOKEN, log);
  // Every replica must sign with the same CA: on PostgreSQL it comes from files the replicas share (a Secret).
  const caAt = caLocation(env);
  const ca = caAt.source === 'files' ? await CertificateAuthority.load(caAt.cert, caAt.key) : await CertificateAuthority.loadOrCreate(dirname(caAt.key));
  const hostnames = env.DCOC_TLS_HOSTNAMES.split(',').map((h) => h.trim()).filter(Boolean);
  const identity = await gatewayIdentity(env, ca, hostnames, log.child({ module: 'tls' }));
  const cluster: Cluster = env.DCOC_DATABASE_URL ? await PostgresCluster.start(replicaId, env.DCOC_DATABASE_URL, log.child({ module: 'cluster' })) : new LocalCluster(replicaId);

  const events = new EventBus();
  const fleet = new Fleet(events, env.DCOC_AGENT_SILENCE_S * 1000);
  fleet.load(await store.listCommons());
  const externalChecks = new ExternalChecks(externalSettings, fleet, log.child({ module: 'external-checks' }));
  const metrics = new Metrics(fleet, externalChecks);
  const sessions = new AgentSessions();
  const groups = new GroupDirectory(store.groups, fleet);
  // The change gate: every change route asks it first; policies (and their approvals) are one of its checks.
  const approvals = new Approvals({ store: store.policies, events, log: log.child({ module: 'approvals' }), ttlMs: env.DCOC_APPROVAL_TTL_S * 1000 });
  const gate = new ChangeGate();
  // Deny windows first: a freeze refuses before a policy opens an approval.
  const windows = new Windows(store.windows, groups);
  gate.add(new DenyWindowCheck(windows, store));
  gate.add(new PolicyCheck({ store: store.policies, groups, approvals }));
  const policies = new Policies(store.policies, groups);
  const commands = new CommandService(store, fleet, events, metrics, sessions, log.child({ module: 'commands' }), env.DCOC_COMMAND_DEADLINE_S * 1000, cluster);
  const requests = new AgentRequests({ sessions, cluster, fleet, registry: metrics.registry, log: log.child({ module: 'inspect' }) });
  const unbridge = bridgeEvents(cluster, events, fleet, log.child({ module: 'cluster' }));
  const live = shareLiveState({ cluster, fleet, store, sessions, log: log.child({ module: 'live-sync' }), silenceMs: env.DCOC_AGENT_SILENCE_S * 1000 });
  cluster.onMessage((m, from) => {
    if (m.kind === 'dispatch' || m.kind === 'cancel') {
      commands.fromOtherReplica(m).catch((e: Error) => log.error({ err: e, command: m.command }, 'could not send a command another replica accepted'));
    } else if (m.kind === 'session') {
      const s = sessions.forCommons(m.commons);
      if (s) s.close(`agent ${m.agent} of this commons connected to replica ${from}`);
    }
  });
  // Notifications were lost while this replica could not hear the others: whatever is open goes out again.
  cluster.onResync(() => {
    for (const commonsId of sessions.commonsIds()) commands.redispatch(commonsId).catch((e: Error) => log.error({ err: e, commons: commonsId }, 'redispatch after resync failed'));
  });
  const certTtlMs = env.DCOC_AGENT_CERT_TTL_S * 1000;
  if (env.DCOC_GITOPS_REPO && !env.DCOC_GITOPS_CLUSTER) throw new Error('invalid configuration:\n  DCOC_GITOPS_CLUSTER: must be set with DCOC_GITOPS_REPO (the cluster directory in the GitOps repository)');
  const releases = new ReleaseCatalog(store);
  const gitops = env.DCOC_GITOPS_REPO
    ? new GitOps({ repo: env.DCOC_GITOPS_REPO, cluster: env.DCOC_GITOPS_CLUSTER!, branch: env.DCOC_GITOPS_BRANCH, workdir: join(env.DCOC_DATA_DIR, 'gitops', 'clone'), log: log.child({ module: 'gitops' }) })
    : null;
  const deployments = new DeploymentService({
    store,
    fleet,
    events,
    commands,
    catalog: releases,
    blueprints: Blueprints.load(),
    gitops,
    log: log.child({ module: 'deployments' }),
    deployDeadlineMs: env.DCOC_DEPLOY_DEADLINE_S * 1000,
  });
  const alertmanager = alertmanagerFromEnv(env);
  const windowScheduler = new WindowScheduler({
    store: store.windows,
    windows,
    silences: alertmanager && new WindowSilences(alertmanager),
    mode: new MaintenanceMode(gate, deployments),
    // The rollout service is built below; a window asks for it when it starts.
    actions: builtinActions({ gate, commands, deployments, store, fleet, rollouts: () => rollouts }),
    log: log.child({ module: 'windows' }),
  });
  const backups = new Backups({ store: store.backups, commands, fleet, gate, log: log.child({ module: 'backups' }) });
  registerBackupMetrics(metrics, backups);
  approvals.onApproved('maintenance-mode', (req, principal, approvalId) => windowScheduler.replayMaintenanceMode(req, principal, approvalId));

  // Rollouts: advanced by the sweeper; a soaking commons may fail the gate for three health reports before it stops the rollout.
  let rolloutEngine: RolloutEngine | null = null;
  const rollouts = new RolloutService({ store: store.rollouts, deployments, groups, fleet, events, gate, alertGate: !!alertmanager, log: log.child({ module: 'rollouts' }), kick: () => rolloutEngine?.kick() });
  rolloutEngine = new RolloutEngine({
    store: store.rollouts,
    deployments,
    service: rollouts,
    soak: new SoakGate(fleet, alertmanager),
    log: log.child({ module: 'rollouts' }),
    leads: () => cluster.holds('sweeper'),
    tickMs: Math.min(2000, Math.max(200, Math.floor(env.DCOC_HEALTH_INTERVAL_MS / 2))),
    graceMs: 3 * env.DCOC_HEALTH_INTERVAL_MS,
  });

  // Heartbeats update the fleet in memory; agents.last_seen is written in batches, and once more at shutdown.
  const lastSeen = new LastSeenWriter(store, env.DCOC_LAST_SEEN_FLUSH_S * 1000, log.child({ module: 'last-seen' }));
  lastSeen.start();
  const grpcServers = await startGrpcServers({
    identity,
    gatewayAddr: env.DCOC_GRPC_ADDR,
    gatewayBacklog: env.DCOC_GRPC_BACKLOG,
    enrollAddr: env.DCOC_ENROLL_ADDR,
    gateway: agentGatewayHandlers({
      store,
      fleet,
      sessions,
      commands,
      metrics,
      ca,
      cluster,
      log: log.child({ module: 'gateway' }),
      certTtlMs,
      requests,
      lastSeen,
      agentConfig: {
        heartbeat_interval_ms: env.DCOC_HEARTBEAT_INTERVAL_MS,
        health_interval_ms: env.DCOC_HEALTH_INTERVAL_MS,
        metrics_interval_ms: env.DCOC_METRICS_INTERVAL_MS,
      },
    }),
    enrollment: enrollmentHandlers({ store, ca, metrics, log: log.child({ module: 'enrollment' }), certTtlMs }),
    log: log.child({ module: 'grpc' }),
  });
  const publicHost = hostnames[0] ?? 'localhost';
  const gatewayAddr = `${publicHost}:${grpcServers.gatewayPort}`;
  const enrollAddr = `${publicHost}:${grpcServers.enrollPort}`;

  const app = createApp({
    env,
    store,
    fleet,
    events,
    commands,
    deployments,
    releases,
    sessions,
    requests,
    metrics,
    auth: new Authenticator(store, env.DCOC_PLUGIN_SECRET),
    ca,
    log: log.child({ module: 'http' }),
    agentEndpoints: { grpc: gatewayAddr, enroll: enrollAddr },
    ready: () => ready,
    externalChecks,
    groups,
    gate,
    approvals,
    windows,
    policies,
    rollouts,
    auditLog: store.auditLog,
    reports: store.reports,
    access: new AccessResolver(store.teamGrants, groups),
    teamGrants: store.teamGrants,
    backups,
  });
  const { host, port } = splitHostPort(env.DCOC_HTTP_ADDR);
  const httpTlsFiles = env.DCOC_HTTP_TLS_CERT_FILE && env.DCOC_HTTP_TLS_KEY_FILE ? { cert: env.DCOC_HTTP_TLS_CERT_FILE, key: env.DCOC_HTTP_TLS_KEY_FILE } : null;
  const httpPair = httpTlsFiles ? readCertificatePair(httpTlsFiles) : null;
  const httpTls = httpPair ? { cert: httpPair.certPem, key: httpPair.keyPem } : null;
  const http: Server = httpTls
    ? createTlsServer({ ...httpServerOptions(env.DCOC_HTTP_REQUEST_TIMEOUT_S * 1000), ...httpTls }, app)
    : createServer(httpServerOptions(env.DCOC_HTTP_REQUEST_TIMEOUT_S * 1000), app);
  // A renewed certificate (a Secret cert-manager rewrites) is taken by new connections, without a restart.
  const stopHttpTlsWatch = httpTlsFiles
    ? watchCertificateFiles(httpTlsFiles, env.DCOC_TLS_CHECK_S * 1000, (p) => (http as HttpsServer).setSecureContext({ cert: p.certPem, key: p.keyPem }), log.child({ module: 'tls' }), 'HTTP API')
    : null;
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => resolve());
  });
  const addr = http.address();
  const httpUrl = `${httpTls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${typeof addr === 'object' && addr ? addr.port : port}`;

  await live.ready;
  const retention = new AuditRetention(store.auditLog, { days: env.DCOC_AUDIT_RETENTION_DAYS }, log.child({ module: 'audit-retention' }));
  const commandRetention = new CommandRetention(store, { days: env.DCOC_COMMAND_RETENTION_DAYS }, log.child({ module: 'command-retention' }));
  // Deadline sweeps, dashboard files and resuming interrupted deployments happen on one replica: the sweeper.
  const timers = [
    setInterval(() => fleet.sweep(), 1000),
    setInterval(() => {
      if (cluster.holds('sweeper')) void commands.sweepDeadlines().catch((e: Error) => log.error({ err: e }, 'deadline sweep failed'));
    }, 1000),
    setInterval(() => {
      if (cluster.holds('sweeper')) void windowScheduler.tick().catch((e: Error) => log.error({ err: e }, 'maintenance window pass failed'));
    }, 1000),
    setInterval(() => {
      if (cluster.holds('sweeper')) void backups.tick().catch((e: Error) => log.error({ err: e }, 'backup schedule pass failed'));
    }, 15_000),
    setInterval(() => {
      if (!cluster.holds('sweeper')) return;
      void approvals.expireDue().catch((e: Error) => log.error({ err: e }, 'approval expiry sweep failed'));
      void approvals.resumeInterrupted().catch((e: Error) => log.error({ err: e }, 'resuming approved changes failed'));
    }, 1000),
    setInterval(() => {
      if (retention.enabled && cluster.holds('sweeper')) void retention.sweep().catch((e: Error) => log.error({ err: e }, 'audit retention sweep failed; it is tried again'));
    }, env.DCOC_RETENTION_SWEEP_S * 1000),
    setInterval(() => {
      if (cluster.holds('sweeper')) void commandRetention.sweep().catch((e: Error) => log.error({ err: e }, 'command retention sweep failed; it is tried again'));
    }, env.DCOC_RETENTION_SWEEP_S * 1000),
  ];
  await deployments.start();
  let dashboards: ReturnType<typeof keepCommonsDashboardsInSync> | null = null;
  const roleWork: Promise<void>[] = [];
  cluster.onRole((role, held) => {
    if (role !== 'sweeper') return;
    if (held) {
      roleWork.push(deployments.resume().catch((e: Error) => log.error({ err: e }, 'resuming deployments failed')));
      if (env.DCOC_DASHBOARDS_DIR && !dashboards) {
        dashboards = keepCommonsDashboardsInSync(env.DCOC_DASHBOARDS_DIR, fleet, events, log.child({ module: 'dashboards' }));
        roleWork.push(dashboards.ready);
      }
    } else {
      dashboards?.stop();
      dashboards = null;
    }
  });
  await Promise.all(roleWork);
  externalChecks.start();
  rolloutEngine.start();
  ready = true;
  log.info({ httpUrl, gatewayAddr, enrollAddr, dataDir: env.DCOC_DATA_DIR, store: store.kind, sweeper: cluster.holds('sweeper') }, 'control service started');

  return {
    httpUrl,
    gatewayAddr,
    enrollAddr,
    caPem: ca.certPem,
    replicaId,
    fleet,
    events,
    async stop() {
      ready = false;
      timers.forEach(clearInterval);
      identity.stop();
      stopHttpTlsWatch?.();
      dashboards?.stop();
      await externalChecks.stop();
      deployments.stop();
      rolloutEngine.stop();
      await rolloutEngine.idle();
      unbridge();
      sessions.closeAll('control service shutting down');
      await live.stop();
      await grpcServers.stop();
      await lastSeen.stop();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await cluster.close();
      await store.close();
      log.info('control service stopped');
    },
  };
}
