// Zips the built plugin with yazl, so packaging needs no zip binary:
// `grafana cli --pluginUrl` installs the archive, with the backend executables
// still executable (Unix modes kept; yazl marks entries as made on Unix and
// switches to ZIP64 itself for large ones).
import { createWriteStream, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';

interface Entry {
  path: string;
  name: string;
  mode: number;
}

function walk(dir: string, root: string, prefix: string): Entry[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      const st = statSync(p);
      if (st.isDirectory()) return walk(p, root, prefix);
      return [{ path: p, name: `${prefix}/${relative(root, p).split(sep).join('/')}`, mode: st.mode & 0o777 }];
    });
}

// 1980-01-01 00:00 local time (DOS times have no zone), and no extended
// timestamp field: the same tree gives the same archive.
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);

/** Zips every file under `dir` into `outFile`, inside a top-level folder `prefix`. */
export async function zipDirectory(dir: string, outFile: string, prefix: string): Promise<{ files: number; bytes: number }> {
  const entries = walk(dir, dir, prefix);
  const zip = new ZipFile();
  for (const e of entries) {
    zip.addFile(e.path, e.name, { mtime: FIXED_MTIME, forceDosTimestamp: true, mode: 0o100000 | e.mode, compress: true, compressionLevel: 9 });
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(outFile));
  return { files: entries.length, bytes: statSync(outFile).size };
}
