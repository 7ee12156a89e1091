// `docker compose config` accepts docker-compose.yaml.
// The stack cannot run on these machines (no container engine), so beyond the
// compose client's own validation this checks what can be checked here: images
// pinned, every mounted file present, the wiring between Grafana provisioning,
// Prometheus, the control service and the agents, the control service's
// settings through its own validator, and the one-shot enrollment job run for
// real against a control service.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { AGENT_FLAGS, parseAgentArgs } from '../../agent/cli/flags';
import { loadEnv } from '../../backend/config/env';
import { type CommonsSpec, startAgent, stopProc } from '../../scripts/demo/processes';
import { ADMIN_TOKEN, TestFleet, eventually } from '../support/fleet';
import { PROVISIONING, ROOT, findTool, listFiles, readYaml, stringValues } from './support';

interface Service {
  image: string;
  build?: { context: string; dockerfile: string };
  read_only?: boolean;
  tmpfs?: string[];
  user?: string;
  command?: string[] | string;
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
}
interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

const COMPOSE_FILE = join(ROOT, 'docker-compose.yaml');
const compose = readYaml<Compose>(COMPOSE_FILE);
const svc = compose.services;

/** A compose value with `${NAME:-default}` resolved as compose would with NAME unset. */
const resolveDefault = (v: string) => v.replace(/\$\{([A-Z_][A-Z0-9_]*):-([^}]*)\}/g, (_m, _n: string, d: string) => d);
const env = (service: string) => Object.fromEntries(Object.entries(svc[service].environment ?? {}).map(([k, v]) => [k, resolveDefault(String(v))]));
const mounts = (service: string) =>
  (svc[service].volumes ?? []).map((v) => {
    const [source, target, mode] = v.split(':');
    return { source, target, mode: mode ?? 'rw', bind: source.startsWith('.') || source.startsWith('/') };
  });
const argAfter = (cmd: string[], flag: string) => {
  const i = cmd.indexOf(flag);
  assert.ok(i >= 0 && i + 1 < cmd.length, `${flag} missing in ${cmd.join(' ')}`);
  return cmd[i + 1];
};

function composeClient(): { bin: string; args: string[] } | undefined {
  const docker = findTool({ what: 'docker', envVar: 'DOCKER_BIN', names: ['docker'], install: '' });
  if (docker && spawnSync(docker, ['compose', 'version'], { encoding: 'utf8' }).status === 0) return { bin: docker, args: ['compose'] };
  const dc = findTool({ what: 'docker-compose', envVar: 'DOCKER_COMPOSE_BIN', names: ['docker-compose'], install: '' });
  return dc ? { bin: dc, args: [] } : undefined;
}

describe('docker-compose.yaml', () => {
  it('the compose client accepts it (docker compose config)', (t) => {
    const client = composeClient();
    if (!client) {
      const msg = 'no compose client: apt-get install docker-compose (or install the docker compose plugin)';
      if (process.env.CI) assert.fail(`${msg}; CI must install it`);
      console.warn(`\n*** SKIPPED: ${msg} ***\n`);
      t.skip(msg);
      return;
    }
    const r = spawnSync(client.bin, [...client.args, '-f', COMPOSE_FILE, 'config'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent' } });
    assert.equal(r.status, 0, `${client.bin} ${client.args.join(' ')} config:\n${r.stderr}`);
    const normalised = parseYaml(r.stdout, { merge: true }) as Compose;
    assert.deepEqual(Object.keys(normalised.services).sort(), ['agent-heal', 'agent-midrc', 'dcoc-control', 'enroll', 'grafana', 'prometheus']);
    t.diagnostic(`validated with ${client.bin} ${client.args.join(' ')}`);
  });

  it('has the stack of the issue, every image pinned to a version', () => {
    assert.deepEqual(Object.keys(svc).sort(), ['agent-heal', 'agent-midrc', 'dcoc-control', 'enroll', 'grafana', 'prometheus']);
    for (const [name, s] of Object.entries(svc)) {
      assert.match(s.image, /^[a-z0-9./-]+:v?\d+\.\d+\.\d+(-[a-z0-9]+)?$/, `${name}: image ${s.image} is not pinned to a version`);
    }
    assert.match(svc.grafana.image, /^grafana\/grafana:/);
    const node = /^node:(\d+)\./.exec(svc.enroll.image);
    assert.equal(node?.[1], process.versions.node.split('.')[0], 'the enrollment job runs the Node major the tests run on');
    // The pinned Grafana satisfies the app's grafanaDependency.
    const dep = (JSON.parse(readFileSync(join(ROOT, 'src', 'plugin.json'), 'utf8')) as { dependencies: { grafanaDependency: string } }).dependencies.grafanaDependency;
    const min = /^>=(\d+)\.(\d+)\.(\d+)$/.exec(dep);
    assert.ok(min, `grafanaDependency ${dep} is a >= range`);
    const have = /:(\d+)\.(\d+)\.(\d+)$/.exec(svc.grafana.image)!.slice(1).map(Number);
    const want = min.slice(1).map(Number);
    const cmp = have[0] - want[0] || have[1] - want[1] || have[2] - want[2];
    assert.ok(cmp >= 0, `${svc.grafana.image} does not satisfy grafanaDependency ${dep}`);
  });

  it('mounts only files that exist, and declares every named volume', () => {
    for (const name of Object.keys(svc)) {
      for (const m of mounts(name)) {
        assert.ok(['ro', 'rw'].includes(m.mode), `${name}: mode ${m.mode}`);
        assert.ok(m.target.startsWith('/'), `${name}: target ${m.target}`);
        if (!m.bind) {
          assert.ok(m.source in compose.volumes, `${name}: volume ${m.source} is not declared`);
          continue;
        }
        // dist/ is what `npm run build` makes (scripts/build.ts); everything else is in the repository.
        if (m.source === './dist') continue;
        assert.ok(existsSync(join(ROOT, m.source)), `${name}: ${m.source} does not exist`);
      }
    }
    assert.ok(readFileSync(join(ROOT, 'scripts', 'build.ts'), 'utf8').includes("join(ROOT, 'dist')"), 'npm run build writes dist/');
  });

  it('Grafana: the built plugin, unsigned loading for exactly the DCOC plugin IDs, provisioning and dashboards mounted, every provisioning variable set', () => {
    const e = env('grafana');
    assert.equal(e.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS, 'gen3-dcoc-app,gen3-dcoc-datasource');
    const m = mounts('grafana');
    const at = (target: string) => m.find((x) => x.target === target);
    assert.equal(at('/var/lib/grafana/plugins/gen3-dcoc-app')?.source, './dist');
    const provDirs = [...new Set(listFiles(PROVISIONING).map((f) => f.split('/')[0]))].filter((d) => d !== 'prometheus');
    for (const d of provDirs) assert.equal(at(`/etc/grafana/provisioning/${d}`)?.source, `./provisioning/${d}`, `provisioning/${d} mounted`);
    // The dashboard providers' folders: the shipped dashboards, and the generated ones shared with the control service.
    const providers = readYaml<{ providers: { name: string; options: { path: string } }[] }>(join(PROVISIONING, 'dashboards', 'dcoc.yaml')).providers;
    const path = (n: string) => providers.find((p) => p.name === n)!.options.path;
    assert.equal(at(path('dcoc'))?.source, './dashboards');
    const generated = at(path('dcoc-commons'));
    assert.ok(generated && !generated.bind, 'generated dashboards are a named volume');
    const control = mounts('dcoc-control').find((x) => x.source === generated.source);
    assert.ok(control, 'the control service mounts the generated dashboards volume');
    assert.equal(control.mode, 'rw');
    assert.equal(env('dcoc-control').DCOC_DASHBOARDS_DIR, control.target, 'DCOC_DASHBOARDS_DIR is where the volume is');
    // Every $VAR the Grafana provisioning reads is set for Grafana (only *.yaml is read: the optional loki.yaml.disabled is off).
    const vars = new Set<string>();
    for (const f of listFiles(PROVISIONING).filter((x) => !x.startsWith('prometheus/') && x.endsWith('.yaml'))) {
      for (const value of stringValues(readYaml(join(PROVISIONING, f)))) {
        for (const mm of value.matchAll(/(?<!\$)\$(?:\{([A-Z_][A-Z0-9_]*)\}|([A-Z_][A-Z0-9_]*))/g)) vars.add(mm[1] ?? mm[2]);
      }
    }
    assert.deepEqual([...vars].sort(), ['DCOC_ALERT_WEBHOOK_URL', 'DCOC_CONTROL_URL', 'DCOC_PLUGIN_SECRET', 'DCOC_PROMETHEUS_URL']);
    for (const v of vars) assert.ok(e[v], `${v} is not set for grafana`);
    assert.equal(e.DCOC_PLUGIN_SECRET, env('dcoc-control').DCOC_PLUGIN_SECRET, 'Grafana and the control service share the plugin secret');
    const httpPort = env('dcoc-control').DCOC_HTTP_ADDR.split(':')[1];
    assert.equal(e.DCOC_CONTROL_URL, `http://dcoc-control:${httpPort}`);
    assert.equal(e.DCOC_PROMETHEUS_URL, 'http://prometheus:9090');
    assert.match(e.DCOC_ALERT_WEBHOOK_URL, /^https?:\/\//);
    assert.deepEqual(svc.grafana.ports, ['127.0.0.1:3000:3000'], 'Grafana at http://localhost:3000');
  });

  it('Prometheus scrapes the control service and loads the rule file it mounts', () => {
    const m = mounts('prometheus');
    const conf = m.find((x) => x.target === '/etc/prometheus/prometheus.yml');
    assert.equal(conf?.source, './provisioning/prometheus/prometheus.yml');
    const promConf = readYaml<{
      rule_files: string[];
      scrape_configs: { job_name: string; metrics_path?: string; honor_labels?: boolean; static_configs: { targets: string[] }[]; http_sd_configs?: { url: string }[] }[];
    }>(join(ROOT, conf.source));
    for (const rf of promConf.rule_files) {
      const mounted = m.find((x) => x.target === join('/etc/prometheus', rf));
      assert.equal(mounted?.source, './provisioning/prometheus/dcoc-alerts.yml', `rule file ${rf} is mounted`);
    }
    const httpPort = env('dcoc-control').DCOC_HTTP_ADDR.split(':')[1];
    const job = promConf.scrape_configs.find((j) => j.job_name === 'dcoc-control');
    assert.deepEqual(job?.static_configs[0].targets, [`dcoc-control:${httpPort}`]);
    assert.equal(job?.metrics_path ?? '/metrics', '/metrics');
    // Each commons' per-service detail, discovered from the control service.
    const detail = promConf.scrape_configs.find((j) => j.job_name === 'dcoc-commons');
    assert.deepEqual(detail?.http_sd_configs?.map((sd) => sd.url), [`http://dcoc-control:${httpPort}/metrics/sd`]);
    assert.equal(detail?.honor_labels, true, 'the series keep their own commons and environment labels');
  });

  it('the control service and the agents: their images, built from deploy/docker, non-root on a read-only root filesystem', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    for (const [name, image] of [['dcoc-control', 'dcoc-control'], ['agent-midrc', 'dcoc-agent'], ['agent-heal', 'dcoc-agent']]) {
      const s = svc[name];
      assert.equal(s.image, `ghcr.io/uc-cdis/${image}:${version}`, `${name}: the image named after package.json's version`);
      assert.deepEqual(s.build, { context: '.', dockerfile: `deploy/docker/${image}.Dockerfile` });
      assert.ok(existsSync(join(ROOT, s.build.dockerfile)));
      assert.equal(s.read_only, true, `${name}: read-only root filesystem`);
      assert.deepEqual(s.tmpfs, ['/tmp']);
      assert.equal(s.user, '65532:65532');
      // Only volumes are written: none of the sources is mounted.
      for (const m of mounts(name)) assert.ok(!m.bind, `${name}: bind mount ${m.source}`);
    }
  });

  it('the control service: the image\'s command (serve) with settings its own validator accepts', () => {
    const s = svc['dcoc-control'];
    assert.equal(s.command, undefined, "the image's ENTRYPOINT and CMD: dcoc-control serve");
    const e = env('dcoc-control');
    const parsed = loadEnv(e);
    assert.equal(parsed.DCOC_HTTP_ADDR, '0.0.0.0:8470', 'listens beyond the container loopback');
    assert.ok(parsed.DCOC_ADMIN_TOKEN && parsed.DCOC_PLUGIN_SECRET);
    assert.ok(parsed.DCOC_TLS_HOSTNAMES.split(',')[0] === 'dcoc-control', 'the certificate and advertised endpoints name the service agents dial');
    for (const k of Object.keys(e)) assert.match(k, /^DCOC_/, `${k}`);
    // The data directory and the dashboards folder are volumes at the paths the image gives the service user.
    const dockerfile = readFileSync(join(ROOT, 'deploy', 'docker', 'dcoc-control.Dockerfile'), 'utf8');
    for (const dir of [parsed.DCOC_DATA_DIR, parsed.DCOC_DASHBOARDS_DIR!]) {
      assert.ok(mounts('dcoc-control').some((m) => m.target === dir && m.mode === 'rw'), `${dir} is a volume`);
      assert.ok(new RegExp(`chown 65532:65532 [^\\n]*${dir}\\b`).test(dockerfile), `the image makes ${dir} the service user's`);
    }
  });

  it('two agents on simulated commons, enrolled by the one-shot job, dialling the control service', () => {
    const flags = new Set(AGENT_FLAGS.map((f) => f.name).filter(Boolean));
    const control = loadEnv(env('dcoc-control'));
    const enrollScript = String((svc.enroll.command as string[])[2]);
    const listed = JSON.parse(/const agents = (\[[^\]]*\]);/.exec(enrollScript)![1].replace(/'/g, '"')) as string[];
    const agents = ['agent-midrc', 'agent-heal'];
    const hostnames = new Set<string>();
    const envs: string[] = [];
    for (const a of agents) {
      const cmd = svc[a].command as string[];
      assert.equal(cmd[0], '--simulate', "arguments to the image's dcoc-agent");
      for (const flag of cmd.filter((x) => x.startsWith('--'))) assert.ok(flags.has(flag.slice(2)), `${a}: dcoc-agent has no option ${flag}`);
      assert.doesNotThrow(() => parseAgentArgs(cmd, {}), `${a}: dcoc-agent accepts ${cmd.join(' ')}`);
      assert.equal(argAfter(cmd, '--control'), `dcoc-control:${control.DCOC_GRPC_ADDR.split(':')[1]}`);
      assert.equal(argAfter(cmd, '--enroll'), `dcoc-control:${control.DCOC_ENROLL_ADDR.split(':')[1]}`);
      assert.match(argAfter(cmd, '--release'), /^\d{4}\.\d{2}$/);
      assert.ok(['small', 'medium', 'large'].includes(argAfter(cmd, '--size')));
      hostnames.add(argAfter(cmd, '--hostname'));
      const environment = argAfter(cmd, '--environment');
      envs.push(environment);
      assert.equal(argAfter(cmd, '--token-file'), `/var/lib/dcoc/enroll/${environment}.token`);
      assert.equal(argAfter(cmd, '--ca-file'), '/var/lib/dcoc/enroll/ca.crt.pem');
      const m = mounts(a);
      assert.ok(m.some((x) => x.source === 'enroll' && x.target === '/var/lib/dcoc/enroll' && x.mode === 'ro'));
      const data = m.find((x) => x.target === argAfter(cmd, '--data-dir'));
      assert.ok(data && !data.bind && data.mode === 'rw', `${a}: its data directory is its own volume`);
      // The enrollment job sees whether this agent is enrolled already.
      assert.ok(mounts('enroll').some((x) => x.source === data.source && x.target === `/var/lib/dcoc/agents/${environment}` && x.mode === 'ro'));
      assert.equal(svc[a].depends_on?.enroll.condition, 'service_completed_successfully');
      assert.equal(data.target, '/var/lib/dcoc-agent', "the image's data directory, the service user's");
    }
    assert.equal(hostnames.size, 2);
    assert.deepEqual(listed, envs, 'the enrollment job mints a token for each agent');
    assert.equal(svc.enroll.depends_on?.['dcoc-control'].condition, 'service_healthy');
    assert.equal(resolveDefault(String(svc.enroll.environment?.DCOC_ADMIN_TOKEN)), control.DCOC_ADMIN_TOKEN);
  });

  it('the enrollment job, run against a real control service, gives tokens that enroll an agent, and skips an enrolled agent', async () => {
    const fleet = await TestFleet.start({ commons: [] });
    const root = mkdtempSync(join(tmpdir(), 'dcoc-compose-enroll-'));
    const script = String((svc.enroll.command as string[])[2]).replaceAll('http://dcoc-control:8470', fleet.control.url).replaceAll('/var/lib/dcoc/', `${root}/`);
    const runJob = () => {
      const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, DCOC_ADMIN_TOKEN: ADMIN_TOKEN }, timeout: 60_000 });
      return { status: r.status, out: `${r.stdout}${r.stderr}` };
    };
    const agent = { cmd: svc['agent-midrc'].command as string[] };
    const spec: CommonsSpec = {
      hostname: argAfter(agent.cmd, '--hostname'),
      environment: argAfter(agent.cmd, '--environment'),
      name: argAfter(agent.cmd, '--name'),
      release: argAfter(agent.cmd, '--release'),
      size: argAfter(agent.cmd, '--size') as CommonsSpec['size'],
    };
    let started: Awaited<ReturnType<typeof startAgent>> | undefined;
    try {
      // The job's directories are volumes in compose; here, plain directories.
      for (const d of ['enroll', 'agents/midrcprod', 'agents/healprod']) mkdirSync(join(root, d), { recursive: true });
      const first = runJob();
      assert.equal(first.status, 0, first.out);
      assert.match(first.out, /midrcprod: enrollment token written/);
      assert.equal(readFileSync(join(root, 'enroll', 'ca.crt.pem'), 'utf8'), readFileSync(fleet.control.caFile, 'utf8'));
      const token = readFileSync(join(root, 'enroll', 'midrcprod.token'), 'utf8').trim();
      started = await startAgent({ control: fleet.control, spec, dataDir: join(root, 'agents', 'midrcprod'), token, tickMs: 100, podStartMs: 300 });
      await eventually(async () => (await fleet.admin<{ items: { hostname: string; connected: boolean }[] }>('GET', '/api/v1/agents')).body.items.some((x) => x.hostname === spec.hostname && x.connected), {
        what: 'the agent to enroll with the job token and connect',
      });
      const second = runJob();
      assert.equal(second.status, 0, second.out);
      assert.match(second.out, /midrcprod: already enrolled/);
      assert.match(second.out, /healprod: enrollment token written/);
      const wrong = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, DCOC_ADMIN_TOKEN: 'dcoc_not-the-admin-token-000000' } });
      assert.notEqual(wrong.status, 0, 'a bad admin token fails the job');
      assert.match(`${wrong.stderr}`, /HTTP 401/);
    } finally {
      if (started) await stopProc(started);
      await fleet.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

