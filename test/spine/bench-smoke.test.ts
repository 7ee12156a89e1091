// `npm run bench` in small: 20 agents from 2 load generator processes against
// a real control service, commands round-tripping, /metrics scraped, the
// saturation comparison and the bare-transport floor. It checks the bench runs and prints every figure;
// it asserts no timing (speed is the bench's to report, not a test's).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ROOT } from '../../scripts/demo/processes';

describe('npm run bench (smoke)', () => {
  it('20 lean agents in 2 processes connect, answer every command, and every figure is printed', () => {
    const args = ['--import', 'tsx', 'scripts/bench.ts', '--topology', 'sqlite', '--agents', '20', '--workers', '2', '--seconds', '16', '--commands', '10', '--blast-streams', '2', '--blast-seconds', '1'];
    const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 0, out);
    assert.match(r.stdout, /load generator {14}2 worker processes, 10 agents each/);
    assert.match(r.stdout, /agents connected {12}20 \/ 20 /);
    assert.match(r.stdout, /command round trip .*\(10\/10 no-op scale commands/);
    for (const figure of ['heartbeats/s', 'status deltas/s', 'metric samples/s ingested', 'event-loop delay', '/metrics scrapes', 'control service RSS', 'control service CPU', 'load average', 'saturation ingest', 'ingest ratio DCOC / bare']) {
      assert.match(r.stdout, new RegExp(`^  ${figure.replace(/[/]/g, '\\/')} +\\S`, 'm'), `${figure} missing:\n${r.stdout}`);
    }
    assert.match(r.stdout, /control service CPU +[\d.]+ % of one core; its event loop waited for a core \S+ % of the window/);
    // The same agents against a bare grpc-js server with mutual TLS: the transport's floor.
    assert.match(r.stdout, /bare gRPC, same agents {6}20 \/ 20 welcomed in [\d.]+ s; RSS [\d.,]+ MB, CPU [\d.]+ % of one core/);
    assert.match(r.stdout, /DCOC over bare +RSS [\d.]+×, connect [\d.]+×/);
    assert.match(r.stdout, /\/metrics scrapes {12}\d+ every 15 s, 0 failed/);
    assert.match(r.stdout, /load generator {14}2 processes: CPU [\d.]+ % of one core, RSS [\d.,]+ MB, 0 reconnects/);
  });
});
