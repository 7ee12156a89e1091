// Policy evaluation: several policies on one commons all apply, the strictest
// wins (a reason if any requires one, an approval if any holds the kind, by the
// highest approver role, the highest least-role, releases every list allows).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PolicyRules } from '../../contracts/policies';
import { breach, effectiveRules } from '../../backend/policies/rules';

const rules = (r: unknown) => PolicyRules.parse(r);
const change = { kind: 'deploy' as const, role: 'operator' as const, actor: 'token:a', commons: 'data-midrc-org' };

describe('policy rules', () => {
  it('no policy: nothing required, nothing refused', () => {
    const e = effectiveRules([], 'deploy');
    assert.deepEqual(e, { requireReason: [], approval: null, minRole: null, allowedReleases: null });
    assert.equal(breach(e, { ...change, release: '2025.09' }), undefined);
  });

  it('the strictest of several policies wins, each rule naming the policies it comes from', () => {
    const e = effectiveRules(
      [
        { name: 'prod', rules: rules({ approval: { kinds: ['deploy', 'config'] }, minRole: { deploy: 'operator' }, allowedReleases: ['2026.06', '2026.07', '2026.08'] }) },
        { name: 'heal', rules: rules({ requireReason: true, approval: { kinds: ['deploy'], approvers: 'admin' }, minRole: { deploy: 'admin', restart: 'operator' }, allowedReleases: ['2026.07', '2026.08', '2025.12'] }) },
        { name: 'lax', rules: rules({ approval: { kinds: ['restart'] } }) },
      ],
      'deploy',
    );
    assert.deepEqual(e.requireReason, ['heal']);
    assert.deepEqual(e.approval, { approvers: 'admin', policies: ['prod', 'heal'] });
    assert.deepEqual(e.minRole, { role: 'admin', policies: ['prod', 'heal'] });
    assert.deepEqual(e.allowedReleases, { releases: ['2026.07', '2026.08'], policies: ['prod', 'heal'] });
  });

  it('rules on other kinds do not apply', () => {
    const e = effectiveRules([{ name: 'p', rules: rules({ approval: { kinds: ['config'] }, minRole: { restart: 'admin' } }) }], 'deploy');
    assert.equal(e.approval, null);
    assert.equal(e.minRole, null);
  });

  it('refuses in order: least role (403), then reason (422 body.reason), then release (422 body.release)', () => {
    const e = effectiveRules([{ name: 'p', rules: rules({ requireReason: true, minRole: { deploy: 'admin' }, allowedReleases: ['2026.07'] }) }], 'deploy');
    const role = breach(e, { ...change, release: '2025.09' });
    assert.equal(role?.status, 403);
    assert.equal(role?.rule, 'policy p');
    assert.match(role!.detail, /only admin or higher.*token:a has role operator/);
    const asAdmin = { ...change, role: 'admin' as const };
    assert.deepEqual(
      [breach(e, { ...asAdmin, release: '2025.09' })?.field, breach(e, { ...asAdmin, reason: '  ', release: '2026.07' })?.field],
      ['body.reason', 'body.reason'],
    );
    const release = breach(e, { ...asAdmin, reason: 'why', release: '2025.09' });
    assert.equal(release?.field, 'body.release');
    assert.match(release!.detail, /allowed: 2026\.07/);
    assert.equal(breach(e, { ...asAdmin, reason: 'why', release: '2026.07' }), undefined);
    // A change without a release (a restart) is not judged on releases.
    assert.equal(breach(e, { ...asAdmin, reason: 'why' }), undefined);
  });

  it('two policies with no release in common allow none, and say so', () => {
    const e = effectiveRules([{ name: 'a', rules: rules({ allowedReleases: ['2026.06'] }) }, { name: 'b', rules: rules({ allowedReleases: ['2026.07'] }) }], 'deploy');
    assert.match(breach(e, { ...change, release: '2026.06' })!.detail, /allowed: none \(the policies allow no release in common\)/);
  });

  it('refuses policies that cannot be applied, naming the field', () => {
    const bad = PolicyRules.safeParse({ approval: { kinds: [] }, minRole: { deploy: 'root' }, allowedReleases: ['latest'], extra: 1 });
    assert.equal(bad.success, false);
    const fields = bad.error!.issues.map((i) => i.path.join('.')).sort();
    assert.deepEqual(fields, ['', 'allowedReleases.0', 'approval.kinds', 'minRole.deploy']);
  });
});
