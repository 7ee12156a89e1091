// Command retention (DCOC_COMMAND_RETENTION_DAYS): on the sweeper replica,
// deletes finished commands last changed before the retention, with their
// events, in small batches (each one short transaction), and
// audits that it did. A command a deployment, backup or config revision points
// at is kept (those pages link to it). Enrollment tokens used, or expired
// unused, more than a day ago are deleted too (their hash is of no more use;
// the agent keeps its enrollment_token_id). Audit entries are not touched here
// (DCOC_AUDIT_RETENTION_DAYS, backend/audit/retention.ts).
import type { Logger } from '../../lib/logger';
import type { Store } from '../store/store';
import { auditEntry } from '../audit/record';

const DAY_MS = 24 * 3600 * 1000;

export interface CommandRetentionOptions {
  /** 0: commands are kept forever (tokens are still pruned). */
  days: number;
  /** Commands per transaction. */
  batch?: number;
  /** Batches per sweep: a long backlog is worked off over several sweeps, not in one burst. */
  maxBatches?: number;
}

export interface Pruned {
  commands: number;
  events: number;
  tokens: number;
}

export class CommandRetention {
  private running = false;

  constructor(
    private readonly store: Pick<Store, 'pruneCommands' | 'pruneEnrollmentTokens' | 'appendAudit'>,
    private readonly opts: CommandRetentionOptions,
    private readonly log: Logger,
  ) {}

  /** Prunes what is past the retention now. Never runs twice at once. */
  async sweep(now = Date.now()): Promise<Pruned> {
    const pruned: Pruned = { commands: 0, events: 0, tokens: 0 };
    if (this.running) return pruned;
    this.running = true;
    try {
      const tokensBefore = new Date(now - DAY_MS).toISOString();
      const cutoff = this.opts.days > 0 ? new Date(now - this.opts.days * DAY_MS).toISOString() : null;
      if (cutoff) {
        const batch = this.opts.batch ?? 500;
        for (let i = 0; i < (this.opts.maxBatches ?? 20); i++) {
          // Between batches the event loop serves agents and requests (SQLite's calls are synchronous).
          if (i) await new Promise((resolve) => setImmediate(resolve));
          const n = await this.store.pruneCommands(cutoff, batch);
          pruned.commands += n.commands;
          pruned.events += n.events;
          if (n.commands < batch) break;
        }
      }
      pruned.tokens = await this.store.pruneEnrollmentTokens(tokensBefore);
      if (pruned.commands || pruned.tokens) {
        await this.store.appendAudit(
          auditEntry(
            { actor: 'system:retention', kind: 'system' },
            { action: 'command.prune', outcome: 'succeeded', detail: { ...pruned, commandsBefore: cutoff, tokensBefore, retentionDays: this.opts.days } },
          ),
        );
        this.log.info({ ...pruned, before: cutoff }, 'finished commands and spent enrollment tokens past the retention pruned');
      }
      return pruned;
    } finally {
      this.running = false;
    }
  }
}
