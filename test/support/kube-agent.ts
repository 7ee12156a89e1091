// A seeded Kubernetes API test server with the agent's Kubernetes platform on
// it, and helpers to run executors directly, for the Kubernetes tests.
import pino from 'pino';
import { Observations } from '../../agent/core/observations';
import type { CommandSpec, ExecContext, Executor } from '../../agent/executors/executor';
import { kubeClients } from '../../agent/kubernetes/kube-client';
import { KubePlatform } from '../../agent/kubernetes/kube-platform';
import { seedGen3Commons, startKubeApiServer } from './kube-api';

export const NS = 'gen3';
const log = pino({ level: 'silent' });

export async function kubeCommons() {
  const srv = await startKubeApiServer();
  const seed = seedGen3Commons(srv, { namespace: NS, hostname: 'data.example.org', environment: 'exampleprod', release: '2026.07' });
  const platform = new KubePlatform({ clients: kubeClients(srv.kubeConfig()), namespace: NS, log, healthTargets: null, pollMs: 50 });
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

