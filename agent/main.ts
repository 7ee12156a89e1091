// `dcoc-agent`: enrolls once (token + CA), then runs against its commons.
//   --simulate runs it against an in-process simulated Gen3 commons. Flags: agent/cli/flags.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '../lib/logger';
import { VERSION } from '../lib/version';
import { UsageError, agentHelp, parseAgentArgs } from './cli/flags';
import { AGENT_VERSION, Agent } from './core/agent';
import { KubePlatform } from './kubernetes/kube-platform';
import { Helm, helmReleaseOf } from './kubernetes/helm';
import { type KubeClients, describeKubeError, kubeClients, kubeConfigFrom } from './kubernetes/kube-client';
import { secretIdentityStore } from './kubernetes/identity-secret';
import { enroll, fileIdentityStore } from './protocol/identity';
import { SimPlatform } from './simulate/sim-platform';
import { SIZES, type Size } from './simulate/sizes';

/** The parsed flags (agent/cli/flags.ts): strings and booleans as the table declares them. */
interface Args {
  control: string;
  enroll: string;
  'data-dir': string;
  'ca-file'?: string;
  'token-file'?: string;
  simulate: boolean;
  kubernetes: boolean;
  namespace?: string;
  kubeconfig?: string;
  'identity-secret'?: string;
  'helm-chart'?: string;
  'helm-mode': string;
  'helm-release'?: string;
  'helm-chart-version'?: string;
  helm: string;
  'helm-arg': string[];
  'backup-pvc'?: string;
  'backup-image': string;
  'backup-keep': string;
  hostname: string;
  environment: string;
  name?: string;
  release: string;
  size: string;
  'tick-ms': string;
  'pod-start-ms': string;
  'health-port': string;
  'sim-traffic': string;
  help: boolean;
  version: boolean;
}

let a: Args;
try {
  a = parseAgentArgs(process.argv.slice(2)) as unknown as Args;
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  process.stderr.write(`dcoc-agent: ${e.message}\n`);
  process.exit(2);
}
if (a.help) {
  process.stdout.write(agentHelp(VERSION));
  process.exit(0);
}
if (a.version) {
  process.stdout.write(`dcoc-agent ${VERSION}\n`);
  process.exit(0);
}

const log = createLogger('dcoc-agent');

function simulatedPlatform(dataDir: string) {
  if (!(a.size! in SIZES)) throw new Error(`--size must be one of ${Object.keys(SIZES).join(', ')}`);
  if (!(Number(a['sim-traffic']) >= 0)) throw new Error('--sim-traffic must be a number of requests a second, 0 or more');
  if (!/^\d{4}\.\d{2}$/.test(a.release!)) throw new Error('--release must be a Gen3 release tag YYYY.MM, e.g. 2026.07');
  const size = SIZES[a.size as Size];
  const platform = new SimPlatform({
    hostname: a.hostname!,
    environment: a.environment!,
    name: a.name ?? a.hostname!,
    namespace: a.environment!,
    release: a.release!,
    services: [...size.services],
    replicas: size.replicas,
    tickMs: Number(a['tick-ms']),
    podStartMs: Number(a['pod-start-ms']),
    healthPort: Number(a['health-port']),
    trafficRps: Number(a['sim-traffic']),
    log,
    stateFile: `${dataDir}/simulated-commons.json`,
  });
  return { platform, store: fileIdentityStore(dataDir), hostname: a.hostname! };
}

async function helmChart(clients: KubeClients, namespace: string) {
  const mode = a['helm-mode'];
  if (mode !== 'upgrade' && mode !== 'template') throw new Error('--helm-mode must be upgrade or template');
  const release = a['helm-release'] ?? (await helmReleaseOf(clients, namespace));
  const helm = new Helm({
    bin: a.helm!,
    chart: a['helm-chart']!,
    chartVersion: a['helm-chart-version'],
    release,
    namespace,
    kubeconfig: a.kubeconfig,
    extraArgs: a['helm-arg'],
    workDir: join(a['data-dir']!, 'helm'),
  });
  log.info({ helm: await helm.version(), chart: a['helm-chart'], release, mode }, 'deploys go through helm');
  return { helm, mode } as const;
}

async function kubernetesPlatform() {
  if (!a.namespace) throw new Error('--kubernetes needs --namespace (or DCOC_AGENT_NAMESPACE): the Gen3 commons namespace');
  const clients = kubeClients(kubeConfigFrom({ kubeconfig: a.kubeconfig }));
  const chart = a['helm-chart'] ? await helmChart(clients, a.namespace) : undefined;
  const keepLast = Number(a['backup-keep']);
  if (!Number.isInteger(keepLast) || keepLast < 1) throw new UsageError(`--backup-keep must be a whole number of at least 1, not ${a['backup-keep']}`);
  const backups = a['backup-pvc'] ? { pvc: a['backup-pvc'], image: a['backup-image'], keepLast } : null;
  const platform = new KubePlatform({ clients, namespace: a.namespace, log, chart, backups });
  const identity = await platform.identity();
  const store = a['identity-secret'] ? secretIdentityStore(clients, a.namespace, a['identity-secret']) : fileIdentityStore(a['data-dir']!);
  return { platform, store, hostname: identity.hostname };
}

async function main(): Promise<void> {
  if (a.simulate === a.kubernetes) throw new Error('choose one platform: --simulate or --kubernetes (see dcoc-agent --help)');
  const dataDir = a['data-dir']!;
  const { platform, store, hostname } = a.kubernetes ? await kubernetesPlatform() : simulatedPlatform(dataDir);

  let identity = await store.load();
  if (!identity) {
    const token = process.env.DCOC_ENROLL_TOKEN ?? (a['token-file'] ? readFileSync(a['token-file'], 'utf8').trim() : '');
    if (!token) throw new Error('not enrolled yet: set DCOC_ENROLL_TOKEN or --token-file to a token from POST /api/v1/enrollment-tokens');
    if (!a['ca-file']) throw new Error('not enrolled yet: pass --ca-file with the control service CA (caCertificate from the token response)');
    identity = await enroll({ store, enrollAddr: a.enroll!, caPem: readFileSync(a['ca-file'], 'utf8'), token, version: AGENT_VERSION, hostname });
    log.info({ agentId: identity.agentId }, 'enrolled');
  }

  const where = a['identity-secret'] ? `Secret ${a['identity-secret']} in namespace ${a.namespace}` : `agent.key.pem, agent.crt.pem and agent.json in ${dataDir}`;
  const agent = new Agent({
    platform,
    identity,
    gatewayAddr: a.control!,
    dataDir,
    identityStore: store,
    log,
    onRevoked: (why) => {
      log.fatal(`revoked: ${why}. To enroll again, delete the agent's identity (${where}) and start it with a new token from POST /api/v1/enrollment-tokens`);
      agent
        .stop()
        .catch((e: unknown) => log.error({ err: (e as Error).message }, 'stopping after revocation failed'))
        .finally(() => process.exit(3));
    },
  });
  if (platform instanceof KubePlatform) agent.obs.healthExpected = platform.healthExpected;
  await agent.start();
  log.info({ agentId: agent.agentId, commons: hostname, platform: platform.name, ...(platform instanceof SimPlatform ? { healthPort: platform.health.port } : {}) }, 'agent running');
  const stop = (signal: string) => {
    log.info({ signal }, 'stopping');
    agent.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => {
  // One clear line (what failed, what to do), not a stack trace or client-node's raw dump.
  log.fatal(describeKubeError(e));
  process.exit(1);
});
