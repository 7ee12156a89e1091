// The events channel address is valid for every Grafana the plugin declares
//, checked with each release's own @grafana/data code:
// the oldest (src/plugin.json grafanaDependency, unpacked from the npm registry
// by scripts/tools/grafana-packages.ts) and the one the build uses. Before the
// fix the address had only `stream`, which Grafana 12.3 does not read: its
// isValidLiveChannelAddress said false and Live never subscribed.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { eventsChannel } from '../../src/live/channel';
import { findGrafanaPackage, oldestGrafana } from '../../scripts/tools/grafana-packages';

interface LiveModule {
  isValidLiveChannelAddress(addr: unknown): boolean;
  toLiveChannelId(addr: unknown): string;
}

const oldest = oldestGrafana();
const oldestData = findGrafanaPackage('@grafana/data');
if (!oldestData) {
  const reason = `@grafana/data ${oldest} is not unpacked: run \`node --import tsx scripts/tools/grafana-packages.ts\``;
  if (process.env.CI) throw new Error(`${reason}; CI must fetch it (.ci/run does)`);
  console.warn(`*** SKIPPED: ${reason} ***`);
}

// The module that holds the Live address functions, in the layout both releases ship (dist/esm/types/live.mjs).
const liveOf = (packageDir: string) => import(pathToFileURL(join(packageDir, 'dist', 'esm', 'types', 'live.mjs')).href) as Promise<LiveModule>;
const buildData = join(createRequire(import.meta.url).resolve('@grafana/data/package.json'), '..');

describe('the events channel address', () => {
  for (const [release, dir] of [
    [`Grafana ${oldest} (the oldest declared)`, oldestData],
    [`Grafana ${(createRequire(import.meta.url)('@grafana/data/package.json') as { version: string }).version} (the build's)`, buildData],
  ] as const) {
    it(`is valid and names ds/<uid>/events for ${release}`, { skip: dir ? false : `@grafana/data ${oldest} not unpacked` }, async () => {
      const live = await liveOf(dir!);
      for (const [commons, id] of [
        [undefined, 'ds/dcoc-ds/events'],
        ['data-midrc-org', 'ds/dcoc-ds/events/data-midrc-org'],
      ] as const) {
        // Grafana 13 fills `stream` in place when only `namespace` is given: hand each check its own copy.
        assert.equal(live.isValidLiveChannelAddress({ ...eventsChannel('dcoc-ds', commons) }), true, `${release}: ${JSON.stringify(eventsChannel('dcoc-ds', commons))}`);
        assert.equal(live.toLiveChannelId({ ...eventsChannel('dcoc-ds', commons) }), id);
      }
    });
  }
});
