// Everything the browser tests run against, all real: the built plugin
// (module.js and both backend executables), a control service with the
// three demo commons simulated, the two backend plugin processes started as
// Grafana starts them, and the test host in front of them.
import { rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLUGIN_SECRET, TestFleet } from '../../support/fleet';
import { startPlugin, type GrafanaHost } from '../../support/grafana-host';
import { bundleHost } from '../host/bundle';
import { GrafanaTestHost } from '../host/server';
import { builtPlugin } from '../../support/plugin-build';

export interface Stack {
  fleet: TestFleet;
  host: GrafanaTestHost;
  app: GrafanaHost;
  datasource: GrafanaHost;
  dist: string;
  stop(): Promise<void>;
}

/** podStartMs: how long a simulated pod takes to become ready; slow enough that a restart's progress can be watched. */
export async function startStack(opts: { podStartMs?: number } = {}): Promise<Stack> {
  const hostDir = mkdtempSync(join(tmpdir(), 'dcoc-host-'));
  const [built, hostScript, fleet] = await Promise.all([builtPlugin(), bundleHost(hostDir), TestFleet.start({ podStartMs: opts.podStartMs ?? 800 })]);
  const [app, datasource] = await Promise.all([
    startPlugin({ executable: built.executables.app, startTimeoutMs: 60_000 }),
    startPlugin({ executable: built.executables.datasource, startTimeoutMs: 60_000 }),
  ]);
  const host = await new GrafanaTestHost({ dist: built.dist, hostScript, app, datasource, controlUrl: fleet.control.url, pluginSecret: PLUGIN_SECRET }).start();
  return {
    fleet,
    host,
    app,
    datasource,
    dist: built.dist,
    async stop() {
      await host.stop();
      await Promise.all([app.shutdown(), datasource.shutdown()]);
      await fleet.stop();
      rmSync(hostDir, { recursive: true, force: true });
    },
  };
}
