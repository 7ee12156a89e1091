// When each agent was last heard from, kept in memory and written to
// agents.last_seen in batches (DCOC_LAST_SEEN_FLUSH_S): one short transaction
// per flush for every agent heard since the last one, never a write per
// heartbeat. What this replica shows comes from the fleet (in memory, shared
// with the other replicas through commons_live); the column is what is left
// for an agent no replica hears any more, so it may lag by one flush.
import type { Logger } from '../../lib/logger';
import type { Store } from '../store/store';

export class LastSeenWriter {
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Pick<Store, 'touchAgents'>,
    private readonly flushMs: number,
    private readonly log: Logger,
  ) {}

  /** The agent was heard from now (or at `ms`): nothing is written until the next flush. */
  seen(agentId: string, ms = Date.now()): void {
    const before = this.pending.get(agentId);
    if (before === undefined || ms > before) this.pending.set(agentId, ms);
  }

  /** Agents heard since the last flush and not written yet. */
  get size(): number {
    return this.pending.size;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.flushMs);
    this.timer.unref();
  }

  /** Writes what was heard since the last flush; a failed write is kept for the next one (newer times win). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (!this.pending.size) return;
      const batch = this.pending;
      this.pending = new Map();
      try {
        await this.store.touchAgents(new Map([...batch].map(([id, ms]) => [id, new Date(ms).toISOString()])));
      } catch (e) {
        for (const [id, ms] of batch) this.seen(id, ms);
        this.log.warn({ err: (e as Error).message, agents: batch.size }, 'could not write agents last seen; tried again at the next flush');
      }
    });
    return this.flushing;
  }

  /** Stops the timer and writes what is left (at shutdown). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }
}
