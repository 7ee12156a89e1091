// Image references in release imports and overrides:
// the check runs in linear time and refuses an over-long reference by its
// length, naming the field. Before the fix the pattern had two overlapping ways
// to match a path: a 96 KB image in a release import held the event loop for
// about 10 s (this test then took as long, and failed on the message).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MAX_IMAGE_REF, isImageRef } from '../../contracts/gen3/charts';
import { ReleaseFormatError, parseRelease } from '../../backend/deployments/release-parse';

it('accepts the image references Gen3 releases use', () => {
  for (const image of [
    'quay.io/cdis/fence:2026.07',
    'quay.io/datawire/ambassador:1.4.2',
    'quay.io/cdis/workspace-token-service:2026.09-hotfix',
    'localhost:5000/gen3/fence:1',
    'docker.io/library/nginx:1.25',
    'fluent/fluentd-kubernetes-daemonset:v1.15.3-debian-cloudwatch-1.0',
    'quay.io/cdis/data_portal__x:2026.07',
  ]) {
    assert.equal(isImageRef(image), true, image);
  }
  for (const image of ['quay.io/cdis/fence', 'Quay.io/cdis/fence:1', 'quay.io//fence:1', '-quay.io/fence:1', 'quay.io/fence:', 'quay.io/fence:1 ', 'quay.io/fence@sha256:ab']) {
    assert.equal(isImageRef(image), false, image);
  }
});

it('a hostile 96 KB image in a release import is refused by its length, naming the field', () => {
  // The shape that made the old pattern backtrack: a long path of one-letter components and no tag.
  const image = `quay.io/${'a/'.repeat(48 * 1024)}x`;
  const content = JSON.stringify({ versions: { fence: image } });
  assert.throws(
    () => parseRelease('manifest', content),
    (e: unknown) => e instanceof ReleaseFormatError && e.field === 'body.content.versions.fence' && e.message === `is ${image.length} characters long; an image reference has at most ${MAX_IMAGE_REF}`,
  );
  // Just under the limit, the same shape is checked (and refused) by the pattern itself.
  assert.equal(isImageRef(`quay.io/${'a/'.repeat(250)}x`), false);
});
