// `dcoc-agent`: enrolls once (token + CA), then runs against its commons.
//   --simulate runs it against an in-process simulated Gen3 commons.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLogger } from '../backend/config/logger';
import { AGENT_VERSION, Agent } from './core/agent';
import { enroll, loadIdentity } from './protocol/identity';
import { SimPlatform } from './simulate/sim-platform';
import { SIZES, type Size } from './simulate/sizes';

const HELP = `dcoc-agent: reports a Gen3 commons to the DCOC control service and carries out its commands.

  --control HOST:PORT     agent gateway (mutual TLS)          [DCOC_AGENT_CONTROL, localhost:8471]
  --enroll HOST:PORT      enrollment endpoint                 [DCOC_AGENT_ENROLL, localhost:8472]
  --data-dir DIR          key, certificate, journal           [DCOC_AGENT_DATA_DIR, .data/agent]
  --ca-file FILE          control service CA (first start)    [DCOC_AGENT_CA_FILE]
  --token-file FILE       enrollment token file; or set DCOC_ENROLL_TOKEN (first start only)
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

async function main(): Promise<void> {
  if (a.help) {
    process.stderr.write(HELP);
    return;
  }
  if (!a.simulate) {
    throw new Error('no platform chosen: pass --simulate (the Kubernetes platform is configured with --namespace in a later release)');
  }
  if (!(a.size! in SIZES)) throw new Error(`--size must be one of ${Object.keys(SIZES).join(', ')}`);
  if (!/^\d{4}\.\d{2}$/.test(a.release!)) throw new Error('--release must be a Gen3 release tag YYYY.MM, e.g. 2026.07');
  const dataDir = a['data-dir']!;
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

  let identity = loadIdentity(dataDir);
  if (!identity) {
    const token = process.env.DCOC_ENROLL_TOKEN ?? (a['token-file'] ? readFileSync(a['token-file'], 'utf8').trim() : '');
    if (!token) throw new Error('not enrolled yet: set DCOC_ENROLL_TOKEN or --token-file to a token from POST /api/v1/enrollment-tokens');
    if (!a['ca-file']) throw new Error('not enrolled yet: pass --ca-file with the control service CA (caCertificate from the token response)');
    identity = await enroll({ dataDir, enrollAddr: a.enroll!, caPem: readFileSync(a['ca-file'], 'utf8'), token, version: AGENT_VERSION, hostname: a.hostname! });
    log.info({ agentId: identity.agentId }, 'enrolled');
  }

  const agent = new Agent({ platform, identity, gatewayAddr: a.control!, dataDir, log });
  await agent.start();
  log.info({ agentId: agent.agentId, commons: a.hostname, healthPort: platform.health.port }, 'agent running');
  const stop = (signal: string) => {
    log.info({ signal }, 'stopping');
    agent.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: Error) => {
  log.fatal(e.message);
  process.exit(1);
});
