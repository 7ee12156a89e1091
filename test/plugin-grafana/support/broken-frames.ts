// Frames written the way DCOC's writer (plugin/sdk/frames/to-arrow.ts) writes
// them, then broken on purpose the ways a TypeScript Arrow writer goes wrong:
// milliseconds where Grafana reads nanoseconds, metadata that is not what the
// Go SDK expects, types apache-arrow infers, the IPC stream format.
import {
  Field as ArrowField,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  Table,
  TimestampMillisecond,
  Type,
  makeData,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
  type Data,
  type DataType,
} from 'apache-arrow';
import { fileSchema, toArrow, type Frame } from '../../../plugin/sdk/frames';

type Column = { field: ArrowField; data: Data };

/** Re-writes an Arrow IPC file column by column, with new schema metadata if given (field metadata is taken from the file's own schema). */
function rewrite(bytes: Uint8Array, opts: { column?: (c: Column) => Column; schemaMetadata?: Map<string, string> } = {}): Uint8Array {
  const table = tableFromIPC(bytes);
  const given = fileSchema(bytes);
  const columns = given.fields.map((field, i) => (opts.column ?? ((c) => c))({ field, data: table.getChildAt(i)!.data[0] }));
  const schema = new Schema(
    columns.map((c) => c.field),
    opts.schemaMetadata ?? given.metadata,
  );
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: table.numRows, nullCount: 0, children: columns.map((c) => c.data) }));
  Object.assign(batch, { schema }); // keep same-named fields' metadata apart, as to-arrow.ts does
  return tableToIPC(new Table([batch]), 'file');
}

/** DCOC's writer with each time given as a bigint of epoch milliseconds, which it writes as nanoseconds: the unit slip. */
export function millisecondsAsNanoseconds(frame: Frame): Uint8Array {
  const toMs = (v: unknown) => (v === null ? null : BigInt(v instanceof Date ? v.getTime() : Number(v)));
  return toArrow({ ...frame, fields: frame.fields.map((f) => (f.type === 'time' ? { ...f, values: f.values.map(toMs) } : f)) } as Frame);
}

/** DCOC's writer's bytes with every time column as Timestamp(MILLISECOND) holding milliseconds (what apache-arrow infers from a Date). */
export function millisecondUnit(frame: Frame): Uint8Array {
  return rewrite(toArrow(frame), {
    column: ({ field, data }) => {
      if (field.type.typeId !== Type.Timestamp) return { field, data };
      const type = new TimestampMillisecond();
      const ns = data.values as unknown as BigInt64Array;
      const ms = BigInt64Array.from(ns, (v) => v / 1_000_000n);
      return {
        field: new ArrowField(field.name, type, field.nullable, field.metadata),
        data: makeData({ type, length: data.length, nullCount: data.nullCount, nullBitmap: data.nullBitmap, data: ms } as never),
      };
    },
  });
}

/** DCOC's writer's bytes with one schema metadata key set to `value`. */
export function withSchemaMetadata(frame: Frame, key: string, value: string): Uint8Array {
  const bytes = toArrow(frame);
  return rewrite(bytes, { schemaMetadata: new Map([...fileSchema(bytes).metadata, [key, value]]) });
}

/** DCOC's writer's bytes with one field metadata key of field `index` set to `value`. */
export function withFieldMetadata(frame: Frame, index: number, key: string, value: string): Uint8Array {
  return rewrite(toArrow(frame), {
    column: ({ field, data }) =>
      field.name !== frame.fields[index].name ? { field, data } : { field: new ArrowField(field.name, field.type, field.nullable, new Map([...field.metadata, [key, value]])), data },
  });
}

/** DCOC's writer's bytes with string columns as apache-arrow infers them: Dictionary<Int32, Utf8>. */
export function dictionaryStrings(frame: Frame): Uint8Array {
  return rewrite(toArrow(frame), {
    column: ({ field, data }) => {
      if (field.type.typeId !== Type.Utf8) return { field, data };
      const inferred = vectorFromArray([...utf8Values(data)]);
      return { field: new ArrowField(field.name, inferred.type as DataType, field.nullable, field.metadata), data: inferred.data[0] };
    },
  });
}

function utf8Values(data: Data): string[] {
  const out: string[] = [];
  const offsets = data.valueOffsets as Int32Array;
  const text = new TextDecoder();
  for (let i = 0; i < data.length; i++) out.push(text.decode((data.values as Uint8Array).subarray(offsets[i], offsets[i + 1])));
  return out;
}

/** The same frame in the Arrow IPC *stream* format (Grafana reads only the file format). */
export function streamFormat(frame: Frame): Uint8Array {
  return RecordBatchStreamWriter.writeAll(tableFromIPC(toArrow(frame))).toUint8Array(true);
}
