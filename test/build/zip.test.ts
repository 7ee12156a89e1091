// The plugin archive, read back with yauzl: the layout Grafana's plugin
// installer and validator expect (one top-level folder named after the
// plugin), the backend executables still executable (0755), every file's
// content intact, and the same tree always giving the same bytes.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { after, describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { open, type Entry, type ZipFile } from 'yauzl';
import { zipDirectory } from '../../scripts/package/zip';

interface ReadEntry {
  name: string;
  mode: string;
  madeOnUnix: boolean;
  size: number;
  deflated: boolean;
  modified: string;
  data: Buffer;
}

/** Every entry of a zip with its content, read by yauzl (sizes validated; CRC checked here). */
async function readZip(path: string): Promise<ReadEntry[]> {
  const zip = await new Promise<ZipFile>((resolve, reject) => open(path, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true }, (err, z) => (err ? reject(err) : resolve(z))));
  const out: ReadEntry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry: Entry) => {
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        buffer(stream).then((data) => {
          assert.equal(crc32(data), entry.crc32, `${entry.fileName}: CRC`);
          out.push({
            name: entry.fileName,
            mode: (entry.externalFileAttributes >>> 16).toString(8), // file type and permissions
            madeOnUnix: entry.versionMadeBy >> 8 === 3,
            size: entry.uncompressedSize,
            deflated: entry.compressionMethod === 8,
            modified: entry.getLastModDate({ forceDosFormat: true }).toISOString(),
            data,
          });
          zip.readEntry();
        }, reject);
      });
    });
    zip.readEntry();
  });
  return out;
}

describe('zipDirectory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dcoc-zip-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const tree = join(dir, 'dist');
  mkdirSync(join(tree, 'datasource'), { recursive: true });
  writeFileSync(join(tree, 'plugin.json'), '{"id":"gen3-dcoc-app"}');
  writeFileSync(join(tree, 'module.js'), 'console.log(1);\n'.repeat(1000));
  const executable = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251));
  writeFileSync(join(tree, 'gpx_dcoc_app_linux_amd64'), executable);
  writeFileSync(join(tree, 'datasource', 'gpx_dcoc_datasource_linux_amd64'), executable);
  writeFileSync(join(tree, 'datasource', 'plugin.json'), '{"id":"gen3-dcoc-datasource"}');
  for (const f of ['gpx_dcoc_app_linux_amd64', 'datasource/gpx_dcoc_datasource_linux_amd64']) chmodSync(join(tree, f), 0o755);
  chmodSync(join(tree, 'plugin.json'), 0o644);
  chmodSync(join(tree, 'module.js'), 0o644);
  chmodSync(join(tree, 'datasource', 'plugin.json'), 0o644);

  it('writes every file under one top-level folder, with its Unix mode and content', async () => {
    const out = join(dir, 'a.zip');
    const r = await zipDirectory(tree, out, 'gen3-dcoc-app');
    assert.deepEqual(r, { files: 5, bytes: readFileSync(out).length });
    const entries = await readZip(out);
    assert.deepEqual(
      entries.map(({ name, mode, madeOnUnix, size, deflated, modified }) => ({ name, mode, madeOnUnix, size, deflated, modified })),
      [
        ['gen3-dcoc-app/datasource/gpx_dcoc_datasource_linux_amd64', '100755', executable.length],
        ['gen3-dcoc-app/datasource/plugin.json', '100644', 29],
        ['gen3-dcoc-app/gpx_dcoc_app_linux_amd64', '100755', executable.length],
        ['gen3-dcoc-app/module.js', '100644', 16_000],
        ['gen3-dcoc-app/plugin.json', '100644', 22],
      ].map(([name, mode, size]) => ({ name, mode, madeOnUnix: true, size, deflated: true, modified: new Date(1980, 0, 1).toISOString() })),
    );
    for (const e of entries) assert.deepEqual(e.data, readFileSync(join(tree, e.name.slice('gen3-dcoc-app/'.length))), e.name);
  });

  it('gives the same bytes for the same tree', async () => {
    await zipDirectory(tree, join(dir, 'b.zip'), 'gen3-dcoc-app');
    await zipDirectory(tree, join(dir, 'c.zip'), 'gen3-dcoc-app');
    assert.ok(readFileSync(join(dir, 'b.zip')).equals(readFileSync(join(dir, 'c.zip'))));
  });
});
