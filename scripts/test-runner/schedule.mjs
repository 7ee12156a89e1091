// The order and overlap of test files. Longest first (by the last run's wall
// time), so the long ones do not start last; and as many at once as the CPU
// allows: each file brings its share of a core (its last run's CPU time over
// its wall time), and files start while the shares of those running fit in
// the cores with some overcommit, since most files spend much of their time
// waiting (timers, polling, child processes starting up).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Before a file's first measured run: what files of its kind take (wall s, cores). */
const FIRST_GUESS = [
  [/test\/fuzz\//, { wallS: 40, load: 1 }],
  [/test\/(kube-real|browser)\//, { wallS: 20, load: 1 }],
  [/test\/(deploy|observability|frontend|plugin-grafana)\//, { wallS: 10, load: 0.6 }],
  [/./, { wallS: 3, load: 0.4 }],
];

export function readHistory(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
}

export function writeHistory(file, history) {
  if (!existsSync(dirname(file))) mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(history, null, 1)}\n`);
}

/** Expected wall seconds and cores for a file. */
export function estimate(file, history) {
  const h = history[file];
  if (h && h.wallS > 0 && Number.isFinite(h.cpuS)) return { wallS: h.wallS, load: Math.min(1, Math.max(0.05, h.cpuS / h.wallS)) };
  return FIRST_GUESS.find(([re]) => re.test(file))[1];
}

/**
 * Runs `start(job)` for every job, keeping the sum of running loads within
 * `cores * overcommit` and at most `maxJobs` at once; resolves when all ended.
 * jobs: { name, wallS, load }. start returns a promise.
 */
export async function schedule(jobs, { cores, overcommit, maxJobs }, start) {
  const queue = [...jobs].sort((a, b) => b.wallS - a.wallS);
  const budget = cores * overcommit;
  const running = new Set();
  let load = 0;
  await new Promise((allDone) => {
    const next = () => {
      if (queue.length === 0 && running.size === 0) return allDone();
      while (queue.length > 0 && running.size < maxJobs) {
        // The longest waiting file goes first when it fits; a shorter one may
        // go ahead of it only if it fits as well and ends no later than the
        // first running file is expected to, so it does not hold the long one back.
        const soonestEnd = Math.min(...[...running].map((j) => j.expectedEnd));
        const i = queue.findIndex((j, k) => load + j.load <= budget + 1e-9 && (k === 0 || Date.now() + j.wallS * 1000 <= soonestEnd));
        if (i < 0 && running.size > 0) break;
        const job = queue.splice(Math.max(i, 0), 1)[0];
        job.expectedEnd = Date.now() + job.wallS * 1000;
        running.add(job);
        load += job.load;
        Promise.resolve(start(job)).finally(() => {
          running.delete(job);
          load -= job.load;
          next();
        });
      }
    };
    next();
  });
}
