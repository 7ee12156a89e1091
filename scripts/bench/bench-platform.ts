// A simulated commons for the bench: the same model and executors as
// `--simulate`, but health comes straight from the model instead of HTTP, so
// a thousand agents fit in one process and the bench measures the control
// service, not the probes.
import type { Collector } from '../../agent/collectors/collector';
import type { Observations } from '../../agent/core/observations';
import type { Platform } from '../../agent/executors/platform';
import { SimCommons, type SimOptions } from '../../agent/simulate/model';
import { SimWorkloadCollector } from '../../agent/simulate/sim-collector';
import { simExecutors } from '../../agent/simulate/sim-executors';
import { gen3Service } from '../../contracts/gen3/catalog';

class ModelHealthCollector implements Collector {
  readonly name = 'model-health';
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sim: SimCommons,
    private intervalMs: number,
  ) {}

  async start(obs: Observations): Promise<void> {
    const round = () => {
      const now = Date.now();
      for (const name of this.sim.serviceNames()) {
        const spec = gen3Service(name)!;
        const { ready } = this.sim.serving(name);
        const latencyMs = 2 + Math.random() * 20;
        obs.setHealth(name, { url: `http://${spec.k8sService}${spec.healthPath}`, httpStatus: ready ? 200 : 0, latencyMs, checkedAtMs: now, ok: ready > 0, detail: ready ? 'Healthy' : 'refused' });
        obs.recordSample({ name: 'dcoc_health_check_latency_seconds', labels: { service: name }, value: latencyMs / 1000, timestampMs: now });
      }
    };
    round();
    // Agents start spread over one interval, as a real fleet would be.
    this.timer = setTimeout(() => {
      round();
      this.timer = setInterval(round, this.intervalMs);
    }, Math.random() * this.intervalMs);
  }

  setInterval(ms: number): void {
    this.intervalMs = ms;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
  }
}

export class BenchPlatform implements Platform {
  readonly name = 'bench';
  readonly sim: SimCommons;
  readonly collectors: Collector[];
  readonly executors;

  constructor(opts: SimOptions, healthIntervalMs: number) {
    this.sim = new SimCommons(opts);
    this.collectors = [new SimWorkloadCollector(this.sim), new ModelHealthCollector(this.sim, healthIntervalMs)];
    this.executors = simExecutors(this.sim);
  }

  async identity() {
    return this.sim.identity;
  }

  async start(): Promise<void> {
    this.sim.start();
  }

  async stop(): Promise<void> {
    this.sim.stop();
  }
}
