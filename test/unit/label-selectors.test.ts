// Label selectors pick commons the way Kubernetes' LabelSelector picks pods
// (k8s.io/apimachinery pkg/apis/meta/v1 LabelSelector: matchLabels ANDed with
// matchExpressions; In/NotIn/Exists/DoesNotExist; NotIn and DoesNotExist
// match a commons without the key; the empty selector matches everything).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupSpec, LabelSelector, LabelsRequest, formatSelector, selectorMatches } from '../../contracts/groups';

const sel = (s: unknown) => LabelSelector.parse(s);
const prod = { commons: 'brh', environment: 'brhprod', tier: 'production', program: 'brh', region: 'us-east-1' };
const staging = { commons: 'midrc', environment: 'midrcstaging', tier: 'staging' };

describe('label selectors', () => {
  it('matchLabels and matchExpressions are ANDed', () => {
    const s = sel({ matchLabels: { tier: 'production' }, matchExpressions: [{ key: 'region', operator: 'In', values: ['us-east-1', 'us-west-2'] }] });
    assert.equal(selectorMatches(s, prod), true);
    assert.equal(selectorMatches(s, { ...prod, region: 'eu-west-1' }), false);
    assert.equal(selectorMatches(s, staging), false);
  });

  it('NotIn and DoesNotExist match a commons without the key; In and Exists do not', () => {
    assert.equal(selectorMatches(sel({ matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['eu-west-1'] }] }), staging), true);
    assert.equal(selectorMatches(sel({ matchExpressions: [{ key: 'region', operator: 'DoesNotExist' }] }), staging), true);
    assert.equal(selectorMatches(sel({ matchExpressions: [{ key: 'region', operator: 'In', values: ['us-east-1'] }] }), staging), false);
    assert.equal(selectorMatches(sel({ matchExpressions: [{ key: 'region', operator: 'Exists' }] }), staging), false);
    assert.equal(selectorMatches(sel({ matchExpressions: [{ key: 'region', operator: 'DoesNotExist' }] }), prod), false);
  });

  it('the empty selector selects every commons', () => {
    assert.equal(selectorMatches(sel({}), prod), true);
    assert.equal(selectorMatches(sel({}), {}), true);
  });

  it('prints as kubectl does', () => {
    const s = sel({ matchLabels: { tier: 'production' }, matchExpressions: [{ key: 'region', operator: 'In', values: ['a', 'b'] }, { key: 'legacy', operator: 'DoesNotExist' }, { key: 'x', operator: 'NotIn', values: ['y'] }, { key: 'team', operator: 'Exists' }] });
    assert.equal(formatSelector(s), 'tier=production,region in (a,b),!legacy,x notin (y),team');
  });

  it('refuses values an operator and a selector cannot mean, naming the field', () => {
    const bad = (v: unknown) => {
      const r = GroupSpec.safeParse(v);
      assert.equal(r.success, false);
      return r.error!.issues.map((i) => i.path.join('.'));
    };
    assert.deepEqual(bad({ selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: [] }] } }), ['selector.matchExpressions.0.values']);
    assert.deepEqual(bad({ selector: { matchExpressions: [{ key: 'tier', operator: 'Exists', values: ['x'] }] } }), ['selector.matchExpressions.0.values']);
    assert.deepEqual(bad({ selector: { matchLabels: { tier: 'has space' } } }), ['selector.matchLabels.tier']);
    assert.deepEqual(bad({ selector: { matchLabels: { 'bad key!': 'x' } } }), ['selector.matchLabels.bad key!']);
    assert.deepEqual(bad({ selector: {}, extra: 1 }), ['']);
    const auto = LabelsRequest.safeParse({ labels: { environment: 'x' } });
    assert.equal(auto.success, false, 'the automatic labels cannot be set');
    assert.equal(LabelsRequest.safeParse({ labels: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])) }).success, false, 'at most 32 labels');
    assert.equal(LabelsRequest.safeParse({ labels: { 'team.example.org/tier': 'gold', empty: '' } }).success, true, 'prefixed keys and empty values, as Kubernetes allows');
  });
});

describe('selectors as kubectl writes them', () => {
  it('reads what formatSelector prints, and == and !=', async () => {
    const { parseSelector } = await import('../../contracts/groups');
    const text = 'tier=production,region in (a, b),!legacy,x notin (y),team';
    const s = parseSelector(text);
    assert.deepEqual(s, sel({ matchLabels: { tier: 'production' }, matchExpressions: [{ key: 'region', operator: 'In', values: ['a', 'b'] }, { key: 'legacy', operator: 'DoesNotExist' }, { key: 'x', operator: 'NotIn', values: ['y'] }, { key: 'team', operator: 'Exists' }] }));
    assert.equal(formatSelector(s), 'tier=production,region in (a,b),!legacy,x notin (y),team');
    assert.deepEqual(parseSelector('tier==gold, env != dev'), sel({ matchLabels: { tier: 'gold' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] }));
    assert.deepEqual(parseSelector(''), sel({}));
    assert.throws(() => parseSelector('tier in ()'), /values/);
    assert.throws(() => parseSelector('a b c'), /cannot read "a b c"/);
    assert.throws(() => parseSelector('tier=has space'), /cannot read/);
  });
});
