// Saturation ingest: the same metric batches, as fast as flow control allows,
// into one DCOC gateway and into a bare gRPC server that only counts them.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type * as grpc from '@grpc/grpc-js';
import { gatewayClient, type TlsIdentity } from '../../agent/protocol/client';
import type { AgentIdentity } from '../../agent/protocol/identity';
import { CertificateAuthority } from '../../backend/pki/ca';
import type { AgentMessage, ControlMessage } from '../../contracts/pb/agent';
import { ROOT } from '../demo/processes';
import { scrape, sleep } from './measure';

const SAMPLES_PER_BATCH = 15;

function metricBatch(i: number) {
  const now = Date.now();
  return {
    seq: 0,
    metrics: {
      samples: Array.from({ length: SAMPLES_PER_BATCH }, (_, k) => ({
        name: 'dcoc_health_check_latency_seconds',
        labels: { service: `svc${k}` },
        value: 0.001 * ((i + k) % 50),
        timestamp_ms: now,
      })),
    },
  };
}

/** Writes metric batches as fast as flow control allows for `seconds`, on `streams` streams. */
async function blast(open: () => Promise<grpc.ClientDuplexStream<AgentMessage, ControlMessage>>, streams: number, seconds: number): Promise<void> {
  const calls = await Promise.all(Array.from({ length: streams }, open));
  const until = Date.now() + seconds * 1000;
  let sent = 0;
  await Promise.all(
    calls.map(async (call, s) => {
      while (Date.now() < until) {
        if (!call.write(metricBatch(sent + s))) await new Promise((r) => call.once('drain', r));
        sent += 1;
      }
    }),
  );
  for (const c of calls) c.cancel();
}

/** Polls `read` until it stops moving (the receiver has drained what was sent). */
async function settled(read: () => Promise<number>, from: number): Promise<number> {
  let last = from;
  for (let i = 0; i < 50; i++) {
    await sleep(200);
    const v = await read();
    if (v === last && i > 2) break;
    last = v;
  }
  return last;
}

/** Samples/s one control service ingests from `identities.length`-many blasting streams, and the same into a bare gRPC server. */
export async function saturation(
  control: { url: string; gatewayAddr: string },
  identities: AgentIdentity[],
  seconds: number,
  dir: string,
): Promise<{ dcoc: number; bare: number }> {
  let k = 0;
  const openDcoc = async () => {
    const id = identities[k++ % identities.length];
    const call = gatewayClient(control.gatewayAddr, id).connect();
    call.on('error', () => undefined);
    call.write({
      seq: 0,
      hello: { agent_id: id.agentId, agent_version: 'bench', capabilities: [], commons: { hostname: `blast${k}.bench.gen3.org`, environment: 'blast', name: 'blast', namespace: 'blast' }, finished: [] },
    });
    // The commons runs the services the samples name, so DCOC keeps them (histograms observed), not drops them.
    const commons = { hostname: `blast${k}.bench.gen3.org`, environment: 'blast', name: 'blast', namespace: 'blast' };
    const services = Array.from({ length: SAMPLES_PER_BATCH }, (_, j) => ({ name: `svc${j}`, status: 'healthy', deployment: `svc${j}`, desired_replicas: 1, ready_replicas: 1, updated_replicas: 1, image: 'x:1', version: '1', reason: '', restarted_at: '', restart_count: 0, rollout: '', gitops_owner: '' }));
    call.write({ seq: 0, snapshot: { commons, release: '2026.07', services, config: null, taken_at_ms: Date.now() } });
    await new Promise((r) => call.once('data', r));
    return call;
  };
  const samplesIn = async () => (await scrape(control.url)).get('dcoc_agent_metric_samples_total') ?? 0;
  const b0 = await samplesIn();
  const t0 = Date.now();
  await blast(openDcoc, identities.length, seconds);
  const dcoc = ((await settled(samplesIn, b0)) - b0) / ((Date.now() - t0) / 1000);

  const ca = await CertificateAuthority.loadOrCreate(join(dir, 'bare-ca'));
  const cert = await ca.issueServerCertificate(['localhost', '127.0.0.1']);
  const bare = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/bare-grpc-server.ts'], {
    cwd: ROOT,
    env: { ...process.env, BENCH_KEY: cert.keyPem, BENCH_CERT: cert.certPem },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    const lines = createInterface({ input: bare.stdout! })[Symbol.asyncIterator]();
    const { port } = JSON.parse((await lines.next()).value as string) as { port: number };
    const bareId: TlsIdentity = { caPem: ca.certPem, keyPem: cert.keyPem, certPem: cert.certPem };
    const openBare = async () => {
      const call = gatewayClient(`localhost:${port}`, bareId).connect();
      call.on('error', () => undefined);
      return call;
    };
    const t1 = Date.now();
    await blast(openBare, identities.length, seconds);
    const bareSamples = await settled(async () => {
      bare.stdin!.write('?\n');
      return (JSON.parse((await lines.next()).value as string) as { samples: number }).samples;
    }, 0);
    return { dcoc, bare: bareSamples / ((Date.now() - t1) / 1000) };
  } finally {
    bare.kill();
  }
}
