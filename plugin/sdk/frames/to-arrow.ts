// Frame → Arrow IPC file bytes, as grafana-plugin-sdk-go's Frame.MarshalArrow
// writes them: one record batch, explicit types, schema metadata name/refId/meta,
// field metadata tstype/labels/config. Columns are assembled buffer by buffer
// (not with apache-arrow's inferring builders) so every type is exactly chosen.
import { Field as ArrowField, RecordBatch, Schema, Struct, Table, makeData, tableToIPC, type Data, type DataType } from 'apache-arrow';
import { RawJson, rowCount, type Field, type FieldType, type Frame } from './frame';
import { fieldTypes } from './field-types';
import { fieldConfigJson, frameMetaJson, labelsJson } from './go-json';

const utf8 = new TextEncoder();

/** Encodes one frame as an Arrow IPC file (`ARROW1…ARROW1`), the form DataResponse.frames carries. */
export function toArrow(frame: Frame): Uint8Array {
  const length = rowCount(frame);
  const fields = frame.fields.map(arrowFieldOf);
  const schema = new Schema(fields, schemaMetadata(frame));
  const columns = frame.fields.map((f, i) => columnData(f, fields[i].type, length));
  const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length, nullCount: 0, children: columns }));
  // apache-arrow's RecordBatch constructor rebuilds the schema with Schema.assign, which merges the metadata
  // of fields that share a name (the last one wins). Grafana frames often repeat a name with different labels
  // (e.g. "value" per host), so put the schema back as given.
  Object.assign(batch, { schema });
  return tableToIPC(new Table([batch]), 'file');
}

function schemaMetadata(frame: Frame): Map<string, string> {
  // Keys in sorted order, as Go's arrow.MetadataFrom stores them.
  const md = new Map<string, string>();
  if (frame.meta) md.set('meta', frameMetaJson(frame.meta));
  md.set('name', frame.name ?? '');
  md.set('refId', frame.refId ?? '');
  return md;
}

function arrowFieldOf(field: Field): ArrowField {
  const info = fieldTypes[field.type];
  if (!info) throw new Error(`field ${JSON.stringify(field.name)}: unknown field type ${JSON.stringify(field.type)}`);
  const md = new Map<string, string>();
  if (field.config) md.set('config', fieldConfigJson(field.config));
  if (field.labels) md.set('labels', labelsJson(field.labels));
  md.set('tstype', info.tstype);
  return new ArrowField(field.name, info.arrow(), field.nullable === true, md);
}

function columnData(field: Field, type: DataType, length: number): Data {
  const nullable = field.nullable === true;
  const values = field.values as readonly unknown[];
  const nullBitmap = new Uint8Array(Math.ceil(length / 8));
  let nullCount = 0;
  for (let i = 0; i < length; i++) {
    if (values[i] === null || values[i] === undefined) {
      if (!nullable) throw new Error(`field ${JSON.stringify(field.name)}: null at row ${i}, but the field is not nullable`);
      nullCount++;
    } else {
      nullBitmap[i >> 3] |= 1 << (i & 7);
    }
  }
  const validity = nullable ? { nullCount, nullBitmap } : { nullCount: 0 };
  const at = (i: number): unknown => values[i] ?? null;
  // makeData's overloads are keyed on the concrete DataType class, chosen at run time here: hence `as never` below.
  const where = (i: number) => `field ${JSON.stringify(field.name)} row ${i}`;

  switch (field.type) {
    case 'string':
    case 'json': {
      const encoded: Uint8Array[] = [];
      for (let i = 0; i < length; i++) {
        const v = at(i);
        encoded.push(v === null ? new Uint8Array(0) : utf8.encode(field.type === 'string' ? asString(v, where(i)) : jsonText(v, where(i))));
      }
      const valueOffsets = new Int32Array(length + 1);
      for (let i = 0; i < length; i++) valueOffsets[i + 1] = valueOffsets[i] + encoded[i].length;
      const data = new Uint8Array(valueOffsets[length]);
      encoded.forEach((bytes, i) => data.set(bytes, valueOffsets[i]));
      return makeData({ type, length, ...validity, valueOffsets, data } as never);
    }
    case 'bool': {
      const data = new Uint8Array(Math.ceil(length / 8));
      for (let i = 0; i < length; i++) {
        const v = at(i);
        if (v === null) continue;
        if (typeof v !== 'boolean') throw new Error(`${where(i)}: expected a boolean, got ${typeof v}`);
        if (v) data[i >> 3] |= 1 << (i & 7);
      }
      return makeData({ type, length, ...validity, data } as never);
    }
    case 'int64':
    case 'uint64':
    case 'time': {
      const data = field.type === 'uint64' ? new BigUint64Array(length) : new BigInt64Array(length);
      for (let i = 0; i < length; i++) {
        const v = at(i);
        if (v !== null) data[i] = field.type === 'time' ? epochNanos(v, where(i)) : checkedBigInt(v, field.type, where(i));
      }
      return makeData({ type, length, ...validity, data } as never);
    }
    default: {
      const data = smallNumberArray(field.type, length);
      for (let i = 0; i < length; i++) {
        const v = at(i);
        if (v !== null) data[i] = checkedNumber(v, field.type, where(i));
      }
      return makeData({ type, length, ...validity, data } as never);
    }
  }
}

function asString(v: unknown, where: string): string {
  if (typeof v !== 'string') throw new Error(`${where}: expected a string, got ${typeof v}`);
  return v;
}

function jsonText(v: unknown, where: string): string {
  if (v instanceof RawJson) return v.text;
  const text = JSON.stringify(v);
  if (text === undefined) throw new Error(`${where}: value is not JSON-serialisable`);
  return text;
}

type SmallNumberType = Exclude<FieldType, 'string' | 'json' | 'bool' | 'int64' | 'uint64' | 'time'>;

const integerRanges: Partial<Record<FieldType, [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
  enum: [0, 65535],
};

function smallNumberArray(type: SmallNumberType, length: number) {
  switch (type) {
    case 'int8':
      return new Int8Array(length);
    case 'int16':
      return new Int16Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'uint8':
      return new Uint8Array(length);
    case 'uint16':
    case 'enum':
      return new Uint16Array(length);
    case 'uint32':
      return new Uint32Array(length);
    case 'float32':
      return new Float32Array(length);
    case 'float64':
      return new Float64Array(length);
  }
}

/** Typed arrays wrap out-of-range values silently; refuse them instead. */
function checkedNumber(v: unknown, type: FieldType, where: string): number {
  if (typeof v !== 'number') throw new Error(`${where}: expected a number for ${type}, got ${typeof v}`);
  const range = integerRanges[type];
  if (range && (!Number.isInteger(v) || v < range[0] || v > range[1])) {
    throw new Error(`${where}: ${v} is not a valid ${type}`);
  }
  return v;
}

const int64Range: [bigint, bigint] = [-(2n ** 63n), 2n ** 63n - 1n];
const uint64Range: [bigint, bigint] = [0n, 2n ** 64n - 1n];

function checkedBigInt(v: unknown, type: 'int64' | 'uint64', where: string): bigint {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
  else throw new Error(`${where}: expected a bigint or safe integer for ${type}, got ${String(v)}`);
  const [min, max] = type === 'int64' ? int64Range : uint64Range;
  if (b < min || b > max) throw new Error(`${where}: ${b} is not a valid ${type}`);
  return b;
}

/** Date and number are epoch milliseconds; bigint is already epoch nanoseconds. */
function epochNanos(v: unknown, where: string): bigint {
  if (typeof v === 'bigint') return checkedBigInt(v, 'int64', where);
  const ms = v instanceof Date ? v.getTime() : v;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new Error(`${where}: expected a Date, epoch-ms number or epoch-ns bigint`);
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
}
