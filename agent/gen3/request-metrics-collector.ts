// Request metrics as a collector: a platform whose Inspector can read pods'
// logs lists it, and the agent starts and stops it with its other collectors.
// Each metrics batch carries the current cumulative values (a sampler read at
// flush time, so a slow interval sends one copy, not a backlog).
import { REQUEST_METRICS_CAPABILITY } from '../../contracts/gen3/revproxy';
import type { Logger } from '../../lib/logger';
import type { Collector } from '../collectors/collector';
import type { Observations } from '../core/observations';
import type { Inspector, LogSource } from '../core/types';
import { RequestMetrics } from './request-metrics';
import { RevproxyFollower } from './revproxy-follower';

export class RequestMetricsCollector implements Collector {
  readonly name = 'revproxy-requests';
  readonly capabilities = [REQUEST_METRICS_CAPABILITY];
  readonly metrics = new RequestMetrics();
  readonly follower: RevproxyFollower;
  private unsample: (() => void) | null = null;

  constructor(logs: LogSource, log?: Logger) {
    this.follower = new RevproxyFollower(logs, this.metrics, log?.child({ collector: 'revproxy-requests' }));
  }

  async start(obs: Observations): Promise<void> {
    this.unsample = obs.addSampler(() => this.metrics.samples());
    this.follower.start();
  }

  async stop(): Promise<void> {
    this.unsample?.();
    this.unsample = null;
    await this.follower.stop();
  }
}

/** The request-metrics collector when the platform can read logs, else none. */
export function requestMetricsCollectors(inspector: Inspector | undefined, log?: Logger): Collector[] {
  return inspector?.logs ? [new RequestMetricsCollector(inspector.logs, log)] : [];
}
