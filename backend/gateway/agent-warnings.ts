// Warnings about what an agent sent (dropped samples, services, CronJobs,
// configs) are at most one per commons and kind per interval, with the count
// of those left out: a broken or hostile agent sending thousands of bad
// messages a second would otherwise write a log line for each, and the log
// is written synchronously on the event loop that serves every agent.
import type { Logger } from '../../lib/logger';

interface Held {
  lastAt: number;
  suppressed: number;
}

export class AgentWarnings {
  private readonly held = new Map<string, Held>();
  private sweptAt = 0;

  constructor(
    private readonly log: Pick<Logger, 'warn'>,
    private readonly intervalMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  warn(commonsId: string, kind: string, fields: Record<string, unknown>, msg: string): void {
    const t = this.now();
    this.sweep(t);
    const key = `${commonsId}\u0000${kind}`;
    const h = this.held.get(key);
    if (h && t - h.lastAt < this.intervalMs) {
      h.suppressed++;
      return;
    }
    this.log.warn({ commonsId, ...fields, ...(h?.suppressed ? { suppressed: h.suppressed, suppressedForMs: t - h.lastAt } : {}) }, msg);
    this.held.set(key, { lastAt: t, suppressed: 0 });
  }

  /** Keys quiet for a whole interval are forgotten, so the map holds only agents warned about lately. */
  private sweep(t: number): void {
    if (t - this.sweptAt < this.intervalMs) return;
    this.sweptAt = t;
    for (const [k, h] of this.held) if (t - h.lastAt >= this.intervalMs && !h.suppressed) this.held.delete(k);
  }

  /** Keys held (for tests). */
  get size(): number {
    return this.held.size;
  }
}
