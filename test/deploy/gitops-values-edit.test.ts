// A revision applied to a values file as an edit:
// editValuesFile changes only the leaves the revision changes and keeps every
// other byte: comments, order, quoting, keys DCOC does not model. The GitOps
// round trip through the real GitOps class is gitops-roundtrip.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { ValuesFileError, editValuesFile } from '../../backend/deployments/values-edit';
import type { Values } from '../../backend/deployments/values';

const FIXTURE = readFileSync(join(import.meta.dirname, 'fixtures', 'gitops-values.yaml'), 'utf8');

/** Lines of `b` that differ from `a` at the same index (the texts must have as many lines). */
function changedLines(a: string, b: string): { line: number; from: string; to: string }[] {
  const x = a.split('\n');
  const y = b.split('\n');
  assert.equal(y.length, x.length, `line count changed:\n${b}`);
  return x.flatMap((from, i) => (from === y[i] ? [] : [{ line: i + 1, from, to: y[i] }]));
}

const service = (tag: string, replicas = 2) => ({ enabled: true, replicaCount: replicas, image: { repository: 'quay.io/cdis/fence', tag } });

describe('editValuesFile', () => {
  it('a new file is the full rendering under a short header, tags that look like numbers quoted', () => {
    const text = editValuesFile(undefined, undefined, { global: { hostname: 'a.org' }, fence: service('2026.10') }, { header: 'created by DCOC\nsecond line' });
    assert.equal(text, '# created by DCOC\n# second line\nglobal:\n  hostname: a.org\nfence:\n  enabled: true\n  replicaCount: 2\n  image:\n    repository: quay.io/cdis/fence\n    tag: "2026.10"\n');
    assert.equal((parse(text) as { fence: { image: { tag: unknown } } }).fence.image.tag, '2026.10');
  });

  it('without a previous revision, writes only what differs from the file and removes nothing', () => {
    const file = '# top comment\nglobal:\n  hostname: a.org # the commons\n  custom: kept\nfence:\n  enabled: true\n  replicaCount: 2\n  image:\n    repository: quay.io/cdis/fence\n    tag: \'2026.04\'\n  FENCE_CONFIG:\n    DEBUG: false\n';
    const out = editValuesFile(file, undefined, { global: { hostname: 'a.org' }, fence: service('2026.07') });
    assert.deepEqual(changedLines(file, out), [{ line: 10, from: "    tag: '2026.04'", to: "    tag: '2026.07'" }]);
  });

  it('with a previous revision, writes what the revision changes and keeps what someone changed by hand', () => {
    // replicaCount 5 was set by hand; the revision does not change replicaCount, so it stays.
    const file = 'fence:\n  enabled: true\n  replicaCount: 5\n  image:\n    repository: quay.io/cdis/fence\n    tag: "2026.07"\n';
    const out = editValuesFile(file, { fence: service('2026.07') }, { fence: service('2026.08') });
    assert.deepEqual(changedLines(file, out), [{ line: 6, from: '    tag: "2026.07"', to: '    tag: "2026.08"' }]);
  });

  it('a value already in the file is not written again; the same edit twice changes nothing', () => {
    const file = 'fence:\n  image:\n    tag: "2026.08"   # bumped by hand before the deploy\n';
    assert.equal(editValuesFile(file, { fence: { image: { tag: '2026.07' } } }, { fence: { image: { tag: '2026.08' } } }), file);
    const once = editValuesFile(FIXTURE, undefined, { fence: service('2026.09', 3), global: { maintenanceMode: 'on' } });
    assert.equal(editValuesFile(once, undefined, { fence: service('2026.09', 3), global: { maintenanceMode: 'on' } }), once);
    assert.equal(editValuesFile(once, { fence: service('2026.09', 3) }, { fence: service('2026.09', 3) }), once);
  });

  it('quoting: a quoted tag keeps its quotes, a plain one that would read as a number gets them', () => {
    const file = "a:\n  tag: '2026.07'\nb:\n  tag: \"2026.07\"\nc:\n  tag: 2026.07\nd:\n  tag: master\n";
    const before = { a: { tag: '2026.07' }, b: { tag: '2026.07' }, c: { tag: '2026.07' }, d: { tag: 'master' } };
    const out = editValuesFile(file, before, { a: { tag: '2026.10' }, b: { tag: '2026.10' }, c: { tag: '2026.10' }, d: { tag: '2026.10' } });
    assert.equal(out, "a:\n  tag: '2026.10'\nb:\n  tag: \"2026.10\"\nc:\n  tag: \"2026.10\"\nd:\n  tag: \"2026.10\"\n");
    assert.deepEqual(parse(out), { a: { tag: '2026.10' }, b: { tag: '2026.10' }, c: { tag: '2026.10' }, d: { tag: '2026.10' } });
  });

  it('comments stay: on a changed line, between keys and inside block scalars', () => {
    const file = 'fence:\n  # pinned for the audit\n  image:\n    tag: \'2026.07\' # do not bump before 2026-10\n  usersync: |\n    # not a YAML comment\n    line\n';
    const out = editValuesFile(file, undefined, { fence: { image: { tag: '2026.08' } } });
    assert.equal(out, file.replace("'2026.07'", "'2026.08'"));
  });

  it('removes only paths DCOC rendered before and no longer renders, and a mapping it empties', () => {
    const file = 'global:\n  hostname: a.org\n  maintenanceMode: "on"\n  custom: mine\ndcoc:\n  hpa:\n    minReplicas: 2\nfence:\n  enabled: true\n';
    const before: Values = { global: { hostname: 'a.org', maintenanceMode: 'on' }, dcoc: { hpa: { minReplicas: 2 } }, fence: { enabled: true } };
    const out = editValuesFile(file, before, { global: { hostname: 'a.org' }, fence: { enabled: true } });
    assert.equal(out, 'global:\n  hostname: a.org\n  custom: mine\nfence:\n  enabled: true\n');
    // Without a previous revision nothing is removed, whatever DCOC renders.
    assert.equal(editValuesFile(file, undefined, { fence: { enabled: true } }), file);
    // A key DCOC rendered as a value but that now holds someone's mapping is not DCOC's to remove.
    const mine = 'extra:\n  a: 1\nfence:\n  enabled: true\n';
    assert.equal(editValuesFile(mine, { extra: {}, fence: { enabled: true } }, { fence: { enabled: true } }), mine);
  });

  it('adds new keys at the end of their mapping in the file\'s indentation, nested before outer ones', () => {
    const file = 'global:\n    hostname: a.org\nwts:\n    enabled: false\n';
    const out = editValuesFile(file, undefined, { global: { hostname: 'a.org' }, wts: { enabled: true, replicaCount: 2, image: { tag: '2026.08' } }, sower: { enabled: false } });
    assert.equal(out, 'global:\n    hostname: a.org\nwts:\n    enabled: true\n    replicaCount: 2\n    image:\n        tag: "2026.08"\nsower:\n    enabled: false\n');
    // Lists under their key's column stay that way.
    const flat = 'finalizers:\n- a\nsources:\n- x\n';
    assert.equal(editValuesFile(flat, undefined, { finalizers: ['a', 'b'] }), 'finalizers:\n- a\n- b\nsources:\n- x\n');
  });

  it('keys with dots and slashes are one key, not a path', () => {
    const file = "revproxy:\n  ingress:\n    annotations:\n      alb.ingress.kubernetes.io/group.name: healprod\n      alb.ingress.kubernetes.io/ssl-redirect: '443'\n";
    const out = editValuesFile(file, undefined, { revproxy: { ingress: { annotations: { 'alb.ingress.kubernetes.io/group.name': 'shared' } } } });
    assert.deepEqual(changedLines(file, out), [{ line: 4, from: '      alb.ingress.kubernetes.io/group.name: healprod', to: '      alb.ingress.kubernetes.io/group.name: shared' }]);
  });

  it('flow mappings, empty values and lists are rewritten in place', () => {
    const file = "fence:\n  image: {repository: quay.io/cdis/fence, tag: '2026.07'}\n  empty:\n  flowEmpty: {}\n  hosts: [a, b] # two\nportal:\n";
    const out = editValuesFile(file, undefined, { fence: { image: { tag: '2026.08' }, empty: { enabled: true }, flowEmpty: { a: 1 }, hosts: ['c'] }, portal: { enabled: true } });
    assert.deepEqual(parse(out), { fence: { image: { repository: 'quay.io/cdis/fence', tag: '2026.08' }, empty: { enabled: true }, flowEmpty: { a: 1 }, hosts: ['c'] }, portal: { enabled: true } });
    assert.equal(out, "fence:\n  image: {repository: quay.io/cdis/fence, tag: \"2026.08\"}\n  empty:\n    enabled: true\n  flowEmpty:\n    a: 1\n  hosts: [c] # two\nportal:\n  enabled: true\n");
  });

  it('keeps CRLF line ends and a missing final line break', () => {
    const file = 'fence:\r\n  enabled: false\r\n  image:\r\n    tag: "1"';
    assert.equal(editValuesFile(file, undefined, { fence: { enabled: true, replicaCount: 2, image: { tag: '2' } } }), 'fence:\r\n  enabled: true\r\n  image:\r\n    tag: "2"\r\n  replicaCount: 2\r\n');
  });

  it('an empty file gets the rendering; comments already there stay on top', () => {
    assert.equal(editValuesFile('', undefined, { a: 1 }, { header: 'h' }), '# h\na: 1\n');
    assert.equal(editValuesFile('# only a comment\n', { a: 2 }, { a: 1 }, { header: 'h' }), '# only a comment\na: 1\n');
    assert.equal(editValuesFile('---\n', undefined, { a: 1 }), '---\na: 1\n');
  });

  it('refuses a file it cannot edit safely, saying what to do', () => {
    const refuse = (text: string, re: RegExp) => assert.throws(() => editValuesFile(text, undefined, { fence: { enabled: true } }), (e: Error) => e instanceof ValuesFileError && re.test(e.message));
    refuse('a: 1\n---\nb: 2\n', /holds 2 YAML documents .*keep a single document in the file and deploy again/);
    refuse('- fence\n- indexd\n', /it is a list, not a mapping of gen3-helm values; fix or remove the file/);
    refuse('just text\n', /it is a single value, not a mapping/);
    refuse('fence: [unclosed\n', /not valid YAML .*fix it in the repository and deploy again/);
    refuse('fence:\n  enabled: false\nfence:\n  enabled: false\n', /fence appears 2 times \(lines 1, 3\) and DCOC changes it; keep one of them/);
    // A duplicate DCOC does not touch is Helm's business, not a reason to refuse (real gen3-gitops files have some).
    assert.equal(editValuesFile('x: 1\nx: 2\nfence:\n  enabled: false\n', undefined, { fence: { enabled: true } }), 'x: 1\nx: 2\nfence:\n  enabled: true\n');
  });

  it('over the gen3-gitops-shaped fixture, only the changed lines differ', () => {
    const values = parse(FIXTURE) as Values;
    const after = structuredClone(values) as Record<string, Record<string, unknown>>;
    (after.fence.image as Values).tag = '2026.08';
    after.indexd.replicaCount = 4;
    const out = editValuesFile(FIXTURE, values, after);
    assert.deepEqual(
      changedLines(FIXTURE, out).map((c) => [c.from, c.to]),
      [
        ['    tag: "2026.07"', '    tag: "2026.08"'],
        ['  replicaCount: 2', '  replicaCount: 4'],
      ],
    );
  });

  // How its time grows with the file is measured by `npm run bench -- --values-edit`.
  it('edits a 50,000-line file, changing only the two lines asked', () => {
    const big = Array.from({ length: 100 }, (_, i) => FIXTURE.replace(/^([a-z][\w-]*):/gm, `$1-${i}:`)).join('');
    assert.ok(big.split('\n').length > 45_000);
    const out = editValuesFile(big, undefined, { 'fence-99': { image: { tag: '2026.08' } }, 'fence-0': { replicaCount: 3 } });
    assert.equal(changedLines(big, out).length, 2);
  });
});
