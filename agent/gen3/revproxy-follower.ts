// Follows revproxy's pods' logs (all replicas, new ones as they start) through
// the platform's LogSource and counts every access line into RequestMetrics.
// The stream ends when pods go or the API closes it, and fails when the
// commons has no revproxy or the agent may not read pods/log: either way the
// follower starts again after a backoff, from the newest line (tailLines 0:
// lines written while it was down are not counted, and none is counted
// twice). Nothing it reads can throw out of it: it never takes the agent down.
import type { Logger } from '../../lib/logger';
import { Backoff } from '../protocol/backoff';
import type { LogLineFacts, LogQuery, LogSource } from '../core/types';
import { parseAccessLine } from './revproxy-access-log';
import type { RequestMetrics } from './request-metrics';

export const REVPROXY_QUERY: LogQuery = { service: 'revproxy', follow: true, tailLines: 0, previous: false, sinceMs: null };

/** A stream that lasted this long was healthy: the next failure starts the backoff over. */
const HEALTHY_MS = 30_000;

export interface FollowerStats {
  lines: number;
  counted: number;
  ignored: number;
  restarts: number;
}

export class RevproxyFollower {
  readonly stats: FollowerStats = { lines: 0, counted: 0, ignored: 0, restarts: 0 };
  private abort: AbortController | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private lastProblem = '';

  constructor(
    private readonly logs: LogSource,
    private readonly metrics: RequestMetrics,
    private readonly log?: Logger,
    private readonly backoff = new Backoff(1000, 60_000),
  ) {}

  start(): void {
    if (this.running || this.timer) return;
    this.follow();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const a = this.abort;
    this.abort = null;
    a?.abort('agent stopping');
    await this.running;
  }

  /** Counts a batch of lines (also what a test feeds directly). */
  take(batch: LogLineFacts[]): void {
    for (const l of batch) {
      this.stats.lines++;
      const r = parseAccessLine(l.text);
      if (r) {
        this.metrics.record(r);
        this.stats.counted++;
      } else this.stats.ignored++;
    }
  }

  private follow(): void {
    this.timer = null;
    const abort = new AbortController();
    this.abort = abort;
    const started = Date.now();
    const sink = {
      lines: (batch: LogLineFacts[]) => {
        try {
          this.take(batch);
        } catch (e) {
          // A bug in counting must not end the stream, let alone the agent.
          this.log?.error({ err: (e as Error).message }, 'counting revproxy access lines failed');
        }
      },
      pods: () => undefined,
    };
    let run: Promise<void>;
    try {
      run = this.logs.streamLogs(REVPROXY_QUERY, sink, abort.signal);
    } catch (e) {
      run = Promise.reject(e as Error);
    }
    this.running = run.then(
      () => this.ended(abort, started, 'the log stream ended'),
      (e: unknown) => this.ended(abort, started, e instanceof Error ? e.message : String(e)),
    );
  }

  private ended(abort: AbortController, started: number, why: string): void {
    this.running = null;
    if (this.abort !== abort) return; // stopped
    this.abort = null;
    if (Date.now() - started >= HEALTHY_MS) this.backoff.reset();
    const inMs = this.backoff.next();
    this.stats.restarts++;
    // One warning per distinct problem, not one per retry (a commons without revproxy retries forever).
    if (why !== this.lastProblem) this.log?.warn({ why, retryInMs: inMs }, "following revproxy's access log stopped; request metrics resume when it restarts");
    this.lastProblem = why;
    this.timer = setTimeout(() => this.follow(), inMs);
    this.timer.unref?.();
  }
}
