// Each executable's life under go-plugin's own client, as Grafana runs it:
// the handshake go-plugin accepts (protocol 2, gRPC), Kill() (GRPCController
// Shutdown, then up to 2 s before SIGKILL) ending in an exit of its own, a
// death go-plugin notices, and go-plugin's own errors for plugins that do not
// start.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeUnless, GoGrafanaHost, grafanaHostMissing, PluginStartError } from '../support/go-grafana-host';
import { dcocExecutables, type DcocExecutables } from '../plugin-dcoc/support/build';

/** go-plugin's grace between Shutdown and SIGKILL (client.go Kill). */
const GRACE_MS = 2000;

const missing = grafanaHostMissing('the plugin process under Grafana’s plugin client');

describeUnless(missing, 'the executables under go-plugin’s client', () => {
  let exes: DcocExecutables;
  let work: string;

  before(async () => {
    exes = await dcocExecutables();
    work = mkdtempSync(join(tmpdir(), 'dcoc-go-host-'));
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  for (const kind of ['app', 'datasource'] as const) {
    it(`${kind}: starts with protocol 2 over gRPC on loopback, and exits by itself within the grace on Kill`, async () => {
      const host = await GoGrafanaHost.start(exes[kind]);
      try {
        assert.deepEqual([host.started.negotiatedVersion, host.started.protocol], [2, 'grpc']);
        assert.match(host.started.addr, /^127\.0\.0\.1:\d+$/);
        assert.ok(existsSync(`/proc/${host.pid}`));
        const k = await host.kill();
        assert.equal(k.exitedByItself, true, `go-plugin did not SIGKILL it (${k.ms} ms)`);
        assert.ok(k.ms < GRACE_MS, `Kill took ${k.ms} ms`);
        assert.deepEqual([k.exited, k.exitLogged, k.exitError], [true, true, ''], 'a clean exit, noticed by go-plugin');
        assert.ok(!existsSync(`/proc/${host.pid}`), 'the process is gone');
        // The plugin's stderr, parsed by go-plugin as hclog JSON at its own level (a line it cannot parse is logged whole, at debug).
        const logs = host.logs();
        assert.ok(logs.some((l) => l['@message'] === 'plugin shutting down' && l['@level'] === 'info' && l.reason === 'GRPCController.Shutdown'), 'the shutdown line, as info');
        assert.deepEqual(logs.filter((l) => String(l['@message']).startsWith('{')), [], 'no stderr line go-plugin could not parse');
      } finally {
        await host.close();
      }
    });
  }

  it('a plugin that dies is noticed as exited (what Grafana polls to restart it)', async () => {
    const host = await GoGrafanaHost.start(exes.datasource);
    try {
      process.kill(host.pid, 'SIGKILL');
      const w = await host.waitExit(5_000);
      assert.deepEqual([w.exited, w.exitError], [true, 'signal: killed']);
    } finally {
      await host.close();
    }
  });

  /** A stand-in executable, for the start failures go-plugin reports. */
  function script(name: string, body: string): string {
    const file = join(work, name);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
    return file;
  }

  async function startError(executable: string): Promise<PluginStartError> {
    const err = await GoGrafanaHost.start(executable).then(
      async (h) => {
        await h.close();
        return assert.fail('it started');
      },
      (e: unknown) => e,
    );
    assert.ok(err instanceof PluginStartError, String(err));
    return err;
  }

  it("a plugin that exits before its handshake: go-plugin's error, and its stderr in the log", async () => {
    const err = await startError(script('exits', 'echo "no config, giving up" >&2; exit 1'));
    // Which of the two go-plugin says depends on whether it sees stdout close or the exit first (client.go Start).
    assert.match(err.message, /plugin exited before we could connect|Failed to read any lines from plugin's stdout/);
    assert.match(err.stderr, /no config, giving up/);
  });

  it('a plugin that speaks another protocol version or net/rpc is refused', async () => {
    assert.match((await startError(script('v1', 'echo "1|1|tcp|127.0.0.1:1234|grpc"; exec sleep 10'))).message, /^incompatible API version with plugin\. Plugin version: 1, Client versions: \[2\]$/);
    assert.match((await startError(script('netrpc', 'echo "1|2|tcp|127.0.0.1:1234|netrpc"; exec sleep 10'))).message, /^unsupported plugin protocol "netrpc"\. Supported: \[grpc\]$/);
  });

  it('an executable Grafana cannot run: the exec error', async () => {
    const file = join(work, 'not-executable');
    writeFileSync(file, '#!/bin/sh\n');
    chmodSync(file, 0o644);
    assert.match((await startError(file)).message, /permission denied/);
  });
});
