// Each shipped executable, started as Grafana starts it
// and with no node reachable, prints the go-plugin handshake as its first
// stdout line within 2 s, answers health "plugin" SERVING, and exits within
// 2 s of GRPCController.Shutdown.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlugin, type GrafanaHost } from '../support/grafana-host';
import { dcocExecutables, type DcocExecutables } from './support/build';
import { canHideNode, hiddenNodeLauncher, nodeBinaries } from './support/hide-node';

const HANDSHAKE = /^1\|2\|tcp\|127\.0\.0\.1:\d+\|grpc$/;

let exes: DcocExecutables;
let work: string;
let hideNode: boolean;
const running: GrafanaHost[] = [];

before(async () => {
  exes = await dcocExecutables();
  work = mkdtempSync(join(tmpdir(), 'dcoc-process-'));
  hideNode = canHideNode();
});

after(() => {
  for (const h of running) h.kill();
  rmSync(work, { recursive: true, force: true });
});

function childrenOf(pid: number): string[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((t) => readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean));
}

for (const kind of ['app', 'datasource'] as const) {
  describe(`the ${kind} executable`, () => {
    it('is a 0755 file named as Grafana looks for it', () => {
      const exe = exes[kind];
      assert.match(exe, kind === 'app' ? /\/gpx_dcoc_app_linux_(amd64|arm64)$/ : /\/datasource\/gpx_dcoc_datasource_linux_(amd64|arm64)$/);
      assert.equal(statSync(exe).mode & 0o777, 0o755);
    });

    it('starts with no node reachable: handshake first within 2 s, health SERVING, exit within 2 s of Shutdown', async (t) => {
      const exe = exes[kind];
      const launcher = hideNode ? hiddenNodeLauncher(work, exe) : exe;
      t.diagnostic(hideNode ? `node hidden by PATH and by /dev/null over ${nodeBinaries().join(', ')}` : 'node hidden by PATH only (no mount namespaces here)');
      const host = await startPlugin({ executable: launcher });
      running.push(host);

      assert.match(host.handshake.line, HANDSHAKE);
      assert.ok(host.elapsedMs() < 2000, `handshake after ${host.elapsedMs()} ms`);
      // The process is the shipped runtime, started by the launcher through the loader shipped beside it (same PID): no node found anywhere, no child.
      const runtime = `${realpathSync(exe)}.runtime`;
      assert.equal(host.runningBinary(), join(runtime, readdirSync(runtime).find((f) => f.startsWith('ld-linux'))!));
      assert.ok(readFileSync(`/proc/${host.pid}/cmdline`, 'utf8').split('\0').includes(join(runtime, exe.split('/').pop()!)), 'running the runtime beside the launcher');
      assert.deepEqual(childrenOf(host.pid), []);
      const environ = readFileSync(`/proc/${host.pid}/environ`, 'utf8').split('\0');
      for (const v of ['PATH=/nonexistent', 'grafana_plugin_type=datasource', 'PLUGIN_PROTOCOL_VERSIONS=2']) assert.ok(environ.includes(v), v);
      if (hideNode) assert.notEqual(readlinkSync(`/proc/${host.pid}/ns/mnt`), readlinkSync('/proc/self/ns/mnt'), 'runs where node is covered');

      assert.equal(await host.health('plugin'), 'SERVING');
      const stop = await host.shutdown();
      assert.equal(stop.exitedInGrace, true, `exited by itself (after ${stop.ms} ms)`);
      assert.ok(stop.ms < 2000, `exited ${stop.ms} ms after Shutdown`);
      assert.equal(stop.code, 0);
      assert.equal(host.stdout, `${host.handshake.line}\n`, 'nothing but the handshake on stdout');
    });
  });
}
