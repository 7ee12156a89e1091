// Grafana data frames: the model, its Arrow IPC encoding and its JSON form.
export { RawJson, rowCount } from './frame';
export type {
  DataLink,
  EnumFieldConfig,
  Field,
  FieldConfig,
  FieldOf,
  FieldType,
  FieldValueOf,
  Frame,
  FrameMeta,
  Notice,
  QueryStat,
} from './frame';
export { toArrow } from './to-arrow';
export { frameFromArrow } from './from-arrow';
export { arrowToJson, frameToJson } from './frame-json';
export { fileSchema, readArrowFrame, type ArrowColumn, type ArrowFrame } from './arrow-reader';
export { fieldTypes, fieldTypeOfArrow } from './field-types';
