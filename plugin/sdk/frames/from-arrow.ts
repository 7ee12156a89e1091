// Arrow IPC file bytes → Frame: what Grafana's decoder sees, for tests and for
// code that receives frames (e.g. from another plugin).
import type { Field, FieldConfig, Frame, FrameMeta } from './frame';
import { readArrowFrame } from './arrow-reader';

/** Decodes one frame; int64/uint64 and times (epoch ns) are bigint, json values RawJson. */
export function frameFromArrow(bytes: Uint8Array): Frame {
  const read = readArrowFrame(bytes);
  const frame: Frame = {
    name: read.name,
    refId: read.refId,
    fields: read.columns.map((col) => {
      const field = { name: col.name, type: col.type, nullable: col.nullable, values: col.values } as Field;
      if (col.labelsJson !== undefined) field.labels = JSON.parse(col.labelsJson) as Record<string, string>;
      if (col.configJson !== undefined) field.config = JSON.parse(col.configJson) as FieldConfig;
      return field;
    }),
  };
  if (read.metaJson !== undefined) frame.meta = JSON.parse(read.metaJson) as FrameMeta;
  return frame;
}
