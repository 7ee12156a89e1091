// The release version of dcoc-control and dcoc-agent: package.json's, injected
// by the artifact build (scripts/package/server/build.ts defines
// __DCOC_VERSION__) and read from package.json when run from source.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

declare const __DCOC_VERSION__: string | undefined;

function fromPackageJson(): string {
  return (JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
}

export const VERSION: string = typeof __DCOC_VERSION__ === 'string' ? __DCOC_VERSION__ : fromPackageJson();
