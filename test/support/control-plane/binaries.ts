// Where the control plane's programs are: $DCOC_KUBE_BIN_DIR (one folder
// holding all five, for a build made elsewhere), else the builds of
// scripts/tools/go-tools.ts. Missing programs skip a test loudly, or fail it
// under CI, which must have built them.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { findGoTool } from '../../../scripts/tools/go-tools';

export interface ControlPlaneBinaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kwok: string;
}

const WHERE: Record<keyof ControlPlaneBinaries, { tool: string; file: string }> = {
  etcd: { tool: 'etcd', file: 'etcd' },
  kubeApiserver: { tool: 'kubernetes', file: 'kube-apiserver' },
  kubeControllerManager: { tool: 'kubernetes', file: 'kube-controller-manager' },
  kubeScheduler: { tool: 'kubernetes', file: 'kube-scheduler' },
  kwok: { tool: 'kwok', file: 'kwok' },
};

/** The five programs, or why they cannot be had and how to get them. */
export function findControlPlaneBinaries(): { bins: ControlPlaneBinaries } | { missing: string } {
  const override = process.env.DCOC_KUBE_BIN_DIR;
  const bins: Partial<ControlPlaneBinaries> = {};
  const missing: string[] = [];
  for (const [key, w] of Object.entries(WHERE) as [keyof ControlPlaneBinaries, (typeof WHERE)[keyof ControlPlaneBinaries]][]) {
    const dir = override || findGoTool(w.tool);
    const p = dir && join(dir, w.file);
    if (p && existsSync(p)) bins[key] = p;
    else missing.push(w.file);
  }
  if (missing.length === 0) return { bins: bins as ControlPlaneBinaries };
  const how = override
    ? `not in DCOC_KUBE_BIN_DIR=${override}`
    : 'not built: run `node --import tsx scripts/tools/go-tools.ts` (needs Go; about 10 min on 2 cores the first time), or set DCOC_KUBE_BIN_DIR';
  return { missing: `Kubernetes control plane ${missing.join(', ')} ${how}` };
}

/**
 * The binaries, or undefined after a loud skip of `t`. Under CI (env CI set)
 * their absence fails the test instead: .ci/run must build them.
 */
export function requireControlPlaneBinaries(t: TestContext): ControlPlaneBinaries | undefined {
  const found = findControlPlaneBinaries();
  if ('bins' in found) return found.bins;
  skipOrFail(t, found.missing);
  return undefined;
}

/** Skips `t` loudly with `why`, or under CI fails it. */
export function skipOrFail(t: TestContext, why: string): void {
  if (process.env.CI) assert.fail(`${why}; CI must build it (see .ci/run)`);
  console.warn(`\n*** SKIPPED: ${why} ***\n`);
  t.skip(why);
}
