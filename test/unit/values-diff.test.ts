// The unified diff of a values file shows only the lines that changed, however
// long the file: the hand-written LCS it replaced gave up above ~2000 lines and
// printed the whole file as removed and added again.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { unifiedDiff } from '../../backend/deployments/diff';

/** A values file of `services` charts, 12 lines each. */
function bigValues(services: number, edit: (service: number, key: string, value: string) => string = (_s, _k, v) => v): string {
  const lines: string[] = [];
  for (let s = 0; s < services; s++) {
    lines.push(`svc${s}:`, '  enabled: true', `  replicaCount: ${edit(s, 'replicaCount', '2')}`, '  image:', `    repository: quay.io/cdis/svc${s}`, `    tag: "${edit(s, 'tag', '2026.07')}"`);
    lines.push('  resources:', '    requests:', '      cpu: 100m', '      memory: 128Mi', '  podAnnotations:', `    gen3.io/service: svc${s}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('unifiedDiff on a large values file', () => {
  const before = bigValues(500); // 6000 lines
  const after = bigValues(500, (s, k, v) => (s === 10 && k === 'tag' ? '2026.08' : s === 420 && k === 'replicaCount' ? '4' : v));

  it('shows only the changed lines, each in a hunk with 3 lines of context', () => {
    const text = unifiedDiff(before, after, { from: 'a/values.yaml', to: 'b/values.yaml' });
    const lines = text.trimEnd().split('\n');
    assert.deepEqual(
      lines.filter((l) => /^[-+@]/.test(l)),
      ['--- a/values.yaml', '+++ b/values.yaml', '@@ -123,7 +123,7 @@', '-    tag: "2026.07"', '+    tag: "2026.08"', '@@ -5040,7 +5040,7 @@', '-  replicaCount: 2', '+  replicaCount: 4'],
    );
    assert.equal(lines.length, 2 + 2 * (1 + 7 + 1), 'two hunks of 3 context lines, one removed, one added, 3 context lines');
  });

  it('is a patch git applies to the old file to give the new one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcoc-diff-'));
    try {
      writeFileSync(join(dir, 'values.yaml'), before);
      writeFileSync(join(dir, 'change.patch'), unifiedDiff(before, after, { from: 'a/values.yaml', to: 'b/values.yaml' }));
      execFileSync('git', ['apply', 'change.patch'], { cwd: dir });
      assert.equal(readFileSync(join(dir, 'values.yaml'), 'utf8'), after);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is empty for equal texts and ignores only a missing final newline', () => {
    assert.equal(unifiedDiff(before, before, { from: 'a', to: 'b' }), '');
    assert.equal(unifiedDiff('a: 1', 'a: 1\n', { from: 'a', to: 'b' }), '');
    assert.equal(unifiedDiff('', 'a: 1\n', { from: '/dev/null', to: 'b/values.yaml' }), '--- /dev/null\n+++ b/values.yaml\n@@ -0,0 +1,1 @@\n+a: 1\n');
  });
});
