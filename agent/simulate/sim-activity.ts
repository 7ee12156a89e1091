// What a simulated commons' pods write and what Kubernetes records about them:
// listens to the model's pod changes and writes each container's log lines
// (service-logs.ts) and the events the controllers and the kubelet would
// record (sim-events.ts), with the reasons, sources and messages the real
// ones use (kubernetes pkg/controller/deployment/sync.go "Scaled %s replica
// set %s to %d from %d"; pkg/kubelet/kuberuntime/kuberuntime_container.go
// "Created container: %v", "Started container %v", "Stopping container %v";
// pkg/kubelet/kuberuntime "Back-off restarting failed container %s in pod %s";
// pkg/kubelet/prober "Readiness probe failed: ...").
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { gen3Service } from '../../contracts/gen3/catalog';
import type { PodChange, SimCommons } from './model';
import { SimEvents, type SimEventInput } from './sim-events';
import { crashLines, requestLines, type ServedRequest, startupLines } from './service-logs';

/** The kubelet's default readiness probe period (periodSeconds 10). */
const PROBE_PERIOD_MS = 10_000;
/** Request lines a pod writes per second at most: a flood of health requests cannot fill the memory. */
const REQUEST_LINES_PER_S = 50;
const NODES = ['ip-10-0-1-23.ec2.internal', 'ip-10-0-2-87.ec2.internal', 'ip-10-0-3-141.ec2.internal'];

/** The container a service's pod runs: the chart's container name (esproxy for the Elasticsearch proxies; helm/<chart>/templates/deployment.yaml 42cc46bc). */
export function containerOf(service: string): string {
  return service === 'aws-es-proxy' || service === 'aws-sigv4-proxy' ? 'esproxy' : service;
}

/** The port the container listens on (the Service's targetPort; contracts/gen3/catalog.ts). */
function containerPort(service: string): number {
  if (service === 'arborist') return 8080;
  if (['hatchery', 'guppy', 'sower', 'ssjdispatcher'].includes(service)) return 8000;
  return gen3Service(service)?.servicePort ?? 80;
}

interface PodInfo {
  uid: string;
  ip: string;
  node: string;
  lastProbeMs: number;
  linesWindow: number;
  linesInWindow: number;
}

export class SimActivity {
  readonly events = new SimEvents();
  private readonly pods = new Map<string, PodInfo>();
  /** Images the nodes already hold (pulled once, then "already present"). */
  private readonly images = new Set<string>();

  constructor(private readonly sim: SimCommons) {
    const now = Date.now();
    // The pods the commons started with: already running, their startup lines written.
    for (const service of sim.serviceNames()) {
      this.images.add(sim.workload(service, now).image);
      for (const p of sim.podStates(service, now)) this.writeStartup(service, p.name, p.startedAt);
    }
    sim.on('pod', (c: PodChange) => this.onPod(c));
    sim.on('tick', (now?: number) => this.onTick(now ?? Date.now()));
  }

  private info(pod: string): PodInfo {
    let i = this.pods.get(pod);
    if (!i) {
      i = { uid: randomUUID(), ip: `10.0.${randomInt(1, 4)}.${randomInt(2, 254)}`, node: NODES[randomInt(NODES.length)]!, lastProbeMs: 0, linesWindow: 0, linesInWindow: 0 };
      this.pods.set(pod, i);
    }
    return i;
  }

  private event(e: Omit<SimEventInput, 'type'> & { type?: 'Normal' | 'Warning' }, atMs: number): void {
    this.events.record({ type: 'Normal', ...e }, atMs);
  }

  private writeStartup(service: string, pod: string, startMs: number): void {
    // The lines take about a second from the start; written now, they are dated within the second before, never ahead of the clock.
    const base = Math.min(startMs, Date.now() - 1000);
    for (const l of startupLines(service, base)) this.sim.logs.append(pod, containerOf(service), l.text, l.timeMs);
  }

  /** The kubelet starts the pod's container: image, create, start. */
  private containerStarted(service: string, pod: string, image: string, atMs: number): void {
    const c = containerOf(service);
    const base = { objectKind: 'Pod', objectName: pod, service, source: 'kubelet' };
    if (this.images.has(image)) this.event({ ...base, reason: 'Pulled', message: `Container image "${image}" already present on machine` }, atMs);
    else {
      this.images.add(image);
      this.event({ ...base, reason: 'Pulling', message: `Pulling image "${image}"` }, atMs);
      const took = (1 + Math.random() * 4).toFixed(3);
      this.event({ ...base, reason: 'Pulled', message: `Successfully pulled image "${image}" in ${took}s (${took}s including waiting). Image size: ${randomInt(80_000_000, 400_000_000)} bytes.` }, atMs);
    }
    this.event({ ...base, reason: 'Created', message: `Created container: ${c}` }, atMs);
    this.event({ ...base, reason: 'Started', message: `Started container ${c}` }, atMs);
  }

  private onPod(c: PodChange): void {
    const ns = this.sim.identity.namespace;
    switch (c.type) {
      case 'started': {
        const i = this.info(c.pod);
        this.event({ objectKind: 'ReplicaSet', objectName: c.replicaSet, service: c.service, source: 'replicaset-controller', reason: 'SuccessfulCreate', message: `Created pod: ${c.pod}` }, c.atMs);
        this.event({ objectKind: 'Pod', objectName: c.pod, service: c.service, source: 'default-scheduler', reason: 'Scheduled', message: `Successfully assigned ${ns}/${c.pod} to ${i.node}` }, c.atMs);
        this.containerStarted(c.service, c.pod, c.image, c.atMs);
        this.writeStartup(c.service, c.pod, c.atMs);
        return;
      }
      case 'removed':
        this.event({ objectKind: 'Pod', objectName: c.pod, service: c.service, source: 'kubelet', reason: 'Killing', message: `Stopping container ${containerOf(c.service)}` }, c.atMs);
        this.event({ objectKind: 'ReplicaSet', objectName: c.replicaSet, service: c.service, source: 'replicaset-controller', reason: 'SuccessfulDelete', message: `Deleted pod: ${c.pod}` }, c.atMs);
        // The pod's logs go with it, as on a node.
        this.sim.logs.remove(c.pod);
        this.pods.delete(c.pod);
        return;
      case 'restarted': {
        const i = this.info(c.pod);
        const container = containerOf(c.service);
        // The crash came just before the kubelet saw the container exit (and before the new container's lines, dated the same way).
        const crashedAt = c.atMs - 1000;
        for (const text of crashLines(c.service, crashedAt)) this.sim.logs.append(c.pod, container, text, crashedAt);
        this.sim.logs.restartContainer(c.pod);
        this.event(
          { type: 'Warning', objectKind: 'Pod', objectName: c.pod, service: c.service, source: 'kubelet', reason: 'BackOff', message: `Back-off restarting failed container ${container} in pod ${c.pod}_${ns}(${i.uid})` },
          c.atMs,
        );
        this.containerStarted(c.service, c.pod, this.sim.workload(c.service, c.atMs).image, c.atMs);
        this.writeStartup(c.service, c.pod, c.atMs);
        return;
      }
      case 'scaled':
        this.event(
          {
            objectKind: 'Deployment',
            objectName: c.deployment,
            service: c.service,
            source: 'deployment-controller',
            reason: 'ScalingReplicaSet',
            message: `Scaled ${c.to > c.from ? 'up' : 'down'} replica set ${c.replicaSet} to ${c.to} from ${c.from}`,
          },
          c.atMs,
        );
        return;
    }
  }

  /** The kubelet's readiness probes of a stopped service's pods fail every period. */
  private onTick(now: number): void {
    for (const service of this.sim.serviceNames()) {
      if (this.sim.serving(service).fault !== 'down') continue;
      const spec = gen3Service(service);
      const path = spec?.healthPath ?? '/';
      for (const p of this.sim.podStates(service, now)) {
        const i = this.info(p.name);
        if (now - i.lastProbeMs < PROBE_PERIOD_MS) continue;
        i.lastProbeMs = now;
        const url = `http://${i.ip}:${containerPort(service)}${path}`;
        this.event(
          {
            type: 'Warning',
            objectKind: 'Pod',
            objectName: p.name,
            service,
            source: 'kubelet',
            reason: 'Unhealthy',
            message: `Readiness probe failed: Get "${url}": dial tcp ${i.ip}:${containerPort(service)}: connect: connection refused`,
          },
          now,
        );
      }
    }
  }

  /**
   * A request a service answered (health-server.ts): one of its ready pods
   * logs it, as the real service does (see service-logs.ts), within
   * REQUEST_LINES_PER_S per pod.
   */
  served(service: string, r: Omit<ServedRequest, 'clientIp'>, now = Date.now()): string | null {
    if (!this.sim.has(service)) return null;
    const ready = this.sim.podStates(service, now).filter((p) => p.ready);
    if (!ready.length) return null;
    const pod = ready[randomInt(ready.length)]!.name;
    const i = this.info(pod);
    const second = Math.floor(now / 1000);
    if (i.linesWindow !== second) [i.linesWindow, i.linesInWindow] = [second, 0];
    if (i.linesInWindow >= REQUEST_LINES_PER_S) return pod;
    const lines = requestLines(service, { ...r, clientIp: `10.0.${randomInt(1, 4)}.${randomInt(2, 254)}` }, now);
    i.linesInWindow += lines.length ? 1 : 0;
    for (const text of lines) this.sim.logs.append(pod, containerOf(service), text, now);
    return pod;
  }

  /** A pod's stable random suffix source (for Job pods and tests). */
  static suffix(n: number): string {
    // Kubernetes' rand.String alphabet (no vowels, no confusable digits).
    const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
    return [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('');
  }
}
