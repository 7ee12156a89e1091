// The component tests (Vitest, jsdom, Testing Library) as one node:test
// case, so the repository's runner (scripts/run-tests.mjs) runs them too.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..', '..');

test('component tests pass (npm run test:frontend)', { timeout: 900_000 }, async () => {
  const { FORCE_COLOR: _color, ...env } = process.env;
  const child = spawn('npm', ['run', '--silent', 'test:frontend'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, NO_COLOR: '1' } });
  let output = '';
  child.stdout.on('data', (b: Buffer) => {
    output += b.toString();
    process.stdout.write(b);
  });
  child.stderr.on('data', (b: Buffer) => {
    output += b.toString();
    process.stderr.write(b);
  });
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  const plain = output.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '');
  // The failures themselves in the assertion message: CI reports keep that, not all of stdout.
  assert.equal(code, 0, `vitest failed:\n${failuresOf(plain)}`);
  // Guard against a run that found nothing to test, or skipped some.
  assert.match(plain, /Tests\s+\d+ passed/);
  assert.doesNotMatch(plain, /Tests\s+.*\d+ (failed|skipped)/);
});

/** Vitest's "Failed Tests" section (names, errors, locations), capped. */
function failuresOf(plain: string): string {
  const start = plain.indexOf('Failed Tests');
  const part = start >= 0 ? plain.slice(start) : plain.slice(-4000);
  return part.length > 6000 ? `${part.slice(0, 6000)}\n…` : part;
}
