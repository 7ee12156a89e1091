// The dcoc-control version a backup records (package.json's, as the image tag).
import { readFileSync } from 'node:fs';

export function dcocVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    // A build that ships without package.json: the backup is still good, only unlabelled.
    return 'unknown';
  }
}
