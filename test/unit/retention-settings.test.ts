// Retention settings: days may be fractions (a soak or a test can prune
// within minutes), the sweep interval is a setting, and bad values name
// the variable.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { loadEnv } from '../../backend/config/env';
import { CommandRetention } from '../../backend/commands/retention';

const base = { DCOC_ADMIN_TOKEN: 'x'.repeat(32) };

describe('retention settings', () => {
  it('takes fractions of a day and a sweep interval, and refuses bad values naming the variable', () => {
    const env = loadEnv({ ...base, DCOC_COMMAND_RETENTION_DAYS: '0.25', DCOC_AUDIT_RETENTION_DAYS: '0.5', DCOC_RETENTION_SWEEP_S: '30' });
    assert.deepEqual([env.DCOC_COMMAND_RETENTION_DAYS, env.DCOC_AUDIT_RETENTION_DAYS, env.DCOC_RETENTION_SWEEP_S], [0.25, 0.5, 30]);
    assert.equal(loadEnv(base).DCOC_RETENTION_SWEEP_S, 600);
    assert.throws(() => loadEnv({ ...base, DCOC_COMMAND_RETENTION_DAYS: '-1' }), /DCOC_COMMAND_RETENTION_DAYS/);
    assert.throws(() => loadEnv({ ...base, DCOC_RETENTION_SWEEP_S: '1' }), /DCOC_RETENTION_SWEEP_S/);
  });

  it('a fraction of a day is the cutoff the store is asked to prune before', async () => {
    const asked: string[] = [];
    const store = {
      pruneCommands: async (before: string) => (asked.push(before), { commands: 0, events: 0 }),
      pruneEnrollmentTokens: async () => 0,
      appendAudit: async () => undefined,
    };
    const now = Date.parse('2026-12-04T12:00:00.000Z');
    await new CommandRetention(store as never, { days: 0.25 }, pino({ level: 'silent' })).sweep(now);
    assert.deepEqual(asked, ['2026-12-04T06:00:00.000Z']);
  });
});
