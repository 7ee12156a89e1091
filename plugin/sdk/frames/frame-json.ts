// Grafana's JSON frame form ("DataFrameJSON": schema + data.values, with
// entities for NaN/±Inf and nanos for sub-millisecond times), written as the Go
// SDK's data/frame_json.go ArrowToJSON writes it. Returned as text: int64 and
// uint64 values are exact JSON integers that JS numbers cannot hold.
import type { Frame, RawJson } from './frame';
import { readArrowFrame, type ArrowColumn, type ArrowFrame } from './arrow-reader';
import { fieldTypes } from './field-types';
import { formatFloat32, formatFloat64 } from './float-format';
import { goJson } from './go-json';
import { toArrow } from './to-arrow';

/** Arrow IPC file bytes → DataFrameJSON text. */
export function arrowToJson(bytes: Uint8Array): string {
  return writeFrameJson(readArrowFrame(bytes));
}

/** Frame → DataFrameJSON text, through the same encoding as toArrow so both forms always agree. */
export function frameToJson(frame: Frame): string {
  return arrowToJson(toArrow(frame));
}

function writeFrameJson(frame: ArrowFrame): string {
  return `{"schema":${schemaJson(frame)},"data":${dataJson(frame.columns)}}`;
}

function schemaJson(frame: ArrowFrame): string {
  const parts: string[] = [];
  if (frame.name) parts.push(`"name":${goJson(frame.name)}`);
  if (frame.refId) parts.push(`"refId":${goJson(frame.refId)}`);
  if (frame.metaJson !== undefined) parts.push(`"meta":${frame.metaJson}`);
  parts.push(`"fields":[${frame.columns.map(fieldSchemaJson).join(',')}]`);
  return `{${parts.join(',')}}`;
}

function fieldSchemaJson(col: ArrowColumn): string {
  const info = fieldTypes[col.type];
  const parts: string[] = [];
  if (col.name) parts.push(`"name":${goJson(col.name)}`);
  parts.push(`"type":${goJson(info.tstype)}`);
  parts.push(`"typeInfo":{"frame":${goJson(info.goType)}${col.nullable ? ',"nullable":true' : ''}}`);
  // Metadata JSON is embedded as found, like the Go writer does.
  if (col.labelsJson !== undefined) parts.push(`"labels":${col.labelsJson}`);
  if (col.configJson !== undefined) parts.push(`"config":${col.configJson}`);
  return `{${parts.join(',')}}`;
}

interface Entities {
  NaN: number[];
  Inf: number[];
  NegInf: number[];
}

function dataJson(columns: ArrowColumn[]): string {
  const entities: (Entities | null)[] = [];
  const nanos: (bigint[] | null)[] = [];
  const values = columns.map((col) => {
    const written = valuesJson(col);
    entities.push(written.entities);
    nanos.push(written.nanos);
    return written.json;
  });
  const parts = [`"values":[${values.join(',')}]`];
  if (entities.some((e) => e !== null)) parts.push(`"entities":[${entities.map(entitiesJson).join(',')}]`);
  if (nanos.some((n) => n !== null)) {
    parts.push(`"nanos":[${nanos.map((n) => (n ? `[${n.join(',')}]` : 'null')).join(',')}]`);
  }
  return `{${parts.join(',')}}`;
}

function entitiesJson(e: Entities | null): string {
  if (!e) return 'null';
  const parts: string[] = [];
  for (const key of ['NaN', 'Inf', 'NegInf'] as const) if (e[key].length) parts.push(`"${key}":[${e[key].join(',')}]`);
  return `{${parts.join(',')}}`;
}

function valuesJson(col: ArrowColumn): { json: string; entities: Entities | null; nanos: bigint[] | null } {
  let entities: Entities | null = null;
  let nanos: bigint[] | null = null;
  const out = col.values.map((v, i) => {
    if (v === null) return 'null';
    switch (col.type) {
      case 'float32':
      case 'float64': {
        const n = v as number;
        if (Number.isNaN(n) || !Number.isFinite(n)) {
          entities ??= { NaN: [], Inf: [], NegInf: [] };
          entities[Number.isNaN(n) ? 'NaN' : n > 0 ? 'Inf' : 'NegInf'].push(i);
          return 'null';
        }
        return col.type === 'float32' ? formatFloat32(n) : formatFloat64(n);
      }
      case 'time': {
        // Epoch milliseconds, truncated like Go's integer division; the rest goes to nanos.
        const ns = v as bigint;
        const ms = ns / 1_000_000n;
        const rest = ns - ms * 1_000_000n;
        if (rest !== 0n) {
          nanos ??= new Array<bigint>(col.values.length).fill(0n);
          nanos[i] = rest;
        }
        return ms.toString();
      }
      case 'json':
        return (v as RawJson).text;
      case 'string':
        return goJson(v);
      default:
        return String(v); // booleans, integers (bigint prints exactly)
    }
  });
  return { json: `[${out.join(',')}]`, entities, nanos };
}
