// What grafana-plugin-sdk-go's decoder (data/arrow.go UnmarshalArrowFrame)
// insists on, checked on frames a plugin process returned: the Arrow IPC file
// format, only the Arrow types it reads, nanosecond timestamps, and the
// metadata keys it expects. Returns the decoded frame for content checks.
//
// Field metadata is read from the file's own schema: apache-arrow's Table
// merges the metadata of same-named fields, which Grafana frames often have.

export interface DecodedFrame {
  table: Table;
  /** The schema as written (names, types, metadata of every field). */
  schema: Schema;
  fields: Field[];
  numRows: number;
  /** The value of field `index` at `row`. */
  value(index: number, row?: number): unknown;
}
import assert from 'node:assert/strict';
import { Type, tableFromIPC, type Field, type Int, type Float, type Schema, type Table, type Timestamp } from 'apache-arrow';
import { arrowToJson, fileSchema } from '../../../plugin/sdk/frames';

const MAGIC = 'ARROW1';
const TSTYPES = ['time', 'number', 'boolean', 'string', 'enum', 'other', ''];

export function assertGoDecodable(bytes: Uint8Array, what: string): DecodedFrame {
  const buf = Buffer.from(bytes);
  assert.equal(buf.subarray(0, 6).toString('latin1'), MAGIC, `${what}: Arrow IPC file format (leading magic)`);
  assert.equal(buf.subarray(-6).toString('latin1'), MAGIC, `${what}: Arrow IPC file format (trailing magic)`);
  const table = tableFromIPC(buf);
  const schema = fileSchema(buf);
  assert.equal(schema.fields.length, table.numCols, `${what}: one column per field`);
  const meta = schema.metadata;
  assert.ok(meta.has('name'), `${what}: schema metadata "name"`);
  assert.ok(meta.has('refId'), `${what}: schema metadata "refId"`);
  if (meta.has('meta')) {
    const m = JSON.parse(meta.get('meta')!) as { typeVersion?: unknown };
    assert.ok(Array.isArray(m.typeVersion) && m.typeVersion.length === 2, `${what}: meta.typeVersion is [major, minor]`);
  }
  schema.fields.forEach((field, i) => {
    const where = `${what} field ${field.name}`;
    assert.ok(field.metadata.has('tstype'), `${where}: field metadata "tstype"`);
    assert.ok(TSTYPES.includes(field.metadata.get('tstype')!), `${where}: known tstype`);
    const t = field.type;
    switch (t.typeId) {
      case Type.Utf8:
      case Type.Bool:
      case Type.Binary:
        break;
      case Type.Int:
        assert.ok([8, 16, 32, 64].includes((t as Int).bitWidth), `${where}: int width`);
        break;
      case Type.Float:
        assert.ok((t as Float).precision >= 1, `${where}: float32 or float64, not float16`);
        break;
      case Type.Timestamp:
        // The Go decoder reads every timestamp as nanoseconds, whatever the declared unit.
        assert.equal((t as Timestamp).unit, 3, `${where}: nanosecond timestamps`);
        assert.equal((t as Timestamp).timezone ?? null, null, `${where}: no time zone`);
        break;
      default:
        assert.fail(`${where}: Arrow type ${Type[t.typeId]} is unsupported by the Go decoder (no dictionary, LargeUtf8, Date, …)`);
    }
    if (field.metadata.has('labels')) {
      const labels = JSON.parse(field.metadata.get('labels')!) as Record<string, unknown>;
      assert.ok(Object.values(labels).every((v) => typeof v === 'string'), `${where}: labels are strings`);
    }
    if (field.metadata.has('config')) JSON.parse(field.metadata.get('config')!);
    const column = table.getChildAt(i)!;
    assert.equal(column.length, table.numRows, `${where}: as long as the frame`);
    // The Go decoder ignores the validity bitmap of a non-nullable field: a null there would silently become a zero value.
    if (!field.nullable) assert.equal(column.nullCount, 0, `${where}: nulls only in nullable fields`);
  });
  // Grafana's JSON frame form (what /api/ds/query returns) can be made from it.
  const json = JSON.parse(arrowToJson(bytes)) as { schema: { fields: unknown[] } };
  assert.equal(json.schema.fields.length, schema.fields.length, `${what}: converts to Grafana's JSON frame form`);
  return { table, schema, fields: schema.fields, numRows: table.numRows, value: (index, row = 0) => table.getChildAt(index)!.get(row) as unknown };
}

/** A column's values as plain JS (times as epoch ms numbers). */
export function column(frame: DecodedFrame, name: string): unknown[] {
  const i = frame.fields.findIndex((f) => f.name === name);
  assert.ok(i >= 0, `field ${name} in ${frame.fields.map((f) => f.name).join(', ')}`);
  const v = frame.table.getChildAt(i)!;
  const field = frame.fields[i];
  return [...v].map((x: unknown) => {
    if (x === null || x === undefined) return null;
    if (field.type.typeId === Type.Timestamp) return Number(x as number | bigint);
    if (field.type.typeId === Type.Binary) return JSON.parse(Buffer.from(x as Uint8Array).toString('utf8')) as unknown;
    if (typeof x === 'bigint') return Number(x);
    return x;
  });
}

export function frameMeta(frame: DecodedFrame): Record<string, unknown> {
  return JSON.parse(frame.schema.metadata.get('meta') ?? '{}') as Record<string, unknown>;
}
