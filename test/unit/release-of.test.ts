// Versions and the commons' release, read honestly from images. Facts from uc-cdis/cdis-manifest at
// 64134748fada575f172a50ce363e21c86007a9bc (the commit each manifest.json
// last changed in, in brackets) and uc-cdis/gen3-helm at 42cc46bc:
// - healdata.org/manifest.json [049f789e]: arborist 4.1.0, hatchery 2.3.0,
//   portal 5.38.1 beside 2025.05; frontend-framework heal-data-commons:1.2.1.
// - data.midrc.org/manifest.json [3e235d9d]: fence 11.2.2 beside 2025.06.
// - gen3.biodatacatalyst.nhlbi.nih.gov/manifest.json [41c37f51]: portal
//   feature_data_library beside 2025.04; frontend-framework
//   bdc-data-commons:main.
// - va.data-commons.org/manifest.json [c5f29aa0]: wts 2025.01.24.
// - gen3-helm helm/<chart>/values.yaml: fence, portal, audit, requestor
//   default to tag master; frontend-framework to
//   quay.io/cdis/commons-frontend-app:main.
// Before the fix the release was the most common YYYY.MM tag whatever the
// others ran (healdata showed plain "2025.05", a commons half way from
// 2026.07 to 2026.08 showed "2026.08", one on master showed nothing) and a
// digest-pinned image's version was the digest's hex without its algorithm.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { imageVersion, readRelease, releaseOf } from '../../agent/core/release-of';
import { serviceState } from '../../agent/core/service-status';
import type { WorkloadFacts } from '../../agent/core/types';
import { releaseOf as fromWorkloads } from '../../agent/kubernetes/workloads';
import { ECR, HEALDATA } from '../support/cdis-manifests';

const DIGEST = 'sha256:9b2a3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b';

/** The Deployments an agent sees for a commons running `versions` (cdis-manifest names → gen3-helm services). */
function workloads(versions: Record<string, string>): { name: string; image: string }[] {
  return Object.entries(versions).map(([k, image]) => ({ name: k === 'audit-service' ? 'audit' : k, image }));
}

const month = (tag: string, names: string[], repo = 'quay.io/cdis') => Object.fromEntries(names.map((n) => [n, `${repo}/${n}:${tag}`]));
const GEN3 = ['arborist', 'fence', 'indexd', 'sheepdog', 'peregrine', 'metadata', 'audit', 'manifestservice', 'wts', 'hatchery', 'revproxy', 'portal'];

describe('a service\'s version is what its image says', () => {
  it('the tag as written: release, master, main, semver, hotfix', () => {
    assert.equal(imageVersion('quay.io/cdis/fence:2026.07'), '2026.07');
    assert.equal(imageVersion('quay.io/cdis/fence:master'), 'master');
    assert.equal(imageVersion(`${ECR}/bdc-data-commons:main`), 'main');
    assert.equal(imageVersion(`${ECR}/heal-data-commons:1.2.1`), '1.2.1');
    assert.equal(imageVersion(`${ECR}/hatchery:2.3.0`), '2.3.0');
    assert.equal(imageVersion('quay.io/cdis/aws-es-proxy:v1.3.1'), 'v1.3.1');
    assert.equal(imageVersion(`${ECR}/workspace-token-service:2025.01.24`), '2025.01.24');
    assert.equal(imageVersion(`${ECR}/data-portal:feature_data_library`), 'feature_data_library');
  });

  it('a digest, when the image is pinned by one (after the tag when both are given); latest when neither; nothing without an image', () => {
    assert.equal(imageVersion(`quay.io/cdis/fence@${DIGEST}`), 'sha256:9b2a3c4d5e6f');
    assert.equal(imageVersion(`quay.io/cdis/fence:2026.07@${DIGEST}`), '2026.07@sha256:9b2a3c4d5e6f');
    assert.equal(imageVersion('localhost:5000/gen3/fence'), 'latest');
    assert.equal(imageVersion('abutaha/aws-es-proxy'), 'latest');
    assert.equal(imageVersion(''), '');
  });

  it('the agent reports that version for each service', () => {
    const w: WorkloadFacts = {
      name: 'fence',
      deployment: 'fence-deployment',
      desired: 1,
      ready: 1,
      updated: 1,
      image: `quay.io/cdis/fence@${DIGEST}`,
      restartedAt: null,
      restartCount: 0,
      reason: '',
      reasonIsFatal: false,
      rollout: '',
    } as WorkloadFacts;
    assert.equal(serviceState(w, null, false).version, 'sha256:9b2a3c4d5e6f');
    assert.equal(serviceState({ ...w, image: `${ECR}/heal-data-commons:1.2.1` }, null, false).version, '1.2.1');
  });
});

describe('the release a commons runs', () => {
  it('the release when every Gen3 service runs it; ambassador, aws-es-proxy and frontend-framework keep their own versions', () => {
    const all = {
      ...month('2026.07', GEN3),
      ambassador: 'quay.io/datawire/ambassador:1.4.2',
      'aws-es-proxy': 'quay.io/cdis/aws-es-proxy:v1.3.1',
      'frontend-framework': `${ECR}/heal-data-commons:1.2.1`,
    };
    assert.equal(releaseOf(workloads(all)), '2026.07');
    // Bare images (the simulator's form): known by their image names.
    assert.equal(releaseOf([...Object.values(month('2026.07', GEN3)), 'quay.io/datawire/ambassador:1.4.2', 'quay.io/cdis/commons-frontend-app:main']), '2026.07');
  });

  it('healdata.org: 2025.05, which 12 of its 15 services run', () => {
    // Its Deployments: the manifest's versions less those that are no Deployment DCOC reads (dashboard, fluentd, cedar-wrapper).
    const heal = Object.fromEntries(Object.entries(HEALDATA.versions).filter(([k]) => !['dashboard', 'fluentd', 'cedar-wrapper'].includes(k)));
    const r = readRelease(workloads(heal));
    assert.equal(r.text, '2025.05');
    assert.equal(r.release, '2025.05');
    assert.equal(r.counted, 15);
  });

  it('data.midrc.org and BioData Catalyst: one service off the release; the release is what the others run', () => {
    const midrc = { ...month('2025.06', GEN3, ECR), fence: `${ECR}/fence:11.2.2` };
    assert.equal(releaseOf(workloads(midrc)), '2025.06');
    const bdc = { ...month('2025.04', GEN3, ECR), portal: `${ECR}/data-portal:feature_data_library`, 'frontend-framework': `${ECR}/bdc-data-commons:main` };
    assert.equal(releaseOf(workloads(bdc)), '2025.04');
    // A hotfix build is not the month's release (va.data-commons.org's wts).
    const va = { ...month('2025.01', GEN3, ECR), wts: `${ECR}/workspace-token-service:2025.01.24` };
    assert.equal(releaseOf(workloads(va)), '2025.01');
  });

  it('a release most Gen3 services do not run is not claimed: half way through an upgrade it is mixed', () => {
    const half = { ...month('2026.07', GEN3.slice(0, 6)), ...month('2026.08', GEN3.slice(6)) };
    const r = readRelease(workloads(half));
    assert.equal(r.text, 'mixed');
    assert.equal(r.release, null);
    const spread = { ...month('2026.07', GEN3.slice(0, 5)), ...month('2026.08', GEN3.slice(5, 9)), ...month('master', GEN3.slice(9)) };
    assert.equal(releaseOf(workloads(spread)), 'mixed');
  });

  it('gen3-helm\'s defaults: master everywhere is said as master, not as no release', () => {
    const defaults = { ...month('master', GEN3), 'frontend-framework': 'quay.io/cdis/commons-frontend-app:main' };
    const r = readRelease(workloads(defaults));
    assert.equal(r.text, 'master');
    assert.equal(r.release, null, 'master is no Gen3 release');
    assert.equal(releaseOf([]), '');
  });

  it('the Kubernetes agent reads it the same way (workloads.ts re-exports it)', () => {
    assert.equal(fromWorkloads(workloads({ ...month('2025.06', GEN3, ECR), fence: `${ECR}/fence:11.2.2` })), '2025.06');
  });
});
