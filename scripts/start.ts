// `npm start`: the control service and three simulated Gen3 commons of
// different sizes and releases, each agent enrolled with a single-use token.
// Ctrl-C stops everything.
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DEMO_COMMONS, ROOT, secretFile, startAgent, startControl, stopProc, type AgentProc, type Control } from './demo/processes';

const dir = process.env.DCOC_DEMO_DIR ?? join(ROOT, '.data', 'demo');
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

async function main(): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const adminTokenFile = join(dir, 'admin-token');
  const pluginSecretFile = join(dir, 'plugin-secret');
  const adminToken = process.env.DCOC_ADMIN_TOKEN ?? secretFile(adminTokenFile, 'dcoc_');
  const pluginSecret = process.env.DCOC_PLUGIN_SECRET ?? secretFile(pluginSecretFile, '', 32);
  const verbose = process.env.DCOC_DEMO_VERBOSE === '1';
  const echo = verbose ? (line: string) => process.stderr.write(`${line}\n`) : undefined;

  const control: Control = await startControl({
    dataDir: join(dir, 'control'),
    adminToken,
    pluginSecret,
    httpPort: port('DCOC_DEMO_HTTP_PORT', 8470),
    grpcPort: port('DCOC_DEMO_GRPC_PORT', 8471),
    enrollPort: port('DCOC_DEMO_ENROLL_PORT', 8472),
    // The simulated commons carry real public hostnames: the demo does not probe those sites unless asked to.
    env: { DCOC_HEALTH_INTERVAL_MS: process.env.DCOC_HEALTH_INTERVAL_MS ?? '5000', DCOC_EXTERNAL_CHECKS: process.env.DCOC_EXTERNAL_CHECKS ?? 'false' },
    echo,
  });
  const agents: AgentProc[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping the demo…');
    await Promise.all(agents.map((a) => stopProc(a)));
    await stopProc(control);
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  void control.exited.then((code) => {
    if (!stopping) {
      console.error(`control service exited (${code}); see its log above (DCOC_DEMO_VERBOSE=1 shows all logs)`);
      void stopAll(1);
    }
  });

  for (const spec of DEMO_COMMONS) {
    // Simulated users browse each commons through its revproxy, so request rate, errors and latency show (DCOC_SIM_TRAFFIC_RPS=0: none).
    const env = { DCOC_SIM_TRAFFIC_RPS: process.env.DCOC_SIM_TRAFFIC_RPS ?? '4' };
    agents.push(await startAgent({ control, spec, dataDir: join(dir, 'agents', spec.environment), echo, env }));
  }

  const rel = (p: string) => relative(process.cwd(), p) || p;
  console.log(`
DCOC demo is running.

  Control service API   ${control.url}/api/v1/commons
  Metrics               ${control.url}/metrics
  Agent gateway (mTLS)  ${control.gatewayAddr}   enrollment: ${control.enrollAddr}
  Admin API token       in ${process.env.DCOC_ADMIN_TOKEN ? '$DCOC_ADMIN_TOKEN' : rel(adminTokenFile)}
                        curl -H "Authorization: Bearer $(cat ${rel(adminTokenFile)})" ${control.url}/api/v1/commons
  Plugin shared secret  in ${process.env.DCOC_PLUGIN_SECRET ? '$DCOC_PLUGIN_SECRET' : rel(pluginSecretFile)}

  Simulated commons:
${agents.map((a) => `    ${a.spec.hostname.padEnd(24)} ${a.spec.environment.padEnd(10)} release ${a.spec.release}  ${a.spec.size.padEnd(6)}  health endpoints on 127.0.0.1:${a.healthPort}`).join('\n')}

  Grafana: build the plugin (npm run build), then either
    docker compose up            (Grafana at http://localhost:3000 with everything provisioned), or
    set the DCOC app's Control service URL to ${control.url} and its shared secret to the plugin secret above.

Ctrl-C stops everything.`);
}

main().catch((e: Error) => {
  console.error(`demo failed to start: ${e.message}`);
  process.exit(1);
});
