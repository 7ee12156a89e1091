// The setup the plugin tests share: a TestFleet and the shipped DCOC
// executables started under a Grafana host (this project's TypeScript one, or
// Grafana's own Go client), the fleet's commons waited healthy, before the
// tests of a file or describe block; everything stopped after them.
//
//   const rig = pluginFleet(GO_CLIENT, ['datasource'], { commons: [DEMO_COMMONS[1]] });
//   it('…', async () => { await rig.datasource.queryData({ pluginContext: dsContext({ controlUrl: rig.fleet.control.url }), … }); });
import { after, before } from 'node:test';
import type { CommonsSummary } from '../../../contracts/api';
import { DEMO_COMMONS, type CommonsSpec } from '../../../scripts/demo/processes';
import { TestFleet } from '../../support/fleet';
import { GoGrafanaHost } from '../../support/go-grafana-host';
import { startPlugin, type GrafanaHost } from '../../support/grafana-host';
import { dcocExecutables, type DcocExecutables } from './build';

/** How a kind of host starts a plugin executable and stops it as Grafana does. */
export interface PluginHosts<H> {
  start(executable: string): Promise<H>;
  stop(host: H): Promise<unknown>;
}

/** This project's TypeScript stand-in for Grafana (test/support/grafana-host.ts). */
export const TS_HOST: PluginHosts<GrafanaHost> = {
  start: (executable) => startPlugin({ executable }),
  stop: (host) => host.shutdown(),
};

/** Grafana's own plugin client, go-plugin + grafana-plugin-sdk-go (test/support/go-grafana-host.ts). */
export const GO_CLIENT: PluginHosts<GoGrafanaHost> = {
  start: (executable) => GoGrafanaHost.start(executable),
  stop: (host) => host.stop(),
};

export type PluginKind = keyof DcocExecutables;

/** What the before hook started; read it in tests and hooks registered after pluginFleet. */
export type PluginFleet<H, K extends PluginKind> = {
  fleet: TestFleet;
  /** The fleet's commons, each healthy with its agent connected. */
  commons: CommonsSummary[];
} & Record<K, H>;

export interface PluginFleetOptions<H, K extends PluginKind> {
  /** The fleet's commons; default the three demo ones. */
  commons?: CommonsSpec[];
  /** More environment for its control service. */
  controlEnv?: NodeJS.ProcessEnv;
  /**
   * More setup once all is up, in the same before hook. (Node 20 does not
   * wait for one top-level before hook to end before it starts the next.)
   */
  ready?: (rig: PluginFleet<H, K>) => Promise<unknown>;
}

/**
 * Registers the before and after hooks of the current file or describe block:
 * the fleet and one host per executable in `plugins`, started in parallel;
 * then the wait for every commons to be healthy, then `ready`.
 */
export function pluginFleet<H, K extends PluginKind>(hosts: PluginHosts<H>, plugins: readonly K[], opts: PluginFleetOptions<H, K> = {}): PluginFleet<H, K> {
  const rig = {} as PluginFleet<H, K>;
  before(async () => {
    const [exes, fleet] = await Promise.all([dcocExecutables(), TestFleet.start({ commons: opts.commons, controlEnv: opts.controlEnv })]);
    rig.fleet = fleet;
    await Promise.all(
      plugins.map(async (kind) => {
        (rig as Record<K, H>)[kind] = await hosts.start(exes[kind]);
      }),
    );
    rig.commons = await fleet.healthyCommons((opts.commons ?? DEMO_COMMONS).length);
    await opts.ready?.(rig);
  });
  after(async () => {
    // Only what started: a failed before hook leaves the rest unset.
    await Promise.all(plugins.flatMap((kind) => (rig[kind] === undefined ? [] : [hosts.stop(rig[kind])])));
    await rig.fleet?.stop();
  });
  return rig;
}
