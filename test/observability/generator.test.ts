// The generator writes one dashboard per demo commons;
// adding a fourth commons adds a fourth file; removing it removes it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { CommonsSummary } from '../../contracts/api';
import { type CommonsRef, GENERATED_TAG, commonsDashboardFile, syncCommonsDashboards } from '../../backend/dashboards/generator';
import { GRAFANA_UID_MAX, commonsDashboardPath, commonsDashboardUid } from '../../contracts/dashboards';
import { commonsIdFor } from '../../backend/gateway/slug';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { type Dashboard, DASHBOARDS, readJson } from './support';

// What the control service has at hand (its fleet's commons, the API's summaries) fits the generator's input.
const _fitsApi: readonly CommonsRef[] = [] as CommonsSummary[];
void _fitsApi;

const demo: CommonsRef[] = DEMO_COMMONS.map((c) => ({ id: commonsIdFor(c.hostname), hostname: c.hostname, name: c.name, environment: c.environment }));
const fourth: CommonsRef = { id: 'gen3-datacommons-uchicago-edu', hostname: 'gen3.datacommons.uchicago.edu', name: 'UChicago Data Commons', environment: 'uchicagoprod' };
const template = readJson<Dashboard>(join(DASHBOARDS, 'commons.json'));

const ownFiles = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('dcoc-commons-') && f.endsWith('.json')).sort();

describe('per-commons dashboard generator', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dcoc-dashboards-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one dashboard per demo commons, each pinned to its commons with a stable UID and the hostname in the title', async () => {
    writeFileSync(join(dir, 'README.txt'), 'not ours\n');
    writeFileSync(join(dir, 'someone-elses.json'), '{}\n');
    const r = await syncCommonsDashboards(dir, demo);
    assert.deepEqual(r.written, demo.map((c) => commonsDashboardFile(c.id)).sort());
    assert.deepEqual(r.removed, []);
    assert.deepEqual(ownFiles(dir), ['dcoc-commons-brh-data-commons-org.json', 'dcoc-commons-data-midrc-org.json', 'dcoc-commons-healdata-org.json']);
    for (const c of demo) {
      const d = readJson<Dashboard>(join(dir, commonsDashboardFile(c.id)));
      assert.equal(d.uid, commonsDashboardUid(c.id));
      assert.equal(d.uid, `dcoc-c-${c.id}`);
      assert.ok(d.title.includes(c.hostname), `title ${d.title}`);
      assert.equal(d.id, null);
      assert.ok((d.tags as string[]).includes(GENERATED_TAG), 'tagged for the fleet dashboard list');
      const v = d.templating!.list.filter((x) => x.name === 'commons');
      assert.equal(v.length, 1);
      assert.equal(v[0].type, 'constant');
      assert.equal(v[0].query, c.id);
      assert.equal(v[0].hide, 2, 'the pinned variable is hidden');
      // The Loki panels select the commons by its hostname, pinned too.
      const h = d.templating!.list.filter((x) => x.name === 'hostname');
      assert.deepEqual([h.length, h[0].type, h[0].query, h[0].hide], [1, 'constant', c.hostname, 2]);
      // Everything else is the template's: same panels and queries.
      assert.deepEqual(d.panels, template.panels);
      assert.equal(commonsDashboardPath(c.id), `/d/${d.uid}`);
    }
    assert.equal(readFileSync(join(dir, 'README.txt'), 'utf8'), 'not ours\n');
  });

  it('is idempotent: a second run with the same commons rewrites nothing', async () => {
    const before = Object.fromEntries(ownFiles(dir).map((f) => [f, statSync(join(dir, f)).mtimeMs]));
    await new Promise((r) => setTimeout(r, 20));
    const r = await syncCommonsDashboards(dir, [...demo].reverse());
    assert.deepEqual(r.written, []);
    assert.deepEqual(r.removed, []);
    assert.equal(r.unchanged.length, 3);
    for (const f of ownFiles(dir)) assert.equal(statSync(join(dir, f)).mtimeMs, before[f], `${f} was rewritten`);
  });

  it('adding a fourth commons adds a fourth file; removing it removes it and only it', async () => {
    const added = await syncCommonsDashboards(dir, [...demo, fourth]);
    assert.deepEqual(added.written, [commonsDashboardFile(fourth.id)]);
    assert.equal(ownFiles(dir).length, 4);
    assert.equal(readJson<Dashboard>(join(dir, commonsDashboardFile(fourth.id))).title, 'gen3.datacommons.uchicago.edu · UChicago Data Commons');

    const removed = await syncCommonsDashboards(dir, demo);
    assert.deepEqual(removed.removed, [commonsDashboardFile(fourth.id)]);
    assert.deepEqual(removed.written, []);
    assert.equal(ownFiles(dir).length, 3);
    assert.deepEqual(readdirSync(dir).filter((f) => !f.startsWith('dcoc-commons-')).sort(), ['README.txt', 'someone-elses.json']);
  });

  it('a commons whose details change gets its dashboard rewritten under the same UID', async () => {
    const renamed = demo.map((c) => (c.id === 'healdata-org' ? { ...c, name: 'HEAL' } : c));
    const r = await syncCommonsDashboards(dir, renamed);
    assert.deepEqual(r.written, ['dcoc-commons-healdata-org.json']);
    const d = readJson<Dashboard>(join(dir, 'dcoc-commons-healdata-org.json'));
    assert.equal(d.title, 'healdata.org · HEAL');
    assert.equal(d.uid, 'dcoc-c-healdata-org');
  });

  it('overlapping calls are applied in order', async () => {
    const results = await Promise.all([syncCommonsDashboards(dir, [...demo, fourth]), syncCommonsDashboards(dir, demo), syncCommonsDashboards(dir, [fourth])]);
    assert.deepEqual(ownFiles(dir), [commonsDashboardFile(fourth.id)]);
    assert.deepEqual(results[2].removed.length, 3);
    await syncCommonsDashboards(dir, []);
    assert.deepEqual(ownFiles(dir), []);
  });

  it('UIDs stay within 40 characters and distinct for long ids', () => {
    const long = 'a'.repeat(24) + '-one-very-long-hostname-as-a-dns-label';
    const long2 = 'a'.repeat(24) + '-one-very-long-hostname-as-a-dns-labex';
    const u1 = commonsDashboardUid(long);
    const u2 = commonsDashboardUid(long2);
    for (const u of [u1, u2]) {
      assert.ok(u.length <= GRAFANA_UID_MAX, u);
      assert.match(u, /^dcoc-h-[a-z0-9-]+-[0-9a-f]{8}$/);
    }
    assert.notEqual(u1, u2);
    assert.equal(commonsDashboardUid(long), u1, 'stable');
    const exactly = 'x'.repeat(GRAFANA_UID_MAX - 'dcoc-c-'.length);
    assert.equal(commonsDashboardUid(exactly), `dcoc-c-${exactly}`);
    assert.match(commonsDashboardUid(`${exactly}y`), /^dcoc-h-/);
    assert.throws(() => commonsDashboardUid('../etc'), /not a commons id/);
  });

  it('refuses ids that are not commons ids, and duplicates', async () => {
    await assert.rejects(syncCommonsDashboards(dir, [{ ...fourth, id: '../../x' }]), /not a commons id/);
    await assert.rejects(syncCommonsDashboards(dir, [fourth, fourth]), /listed twice/);
  });
});
