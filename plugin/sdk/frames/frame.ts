// Grafana's data frame model (grafana-plugin-sdk-go data.Frame), as plain data.
// A frame is a table: named, typed columns ("fields") of equal length.

/** Element types a field can hold; each maps to one Arrow type (see arrow-types.ts). */
export type FieldType =
  | 'string'
  | 'bool'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'float32'
  | 'float64'
  | 'time'
  | 'json'
  | 'enum';

/**
 * A JSON value that is already encoded; written byte for byte, never re-encoded.
 * Frames read back from Arrow carry json fields as RawJson so that numbers
 * beyond 2^53 inside them survive.
 */
export class RawJson {
  constructor(readonly text: string) {}
  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

/** What each field type accepts as a (non-null) value. */
export interface FieldValueOf {
  string: string;
  bool: boolean;
  int8: number;
  int16: number;
  int32: number;
  /** bigint, or a safe-integer number */
  int64: bigint | number;
  uint8: number;
  uint16: number;
  uint32: number;
  uint64: bigint | number;
  float32: number;
  float64: number;
  /** Date (ms precision), bigint = epoch nanoseconds, number = epoch milliseconds */
  time: Date | bigint | number;
  /** any JSON-serialisable value, or RawJson for pre-encoded text */
  json: unknown;
  /** index into config.type.enum.text */
  enum: number;
}

export interface DataLink {
  title?: string;
  targetBlank?: boolean;
  url?: string;
  [key: string]: unknown;
}

export interface EnumFieldConfig {
  text: string[];
  color?: string[];
  icon?: string[];
  description?: string[];
}

/** Field display configuration (sdk data/field_config.go). NaN/±Inf min and max are written as null. */
export interface FieldConfig {
  displayName?: string;
  displayNameFromDS?: string;
  path?: string;
  description?: string;
  filterable?: boolean;
  writeable?: boolean;
  unit?: string;
  decimals?: number;
  min?: number | null;
  max?: number | null;
  interval?: number;
  mappings?: unknown[];
  thresholds?: { mode: string; steps: { value: number | null; color?: string; state?: string }[] };
  color?: Record<string, unknown>;
  links?: DataLink[];
  noValue?: string;
  type?: { enum?: EnumFieldConfig };
  custom?: Record<string, unknown>;
}

export interface QueryStat extends FieldConfig {
  value: number;
}

export interface Notice {
  severity: 'info' | 'warning' | 'error';
  text: string;
  link?: string;
  inspect?: string;
}

/** Frame metadata (sdk data/frame_meta.go). */
export interface FrameMeta {
  type?: string;
  /** [major, minor]; written as [0,0] when absent, as the Go SDK does */
  typeVersion?: [number, number];
  path?: string;
  pathSeparator?: string;
  custom?: unknown;
  stats?: QueryStat[];
  notices?: Notice[];
  channel?: string;
  preferredVisualisationType?: string;
  preferredVisualisationPluginId?: string;
  executedQueryString?: string;
  dataTopic?: string;
  uniqueRowIdFields?: number[];
}

interface FieldBase {
  name: string;
  /** Nullable fields get a validity bitmap; a null in a non-nullable field is an error. Default false. */
  nullable?: boolean;
  labels?: Record<string, string>;
  config?: FieldConfig;
}

export type FieldOf<T extends FieldType> = FieldBase & { type: T; values: readonly (FieldValueOf[T] | null)[] };

export type Field = { [T in FieldType]: FieldOf<T> }[FieldType];

export interface Frame {
  name?: string;
  refId?: string;
  meta?: FrameMeta;
  fields: Field[];
}

/** Number of rows; throws when fields differ in length (Grafana rejects such frames). */
export function rowCount(frame: Frame): number {
  const lengths = new Set(frame.fields.map((f) => f.values.length));
  if (lengths.size > 1) {
    const detail = frame.fields.map((f) => `${f.name}=${f.values.length}`).join(', ');
    throw new Error(`frame ${JSON.stringify(frame.name ?? '')}: fields have different lengths (${detail})`);
  }
  return frame.fields[0]?.values.length ?? 0;
}
