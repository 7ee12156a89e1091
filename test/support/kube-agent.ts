// A seeded Kubernetes API test server with the agent's Kubernetes platform on
// it, and helpers to run executors directly, for the Kubernetes tests.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { type KubeApiServer, seedGen3Commons, startKubeApiServer } from './kube-api';

export const NS = 'gen3';
const log = pino({ level: 'silent' });

export interface KubeCommonsOptions {
  /** Deploy through helm with a chart (built once the API server is up). */
  chart?: (srv: KubeApiServer) => KubePlatformOptions['chart'];
}

export async function kubeCommons(o: KubeCommonsOptions = {}) {
  const srv = await startKubeApiServer();
  const seed = seedGen3Commons(srv, { namespace: NS, hostname: 'data.example.org', environment: 'exampleprod', release: '2026.07' });
  const platform = new KubePlatform({ clients: kubeClients(srv.kubeConfig()), namespace: NS, log, healthTargets: null, pollMs: 50, chart: o.chart?.(srv) });
  const obs = new Observations();
  obs.healthExpected = false;
  return { srv, seed, platform, obs };
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
 * on the Kubernetes platform of a seeded test API server, enrolled through the
 * enrollment path and keeping its identity in a Secret; resolves once the
 * commons reports healthy.
 */
export async function kubeAgentOnFleet(o: KubeCommonsOptions = {}) {
  const fleet = await TestFleet.start({ commons: [] });
  const k = await kubeCommons(o);
  const store = secretIdentityStore(kubeClients(k.srv.kubeConfig()), NS, 'dcoc-agent-identity');
  const identity = await enroll({
    store,
    enrollAddr: fleet.control.enrollAddr,
    caPem: readFileSync(fleet.control.caFile, 'utf8'),
    token: await mintEnrollmentToken(fleet.control),
    version: 'test',
    hostname: 'data.example.org',
  });
  const agent = new Agent({
    platform: k.platform,
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
  return {
    fleet,
    k,
    agent,
    async stop() {
      await agent.stop();
      await k.srv.stop();
      await fleet.stop();
    },
  };
}
