// Shared by the deploy tests on the real control plane.
import assert from 'node:assert/strict';
import type { ReleaseView } from '../../contracts/api';
import type { TestFleet } from '../support/fleet';

/** Imports release 2026.09, in which only fence (and so presigned-url-fence) and indexd move on from 2026.07; returns an operator token. */
export async function importRelease(fleet: TestFleet): Promise<string> {
  const operator = await fleet.tokenFor('operator');
  const base = (await fleet.admin<ReleaseView>('GET', '/api/v1/releases/2026.07')).body.images;
  const versions = { ...base, fence: 'quay.io/cdis/fence:2026.09', indexd: 'quay.io/cdis/indexd:2026.09', fluentd: 'fluent/fluentd-kubernetes-daemonset:v1.15.3-debian-cloudwatch-1.0' };
  const imp = await fleet.api<{ release: ReleaseView; ignored: string[] }>(operator, 'POST', '/api/v1/releases', {
    version: '2026.09',
    format: 'manifest',
    content: JSON.stringify({ notes: ['Core Gen3 Release 2026.09 (Test)'], versions }),
  });
  assert.equal(imp.status, 201, JSON.stringify(imp.body));
  assert.deepEqual(imp.body.ignored, ['fluentd']);
  assert.equal(imp.body.release.name, 'Test');
  return operator;
}
