// The simulated commons' inside: container logs per pod (pods/log semantics),
// Kubernetes events its changes cause, and resource usage against the
// gen3-helm chart's requests and limits.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { KubeEventFacts, LogLineFacts, LogQuery } from '../../agent/core/types';
import { SimPlatform } from '../../agent/simulate/sim-platform';
import { KEEP_BYTES, SimPodLogs } from '../../agent/simulate/sim-logs';
import { MAX_EVENTS, SimEvents } from '../../agent/simulate/sim-events';

const Mi = 1024 * 1024;
const Gi = 1024 * Mi;

function platform(services: string[], replicas: Record<string, number>): SimPlatform {
  return new SimPlatform({
    hostname: 'sim.example.org',
    environment: 'test',
    name: 'sim',
    namespace: 'gen3',
    release: '2025.06',
    services,
    replicas,
    podStartMs: 0,
    tickMs: 60_000,
  });
}

const query = (q: Partial<LogQuery>): LogQuery => ({ previous: false, follow: false, sinceMs: null, tailLines: null, ...q });

async function read(p: SimPlatform, q: Partial<LogQuery>): Promise<{ lines: LogLineFacts[]; pods: string[] }> {
  const lines: LogLineFacts[] = [];
  let pods: string[] = [];
  await p.inspector.logs!.streamLogs(query(q), { lines: (b) => lines.push(...b), pods: (n) => (pods = n) }, new AbortController().signal);
  return { lines, pods };
}

function get(port: number, host: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: host, 'User-Agent': 'dcoc-agent/test' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

const events = async (p: SimPlatform, service?: string): Promise<KubeEventFacts[]> => p.inspector.events!(service);

/** Ticks until the crash-looping service's pods restarted `times` times (the model restarts them at random, 30% a tick). */
function crash(p: SimPlatform, service: string, times = 1): void {
  const start = p.sim.workload(service).restartCount;
  const pods = p.sim.podNames(service).length;
  for (let i = 0; i < 500 && p.sim.workload(service).restartCount < start + times * pods; i++) p.sim.tick();
  assert.ok(p.sim.workload(service).restartCount >= start + times * pods, 'the crash-looping pods restarted');
}

describe('simulated container logs', () => {
  let p: SimPlatform;
  before(async () => {
    p = platform(['fence', 'arborist', 'metadata'], { fence: 2, arborist: 1, metadata: 1 });
    await p.health.start(0);
  });
  after(() => p.health.stop());

  it('each pod starts with its service’s own startup lines', async () => {
    const { lines, pods } = await read(p, { service: 'fence' });
    assert.equal(pods.length, 2);
    for (const pod of pods) {
      const mine = lines.filter((l) => l.pod === pod).map((l) => l.text);
      // cdislogging (uc-cdis/cdislogging 042b0ff2): '[%(asctime)s][%(name)10s][%(levelname)7s] %(message)s'.
      assert.match(mine[0]!, /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\]\[ {5}fence\]\[ {3}INFO\] Prometheus metrics are NOT enabled\.$/);
      // gunicorn's default error-log format.
      assert.ok(mine.some((t) => /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000\] \[7\] \[INFO\] Starting gunicorn /.test(t)));
      assert.ok(lines.filter((l) => l.pod === pod).every((l) => l.container === 'fence'));
    }
    const arborist = await read(p, { service: 'arborist' });
    // uc-cdis/arborist 708d9101 main.go: httpLogger.Println("arborist serving at", addr), flags LstdFlags.
    assert.match(arborist.lines.at(-1)!.text, /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d arborist serving at :8080$/);
  });

  it('a health check the service answers is a line in the pod that answered it', async () => {
    const before = (await read(p, { service: 'fence' })).lines.length;
    assert.equal(await get(p.health.port, 'fence-service', '/_status'), 200);
    const { lines } = await read(p, { service: 'fence' });
    assert.equal(lines.length, before + 1);
    const access = JSON.parse(lines.at(-1)!.text) as Record<string, unknown>;
    assert.equal(access.gen3log, 'nginx');
    assert.equal(access.http_status_code, 200);
    assert.equal(access.http_request, '/_status');
    assert.equal(access.http_useragent, 'dcoc-agent/test');

    assert.equal(await get(p.health.port, 'arborist-service', '/health'), 200);
    const arborist = await read(p, { service: 'arborist', tailLines: 1 });
    // gorilla/handlers CombinedLoggingHandler (arborist/server.go MakeRouter).
    assert.match(arborist.lines[0]!.text, /^10\.0\.\d+\.\d+ - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/health HTTP\/1\.1" 200 \d+ "" "dcoc-agent\/test"$/);
  });

  it('a failing health check logs the service’s error with its traceback', async () => {
    p.sim.inject('fence', 'error');
    assert.equal(await get(p.health.port, 'fence-service', '/_status'), 500);
    const texts = (await read(p, { service: 'fence', tailLines: 12 })).lines.map((l) => l.text);
    // fence/error_handler.py: "{} HTTP error occurred. ID: {}\nDetails: {}\nTraceback: {}" through logger fence.error_handler.
    assert.ok(texts.some((t) => /\]\[fence\.error_handler\]\[ {2}ERROR\] 500 HTTP error occurred\. ID: [0-9a-f-]{36}$/.test(t)));
    assert.ok(texts.includes('Traceback: Traceback (most recent call last):'));
    assert.ok(texts.includes('cdiserrors.UnhealthyCheck: Unhealthy'));
    assert.equal((JSON.parse(texts.at(-1)!) as { http_status_code: number }).http_status_code, 500);

    p.sim.inject('metadata', 'error');
    assert.equal(await get(p.health.port, 'metadata-service', '/_status'), 500);
    const mds = (await read(p, { service: 'metadata', tailLines: 14 })).lines.map((l) => l.text);
    assert.ok(mds.some((t) => t.endsWith('Exception in ASGI application')));
    assert.ok(mds.some((t) => t.startsWith('sqlalchemy.exc.OperationalError: (psycopg2.OperationalError)')));
    p.sim.inject('fence', 'none');
    p.sim.inject('metadata', 'none');
  });

  it('tail and since select lines per pod', async () => {
    const tail = await read(p, { service: 'fence', tailLines: 2 });
    for (const pod of tail.pods) assert.equal(tail.lines.filter((l) => l.pod === pod).length, 2);
    const mark = Date.now() + 1;
    const [pod] = p.sim.podNames('fence');
    p.sim.logs.append(pod!, 'fence', 'after the mark', mark);
    const since = await read(p, { service: 'fence', sinceMs: mark });
    assert.deepEqual(
      since.lines.map((l) => l.text),
      ['after the mark'],
    );
  });

  it('a follow sees a pod that a scale up starts later', async () => {
    const ac = new AbortController();
    const lines: LogLineFacts[] = [];
    let pods: string[] = [];
    const done = p.inspector.logs!.streamLogs(query({ service: 'fence', follow: true, tailLines: 0 }), { lines: (b) => lines.push(...b), pods: (n) => (pods = n) }, ac.signal);
    const before = p.sim.podNames('fence');
    assert.ok(p.sim.scale('fence', 3));
    p.sim.tick();
    const added = p.sim.podNames('fence').find((n) => !before.includes(n))!;
    assert.ok(added, 'the scale up started a pod');
    ac.abort();
    await done;
    assert.ok(pods.includes(added));
    assert.ok(lines.some((l) => l.pod === added && /Starting gunicorn/.test(l.text)));
  });

  it('a pod a scale down removes loses its logs', () => {
    const before = p.sim.podNames('fence');
    assert.ok(p.sim.scale('fence', 2));
    p.sim.tick();
    const gone = before.filter((n) => !p.sim.podNames('fence').includes(n));
    assert.equal(gone.length, 1);
    assert.equal(p.sim.logs.read(gone[0]!), null);
  });
});

describe('simulated crash loop', () => {
  it('the previous container’s log ends in the crash; current has the restarted container’s lines', async () => {
    const p = platform(['fence'], { fence: 1 });
    const [pod] = p.sim.podNames('fence');
    await assert.rejects(read(p, { service: 'fence', previous: true }), /previous terminated container/);
    p.sim.inject('fence', 'crashloop');
    crash(p, 'fence');
    const previous = (await read(p, { service: 'fence', previous: true })).lines.map((l) => l.text);
    assert.ok(previous.some((t) => /Starting gunicorn/.test(t)), 'the crashed container started first');
    const tail = previous.slice(-4);
    assert.match(tail[0]!, /^sqlalchemy\.exc\.OperationalError: \(psycopg2\.OperationalError\) connection to server at "gen3-postgresql" .* port 5432 failed: Connection refused$/);
    assert.equal(tail.at(-1), '(Background on this error at: https://sqlalche.me/e/20/e3q8)');
    const current = (await read(p, { service: 'fence' })).lines.map((l) => l.text);
    assert.ok(current.some((t) => /Starting gunicorn/.test(t)));
    assert.ok(!current.some((t) => /OperationalError/.test(t)));

    // kubelet: Warning BackOff "Back-off restarting failed container fence in pod <pod>_<namespace>(<uid>)", counted up per restart.
    let backoff = (await events(p, 'fence')).find((e) => e.reason === 'BackOff');
    assert.ok(backoff);
    assert.equal(backoff.type, 'Warning');
    assert.equal(backoff.source, 'kubelet');
    assert.equal(backoff.objectKind, 'Pod');
    assert.equal(backoff.objectName, pod);
    assert.match(backoff.message, new RegExp(`^Back-off restarting failed container fence in pod ${pod}_gen3\\([0-9a-f-]{36}\\)$`));
    assert.equal(backoff.count, 1);
    crash(p, 'fence');
    backoff = (await events(p, 'fence')).find((e) => e.reason === 'BackOff')!;
    assert.equal(backoff.count, 2);
    assert.equal((await events(p, 'fence')).filter((e) => e.reason === 'BackOff').length, 1, 'identical events aggregate into one');
  });
});

describe('simulated Kubernetes events', () => {
  it('a restart scales the new ReplicaSet up, the old one down, and stops the old pods', async () => {
    const p = platform(['arborist'], { arborist: 2 });
    const old = p.sim.podNames('arborist');
    const oldRs = old[0]!.split('-').slice(0, -1).join('-');
    assert.ok(p.sim.restart('arborist', new Date().toISOString()));
    for (let i = 0; i < 10 && p.sim.podNames('arborist').some((n) => old.includes(n)); i++) p.sim.tick();
    assert.ok(!p.sim.podNames('arborist').some((n) => old.includes(n)), 'the rollout replaced every pod');
    const newRs = p.sim.podNames('arborist')[0]!.split('-').slice(0, -1).join('-');
    const list = await events(p, 'arborist');
    const messages = list.filter((e) => e.reason === 'ScalingReplicaSet').map((e) => e.message);
    // kubernetes pkg/controller/deployment/sync.go: "Scaled %s replica set %s to %d from %d".
    for (const m of [`Scaled up replica set ${newRs} to 1 from 0`, `Scaled down replica set ${oldRs} to 1 from 2`, `Scaled up replica set ${newRs} to 2 from 1`, `Scaled down replica set ${oldRs} to 0 from 1`])
      assert.ok(messages.includes(m), `${m} in ${JSON.stringify(messages)}`);
    const scaling = list.find((e) => e.reason === 'ScalingReplicaSet')!;
    assert.deepEqual([scaling.type, scaling.objectKind, scaling.objectName, scaling.source, scaling.service], ['Normal', 'Deployment', 'arborist-deployment', 'deployment-controller', 'arborist']);
    for (const pod of old) {
      const killing = list.find((e) => e.reason === 'Killing' && e.objectName === pod);
      assert.ok(killing, `Killing ${pod}`);
      assert.equal(killing.message, 'Stopping container arborist');
      assert.equal(killing.source, 'kubelet');
      assert.equal(p.sim.logs.read(pod), null, 'the replaced pod’s logs are gone');
    }
    const started = list.filter((e) => e.reason === 'Started').map((e) => e.message);
    assert.ok(started.every((m) => m === 'Started container arborist'));
    assert.ok(list.some((e) => e.reason === 'SuccessfulCreate' && e.source === 'replicaset-controller' && e.objectKind === 'ReplicaSet' && e.objectName === newRs));
  });

  it('a stopped service’s readiness probes fail every probe period', async () => {
    const p = platform(['indexd'], { indexd: 1 });
    p.sim.inject('indexd', 'down');
    const t0 = Date.now();
    p.sim.tick(t0);
    p.sim.tick(t0 + 1000);
    let unhealthy = (await events(p, 'indexd')).filter((e) => e.reason === 'Unhealthy');
    assert.equal(unhealthy.length, 1);
    assert.equal(unhealthy[0]!.type, 'Warning');
    assert.equal(unhealthy[0]!.count, 1, 'no second probe within the 10 s period');
    assert.match(unhealthy[0]!.message, /^Readiness probe failed: Get "http:\/\/10\.0\.\d+\.\d+:80\/_status": dial tcp 10\.0\.\d+\.\d+:80: connect: connection refused$/);
    p.sim.tick(t0 + 10_000);
    unhealthy = (await events(p, 'indexd')).filter((e) => e.reason === 'Unhealthy');
    assert.equal(unhealthy[0]!.count, 2);
  });

  it('each Job of a CronJob runs a pod that logs, with the Job controller’s events', async () => {
    const p = platform(['hatchery'], { hatchery: 1 });
    const cron = p.sim.cronjobs().find((c) => c.name === 'hatchery-reaper')!;
    const job = cron.lastRun!.name;
    const { lines, pods } = await read(p, { job });
    assert.equal(pods.length, 1);
    assert.match(pods[0]!, new RegExp(`^${job}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
    // helm/hatchery/templates/hatchery-reaper-cronjob.yaml (gen3-helm 42cc46bc): container awshelper and its echo lines.
    assert.deepEqual(
      lines.map((l) => [l.container, l.text]),
      [
        ['awshelper', 'Using Jupyter namespace: jupyter-pods'],
        ['awshelper', 'Finished hatchery-based reaping.'],
      ],
    );
    await assert.rejects(read(p, { job: 'no-such-job' }), /has no Job no-such-job/);

    const run = p.sim.runJob('hatchery-reaper', 'hatchery-reaper-manual-1')!;
    assert.ok(run.started);
    p.sim.tick();
    const list = await events(p, 'hatchery');
    const created = list.find((e) => e.reason === 'SuccessfulCreate' && e.objectName === 'hatchery-reaper-manual-1');
    assert.ok(created);
    assert.equal(created.source, 'job-controller');
    assert.match(created.message, /^Created pod: hatchery-reaper-manual-1-[a-z0-9]{5}$/);
    p.sim.tick(run.completesAt + 1);
    assert.ok((await events(p, 'hatchery')).some((e) => e.reason === 'Completed' && e.objectKind === 'Job' && e.objectName === 'hatchery-reaper-manual-1' && e.message === 'Job completed'));
  });
});

describe('simulated resources', () => {
  it('every pod has usage, with the requests and limits of the gen3-helm chart', async () => {
    const p = platform(['fence', 'presigned-url-fence', 'arborist', 'portal', 'guppy', 'ssjdispatcher'], {});
    const r = await p.inspector.resources!();
    assert.equal(r.available, true);
    if (!r.available) return;
    const pods = new Set(p.sim.serviceNames().flatMap((s) => p.sim.podNames(s)));
    assert.deepEqual(new Set(r.pods.map((x) => x.pod)), pods);
    const of = (service: string) => r.pods.find((x) => x.service === service)!;
    // uc-cdis/gen3-helm 42cc46bc helm/<chart>/values.yaml `resources:` (no chart sets CPU; portal sets no memory limit).
    const expected: Record<string, [number, number]> = {
      fence: [128 * Mi, 2 * Gi], // helm/fence/values.yaml requests.memory 128Mi, limits.memory 2Gi
      'presigned-url-fence': [128 * Mi, 2 * Gi], // helm/fence/templates/presigned-url-fence.yaml uses fence's .Values.resources
      arborist: [12 * Mi, 512 * Mi], // helm/arborist/values.yaml 12Mi / 512Mi
      portal: [4096 * Mi, 0], // helm/portal/values.yaml requests.memory 4096Mi, no limits
      guppy: [500 * Mi, 2 * Gi], // helm/guppy/values.yaml 500Mi / 2Gi
      ssjdispatcher: [128 * Mi, 2400 * Mi], // helm/ssjdispatcher/values.yaml 128Mi / 2400Mi
    };
    for (const [service, [request, limit]] of Object.entries(expected)) {
      const x = of(service);
      assert.deepEqual([x.memoryRequestBytes, x.memoryLimitBytes, x.cpuRequestCores, x.cpuLimitCores], [request, limit, 0, 0], service);
      assert.ok(x.cpuCores > 0 && x.cpuCores < 1, `${service} CPU ${x.cpuCores}`);
      assert.ok(x.memoryBytes > 0 && (limit === 0 || x.memoryBytes <= limit), `${service} memory ${x.memoryBytes}`);
    }
    const later = await p.inspector.resources!(); // usage drifts over time but stays near the same working set
    if (later.available) for (const x of later.pods) assert.ok(Math.abs(x.memoryBytes - r.pods.find((y) => y.pod === x.pod)!.memoryBytes) < 0.1 * x.memoryBytes);
  });
});

describe('simulated bounds', () => {
  it('a container keeps at most KEEP_BYTES of log text, dropping the oldest lines', () => {
    const logs = new SimPodLogs();
    const line = 'x'.repeat(1000);
    const n = Math.ceil((2 * KEEP_BYTES) / 1000);
    for (let i = 0; i < n; i++) logs.append('p', 'c', `${i} ${line}`);
    const kept = logs.read('p')!;
    const bytes = kept.reduce((n, l) => n + l.text.length, 0);
    assert.ok(bytes <= KEEP_BYTES && bytes > KEEP_BYTES - 2000, `${bytes}`);
    assert.ok(kept.at(-1)!.text.startsWith(`${n - 1} `), 'the newest line is kept');
  });

  it('the events keep at most MAX_EVENTS, and expire after an hour', () => {
    const e = new SimEvents();
    const t0 = Date.now();
    for (let i = 0; i < MAX_EVENTS + 50; i++) e.record({ type: 'Normal', reason: 'Pulled', message: `m${i}`, objectKind: 'Pod', objectName: 'p', service: 's', source: 'kubelet' }, t0);
    assert.equal(e.size, MAX_EVENTS);
    assert.ok(!e.list(undefined, t0).some((x) => x.message === 'm0'), 'the oldest went first');
    assert.equal(e.list(undefined, t0 + 3_600_001).length, 0);
  });

  it('a flood of requests writes a bounded number of lines', async () => {
    const p = platform(['indexd'], { indexd: 1 });
    const before = p.sim.logs.read(p.sim.podNames('indexd')[0]!)!.length;
    const now = Date.now();
    for (let i = 0; i < 500; i++) p.activity.served('indexd', { method: 'GET', path: '/_status', status: 200, bytes: 7, durationMs: 1, userAgent: 'flood' }, now);
    assert.equal(p.sim.logs.read(p.sim.podNames('indexd')[0]!)!.length - before, 50);
  });
});
