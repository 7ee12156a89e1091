// The agent's Kubernetes platform on a Gen3 commons on the real control plane,
// as the agent's ServiceAccount bound to agent/deploy/rbac.yaml; a real
// control service with the real Agent on top; and helpers to run executors
// directly.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { Agent } from '../../agent/core/agent';
import { secretIdentityStore } from '../../agent/kubernetes/identity-secret';
import { enroll } from '../../agent/protocol/identity';
import { mintEnrollmentToken } from '../../scripts/demo/processes';
import { TestFleet, eventually } from './fleet';
import { Observations } from '../../agent/core/observations';
import type { CommandSpec, ExecContext, Executor } from '../../agent/executors/executor';
import { kubeClients } from '../../agent/kubernetes/kube-client';
import { KubePlatform, type KubePlatformOptions } from '../../agent/kubernetes/kube-platform';
import type { ControlPlane } from './control-plane';
import { type InstallGen3Options, installGen3Commons } from './control-plane/gen3-commons';

export const NS = 'gen3';
const log = pino({ level: 'silent' });

export interface RealCommonsOptions extends InstallGen3Options {
  /** Deploy through helm with a chart; gets the agent's kubeconfig file. */
  chart?: (agentKubeconfig: string) => KubePlatformOptions['chart'];
  /** The agent reaches the apiserver at this https://host:port instead (a fault proxy); same CA and token. */
  server?: string;
  /** HTTP health checks (default none: workloads only). */
  healthTargets?: KubePlatformOptions['healthTargets'];
  healthIntervalMs?: number;
  /** Where backup Jobs write (KubePlatformOptions.backups). */
  backups?: KubePlatformOptions['backups'];
}

function withServer(kc: KubeConfig, server: string): KubeConfig {
  const out = new KubeConfig();
  out.loadFromOptions({ clusters: kc.clusters.map((c) => ({ ...c, server })), users: kc.users, contexts: kc.contexts, currentContext: kc.currentContext });
  return out;
}

/**
 * A Gen3 commons on the real control plane with the agent's platform on it,
 * authenticated as the agent's ServiceAccount: the apiserver enforces its Role.
 */
export async function realKubeCommons(cp: ControlPlane, o: RealCommonsOptions = {}) {
  const installed = await installGen3Commons(cp, { namespace: NS, ...o });
  const clients = kubeClients(o.server ? withServer(installed.agent.kubeConfig, o.server) : installed.agent.kubeConfig);
  const platform = new KubePlatform({
    clients,
    namespace: installed.commons.namespace,
    log,
    healthTargets: o.healthTargets ?? null,
    healthIntervalMs: o.healthIntervalMs,
    pollMs: 50,
    chart: o.chart?.(installed.agent.kubeconfigFile),
    backups: o.backups,
  });
  const obs = new Observations();
  obs.healthExpected = false;
  return { cp, ...installed, clients, platform, obs };
}

let seq = 0;
export function command(kind: string, service: string, target: Record<string, unknown>, id = `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`): CommandSpec {
  return { id, kind, service, target, deadlineMs: Date.now() + 60_000, createdAtMs: Date.now() };
}

export function run(ex: Executor, cmd: CommandSpec) {
  const progress: string[] = [];
  const ctx: ExecContext = { progress: (m) => progress.push(m), signal: new AbortController().signal };
  return ex.execute(cmd, ctx).then(
    (r) => ({ ok: true as const, ...r, progress }),
    (e: Error) => ({ ok: false as const, message: e.message, progress }),
  );
}


/**
 * A real control service (TestFleet, no simulated commons) with the real Agent
 * on `platform`, enrolled through the enrollment path and keeping its identity
 * in a Secret (through `clients`); resolves once the commons reports healthy.
 */
export async function agentOnFleet(platform: KubePlatform, clients: ReturnType<typeof kubeClients>, namespace = NS, controlEnv?: NodeJS.ProcessEnv) {
  const fleet = await TestFleet.start({ commons: [], controlEnv });
  const store = secretIdentityStore(clients, namespace, 'dcoc-agent-identity');
  const identity = await enroll({
    store,
    enrollAddr: fleet.control.enrollAddr,
    caPem: readFileSync(fleet.control.caFile, 'utf8'),
    token: await mintEnrollmentToken(fleet.control),
    version: 'test',
    hostname: 'data.example.org',
  });
  const agent = new Agent({
    platform,
    identity,
    gatewayAddr: fleet.control.gatewayAddr,
    dataDir: mkdtempSync(join(tmpdir(), 'dcoc-k8s-agent-')),
    identityStore: store,
    log: pino({ level: 'silent' }),
  });
  agent.obs.healthExpected = false;
  await agent.start();
  await eventually(async () => (await fleet.admin<{ status: string }>('GET', '/api/v1/commons/data-example-org')).body?.status === 'healthy', {
    what: 'the commons to report healthy',
  });
  return { fleet, agent };
}

/** realKubeCommons with the real Agent and control service on top; stop() leaves the control plane running. */
export async function realKubeAgentOnFleet(cp: ControlPlane, o: RealCommonsOptions & { controlEnv?: NodeJS.ProcessEnv; beforeAgent?: (namespace: string) => Promise<void> } = {}) {
  const k = await realKubeCommons(cp, o);
  await o.beforeAgent?.(k.commons.namespace);
  const { fleet, agent } = await agentOnFleet(k.platform, k.clients, k.commons.namespace, o.controlEnv);
  return {
    fleet,
    k,
    agent,
    async stop() {
      await agent.stop();
      await fleet.stop();
    },
  };
}
