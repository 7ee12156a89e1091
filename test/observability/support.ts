// Shared by the observability tests: the shipped provisioning, dashboards and
// rules as data; every PromQL expression in them; and real Prometheus and
// Alertmanager processes (Debian's) on 127.0.0.1 with free ports.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ROOT } from '../../scripts/demo/processes';
import { freePort } from '../support/free-port';
import { onPath } from '../../scripts/tools/on-path';
import { eventually } from '../support/fleet';

export { ROOT };
export type Json = Record<string, unknown>;

export const PROVISIONING = join(ROOT, 'provisioning');
export const DASHBOARDS = join(ROOT, 'dashboards');
export const PROM_RULES_FILE = join(PROVISIONING, 'prometheus', 'dcoc-alerts.yml');
export const GRAFANA_RULES_FILE = join(PROVISIONING, 'alerting', 'dcoc-rules.yaml');

export function readYaml<T = Json>(file: string): T {
  return parseYaml(readFileSync(file, 'utf8'), { strict: true, uniqueKeys: true, merge: true }) as T;
}

export function readJson<T = Json>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Every string value in parsed YAML/JSON, depth first. */
export function stringValues(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(stringValues);
  if (v && typeof v === 'object') return Object.values(v).flatMap(stringValues);
  return [];
}

/** Every file under a directory (recursively), relative paths sorted. */
export function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(join(dir, e.name), rel));
    else out.push(rel);
  }
  return out.sort();
}

// ------------------------------------------------------------------ binaries


export interface Tool {
  what: string;
  envVar: string;
  names: string[];
  install: string;
}

export const PROMETHEUS: Tool = { what: 'prometheus', envVar: 'PROMETHEUS_BIN', names: ['prometheus'], install: 'apt-get install prometheus' };
export const PROMTOOL: Tool = { what: 'promtool', envVar: 'PROMTOOL_BIN', names: ['promtool'], install: 'apt-get install prometheus' };
export const ALERTMANAGER: Tool = {
  what: 'alertmanager',
  envVar: 'ALERTMANAGER_BIN',
  names: ['alertmanager', 'prometheus-alertmanager'],
  install: 'apt-get install prometheus-alertmanager',
};

export function findTool(tool: Tool): string | undefined {
  const fromEnv = process.env[tool.envVar];
  if (fromEnv) return fromEnv;
  for (const n of tool.names) {
    const p = onPath(n);
    if (p) return p;
  }
  return undefined;
}

/**
 * The tools' paths, or undefined after a loud skip. Under CI (env CI set) a
 * missing tool fails the test instead: CI must install them.
 */
export function requireTools(t: TestContext, ...tools: Tool[]): string[] | undefined {
  const found = tools.map((tool) => findTool(tool));
  const missing = tools.filter((_, i) => !found[i]);
  if (missing.length === 0) return found as string[];
  const msg = missing.map((m) => `${m.what} not installed: ${m.install} (or set ${m.envVar})`).join('; ');
  if (process.env.CI) assert.fail(`${msg}; CI must install it`);
  console.warn(`\n*** SKIPPED: ${msg} ***\n`);
  t.skip(msg);
  return undefined;
}

export function run(bin: string, args: string[], input?: string): { status: number; out: string } {
  const r = spawnSync(bin, args, { input, encoding: 'utf8', cwd: ROOT, timeout: 120_000 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

// ------------------------------------------------------------------ processes

export interface Daemon {
  url: string;
  dir: string;
  logs: string[];
  stop(): Promise<void>;
}

async function startDaemon(bin: string, args: (port: number, dir: string) => string[], dir: string, what: string): Promise<Daemon> {
  const port = await freePort();
  const logs: string[] = [];
  const child: ChildProcess = spawn(bin, args(port, dir), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (b: Buffer) => {
    logs.push(...b.toString().split('\n').filter(Boolean));
    if (logs.length > 400) logs.splice(0, logs.length - 400);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = false;
  const done = new Promise<void>((res) => child.once('exit', () => ((exited = true), res())));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await done;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await eventually(
      async () => {
        if (exited) throw new Error(`${what} exited: ${logs.slice(-15).join('\n')}`);
        return (await fetch(`${url}/-/ready`)).ok;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: `${what} to be ready` },
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, dir, logs, stop };
}

/** Prometheus with `config` (YAML text) and extra files beside it, TSDB in a temp directory. */
export function startPrometheus(bin: string, config: string, files: Record<string, string> = {}): Promise<Daemon> {
  const dir = mkdtempSync(join(tmpdir(), 'dcoc-prom-'));
  writeFileSync(join(dir, 'prometheus.yml'), config);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return startDaemon(
    bin,
    (port, d) => [`--config.file=${join(d, 'prometheus.yml')}`, `--storage.tsdb.path=${join(d, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    dir,
    'prometheus',
  );
}

/**
 * The shipped Prometheus config's scrape_configs (provisioning/prometheus/
 * prometheus.yml: the fleet /metrics plus every commons' detail found through
 * /metrics/sd), pointed at a test's control service (host:port), as YAML (JSON) to put
 * after `scrape_configs:`. Discovery is refreshed every second.
 */
export function shippedScrapeConfigs(host: string): string {
  const shipped = readYaml<{ scrape_configs: Json[] }>(join(PROVISIONING, 'prometheus', 'prometheus.yml')).scrape_configs;
  const text = JSON.stringify(shipped).replaceAll('dcoc-control:8470', host);
  return JSON.stringify((JSON.parse(text) as Json[]).map((job) => ({ ...job, ...(job.http_sd_configs ? { http_sd_configs: (job.http_sd_configs as Json[]).map((sd) => ({ ...sd, refresh_interval: '1s' })) } : {}) })));
}

export function startAlertmanager(bin: string, config: string): Promise<Daemon> {
  const dir = mkdtempSync(join(tmpdir(), 'dcoc-am-'));
  writeFileSync(join(dir, 'alertmanager.yml'), config);
  return startDaemon(
    bin,
    (port, d) => [`--config.file=${join(d, 'alertmanager.yml')}`, `--storage.path=${join(d, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
    dir,
    'alertmanager',
  );
}

export interface PromSample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

/** Instant query; throws with Prometheus' error (e.g. a parse error) when it is not a success. */
export async function promQuery(url: string, expr: string, time?: number): Promise<PromSample[]> {
  const body = new URLSearchParams({ query: expr, ...(time !== undefined ? { time: String(time) } : {}) });
  const r = await fetch(`${url}/api/v1/query`, { method: 'POST', body });
  const j = (await r.json()) as { status: string; error?: string; data?: { resultType: string; result: PromSample[] } };
  if (j.status !== 'success') throw new Error(`query failed (${r.status}): ${j.error}\n  ${expr}`);
  if (j.data!.resultType !== 'vector' && j.data!.resultType !== 'matrix') throw new Error(`query gave a ${j.data!.resultType}, not series: ${expr}`);
  return j.data!.result;
}

// ------------------------------------------------------------------ dashboards and rules

export interface Dashboard extends Json {
  uid: string;
  title: string;
  panels: Panel[];
  templating?: { list: Json[] };
}
export interface Panel extends Json {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Json[];
  panels?: Panel[];
}

export function shippedDashboards(): { file: string; dashboard: Dashboard }[] {
  return readdirSync(DASHBOARDS)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: `dashboards/${f}`, dashboard: readJson<Dashboard>(join(DASHBOARDS, f)) }));
}

/** Panels including those nested in collapsed rows. */
export function allPanels(d: Dashboard): Panel[] {
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

export interface Expr {
  where: string;
  expr: string;
}

/** Every PromQL expression in a dashboard: panel targets on Prometheus and Prometheus query variables. */
export function dashboardExprs(file: string, d: Dashboard): Expr[] {
  const out: Expr[] = [];
  for (const p of allPanels(d)) {
    for (const t of p.targets ?? []) {
      const ds = (t.datasource as { uid?: string } | undefined) ?? p.datasource;
      if (ds?.uid === 'prometheus') out.push({ where: `${file} panel ${p.id} "${p.title}" ${String(t.refId)}`, expr: String(t.expr) });
    }
  }
  for (const v of d.templating?.list ?? []) {
    if ((v.datasource as { uid?: string } | undefined)?.uid !== 'prometheus') continue;
    const q = typeof v.query === 'string' ? v.query : String((v.query as { query?: string }).query);
    out.push({ where: `${file} variable ${String(v.name)}`, expr: q });
  }
  return out;
}

/**
 * A dashboard expression made runnable: template variables replaced. A
 * `label_values(m, l)` variable query becomes a query of `m` that must carry `l`.
 */
export function runnable(expr: string, vars: Record<string, string>): { expr: string; mustHaveLabel?: string } {
  const lv = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(expr.trim());
  if (lv) return { expr: runnable(lv[1], vars).expr, mustHaveLabel: lv[2] };
  const builtins: Record<string, string> = { __rate_interval: '1m', __range: '5m', __interval: '15s' };
  const all = { ...builtins, ...vars };
  const out = expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a: string | undefined, b: string | undefined) => {
    const name = a ?? b!;
    if (!(name in all)) throw new Error(`unknown variable ${m} in ${expr}`);
    return all[name];
  });
  return { expr: out };
}

export interface GrafanaRule extends Json {
  uid: string;
  title: string;
  condition: string;
  for: string;
  data: { refId: string; datasourceUid: string; queryType?: string; relativeTimeRange?: { from: number; to: number }; model: Json }[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  dashboardUid?: string;
  panelId?: number;
}
export interface GrafanaRuleGroup {
  orgId: number;
  name: string;
  folder: string;
  interval: string;
  rules: GrafanaRule[];
}

export function grafanaRuleGroups(): GrafanaRuleGroup[] {
  return readYaml<{ groups: GrafanaRuleGroup[] }>(GRAFANA_RULES_FILE).groups;
}

export interface PromRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function promRules(text = readFileSync(PROM_RULES_FILE, 'utf8')): { name: string; rules: PromRule[] }[] {
  return (parseYaml(text) as { groups: { name: string; rules: PromRule[] }[] }).groups;
}

/** Prometheus duration ("5m", "90s", "1h30m", "0m") in seconds. */
export function durationSeconds(d: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(d);
  if (!m || d === '') throw new Error(`not a duration: ${d}`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/**
 * The shipped Prometheus rule file with every `for` divided by 60 (5m -> 5s),
 * everything else untouched: the rules the end-to-end test runs with a 1 s
 * evaluation interval, so it cannot drift from what ships.
 */
export function fastRules(text = readFileSync(PROM_RULES_FILE, 'utf8')): { yaml: string; forSeconds: Record<string, number> } {
  const doc = parseYaml(text) as { groups: { name: string; interval?: string; rules: PromRule[] }[] };
  const forSeconds: Record<string, number> = {};
  for (const g of doc.groups) {
    assert.equal(g.interval, undefined, `group ${g.name} must use the global evaluation interval`);
    for (const r of g.rules) {
      const s = durationSeconds(r.for ?? '0s') / 60;
      assert.ok(Number.isInteger(s), `${r.alert}: for ${r.for} is not a whole number of minutes`);
      r.for = `${s}s`;
      forSeconds[r.alert] = s;
    }
  }
  return { yaml: JSON.stringify(doc, null, 2), forSeconds };
}

/** The PromQL comparison a Grafana threshold evaluator stands for. */
export function thresholdOp(evaluator: { type: string; params: number[] }): string {
  const ops: Record<string, string> = { gt: '>', lt: '<' };
  const op = ops[evaluator.type];
  if (!op) throw new Error(`unsupported threshold type ${evaluator.type}`);
  return `${op} ${evaluator.params[0]}`;
}

// ------------------------------------------------------------------ simulated users

/** Public paths of services every simulated commons size runs (a path to a chart that is off answers 500). */
export const TRAFFIC_PATHS: readonly [string, string?][] = [
  ['/user/user'],
  ['/user/user'],
  ['/user/credentials/api/access_token', 'POST'],
  ['/index/index?limit=20'],
  ['/authz/mapping'],
  ['/api/v0/submission/program1/project1'],
  ['/api/v0/submission/graphql', 'POST'],
  ['/mds/metadata?limit=50'],
  ['/wts/token/?idp=default'],
  ['/'],
  ['/user/data/download/dg.4503/2c1e6b2b'],
  ['/manifests/'],
  ['/lw-workspace/status'],
];

/** One request through a simulated commons' revproxy (its health port, /revproxy/<path>); the status, or 0 when refused. */
export async function simRequest(healthPort: number, uri: string, method = 'GET'): Promise<number> {
  try {
    const r = await fetch(`http://127.0.0.1:${healthPort}/revproxy${uri}`, { method, headers: { 'User-Agent': 'Mozilla/5.0 dcoc-test' } });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 0;
  }
}

/** Simulated users: `perSecond` requests a second to each commons (by health port), over TRAFFIC_PATHS, until stop(). */
export function simTraffic(healthPorts: () => number[], perSecond: number): { stop(): Promise<void> } {
  let i = 0;
  const inflight = new Set<Promise<number>>();
  const timer = setInterval(() => {
    for (const port of healthPorts()) {
      const [uri, method] = TRAFFIC_PATHS[i++ % TRAFFIC_PATHS.length];
      const p = simRequest(port, uri, method);
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
  }, Math.round(1000 / perSecond));
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(inflight);
    },
  };
}
