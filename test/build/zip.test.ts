// The plugin archive is a valid ZIP that keeps executables executable.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { zipDirectory } from '../../scripts/package/zip';

describe('zipDirectory', () => {
  it('writes an archive another implementation reads back, with modes and a top-level folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dcoc-zip-'));
    mkdirSync(join(dir, 'datasource'));
    writeFileSync(join(dir, 'plugin.json'), '{"id":"x"}');
    writeFileSync(join(dir, 'datasource', 'gpx_x_linux_amd64'), Buffer.alloc(100_000, 7));
    chmodSync(join(dir, 'datasource', 'gpx_x_linux_amd64'), 0o755);
    const out = join(dir, '..', `${dir.split('/').pop()}.zip`);
    const r = zipDirectory(dir, out, 'gen3-dcoc-app');
    assert.equal(r.files, 2);
    // Python's zipfile is an independent reader; it checks CRCs on read.
    const py = spawnSync('python3', ['-c', `
import zipfile, sys
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
for i in z.infolist():
    print(i.filename, oct((i.external_attr >> 16) & 0o777), i.file_size)
`, out], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    assert.deepEqual(py.stdout.trim().split('\n').sort(), ['gen3-dcoc-app/datasource/gpx_x_linux_amd64 0o755 100000', 'gen3-dcoc-app/plugin.json 0o644 10']);
  });
});
