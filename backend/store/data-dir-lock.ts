// One control service per data directory: a second one on the same directory
// would overwrite the first's seed token and race it for the same SQLite file
// before failing to bind its ports. The lock is a file created exclusively,
// holding the owner's pid; one left by a process that has died is taken over.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirLockedError extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock on `dataDir` (which must exist); returns its release. */
export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'dcoc.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new DataDirLockedError(`another control service (pid ${owner}) is using the data directory ${dataDir}; stop it, or give this one its own DCOC_DATA_DIR`);
      }
      // Left behind by a process that is gone: take it over.
      rmSync(file, { force: true });
    }
  }
  throw new DataDirLockedError(`could not lock the data directory ${dataDir}; remove ${file} if no control service is running`);
}
