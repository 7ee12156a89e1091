// The plugin process as Grafana sees it: the example plugin built into a single
// executable, started with Grafana's environment and no node reachable, its
// handshake, health, signals and shutdown.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { status } from '@grpc/grpc-js';
import { buildExamplePlugin, type BuiltExample } from './fixtures/build-example';
import { grafanaEnv, startPlugin, type GrafanaHost } from '../support/grafana-host';

const handshakePattern = /^1\|2\|tcp\|127\.0\.0\.1:(\d+)\|grpc$/;

let example: BuiltExample;
const running: GrafanaHost[] = [];

async function start(): Promise<GrafanaHost> {
  const host = await startPlugin({ executable: example.executable });
  running.push(host);
  return host;
}

/** Runs the executable to completion with the given environment. */
function runToExit(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(example.executable, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`did not exit; stdout=${stdout} stderr=${stderr}`));
    }, 5000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

before(async () => {
  example = await buildExamplePlugin();
});

after(() => {
  for (const host of running) host.kill();
  example?.cleanup();
});

describe('plugin process', () => {
  it('prints the handshake as its first stdout line within 2 s, with no node reachable', async () => {
    const host = await start();
    assert.match(host.handshake.line, handshakePattern);
    assert.ok(host.elapsedMs() < 2000, `handshake after ${host.elapsedMs()} ms`);
    const port = Number(handshakePattern.exec(host.handshake.line)![1]);
    assert.ok(port > 0 && port < 65536);
    // The kernel runs our executable itself, not a node found somewhere…
    assert.equal(host.runningBinary(), realpathSync(example.executable));
    // …and its PATH leads nowhere, so no node could have been found.
    const environ = readFileSync(`/proc/${host.pid}/environ`, 'utf8').split('\0');
    assert.ok(environ.includes('PATH=/nonexistent'));
    assert.ok(environ.includes('grafana_plugin_type=datasource'));
    assert.ok(environ.includes('PLUGIN_PROTOCOL_VERSIONS=2'));
    assert.equal(await host.health(), 'SERVING');
    await host.shutdown();
  });

  it('serves grpc.health.v1: "plugin" SERVING, unknown services NOT_FOUND', async () => {
    const host = await start();
    assert.equal(await host.health('plugin'), 'SERVING');
    assert.equal(await host.health(''), 'SERVING');
    await assert.rejects(host.health('nope'), (err: { code: number }) => err.code === status.NOT_FOUND);
    await host.shutdown();
  });

  it('answers UNIMPLEMENTED for methods it does not offer', async () => {
    const host = await start();
    for (const path of [
      '/pluginv2.AdmissionControl/ValidateAdmission',
      '/pluginv2.ResourceConversion/ConvertObjects',
      '/pluginv2.Data/QueryChunkedData',
      '/plugin.GRPCStdio/StreamStdio',
      '/plugin.GRPCBroker/StartStream',
      '/pluginv2.Data/NoSuchMethod',
    ]) {
      await assert.rejects(host.rawUnary(path), (err: { code: number }) => err.code === status.UNIMPLEMENTED, path);
    }
    assert.equal(await host.health(), 'SERVING', 'still serving afterwards');
    await host.shutdown();
  });

  it('exits within 2 s of GRPCController.Shutdown, without needing SIGKILL', async () => {
    const host = await start();
    const result = await host.shutdown();
    assert.equal(result.exitedInGrace, true, `exited in grace (took ${result.ms} ms)`);
    assert.ok(result.ms < 2000);
    assert.equal(result.code, 0);
    const logs = host.logs();
    assert.ok(logs.some((l) => l?.['@message'] === 'plugin shutting down' && l.reason === 'GRPCController.Shutdown'));
  });

  it('ignores SIGINT and exits on SIGTERM', async () => {
    const host = await start();
    host.signal('SIGINT');
    assert.equal(await host.waitForExit(500), undefined, 'still running after SIGINT');
    assert.equal(await host.health(), 'SERVING');
    host.signal('SIGTERM');
    const exit = await host.waitForExit(2000);
    assert.ok(exit, 'exited after SIGTERM');
    assert.equal(exit.code, 0);
  });

  it('writes nothing but the handshake to stdout, and hclog JSON to stderr', async () => {
    const host = await start();
    // QueryData in the example calls console.log on purpose.
    await host.queryData({ queries: [{ refId: 'A' }] });
    await host.callResource({ path: 'echo' });
    await host.checkHealth();
    await host.collectMetrics();
    await host.shutdown();
    assert.equal(host.stdout, host.handshake.line + '\n');
    const logs = host.logs();
    assert.ok(logs.length > 0);
    for (const [i, entry] of logs.entries()) {
      assert.ok(entry, `stderr line ${i} is JSON: ${host.stderr.split('\n')[i]}`);
      assert.equal(typeof entry['@message'], 'string');
      assert.match(String(entry['@level']), /^(trace|debug|info|warn|error)$/);
      assert.match(String(entry['@timestamp']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/);
    }
    assert.ok(logs.some((l) => l?.['@message'] === 'stray console.log from queryData' && l.source === 'console'));
  });

  it('refuses to start outside Grafana, explaining why on stderr', async () => {
    const byHand = await runToExit({ PATH: '/nonexistent' });
    assert.equal(byHand.code, 1);
    assert.equal(byHand.stdout, '');
    assert.match(byHand.stderr, /not meant to be run directly/);

    const oldHost = await runToExit({ ...grafanaEnv(), PLUGIN_PROTOCOL_VERSIONS: '1' });
    assert.equal(oldHost.code, 1);
    assert.equal(oldHost.stdout, '');
    assert.match(oldHost.stderr, /Incompatible plugin protocol/);
  });
});
