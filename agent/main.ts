// `dcoc-agent`: enrolls once (token + CA), then runs against its commons.
//   --simulate runs it against an in-process simulated Gen3 commons.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../lib/logger';
import { AGENT_VERSION, Agent } from './core/agent';
import { KubePlatform } from './kubernetes/kube-platform';
import { Helm, helmReleaseOf } from './kubernetes/helm';
import { type KubeClients, describeKubeError, kubeClients, kubeConfigFrom } from './kubernetes/kube-client';
import { secretIdentityStore } from './kubernetes/identity-secret';
import { enroll, fileIdentityStore } from './protocol/identity';
import { SimPlatform } from './simulate/sim-platform';
import { SIZES, type Size } from './simulate/sizes';

const HELP = `dcoc-agent: reports a Gen3 commons to the DCOC control service and carries out its commands.

  --control HOST:PORT     agent gateway (mutual TLS)          [DCOC_AGENT_CONTROL, localhost:8471]
  --enroll HOST:PORT      enrollment endpoint                 [DCOC_AGENT_ENROLL, localhost:8472]
  --data-dir DIR          key, certificate, journal           [DCOC_AGENT_DATA_DIR, .data/agent]
  --ca-file FILE          control service CA (first start)    [DCOC_AGENT_CA_FILE]
  --token-file FILE       enrollment token file; or set DCOC_ENROLL_TOKEN (first start only)
  --kubernetes            run against a Gen3 commons namespace (in-cluster service account, or --kubeconfig):
      --namespace NS [--kubeconfig FILE] [--identity-secret NAME]   [DCOC_AGENT_NAMESPACE, DCOC_AGENT_IDENTITY_SECRET]
      --helm-chart REF    deploy revisions with this gen3-helm chart (directory, repo/chart, oci://...)  [DCOC_HELM_CHART]
                          without it, deploys server-side apply changed images only
      --helm-mode M       upgrade: helm upgrade --install (default); template: helm template, then server-side apply
      --helm-release NAME helm release name                  [the Deployments' app.kubernetes.io/instance, else gen3]
      --helm-chart-version V, --helm BIN (default: helm on PATH, DCOC_HELM), --helm-arg ARG (repeatable, e.g. --repo=URL)
  Exits 3 when the control service has revoked this agent (reconnecting would not help).
  --simulate              run against a simulated Gen3 commons:
      --hostname H --environment E --name N --release YYYY.MM --size small|medium|large
      --tick-ms MS --pod-start-ms MS --health-port PORT
`;

const { values: a } = parseArgs({
  options: {
    control: { type: 'string', default: process.env.DCOC_AGENT_CONTROL ?? 'localhost:8471' },
    enroll: { type: 'string', default: process.env.DCOC_AGENT_ENROLL ?? 'localhost:8472' },
    'data-dir': { type: 'string', default: process.env.DCOC_AGENT_DATA_DIR ?? '.data/agent' },
    'ca-file': { type: 'string', default: process.env.DCOC_AGENT_CA_FILE },
    'token-file': { type: 'string' },
    simulate: { type: 'boolean', default: false },
    kubernetes: { type: 'boolean', default: false },
    namespace: { type: 'string', default: process.env.DCOC_AGENT_NAMESPACE },
    kubeconfig: { type: 'string', default: process.env.KUBECONFIG },
    'identity-secret': { type: 'string', default: process.env.DCOC_AGENT_IDENTITY_SECRET },
    'helm-chart': { type: 'string', default: process.env.DCOC_HELM_CHART },
    'helm-mode': { type: 'string', default: 'upgrade' },
    'helm-release': { type: 'string' },
    'helm-chart-version': { type: 'string' },
    helm: { type: 'string', default: process.env.DCOC_HELM ?? 'helm' },
    'helm-arg': { type: 'string', multiple: true, default: [] },
    hostname: { type: 'string', default: 'gen3.example.org' },
    environment: { type: 'string', default: 'default' },
    name: { type: 'string' },
    release: { type: 'string', default: '2026.07' },
    size: { type: 'string', default: 'small' },
    'tick-ms': { type: 'string', default: '500' },
    'pod-start-ms': { type: 'string', default: '1500' },
    'health-port': { type: 'string', default: '0' },
    help: { type: 'boolean', default: false },
  },
});

const log = createLogger('dcoc-agent');

function simulatedPlatform(dataDir: string) {
  if (!(a.size! in SIZES)) throw new Error(`--size must be one of ${Object.keys(SIZES).join(', ')}`);
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
  const platform = new KubePlatform({ clients, namespace: a.namespace, log, chart });
  const identity = await platform.identity();
  const store = a['identity-secret'] ? secretIdentityStore(clients, a.namespace, a['identity-secret']) : fileIdentityStore(a['data-dir']!);
  return { platform, store, hostname: identity.hostname };
}

async function main(): Promise<void> {
  if (a.help) {
    process.stderr.write(HELP);
    return;
  }
  if (a.simulate === a.kubernetes) throw new Error('choose one platform: --simulate or --kubernetes (see --help)');
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
