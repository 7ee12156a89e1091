// The two schema-free patch formats: JSON Merge Patch (RFC 7386,
// application/merge-patch+json) and JSON Patch (RFC 6902,
// application/json-patch+json). Both operate on plain JSON and throw a
// PatchError the verbs layer turns into the apiserver's 422.
import { isObject } from './types';
import { clone, deepEqual } from './util';

export class PatchError extends Error {}

/** RFC 7386: objects merge recursively, `null` deletes, anything else (arrays too) replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: Record<string, unknown> = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function parsePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw new PatchError(`invalid JSON pointer "${p}"`);
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Record<string, unknown> | unknown[];

/** Walks to the parent of the last token; throws if an intermediate is missing. */
function parentOf(doc: unknown, tokens: string[], op: string, path: string): { parent: Container; key: string } {
  let cur: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw new PatchError(`${op} operation does not apply: doc is missing path: "${path}"`);
  }
  if (!Array.isArray(cur) && !isObject(cur)) throw new PatchError(`${op} operation does not apply: doc is missing path: "${path}"`);
  return { parent: cur, key: tokens[tokens.length - 1] };
}

function arrayIndex(arr: unknown[], key: string, allowEnd: boolean, op: string, path: string): number {
  if (allowEnd && key === '-') return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(key)) throw new PatchError(`${op} operation does not apply: invalid array index "${key}" in "${path}"`);
  const i = Number(key);
  if (i > arr.length || (!allowEnd && i === arr.length)) throw new PatchError(`${op} operation does not apply: index out of range: ${i} in "${path}"`);
  return i;
}

function getAt(doc: unknown, path: string, op: string): unknown {
  let cur = doc;
  for (const t of parsePointer(path)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = Object.prototype.hasOwnProperty.call(cur, t) ? cur[t] : undefined;
    else cur = undefined;
    if (cur === undefined) throw new PatchError(`${op} operation does not apply: doc is missing path: "${path}"`);
  }
  return cur;
}

function removeAt(doc: unknown, path: string, op: string): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) throw new PatchError(`${op} operation does not apply: cannot remove the document root`);
  const { parent, key } = parentOf(doc, tokens, op, path);
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, key, false, op, path);
    return parent.splice(i, 1)[0];
  }
  if (!Object.prototype.hasOwnProperty.call(parent, key)) throw new PatchError(`${op} operation does not apply: doc is missing path: "${path}"`);
  const v = parent[key];
  delete parent[key];
  return v;
}

function addAt(doc: unknown, path: string, value: unknown, op: string, replace: boolean): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return clone(value);
  const { parent, key } = parentOf(doc, tokens, op, path);
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, key, !replace, op, path);
    if (replace) parent[i] = clone(value);
    else parent.splice(i, 0, clone(value));
  } else {
    if (replace && !Object.prototype.hasOwnProperty.call(parent, key))
      throw new PatchError(`${op} operation does not apply: doc is missing key: "${path}"`);
    parent[key] = clone(value);
  }
  return doc;
}

/** RFC 6902. Operations apply in order to a copy; any failure rejects the whole patch. */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError('json patch must be an array of operations');
  let doc = clone(target);
  for (const raw of ops) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string')
      throw new PatchError(`invalid operation ${JSON.stringify(raw)}`);
    const o = raw as unknown as JsonPatchOp;
    switch (o.op) {
      case 'add':
        doc = addAt(doc, o.path, o.value, 'add', false);
        break;
      case 'replace':
        getAt(doc, o.path, 'replace');
        doc = addAt(doc, o.path, o.value, 'replace', true);
        break;
      case 'remove':
        removeAt(doc, o.path, 'remove');
        break;
      case 'move': {
        if (o.from === undefined) throw new PatchError('move operation missing "from"');
        const v = removeAt(doc, o.from, 'move');
        doc = addAt(doc, o.path, v, 'move', false);
        break;
      }
      case 'copy': {
        if (o.from === undefined) throw new PatchError('copy operation missing "from"');
        doc = addAt(doc, o.path, getAt(doc, o.from, 'copy'), 'copy', false);
        break;
      }
      case 'test':
        if (!deepEqual(getAt(doc, o.path, 'test'), o.value)) throw new PatchError(`testing value ${o.path} failed: test failed`);
        break;
      default:
        throw new PatchError(`Unexpected kind: ${o.op}`);
    }
  }
  return doc;
}
