// `npm run bench -- --values-edit`: how the GitOps values edit scales with the
// file. The real gen3-gitops-shaped fixture repeated into files of about
// 5,000 and 50,000 lines; two keys changed in each; the best of several passes.
// Linear work shows as a time ratio near the line ratio (10).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { editValuesFile } from '../../backend/deployments/values-edit';
import { fmt } from './measure';

const FIXTURE = readFileSync(join(import.meta.dirname, '..', '..', 'test', 'deploy', 'fixtures', 'gitops-values.yaml'), 'utf8');

function file(copies: number): string {
  return Array.from({ length: copies }, (_, i) => FIXTURE.replace(/^([a-z][\w-]*):/gm, `$1-${i}:`)).join('');
}

function bestMs(text: string, copies: number, passes = 5): number {
  let best = Infinity;
  for (let p = 0; p < passes; p++) {
    const t0 = performance.now();
    editValuesFile(text, undefined, { [`fence-${copies - 1}`]: { image: { tag: '2026.08' } }, 'fence-0': { replicaCount: 3 } });
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

export function valuesEditTable(): string {
  const rows = [10, 100].map((copies) => {
    const text = file(copies);
    return { lines: text.split('\n').length, ms: bestMs(text, copies) };
  });
  const [small, big] = rows;
  return [
    '== GitOps values edit (backend/deployments/values-edit.ts), best of 5 passes',
    ...rows.map((r) => `  ${String(r.lines).padStart(6)} lines: ${fmt(r.ms)} ms`),
    `  ratio ${fmt(big.ms / small.ms)}× the time for ${fmt(big.lines / small.lines)}× the lines`,
  ].join('\n');
}
