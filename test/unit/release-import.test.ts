// Releases are imported as cdis-manifest writes them.
// Facts, with the files they come from (uc-cdis/cdis-manifest, read at
// 64134748fada575f172a50ce363e21c86007a9bc unless another commit is named);
// the fixtures below are trimmed copies, written here:
// - releases/2025/09/manifest.json (last changed in 332e0646), the last
//   monthly release manifest the repository holds: its `versions` list
//   fluentd, spark, tube and gen3-user-data-library, which DCOC does not
//   deploy, and have no metadata, audit, requestor or frontend-framework.
//   Every monthly manifest (releases/2020 … 2025/09) is shaped the same.
// - healdata.org/manifest.json (last changed in 049f789e): the audit service
//   is `audit-service` (gen3-helm's chart is `audit`, 42cc46bc
//   helm/gen3/values.yaml), frontend-framework is the commons' own app
//   (heal-data-commons:1.2.1), and cedar-wrapper and dashboard are services
//   DCOC does not model.
// - nci-crdc.datacommons.io/manifest.json at 0700a5d4 (the parent of
//   9f3541a3): `"google-sa-validation": "placeholder"`, a versions value that
//   is no image. Across the 7,489 manifest.json versions in the history every
//   versions value is a string.
// - tbi.datacommons.io/manifest.json before b24090a0: `"ambassador": "1.4.2"`,
//   a bare tag where an image belongs.
// Before the fix the entries DCOC does not model were dropped on import (the
// release kept chart images only) and audit-service was one of them, so a
// production manifest imported without its audit image.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ActingPrincipal } from '../../backend/auth/principal';
import { ReleaseCatalog } from '../../backend/deployments/release-catalog';
import { ReleaseFormatError, parseRelease } from '../../backend/deployments/release-parse';
import type { SqlStore } from '../../backend/store/sql-store';
import { ECR, HEALDATA } from '../support/cdis-manifests';
import { storeEngines } from '../support/store-engines';

/** releases/2025/09/manifest.json, trimmed: its versions whole, one of its other sections. */
const MONTHLY_2025_09 = {
  notes: ['This is the release manifest', "That's all I have to say"],
  jenkins: { autodeploy: 'yes' },
  versions: {
    arborist: 'quay.io/cdis/arborist:2025.09',
    'aws-es-proxy': 'quay.io/cdis/aws-es-proxy:v1.3.1',
    fence: 'quay.io/cdis/fence:2025.09',
    indexd: 'quay.io/cdis/indexd:2025.09',
    peregrine: 'quay.io/cdis/peregrine:2025.09',
    revproxy: 'quay.io/cdis/nginx:2025.09',
    sheepdog: 'quay.io/cdis/sheepdog:2025.09',
    portal: 'quay.io/cdis/data-portal:2025.09',
    fluentd: 'fluent/fluentd-kubernetes-daemonset:v1.2-debian-cloudwatch',
    spark: 'quay.io/cdis/gen3-spark:2025.09',
    tube: 'quay.io/cdis/tube:2025.09',
    guppy: 'quay.io/cdis/guppy:2025.09',
    sower: 'quay.io/cdis/sower:2025.09',
    hatchery: 'quay.io/cdis/hatchery:2025.09',
    ambassador: 'quay.io/datawire/ambassador:1.4.2',
    wts: 'quay.io/cdis/workspace-token-service:2025.09',
    manifestservice: 'quay.io/cdis/manifestservice:2025.09',
    ssjdispatcher: 'quay.io/cdis/ssjdispatcher:2025.09',
    'gen3-user-data-library': 'quay.io/cdis/gen3-user-data-library:2025.09',
  },
  ssjdispatcher: { job_images: { indexing: 'quay.io/cdis/indexs3client:2025.09' } },
};

/** nci-crdc.datacommons.io/manifest.json at 0700a5d4, its versions. */
const NCI_CRDC_2020 = {
  versions: {
    fence: 'quay.io/cdis/fence:4.12.0',
    arborist: 'quay.io/cdis/arborist:2.3.2',
    'google-sa-validation': 'placeholder',
    indexd: 'quay.io/cdis/indexd:2.2.0',
    peregrine: 'quay.io/cdis/peregrine:1.0.5',
    pidgin: 'quay.io/cdis/pidgin:1.2.0',
    revproxy: 'quay.io/cdis/nginx:1.17.6-ctds-1.0.1',
    sheepdog: 'quay.io/cdis/sheepdog:1.1.6',
    portal: 'quay.io/cdis/data-portal:2.2.5',
    fluentd: 'fluent/fluentd-kubernetes-daemonset:v1.2-debian-cloudwatch',
    jupyterhub: 'quay.io/occ_data/jupyterhub:master',
  },
};

const operator: ActingPrincipal = { actor: 'token:ops', kind: 'token', role: 'operator' };
const only = (o: Record<string, string>, keys: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => keys.includes(k)));
const except = (o: Record<string, string>, keys: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));

for (const engine of await storeEngines('release_import'))
describe(`importing a cdis-manifest release as it is written (${engine.name})`, { skip: engine.skip }, () => {
  let store: SqlStore;
  let catalog: ReleaseCatalog;
  before(async () => {
    store = await engine.open();
    catalog = new ReleaseCatalog(store);
  });
  after(() => engine.cleanup());

  it('a monthly release manifest: every versions entry kept, those DCOC does not deploy as unmanaged, none invented', async () => {
    const out = await catalog.import({ version: '2025.07', format: 'manifest', content: JSON.stringify(MONTHLY_2025_09) }, operator);
    const unmodelled = ['fluentd', 'spark', 'tube', 'gen3-user-data-library'];
    assert.deepEqual(out.release.images, except(MONTHLY_2025_09.versions, unmodelled));
    assert.deepEqual(out.release.unmanaged, only(MONTHLY_2025_09.versions, unmodelled));
    assert.deepEqual(out.ignored, [...unmodelled].sort());
    for (const chart of ['metadata', 'audit', 'requestor', 'frontend-framework']) assert.equal(out.release.images[chart], undefined, `${chart}: the manifest names no image, none is made up`);
    // Stored as imported: read back, the release is the same.
    const read = await catalog.get('2025.07');
    assert.deepEqual(read?.images, out.release.images);
    assert.deepEqual(read?.unmanaged, out.release.unmanaged);
  });

  it('a production manifest: audit-service is the audit chart, the commons\' own frontend and the services DCOC does not model are kept as written', async () => {
    const out = await catalog.import({ version: '2025.08', format: 'manifest', content: JSON.stringify(HEALDATA) }, operator);
    const v = HEALDATA.versions;
    assert.equal(out.release.images.audit, v['audit-service']);
    assert.equal(out.release.images['frontend-framework'], `${ECR}/heal-data-commons:1.2.1`);
    assert.equal(out.release.images.portal, `${ECR}/data-portal:5.38.1`);
    assert.equal(out.release.images.arborist, `${ECR}/arborist:4.1.0`);
    assert.deepEqual(out.release.unmanaged, only(v, ['dashboard', 'fluentd', 'cedar-wrapper']));
    assert.equal(out.release.unmanaged['audit-service'], undefined, 'deployed as audit, not reported as unmanaged');
    assert.deepEqual((await catalog.get('2025.08'))?.images, out.release.images);
  });

  it('a versions value that is no image, for a service DCOC does not deploy, is kept as written, not refused', async () => {
    const out = await catalog.import({ version: '2020.04', format: 'manifest', content: JSON.stringify(NCI_CRDC_2020) }, operator);
    assert.equal(out.release.unmanaged['google-sa-validation'], 'placeholder');
    assert.equal(out.release.images.fence, 'quay.io/cdis/fence:4.12.0');
    assert.deepEqual(out.ignored, ['fluentd', 'google-sa-validation', 'jupyterhub', 'pidgin']);
  });

  it('a chart DCOC deploys needs an image with a tag: a bare tag is refused, naming the entry', () => {
    // tbi.datacommons.io before b24090a0: helm would run an image named "1.4.2".
    assert.throws(
      () => parseRelease('manifest', JSON.stringify({ versions: { fence: 'quay.io/cdis/fence:2020.06', ambassador: '1.4.2' } })),
      (e: unknown) => e instanceof ReleaseFormatError && e.field === 'body.content.versions.ambassador',
    );
    assert.throws(
      () => parseRelease('manifest', JSON.stringify({ versions: { 'audit-service': 'placeholder', fence: 'quay.io/cdis/fence:1' } })),
      (e: unknown) => e instanceof ReleaseFormatError && e.field === 'body.content.versions.audit-service',
    );
  });

  it('gen3-helm values: images of charts DCOC does not deploy are kept too', async () => {
    const out = await catalog.import(
      { version: '2026.10', format: 'helm-values', content: 'fence:\n  image: {repository: quay.io/cdis/fence, tag: "2026.10"}\npostgresql:\n  image: {repository: bitnami/postgresql, tag: "16"}\n' },
      operator,
    );
    assert.deepEqual(out.release.images, { fence: 'quay.io/cdis/fence:2026.10' });
    assert.deepEqual(out.release.unmanaged, { postgresql: 'bitnami/postgresql:16' });
  });

  it('the built-in releases are shaped like the monthly manifests: the same entries, no frontend-framework, the release notes\' names', async () => {
    const dirOf = 'backend/deployments/releases';
    const keys = Object.keys(MONTHLY_2025_09.versions).sort();
    const files = readdirSync(dirOf).filter((f) => f.endsWith('.json'));
    assert.ok(files.length >= 12);
    for (const f of files) {
      const version = f.slice(0, -'.json'.length);
      const doc = JSON.parse(readFileSync(join(dirOf, f), 'utf8')) as { versions: Record<string, string> };
      assert.deepEqual(Object.keys(doc.versions).sort(), keys, f);
      for (const [k, image] of Object.entries(doc.versions)) {
        const pinned = MONTHLY_2025_09.versions[k as keyof typeof MONTHLY_2025_09.versions];
        assert.equal(image, pinned.endsWith(':2025.09') ? pinned.replace(':2025.09', `:${version}`) : pinned, `${f} ${k}`);
      }
      const r = await catalog.get(version);
      assert.equal(r?.images['frontend-framework'], undefined, f);
      assert.deepEqual(Object.keys(r?.unmanaged ?? {}).sort(), ['fluentd', 'gen3-user-data-library', 'spark', 'tube'], f);
    }
    // Titles of releases/YYYY/MM/gen3-release-notes.md.
    assert.equal((await catalog.get('2025.10'))?.name, 'Datolite');
    assert.equal((await catalog.get('2026.05'))?.name, 'Friedelite');
    assert.equal((await catalog.get('2026.07'))?.name, 'Hambergite');
  });
});
