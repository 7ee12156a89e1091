// The committed protobuf TypeScript (contracts/pb, plugin/sdk/pb) is exactly
// what `npm run gen:proto` makes from today's .proto files and generator.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { generateProto, repoRoot, templates } from '../../scripts/proto/generate';

const fresh = mkdtempSync(join(tmpdir(), 'dcoc-proto-'));
after(() => rmSync(fresh, { recursive: true, force: true }));

function files(root: string, dir: string): Map<string, string> {
  return new Map(readdirSync(join(root, dir)).sort().map((name) => [name, readFileSync(join(root, dir, name), 'utf8')]));
}

it('the committed generated code matches a fresh generation', () => {
  generateProto(fresh);
  for (const { out } of templates) {
    const committed = files(repoRoot, out);
    const generated = files(fresh, out);
    assert.deepEqual([...committed.keys()], [...generated.keys()], `${out}: files differ; run npm run gen:proto`);
    for (const [name, text] of generated) {
      assert.ok(committed.get(name) === text, `${out}/${name} is stale; run npm run gen:proto and commit the result`);
    }
  }
});
