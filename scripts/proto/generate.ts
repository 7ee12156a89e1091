// Generates the TypeScript of every .proto in the repository with one
// generator (ts-proto, run by buf: no protoc, works offline): messages,
// binary codecs and grpc-js service definitions and clients. The output is
// committed; test/proto/generated-code.test.ts fails when it is stale.
//
//   npm run gen:proto            → into the repository
//   generateProto(otherRoot)     → the same tree under another root
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** One template per output folder (see each file for its options). */
export const templates = [
  { template: 'scripts/proto/buf.gen.agent.yaml', out: 'contracts/pb' },
  { template: 'scripts/proto/buf.gen.plugin.yaml', out: 'plugin/sdk/pb' },
] as const;

/** Writes every generated file under outRoot (the repository by default), paths as in the repository. */
export function generateProto(outRoot: string = repoRoot): void {
  const buf = join(repoRoot, 'node_modules/.bin/buf');
  for (const { template } of templates) {
    // Inputs and the plugin path in the templates are relative to the repository root.
    execFileSync(buf, ['generate', '--template', template, '-o', outRoot], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  generateProto();
  process.stderr.write(`generated ${templates.map((t) => t.out).join(', ')}\n`);
}
