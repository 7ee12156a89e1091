// Audit retention (DCOC_AUDIT_RETENTION_DAYS): on the sweeper replica, prunes
// entries older than the retention, oldest first in small batches (a batch is
// one short transaction holding the chain lock), and audits that it did. The
// checkpoint the store moves with each batch keeps the rest verifiable.
import type { Logger } from '../../lib/logger';
import type { AuditStore } from '../store/audit-store';
import { auditEntry } from './record';

const DAY_MS = 24 * 3600 * 1000;

export interface RetentionOptions {
  days: number;
  /** Entries per transaction. */
  batch?: number;
  /** Batches per sweep: a long backlog is worked off over several sweeps, not in one burst. */
  maxBatches?: number;
}

export class AuditRetention {
  private running = false;

  constructor(
    private readonly audit: AuditStore,
    private readonly opts: RetentionOptions,
    private readonly log: Logger,
  ) {}

  get enabled(): boolean {
    return this.opts.days > 0;
  }

  /** Prunes what is past the retention now; how many entries were pruned. Never runs twice at once. */
  async sweep(now = Date.now()): Promise<number> {
    if (!this.enabled || this.running) return 0;
    this.running = true;
    try {
      const cutoff = new Date(now - this.opts.days * DAY_MS).toISOString();
      const batch = this.opts.batch ?? 500;
      let pruned = 0;
      for (let i = 0; i < (this.opts.maxBatches ?? 20); i++) {
        const n = await this.audit.pruneBefore(cutoff, batch, new Date(now).toISOString());
        pruned += n;
        if (n < batch) break;
      }
      if (pruned) {
        const start = await this.audit.start();
        await this.audit.appendAlone(
          auditEntry({ actor: 'system:retention', kind: 'system' }, { action: 'audit.prune', outcome: 'succeeded', detail: { pruned, before: cutoff, retentionDays: this.opts.days, chainStartsAfter: start } }),
        );
        this.log.info({ pruned, before: cutoff, chainStartsAfterSeq: start.seq }, 'audit entries past the retention pruned');
      }
      return pruned;
    } finally {
      this.running = false;
    }
  }
}
