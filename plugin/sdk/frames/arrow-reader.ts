// Arrow IPC file bytes → the frame's columns with exact values (64-bit ints and
// nanosecond times as bigint, JSON as its raw text) and the metadata strings as
// written. The base for frameFromArrow and arrowToJson.
import { RecordBatchFileReader, makeVector, tableFromIPC, type Data, type Schema, type Timestamp } from 'apache-arrow';
import { RawJson, type FieldType } from './frame';
import { fieldTypeOfArrow } from './field-types';

export interface ArrowColumn {
  name: string;
  type: FieldType;
  nullable: boolean;
  /** Raw field metadata (JSON text), as found. */
  labelsJson?: string;
  configJson?: string;
  values: unknown[];
}

export interface ArrowFrame {
  name: string;
  refId: string;
  /** Raw schema metadata `meta` (JSON text), when present. */
  metaJson?: string;
  columns: ArrowColumn[];
}

const magic = 'ARROW1';
const utf8 = new TextDecoder();

/** Reads one frame. Only the IPC *file* format is accepted, as in Grafana (the stream format does not decode there). */
export function readArrowFrame(bytes: Uint8Array): ArrowFrame {
  if (!hasFileMagic(bytes)) throw new Error('not an Arrow IPC file (missing ARROW1 magic at start and end)');
  const table = tableFromIPC(bytes);
  const schema = fileSchema(bytes);
  const md = schema.metadata;
  return {
    name: md.get('name') ?? '',
    refId: md.get('refId') ?? '',
    metaJson: md.get('meta'),
    columns: schema.fields.map((f, i) => {
      const type = fieldTypeOfArrow(f.type, f.metadata.get('tstype'));
      const chunks = table.getChildAt(i)?.data ?? [];
      return {
        name: f.name,
        type,
        nullable: f.nullable,
        labelsJson: f.metadata.get('labels'),
        configJson: f.metadata.get('config'),
        values: chunks.flatMap((chunk) => chunkValues(chunk, type)),
      };
    }),
  };
}

/**
 * The schema as the file states it. table.schema cannot be trusted for field
 * metadata: apache-arrow builds it through Schema.assign, which merges the
 * metadata of fields that share a name (the last one wins), and Grafana frames
 * often repeat a name with different labels.
 */
export function fileSchema(bytes: Uint8Array): Schema {
  const reader = RecordBatchFileReader.from(bytes);
  reader.open();
  return reader.schema;
}

function hasFileMagic(bytes: Uint8Array): boolean {
  if (bytes.length < 2 * magic.length) return false;
  const head = utf8.decode(bytes.subarray(0, magic.length));
  const tail = utf8.decode(bytes.subarray(bytes.length - magic.length));
  return head === magic && tail === magic;
}

function chunkValues(chunk: Data, type: FieldType): unknown[] {
  const out: unknown[] = new Array(chunk.length);
  if (type === 'time') {
    // vector.get() converts to float milliseconds and loses nanoseconds; read the raw int64s.
    const raw = (chunk as Data<Timestamp>).values as unknown as BigInt64Array;
    for (let i = 0; i < chunk.length; i++) out[i] = chunk.getValid(i) ? raw[chunk.offset + i] : null;
    return out;
  }
  const vector = makeVector(chunk);
  for (let i = 0; i < chunk.length; i++) {
    const v: unknown = vector.get(i);
    out[i] = v === null ? null : type === 'json' ? new RawJson(utf8.decode(v as Uint8Array)) : v;
  }
  return out;
}
