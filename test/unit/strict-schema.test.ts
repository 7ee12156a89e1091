// test/support/strict-schema.ts: the deep-strict check the response
// conformance test relies on refuses what a schema does not describe.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { AuditEntry, AuditList, ScaleAccepted } from '../../contracts/api';
import { SequencedEvent } from '../../contracts/events';
import { strictIssues } from '../support/strict-schema';

const entry = {
  id: 1,
  at: '2026-01-01T00:00:00.000Z',
  actor: 'editor-user',
  actorKind: 'grafana',
  role: 'operator',
  action: 'service.restart',
  commons: 'midrc',
  service: 'fence',
  detail: { restartedAt: '2026-01-01T00:00:00.000Z' },
  outcome: 'accepted',
  commandId: 'c1',
  result: 'succeeded',
};

describe('deep-strict schemas', () => {
  it('accepts what the schema describes', () => {
    assert.equal(strictIssues(AuditList, { items: [entry] }), '');
  });

  it('refuses a field the schema lacks, at any depth (the /audit result before AuditEntry described it)', () => {
    const withoutResult = AuditEntry.omit({ result: true });
    assert.match(strictIssues(z.object({ items: z.array(withoutResult) }), { items: [entry] }), /items\.0: Unrecognized key: "result"/);
    assert.match(strictIssues(AuditList, { items: [{ ...entry, detail: {}, extra: 1 }] }), /extra/);
    // Records of unknown values stay open: detail is whatever the action recorded.
    assert.equal(strictIssues(AuditList, { items: [{ ...entry, detail: { anything: { nested: 1 } } }] }), '');
  });

  it('refuses a missing field even where the schema has a default', () => {
    assert.match(strictIssues(z.object({ a: z.string().default('x') }), {}), /a:/);
  });

  it('checks each branch of a union and each event type strictly', () => {
    assert.equal(strictIssues(ScaleAccepted, { command: { id: 'c', state: 'queued', kind: 'scale' } }), '');
    assert.notEqual(strictIssues(ScaleAccepted, { command: { id: 'c', state: 'queued', kind: 'scale', extra: true } }), '');
    const event = { id: 1, at: entry.at, type: 'agent.connected', commons: 'midrc', agent: 'a1' };
    assert.equal(strictIssues(SequencedEvent, event), '');
    assert.notEqual(strictIssues(SequencedEvent, { ...event, hostname: 'x' }), '');
  });
});
