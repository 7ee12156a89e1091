// Small helpers shared by the store, the verbs and the controllers.
import { randomUUID, randomBytes } from 'node:crypto';
import { isObject } from './types';

export function clone<T>(v: T): T {
  return structuredClone(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** JSON with sorted keys, so equal objects hash equally. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** metav1.Time: RFC 3339 with second precision, as the apiserver writes it. */
export function rfc3339(d: Date = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** metav1.MicroTime (Event.eventTime): microsecond precision. */
export function microTime(d: Date = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function newUid(): string {
  return randomUUID();
}

// apimachinery's rand alphabet: no vowels, no 0/1/3 (avoids accidental words).
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** utilrand.String(n): the suffix of generateName and of pod names. */
export function randomSuffix(n = 5): string {
  const bytes = randomBytes(n);
  let out = '';
  for (let i = 0; i < n; i++) out += ALPHANUMS[bytes[i] % ALPHANUMS.length];
  return out;
}

/** utilrand.SafeEncodeString: how a numeric hash becomes a pod-template-hash. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of s) out += ALPHANUMS[ch.charCodeAt(0) % ALPHANUMS.length];
  return out;
}

/** FNV-32a, the hash the Deployment controller uses for pod-template-hash. */
export function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  const bytes = Buffer.from(s, 'utf8');
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * pod-template-hash of a template. The real controller hashes a spew dump of
 * the Go struct; canonical JSON gives the same property (stable, changes with
 * the template) and the same alphabet and length.
 */
export function podTemplateHash(template: unknown, collisionCount?: number): string {
  let input = canonicalJson(template);
  if (collisionCount) input += `#${collisionCount}`;
  return safeEncodeString(String(fnv32a(input)));
}

export function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** Reads a dotted path (`status.phase`) from an object. */
export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
