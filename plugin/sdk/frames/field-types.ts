// One table for everything a field type implies: its Arrow type, the `tstype`
// metadata Grafana's frontend reads, and the Go item type named in the JSON form.
import {
  Binary,
  Bool,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  TimeUnit,
  TimestampNanosecond,
  Type,
  Uint16,
  Uint32,
  Uint64,
  Uint8,
  Utf8,
  type DataType,
  type Timestamp,
} from 'apache-arrow';
import type { FieldType } from './frame';

export interface FieldTypeInfo {
  /** The explicit Arrow type (never inferred: inference gives Dictionary strings and ms timestamps). */
  arrow: () => DataType;
  /** Arrow field metadata `tstype`, also the `type` of the JSON form. */
  tstype: 'string' | 'number' | 'boolean' | 'time' | 'other' | 'enum';
  /** `typeInfo.frame` of the JSON form (the Go element type). */
  goType: string;
}

export const fieldTypes: Record<FieldType, FieldTypeInfo> = {
  string: { arrow: () => new Utf8(), tstype: 'string', goType: 'string' },
  bool: { arrow: () => new Bool(), tstype: 'boolean', goType: 'bool' },
  int8: { arrow: () => new Int8(), tstype: 'number', goType: 'int8' },
  int16: { arrow: () => new Int16(), tstype: 'number', goType: 'int16' },
  int32: { arrow: () => new Int32(), tstype: 'number', goType: 'int32' },
  int64: { arrow: () => new Int64(), tstype: 'number', goType: 'int64' },
  uint8: { arrow: () => new Uint8(), tstype: 'number', goType: 'uint8' },
  uint16: { arrow: () => new Uint16(), tstype: 'number', goType: 'uint16' },
  uint32: { arrow: () => new Uint32(), tstype: 'number', goType: 'uint32' },
  uint64: { arrow: () => new Uint64(), tstype: 'number', goType: 'uint64' },
  float32: { arrow: () => new Float32(), tstype: 'number', goType: 'float32' },
  float64: { arrow: () => new Float64(), tstype: 'number', goType: 'float64' },
  // The Go SDK writes nanoseconds with no time zone, and its reader assumes nanoseconds.
  time: { arrow: () => new TimestampNanosecond(), tstype: 'time', goType: 'time.Time' },
  json: { arrow: () => new Binary(), tstype: 'other', goType: 'json.RawMessage' },
  // Enums travel as uint16 indexes, told apart from plain uint16 by tstype=enum.
  enum: { arrow: () => new Uint16(), tstype: 'enum', goType: 'enum' },
};

/**
 * The field type an Arrow column stands for, as the Go SDK decides it
 * (sdk data/arrow.go): by Arrow type, with tstype=enum marking enum uint16s.
 * Anything else is an error there too ("unsupported arrow type").
 */
export function fieldTypeOfArrow(type: DataType, tstype: string | undefined): FieldType {
  switch (type.typeId) {
    case Type.Utf8:
      return 'string';
    case Type.Bool:
      return 'bool';
    case Type.Binary:
      return 'json';
    case Type.Float: {
      const precision = (type as Float32 | Float64).precision;
      if (precision === 1) return 'float32';
      if (precision === 2) return 'float64';
      break;
    }
    case Type.Int: {
      const int = type as Int8 | Int16 | Int32 | Int64 | Uint8 | Uint16 | Uint32 | Uint64;
      const name = `${int.isSigned ? 'int' : 'uint'}${int.bitWidth}` as FieldType;
      return name === 'uint16' && tstype === 'enum' ? 'enum' : name;
    }
    case Type.Timestamp:
      if ((type as Timestamp).unit !== TimeUnit.NANOSECOND) {
        // The Go reader would misread such values by a factor of 1000 or more.
        throw new Error(`unsupported Arrow timestamp unit ${TimeUnit[(type as Timestamp).unit]}: Grafana frames use nanoseconds`);
      }
      return 'time';
  }
  throw new Error(`unsupported Arrow type ${String(type)} for a Grafana frame`);
}
