// Which test files to run, and which of them need the built plugin.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Every *.test.ts under dir, sorted. */
export function findTestFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTestFiles(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

const RELATIVE_IMPORT = /(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g;

function resolveImport(fromFile, spec) {
  const base = resolve(dirname(fromFile), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** Whether `file` imports `target` (an absolute path), directly or through other relative imports. */
export function imports(file, target, seen = new Set()) {
  const abs = resolve(file);
  if (abs === target) return true;
  if (seen.has(abs)) return false;
  seen.add(abs);
  for (const [, spec] of readFileSync(abs, 'utf8').matchAll(RELATIVE_IMPORT)) {
    const next = resolveImport(abs, spec);
    if (next && imports(next, target, seen)) return true;
  }
  return false;
}
