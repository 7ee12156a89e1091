// What the bench reads and how it prints it: /proc figures of a process,
// a Prometheus scrape, percentiles, a bounded worker pool.
import { readFileSync } from 'node:fs';

export const fmt = (n: number, d = 1): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : 'n/a';

/** The p-th percentile (nearest rank); NaN when there is nothing to rank. */
export function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  return xs.slice().sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function pool<T>(items: T[], width: number, fn: (t: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

/** CPU seconds used so far and resident memory of a local process; null when it is gone or not ours to read. */
/**
 * CPU seconds (all threads), RSS, and how long the main thread (Node's event
 * loop) has waited, runnable, for a core (schedstat's run delay): on a shared
 * machine, event-loop delay includes that wait.
 */
export function procStats(pid: number): { cpuS: number; rssMb: number; waitS: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuS = (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ (100)
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    let waitS = NaN;
    try {
      waitS = Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
    } catch {
      /* kernel without schedstats */
    }
    return { cpuS, rssMb: rssKb / 1024, waitS };
  } catch {
    return null;
  }
}

export async function scrape(url: string): Promise<Map<string, number>> {
  return parseMetrics(await (await fetch(`${url}/metrics`)).text());
}

/** Prometheus text: series (name and labels as written) to value. */
export function parseMetrics(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}

/** Agent streams a control service holds itself (its /readyz), 0 while it is not ready. */
export async function agentsHeld(url: string): Promise<number> {
  const r = await fetch(`${url}/readyz`);
  if (!r.ok) return 0;
  return ((await r.json()) as { agents?: number }).agents ?? 0;
}
