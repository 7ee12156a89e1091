// CPU and memory of the simulated commons' pods, as metrics-server would
// report them, against the requests and limits gen3-helm gives each
// service's container (chart-resources.ts). Usage is made up: a per-service
// working set near what such a process holds idle, different per pod, and
// drifting a little over time; a pod just started holds less.
import type { PodResourceFacts, ResourceFacts } from '../core/types';
import type { SimCommons } from './model';
import { chartResources } from './chart-resources';

const Mi = 1024 * 1024;

/** Idle usage per service: [CPU cores, memory bytes]. Not measured from a real commons: plausible for the process each runs. */
const IDLE: Record<string, [number, number]> = {
  revproxy: [0.004, 24 * Mi],
  portal: [0.001, 18 * Mi],
  fence: [0.012, 310 * Mi],
  'presigned-url-fence': [0.01, 290 * Mi],
  arborist: [0.003, 14 * Mi],
  indexd: [0.006, 160 * Mi],
  sheepdog: [0.005, 230 * Mi],
  peregrine: [0.006, 240 * Mi],
  metadata: [0.004, 120 * Mi],
  audit: [0.003, 110 * Mi],
  manifestservice: [0.002, 95 * Mi],
  wts: [0.003, 130 * Mi],
  hatchery: [0.002, 22 * Mi],
  ambassador: [0.008, 140 * Mi],
  guppy: [0.005, 180 * Mi],
  requestor: [0.003, 105 * Mi],
  sower: [0.001, 12 * Mi],
  ssjdispatcher: [0.002, 20 * Mi],
  'frontend-framework': [0.004, 150 * Mi],
  'aws-es-proxy': [0.002, 16 * Mi],
  'aws-sigv4-proxy': [0.002, 18 * Mi],
};

/** A number in [0, 1) fixed by the pod's name. */
function unit(name: string, salt: number): number {
  let h = 2166136261 ^ salt;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return (h >>> 0) / 2 ** 32;
}

export class SimResources {
  constructor(private readonly sim: SimCommons) {}

  resources(now = Date.now()): ResourceFacts {
    const pods: PodResourceFacts[] = [];
    for (const service of this.sim.serviceNames()) {
      const [cpu, mem] = IDLE[service] ?? [0.002, 32 * Mi];
      const limits = chartResources(service);
      const { fault } = this.sim.serving(service);
      for (const p of this.sim.podStates(service, now)) {
        const spread = 0.85 + 0.3 * unit(p.name, 1);
        const phase = unit(p.name, 2) * 2 * Math.PI;
        // Warming up: a new process holds a third of its working set and grows to it over a minute.
        const warm = Math.min(1, 0.35 + (0.65 * (now - p.startedAt)) / 60_000);
        const memory = mem * spread * warm * (1 + 0.03 * Math.sin(now / 90_000 + phase));
        let cores = cpu * spread * (1 + 0.4 * Math.sin(now / 20_000 + phase));
        // Failing requests and retries cost a little more; a crash-looping container mostly starts.
        if (fault === 'slow' || fault === 'error') cores *= 2;
        if (fault === 'crashloop') cores = cpu * 3;
        pods.push({
          pod: p.name,
          service,
          cpuCores: Math.round(cores * 1e6) / 1e6,
          memoryBytes: Math.round(Math.min(memory, limits.memoryLimitBytes || Infinity)),
          ...limits,
        });
      }
    }
    return { available: true, pods };
  }
}
