// Runs test/**/*.test.ts with Node's test runner (tsx for TypeScript), each
// file in its own process, several at once (scripts/test-runner/schedule.mjs),
// the plugin built once beforehand for the files that use it
// (test/support/plugin-build.ts). Each file's output is printed whole when it
// ends, then a table of every file's wall and CPU time.
//
//   node scripts/run-tests.mjs [options] [path-substring ...]
//     -j N, --jobs N           at most N files at once (default: 3 per core); -j 1 runs them one by one
//     --test-name-pattern=RE   and any other --test-* option: passed to node --test
//     --quiet                  print the output of failing files only
//     --save-seed              keep this run's times as the first guess of fresh checkouts
//
// The component tests (Vitest) are not run here: `npm run test:frontend`.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { findTestFiles, imports } from './test-runner/files.mjs';
import { runMeasured } from './test-runner/measure.mjs';
import { estimate, readHistory, schedule, writeHistory } from './test-runner/schedule.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const HISTORY = join(ROOT, '.data', 'test-times.json');
/** Times measured on a 2-core machine, for a checkout that has not run the tests yet (CI): `--save-seed` rewrites it from this run. */
const SEED = join(ROOT, 'scripts', 'test-runner', 'times-seed.json');
const PLUGIN_BUILD = join(ROOT, 'test', 'support', 'plugin-build.ts');
const CORES = availableParallelism();
/** Files mostly wait, so more than one per core; kept modest since the slowest are CPU-bound. */
const OVERCOMMIT = 1.5;

function parseArgs(argv) {
  const opts = { jobs: CORES * 3, quiet: false, saveSeed: false, nodeArgs: [], filters: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-j' || a === '--jobs') opts.jobs = Number(argv[++i]);
    else if (a.startsWith('--jobs=')) opts.jobs = Number(a.slice('--jobs='.length));
    else if (a === '--quiet') opts.quiet = true;
    else if (a === '--save-seed') opts.saveSeed = true;
    else if (a.startsWith('--test-')) opts.nodeArgs.push(a);
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else opts.filters.push(a);
  }
  if (!(Number.isInteger(opts.jobs) && opts.jobs >= 1)) throw new Error('--jobs needs a whole number ≥ 1');
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const files = findTestFiles(join(ROOT, 'test'))
  .map((f) => f.slice(ROOT.length + 1))
  .filter((f) => opts.filters.length === 0 || opts.filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}


const children = new Set();
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const pid of children) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    process.exit(130);
  });
}

const history = { ...readHistory(SEED), ...readHistory(HISTORY) };
const jobs = files.map((f) => ({ name: f, ...estimate(f, history), command: ['node', '--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', '--test-reporter-destination={tap}', ...opts.nodeArgs, f] }));
// The plugin build is a job of its own, first in line: files that need it wait for it (test/support/plugin-build.ts locks).
if (files.some((f) => imports(join(ROOT, f), PLUGIN_BUILD))) {
  jobs.push({ name: 'build: the plugin (test/support/plugin-build.ts)', wallS: Infinity, load: 1, build: true, command: ['node', '--import', 'tsx', PLUGIN_BUILD] });
}

const results = [];
const t0 = Date.now();
await schedule(jobs, { cores: CORES, overcommit: OVERCOMMIT, maxJobs: opts.jobs }, async (job) => {
  const startedS = (Date.now() - t0) / 1000;
  let r;
  try {
    r = await runMeasured(job.command, { cwd: ROOT, env: process.env, children });
  } catch (e) {
    r = { code: 1, output: String(e?.stack ?? e), counts: {}, wallS: NaN, cpuS: NaN };
  }
  results.push({ job, startedS, ...r });
  const status = r.code === 0 ? 'ok' : `FAILED (exit ${r.code})`;
  const head = `━━ ${job.name}: ${status}, ${r.wallS.toFixed(1)} s wall, ${r.cpuS.toFixed(1)} s CPU`;
  if (!opts.quiet || r.code !== 0) process.stdout.write(`\n${head}\n${r.output}`);
  else process.stdout.write(`${head}\n`);
});
const wallS = (Date.now() - t0) / 1000;

for (const r of results) if (!r.job.build && r.code === 0 && Number.isFinite(r.cpuS)) history[r.job.name] = { wallS: +r.wallS.toFixed(2), cpuS: +r.cpuS.toFixed(2) };
writeHistory(HISTORY, history);
if (opts.saveSeed) writeHistory(SEED, Object.fromEntries(Object.entries(history).filter(([f]) => existsSync(join(ROOT, f))).sort(([a], [b]) => a.localeCompare(b))));

const sum = (key) => results.reduce((s, r) => s + (r.counts[key] ?? 0), 0);
const failed = results.filter((r) => r.code !== 0);
console.log('\n━━ per file, slowest first: wall s, CPU s, started at s, tests (pass/fail/skipped)');
for (const r of [...results].sort((a, b) => b.wallS - a.wallS)) {
  const c = r.counts;
  console.log(`${r.wallS.toFixed(1).padStart(7)} ${r.cpuS.toFixed(1).padStart(7)} ${r.startedS.toFixed(0).padStart(5)}  ${String(c.pass ?? '-').padStart(3)}/${c.fail ?? '-'}/${c.skipped ?? '-'}  ${r.code === 0 ? '' : 'FAILED '}${r.job.name}`);
}
const cpuTotal = results.reduce((s, r) => s + (Number.isFinite(r.cpuS) ? r.cpuS : 0), 0);
console.log(
  `\n# files ${files.length}\n# tests ${sum('tests')}\n# pass ${sum('pass')}\n# fail ${sum('fail')}\n# cancelled ${sum('cancelled')}\n# skipped ${sum('skipped')}\n# todo ${sum('todo')}` +
    `\n# wall ${wallS.toFixed(1)} s on ${CORES} cores (files' CPU ${cpuTotal.toFixed(1)} s)`,
);
if (failed.length > 0) {
  console.log(`\nfailed:\n${failed.map((r) => `  ${r.job.name}`).join('\n')}`);
  process.exit(1);
}
