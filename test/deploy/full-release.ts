// A release that lists every chart a Gen3 release versions, at one tag
// (third-party images at their pinned tags), for rendering tests that should
// not depend on which entries the built-in release files happen to carry.
import { PINNED_TAGS } from '../../contracts/gen3/catalog';
import { CHARTS } from '../../contracts/gen3/charts';

/** Charts no Gen3 release (cdis-manifest) lists: their chart's default image runs. */
const NOT_IN_RELEASES = new Set(['aws-sigv4-proxy']);

export function fullRelease(version: string): { version: string; images: Record<string, string> } {
  return { version, images: Object.fromEntries(CHARTS.filter((c) => !NOT_IN_RELEASES.has(c.name)).map((c) => [c.name, `${c.repository}:${PINNED_TAGS[c.name] ?? version}`])) };
}
