// pods/log for the simulated commons: a service's pods (or a Job's) read from
// SimPodLogs, merged, with the same options the Kubernetes API takes (tail,
// since, previous, follow). A follow request also reads pods that start later
// (a scale up, a rollout), as the Kubernetes log source does.
import type { LogLineFacts, LogQuery, LogSink, LogSource } from '../core/types';
import { LogSourceError } from '../core/types';
import type { SimCommons } from './model';
import type { SimLogLine } from './sim-logs';

const toFacts = (l: SimLogLine): LogLineFacts => ({ pod: l.pod, container: l.container, timeMs: l.timeMs, text: l.text });

export class SimLogSource implements LogSource {
  constructor(
    private readonly sim: SimCommons,
    /** The pods of a Job of the commons, or null for a Job it does not have. */
    private readonly jobPods: (job: string) => string[] | null = () => null,
  ) {}

  private podsOf(q: LogQuery): string[] {
    let pods: string[] | null;
    if (q.service) {
      if (!this.sim.has(q.service)) throw new LogSourceError(`commons ${this.sim.identity.hostname} has no service ${q.service}`);
      pods = this.sim.podNames(q.service);
    } else if (q.job) {
      pods = this.jobPods(q.job);
      if (!pods) throw new LogSourceError(`commons ${this.sim.identity.hostname} has no Job ${q.job}`);
    } else throw new LogSourceError('a log request names a service or a Job');
    if (q.pod) {
      if (!pods.includes(q.pod)) throw new LogSourceError(`pod ${q.pod} is not one of ${q.service ?? q.job}'s pods`);
      pods = [q.pod];
    }
    return pods;
  }

  async streamLogs(q: LogQuery, sink: LogSink, signal: AbortSignal): Promise<void> {
    let pods = this.podsOf(q);
    sink.pods(pods);
    const past: SimLogLine[] = [];
    for (const pod of pods) {
      let lines = this.sim.logs.read(pod, q.previous);
      if (!lines) {
        if (q.previous) throw new LogSourceError(`previous terminated container in pod ${pod} not found`);
        lines = [];
      }
      if (q.sinceMs !== null) lines = lines.filter((l) => l.timeMs >= q.sinceMs!);
      if (q.tailLines !== null) lines = lines.slice(Math.max(0, lines.length - q.tailLines));
      past.push(...lines);
    }
    past.sort((a, b) => a.timeMs - b.timeMs);
    if (past.length) sink.lines(past.map(toFacts));
    // The previous container has ended: there is nothing to follow.
    if (!q.follow || q.previous || signal.aborted) return;

    await new Promise<void>((resolve) => {
      const onLine = (l: SimLogLine) => {
        if (!pods.includes(l.pod)) {
          // A pod that started after the request: read it too, when it is the service's.
          const now = this.currentPods(q);
          if (!now?.includes(l.pod)) return;
          pods = now;
          sink.pods(pods);
        }
        sink.lines([toFacts(l)]);
      };
      const stop = () => {
        this.sim.logs.off('line', onLine);
        resolve();
      };
      this.sim.logs.on('line', onLine);
      signal.addEventListener('abort', stop, { once: true });
    });
  }

  private currentPods(q: LogQuery): string[] | null {
    if (q.pod) return null;
    try {
      return this.podsOf(q);
    } catch {
      return null;
    }
  }
}
