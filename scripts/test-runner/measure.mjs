// Runs one test file in its own process group and measures it: wall time,
// and CPU time of the whole process tree (bash's `times` counts every
// descendant that was waited for: node:test's child, kube-apiserver, Chromium, …).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TIMES = '"$@"; rc=$?; times > "$0"; exit $rc';

/** Seconds from one `times` line ("0m1.250s 0m0.310s"): user + system. */
function cpuSeconds(line) {
  return [...line.matchAll(/(\d+)m([\d.]+)s/g)].reduce((s, [, m, sec]) => s + Number(m) * 60 + Number(sec), 0);
}

/** node:test's TAP summary lines: # tests N, # pass N, … */
function tapCounts(tap) {
  const counts = {};
  for (const [, key, n] of tap.matchAll(/^# (tests|pass|fail|cancelled|skipped|todo) (\d+)$/gm)) counts[key] = Number(n);
  return counts;
}

/**
 * Spawns `command` (argv) with `{tap}` in its arguments replaced by a file for
 * TAP output. Resolves with exit code, combined output, counts and timings.
 * `children` receives the process id while it runs (to stop it on Ctrl-C).
 */
export function runMeasured(command, { env, cwd, children }) {
  const scratch = mkdtempSync(join(tmpdir(), 'dcoc-run-tests-'));
  const timesFile = join(scratch, 'times');
  const tapFile = join(scratch, 'tap');
  const argv = command.map((a) => a.replace('{tap}', tapFile));
  const started = process.hrtime.bigint();
  // detached: its own process group, so what it leaves running can be stopped with it.
  const child = spawn('bash', ['-c', TIMES, timesFile, ...argv], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child.pid);
  const chunks = [];
  child.stdout.on('data', (b) => chunks.push(b));
  child.stderr.on('data', (b) => chunks.push(b));
  return new Promise((resolvePromise) => {
    let wallS = NaN;
    let exitCode = 1;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(stuck);
      const read = (f) => {
        try {
          return readFileSync(f, 'utf8');
        } catch {
          return '';
        }
      };
      const timesLines = read(timesFile).trim().split('\n');
      const tap = read(tapFile);
      rmSync(scratch, { recursive: true, force: true });
      resolvePromise({ code: exitCode, output: Buffer.concat(chunks).toString(), counts: tapCounts(tap), wallS, cpuS: timesLines.length === 2 ? cpuSeconds(timesLines[1]) : NaN });
    };
    let stuck;
    child.on('exit', (code, signal) => {
      wallS = Number(process.hrtime.bigint() - started) / 1e9;
      exitCode = code ?? (signal ? 128 : 1);
      children.delete(child.pid);
      // Processes a test left behind would otherwise keep the cores busy for the next files.
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is already empty
      }
      // A process that left the group may still hold the pipes open: stop waiting for them.
      stuck = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish();
      }, 5000);
    });
    child.on('close', () => finish());
  });
}
