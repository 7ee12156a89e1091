// Build step: turns plugin/sdk/proto/*.proto into JSON descriptors under
// plugin/sdk/generated/. The shipped plugin is a single executable that cannot
// read .proto files at run time, so the descriptors are bundled instead and
// loaded with @grpc/proto-loader's fromJSON (see ../descriptors.ts).
//
// Run directly: `npx tsx plugin/sdk/build/gen-proto.ts`.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const sdkDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const protoDir = join(sdkDir, 'proto');
export const generatedDir = join(sdkDir, 'generated');

/** proto file → descriptor file name in generated/. */
export const protoFiles = {
  'backend.proto': 'pluginv2.json',
  'health.proto': 'health.json',
  'grpc_controller.proto': 'grpc_controller.json',
} as const;

export type DescriptorName = (typeof protoFiles)[keyof typeof protoFiles];
export type Descriptors = Record<DescriptorName, protobuf.INamespace>;

/** Parses one .proto file into a protobufjs JSON descriptor (field names kept as written). */
export function describeProto(protoFile: string): protobuf.INamespace {
  const root = new protobuf.Root();
  root.loadSync(join(protoDir, protoFile), { keepCase: true });
  root.resolveAll(); // fails here, at build time, on any unresolved type
  return root.toJSON();
}

let cached: Descriptors | undefined;

/**
 * Writes every descriptor to generated/ (only files whose content changed) and
 * returns them. Cheap enough to call before every build and test run.
 */
export function ensureGenerated(): Descriptors {
  if (cached) return cached;
  mkdirSync(generatedDir, { recursive: true });
  const out: Partial<Descriptors> = {};
  for (const [protoFile, jsonName] of Object.entries(protoFiles) as [keyof typeof protoFiles, DescriptorName][]) {
    const descriptor = describeProto(protoFile);
    const text = JSON.stringify(descriptor, null, 2) + '\n';
    const target = join(generatedDir, jsonName);
    if (readIfExists(target) !== text) writeFileSync(target, text);
    out[jsonName] = descriptor;
  }
  cached = out as Descriptors;
  return cached;
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureGenerated();
  process.stderr.write(`descriptors written to ${generatedDir}\n`);
}
