// The floor under the control service's memory and connect time: the same
// enrolled agents, from the same load generator, against a bare grpc-js server
// with the same proto and mutual TLS that only counts and welcomes. What the
// control service uses above this is DCOC's; the rest is Node's TLS, HTTP/2
// and grpc-js per stream.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CertificateAuthority } from '../../backend/pki/ca';
import { ROOT } from '../demo/processes';
import { LoadGenerator } from './loadgen';
import { procStats, sleep } from './measure';

export interface TransportFloor {
  connected: number;
  connectS: number;
  rssMb: number;
  cpuPct: number;
  reconnects: number;
}

/** Runs `agents` (their data directories, enrolled with the CA in `caDir`) against a bare server; RSS and CPU over `steadyS` once all are welcomed. */
export async function transportFloor(caDir: string, agentDirs: string[], workers: number, steadyS: number, progress: (line: string) => void): Promise<TransportFloor> {
  const ca = await CertificateAuthority.loadOrCreate(caDir);
  const cert = await ca.issueServerCertificate(['localhost', '127.0.0.1']);
  const bare = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/bare-grpc-server.ts'], {
    cwd: ROOT,
    env: { ...process.env, BENCH_KEY: cert.keyPem, BENCH_CERT: cert.certPem, BENCH_CA: ca.certPem, BENCH_WELCOME: '1' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let gen: LoadGenerator | null = null;
  try {
    const lines = createInterface({ input: bare.stdout! })[Symbol.asyncIterator]();
    const { port } = JSON.parse((await lines.next()).value as string) as { port: number };
    const t0 = Date.now();
    gen = LoadGenerator.start({ agents: agentDirs.map((dir) => ({ dir, gatewayAddr: `localhost:${port}` })), workers });
    const connectS = await gen.welcomed(agentDirs.length, 180_000, (k) => progress(`${k} / ${agentDirs.length} welcomed after ${((Date.now() - t0) / 1000).toFixed(1)} s`));
    const connected = gen.stats().welcomed;
    await sleep(5000);
    const s0 = procStats(bare.pid!);
    const w0 = Date.now();
    await sleep(steadyS * 1000);
    const s1 = procStats(bare.pid!);
    const secs = (Date.now() - w0) / 1000;
    return {
      connected,
      connectS,
      rssMb: s1?.rssMb ?? NaN,
      cpuPct: s0 && s1 ? ((s1.cpuS - s0.cpuS) / secs) * 100 : NaN,
      reconnects: gen.stats().reconnects,
    };
  } finally {
    await gen?.stop();
    bare.kill();
  }
}

export const caDirOf = (controlDataDir: string) => join(controlDataDir, 'pki');
