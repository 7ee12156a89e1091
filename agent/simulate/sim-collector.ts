// Workload facts and CronJobs from the simulated commons, on every simulation tick.
import type { Collector } from '../collectors/collector';
import type { Observations } from '../core/observations';
import type { SimCommons } from './model';

export class SimWorkloadCollector implements Collector {
  readonly name = 'simulated-workloads';
  private listener: (() => void) | null = null;

  constructor(private readonly sim: SimCommons) {}

  async start(obs: Observations): Promise<void> {
    obs.setIdentity(this.sim.identity);
    this.listener = () => {
      obs.setWorkloads(this.sim.workloads(), this.sim.release);
      obs.setCronJobs(this.sim.cronjobs());
      if (obs.config.revision !== this.sim.config.revision) obs.setConfig({ ...this.sim.config });
    };
    this.sim.on('tick', this.listener);
    this.listener();
  }

  async stop(): Promise<void> {
    if (this.listener) this.sim.off('tick', this.listener);
    this.listener = null;
  }
}
