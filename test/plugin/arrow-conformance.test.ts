// Conformance with grafana-plugin-sdk-go's own test vectors
// (test/fixtures/grafana-plugin-sdk-go, see its SOURCE.md):
// (a) the same frame, written by toArrow, decodes to the same schema, metadata
//     and values as the Go SDK's all_types.golden.arrow;
// (b) arrowToJson turns the golden Arrow into all_types.golden.json.
// Values are compared exactly: 64-bit integers and nanosecond times as bigint.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { Type, tableFromIPC, type DataType, type Float, type Int, type Table, type Timestamp } from 'apache-arrow';
import { arrowToJson, frameToJson, toArrow, type Field, type FieldType, type Frame } from '../../plugin/sdk/frames';
import { parseExactJson } from '../support/exact-json';

const dir = new URL('../fixtures/grafana-plugin-sdk-go/', import.meta.url);
const goldenArrow = readFileSync(new URL('all_types.golden.arrow', dir));
const goldenJsonText = readFileSync(new URL('all_types.golden.json', dir), 'utf8');

/** Everything Grafana's decoder reads from an Arrow frame, in comparable form. */
function describeTable(table: Table) {
  return {
    metadata: [...table.schema.metadata.entries()].sort(),
    rows: table.numRows,
    fields: table.schema.fields.map((f) => ({
      name: f.name,
      type: describeType(f.type),
      nullable: f.nullable,
      metadata: [...f.metadata.entries()].sort(),
    })),
    columns: table.schema.fields.map((f, i) => columnValues(table, i, f.type)),
  };
}

function describeType(t: DataType) {
  switch (t.typeId) {
    case Type.Int:
      return { id: 'Int', bitWidth: (t as Int).bitWidth, signed: (t as Int).isSigned };
    case Type.Float:
      return { id: 'Float', precision: (t as Float).precision };
    case Type.Timestamp:
      return { id: 'Timestamp', unit: (t as Timestamp).unit, timezone: (t as Timestamp).timezone ?? null };
    default:
      return { id: Type[t.typeId] };
  }
}

/** Raw values: bigint for 64-bit ints and timestamps (never the lossy ms doubles apache-arrow's get() gives), text for binary. */
function columnValues(table: Table, index: number, type: DataType): unknown[] {
  const vector = table.getChildAt(index)!;
  const out: unknown[] = [];
  for (const data of vector.data) {
    for (let i = 0; i < data.length; i++) {
      if (!data.getValid(i)) out.push(null);
      else if (type.typeId === Type.Timestamp) out.push((data.values as BigInt64Array)[data.offset + i]);
      else if (type.typeId === Type.Binary) out.push(Buffer.from(vector.get(out.length) as Uint8Array).toString('utf8'));
      else out.push(vector.get(out.length));
    }
  }
  return out;
}

/**
 * The golden frame rebuilt with the SDK's Frame model from what apache-arrow
 * decodes (independently of the SDK's own reader): the input a DCOC plugin
 * would give toArrow to produce the same frame as the Go SDK.
 */
function frameFromGoldenContent(): Frame {
  const table = tableFromIPC(goldenArrow);
  const md = table.schema.metadata;
  return {
    name: md.get('name'),
    refId: md.get('refId'),
    meta: JSON.parse(md.get('meta')!),
    fields: table.schema.fields.map((f, i) => {
      const tstype = f.metadata.get('tstype');
      const type = fieldTypeFor(f.type, tstype);
      let values = columnValues(table, i, f.type);
      if (type === 'json') values = values.map((v) => (v === null ? null : JSON.parse(v as string)));
      const field = { name: f.name, type, nullable: f.nullable, values } as Field;
      if (f.metadata.has('labels')) field.labels = JSON.parse(f.metadata.get('labels')!);
      if (f.metadata.has('config')) field.config = JSON.parse(f.metadata.get('config')!);
      return field;
    }),
  };
}

function fieldTypeFor(t: DataType, tstype: string | undefined): FieldType {
  switch (t.typeId) {
    case Type.Utf8:
      return 'string';
    case Type.Bool:
      return 'bool';
    case Type.Binary:
      return 'json';
    case Type.Timestamp:
      return 'time';
    case Type.Float:
      return (t as Float).precision === 1 ? 'float32' : 'float64';
    case Type.Int: {
      const name = `${(t as Int).isSigned ? 'int' : 'uint'}${(t as Int).bitWidth}`;
      return (tstype === 'enum' ? 'enum' : name) as FieldType;
    }
  }
  throw new Error(`golden has an unexpected type ${String(t)}`);
}

describe('Arrow conformance with grafana-plugin-sdk-go all_types.golden', () => {
  it('uses the vectors named in the conformance README', () => {
    assert.equal(createHash('sha256').update(goldenArrow).digest('hex'), '16fee727ac7b6960df80138da3889211bff26936c5156eb4531f7fa39af680b1');
    assert.equal(
      createHash('sha256').update(readFileSync(new URL('all_types.golden.json', dir))).digest('hex'),
      '9a7519a88229781694e057299e4418f839eda2761a9f2fdf757685d60f3ea890',
    );
  });

  it('(a) toArrow writes the golden frame with the same schema, metadata and values', () => {
    const golden = describeTable(tableFromIPC(goldenArrow));
    const ours = toArrow(frameFromGoldenContent());
    assert.equal(Buffer.from(ours.subarray(0, 6)).toString(), 'ARROW1', 'Arrow IPC file magic at the start');
    assert.equal(Buffer.from(ours.subarray(ours.length - 6)).toString(), 'ARROW1', 'Arrow IPC file magic at the end');
    const written = describeTable(tableFromIPC(ours));

    // Sanity of the vector itself, so an empty comparison cannot pass.
    assert.equal(golden.fields.length, 35);
    assert.equal(golden.rows, 5);

    assert.deepEqual(written.metadata, golden.metadata, 'schema metadata (name, refId, meta)');
    assert.equal(written.rows, golden.rows);
    for (let i = 0; i < golden.fields.length; i++) {
      const name = `field ${i} (${golden.fields[i].name})`;
      assert.deepEqual(written.fields[i], golden.fields[i], `${name}: name, type, nullability and metadata`);
      assert.deepEqual(written.columns[i], golden.columns[i], `${name}: values`);
    }
    assert.equal(written.fields.length, golden.fields.length);
  });

  it('(a) the comparison notices a one-nanosecond or one-flag difference', () => {
    const golden = describeTable(tableFromIPC(goldenArrow));
    const frame = frameFromGoldenContent();
    const ts = frame.fields[28] as Extract<Field, { type: 'time' }>;
    const shifted: Frame = { ...frame, fields: frame.fields.map((f, i) => (i === 28 ? { ...ts, values: ts.values.map((v) => (v as bigint) - 1n) } : f)) };
    assert.ok(!isDeepStrictEqual(describeTable(tableFromIPC(toArrow(shifted))), golden));
    const flipped: Frame = { ...frame, fields: frame.fields.map((f, i) => (i === 0 ? { ...f, nullable: true } : f)) };
    assert.ok(!isDeepStrictEqual(describeTable(tableFromIPC(toArrow(flipped))), golden));
  });

  it('(b) arrowToJson turns the golden Arrow into the golden JSON, 64-bit integers exact', () => {
    const ours = arrowToJson(goldenArrow);
    const expected = parseExactJson(goldenJsonText);
    assert.deepEqual(parseExactJson(ours), expected);
    // The extremes are written as exact integers, not rounded doubles.
    for (const digits of ['9223372036854775807', '-9223372036854775808', '18446744073709551615', '9223372036854']) {
      assert.ok(ours.includes(digits), `JSON contains ${digits}`);
    }
  });

  it('(b) frameToJson of the rebuilt frame gives the golden JSON too', () => {
    assert.deepEqual(parseExactJson(frameToJson(frameFromGoldenContent())), parseExactJson(goldenJsonText));
  });

  it('(b) the exact comparison tells 2^63-1 from its double neighbour', () => {
    const ours = arrowToJson(goldenArrow).replace('9223372036854775807', '9223372036854775808');
    assert.ok(!isDeepStrictEqual(parseExactJson(ours), parseExactJson(goldenJsonText)));
    // …which a plain JSON.parse comparison would miss.
    assert.deepEqual(JSON.parse(ours), JSON.parse(goldenJsonText));
  });
});
