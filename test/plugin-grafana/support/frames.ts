// Reading frames as grafana-plugin-sdk-go decoded them (rendered by
// grafana-host): fields by name, their SDK types, and times in nanoseconds.
import assert from 'node:assert/strict';
import type { RenderedField, RenderedFrame } from '../../support/go-grafana-host';

/** Every field's name and SDK type, in order. */
export function schemaOf(frame: RenderedFrame): [string, string][] {
  return frame.fields.map((f) => [f.name, f.type]);
}

/** The only field named `name`. */
export function field(frame: RenderedFrame, name: string): RenderedField {
  const found = frame.fields.filter((f) => f.name === name);
  assert.equal(found.length, 1, `one field ${name} in ${frame.fields.map((f) => f.name).join(', ')}`);
  return found[0];
}

export const values = (frame: RenderedFrame, name: string): unknown[] => field(frame, name).values;

/** An ISO time as the SDK holds it in a time field: epoch nanoseconds, as a decimal string. */
export function ns(iso: string | null | undefined): string | null {
  if (iso === null || iso === undefined) return null;
  const ms = Date.parse(iso);
  assert.ok(!Number.isNaN(ms), `a time: ${iso}`);
  return String(BigInt(ms) * 1_000_000n);
}

/** A time value in milliseconds (for comparisons with a tolerance). */
export const msOf = (v: unknown): number => Number(BigInt(v as string) / 1_000_000n);

/**
 * A time the plugin read a moment before the test asked the control service:
 * a nanosecond value on a whole millisecond (the API's precision), in the
 * 2020s (not a millisecond count read as nanoseconds), near `iso`.
 */
export function assertNearTime(v: unknown, iso: string | null, toleranceMs: number, what: string): void {
  if (iso === null) return assert.equal(v, null, what);
  assert.equal(typeof v, 'string', `${what}: a time`);
  assert.equal(BigInt(v as string) % 1_000_000n, 0n, `${what}: whole milliseconds in nanoseconds`);
  assert.ok(Math.abs(msOf(v) - Date.parse(iso)) <= toleranceMs, `${what}: ${new Date(msOf(v)).toISOString()} within ${toleranceMs} ms of ${iso}`);
}

/** The rows of a frame as objects keyed by field name (names must be unique). */
export function rows(frame: RenderedFrame): Record<string, unknown>[] {
  return Array.from({ length: frame.rows }, (_, i) => Object.fromEntries(frame.fields.map((f) => [f.name, f.values[i]])));
}

/** What one row must hold: `exact` columns equal, each `volatile` column passed to its check (named `${what} ${column}`), no others. */
export interface ExpectedRow {
  what: string;
  exact: Record<string, unknown>;
  volatile: Record<string, (v: unknown, what: string) => void>;
}

/** One row per item, in order, as `expect` says for that item. */
export function assertRows<T>(frame: RenderedFrame, items: T[], expect: (item: T) => ExpectedRow): void {
  assert.equal(frame.rows, items.length);
  rows(frame).forEach((row, i) => {
    const { what, exact, volatile } = expect(items[i]);
    assert.deepEqual(Object.fromEntries(Object.entries(row).filter(([k]) => !(k in volatile))), exact);
    for (const [k, check] of Object.entries(volatile)) check(row[k], `${what} ${k}`);
  });
}
