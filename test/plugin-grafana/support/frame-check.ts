// The check a frame must pass: what grafana-plugin-sdk-go decoded from the
// bytes (rendered by grafana-host) equals the frame DCOC meant to send: the
// same fields, SDK types, labels, config and values, times to the nanosecond.
// The Go decoder accepts some broken frames without a word (it reads every
// timestamp as nanoseconds, whatever unit the file declares), so only a
// comparison with the source catches those.
import { isDeepStrictEqual } from 'node:util';
import type { Field, Frame } from '../../../plugin/sdk/frames';
import type { RenderedFrame } from '../../support/go-grafana-host';

/** The SDK type (in grafana-host's words) a DCOC field should decode to. */
export function sdkTypeOf(f: Field): string {
  return `${f.nullable ? 'nullable ' : ''}${f.type}`;
}

/** A DCOC field value as grafana-host renders the SDK's value. */
export function renderedValueOf(f: Field, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (f.type === 'time') {
    if (typeof v === 'bigint') return String(v);
    const ms = v instanceof Date ? v.getTime() : (v as number);
    return String(BigInt(Math.floor(ms)) * 1_000_000n + BigInt(Math.round((ms - Math.floor(ms)) * 1e6)));
  }
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : String(v);
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  return v;
}

/** Every way the decoded frame differs from the one meant; empty when it is the same. */
export function frameProblems(decoded: RenderedFrame, meant: Frame): string[] {
  const problems: string[] = [];
  const differ = (what: string, got: unknown, want: unknown) => {
    if (!isDeepStrictEqual(got, want)) problems.push(`${what}: got ${JSON.stringify(got)}, meant ${JSON.stringify(want)}`);
  };
  differ('name', decoded.name, meant.name ?? '');
  differ('refId', decoded.refId, meant.refId ?? '');
  differ('field names', decoded.fields.map((f) => f.name), meant.fields.map((f) => f.name));
  meant.fields.forEach((f, i) => {
    const got = decoded.fields[i];
    if (!got) return;
    differ(`${f.name} type`, got.type, sdkTypeOf(f));
    differ(`${f.name} labels`, got.labels, f.labels ?? null);
    f.values.forEach((v, row) => differ(`${f.name} row ${row}`, got.values[row], renderedValueOf(f, v)));
    differ(`${f.name} rows`, got.values.length, f.values.length);
  });
  return problems;
}
