// `agent --simulate`: the agent against an in-process Gen3 commons, with its
// health endpoints on a loopback HTTP listener.
import { Gen3HealthCollector } from '../collectors/gen3-health';
import { requestMetricsCollectors } from '../gen3/request-metrics-collector';
import type { Logger } from '../../lib/logger';
import type { Inspector } from '../core/types';
import type { Platform } from '../executors/platform';
import { SimCommons, type SimOptions } from './model';
import { SimHealthServer } from './health-server';
import { SimWorkloadCollector } from './sim-collector';
import { simExecutors } from './sim-executors';
import { SimActivity } from './sim-activity';
import { SimJobPods } from './sim-job-pods';
import { SimLogSource } from './sim-log-source';
import { SimResources } from './sim-resources';

export class SimPlatform implements Platform {
  readonly name = 'simulate';
  readonly sim: SimCommons;
  readonly health: SimHealthServer;
  readonly healthCollector: Gen3HealthCollector;
  readonly collectors;
  readonly executors;
  readonly inspector: Inspector;
  /** What the pods write and what Kubernetes records about them. */
  readonly activity: SimActivity;

  constructor(opts: SimOptions & { healthIntervalMs?: number; healthPort?: number; log?: Logger; trafficRps?: number }) {
    this.sim = new SimCommons(opts);
    this.activity = new SimActivity(this.sim);
    this.health = new SimHealthServer(this.sim, (service, r) => this.activity.served(service, r));
    this.healthCollector = new Gen3HealthCollector(this.health.targets, opts.healthIntervalMs ?? 5000);
    this.executors = simExecutors(this.sim);
    const jobPods = new SimJobPods(this.sim, this.activity.events);
    const resources = new SimResources(this.sim);
    this.inspector = {
      logs: new SimLogSource(this.sim, jobPods.podsOf),
      events: async (service) => this.activity.events.list(service),
      resources: async () => resources.resources(),
    };
    this.collectors = [new SimWorkloadCollector(this.sim), this.healthCollector, ...requestMetricsCollectors(this.inspector, opts.log)];
    this.trafficRps = opts.trafficRps ?? 0;
    this.healthPort = opts.healthPort ?? 0;
  }

  private readonly healthPort: number;
  private readonly trafficRps: number;

  async identity() {
    return this.sim.identity;
  }

  canReachControl(): boolean {
    return !this.sim.networkCut;
  }

  onReachabilityChange(fn: (reachable: boolean) => void): void {
    this.sim.on('network', (cut: boolean) => fn(!cut));
  }

  async start(): Promise<void> {
    await this.health.start(this.healthPort);
    this.sim.start();
    this.health.revproxy.setTraffic(this.trafficRps);
  }

  async stop(): Promise<void> {
    this.health.revproxy.setTraffic(0);
    this.sim.stop();
    await this.health.stop();
  }
}
