// The frame check against grafana-plugin-sdk-go's own decoder
// (`grafana-host decode`): a frame from DCOC's writer decodes to exactly the
// frame meant, and frames broken the usual ways are either refused by the
// SDK or decoded into something the check flags, so the check can fail.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { frameToJson, toArrow, type Frame } from '../../plugin/sdk/frames';
import { describeUnless, grafanaHostMissing, sdkDecode, type RenderedFrame } from '../support/go-grafana-host';
import { dictionaryStrings, millisecondUnit, millisecondsAsNanoseconds, streamFormat, withFieldMetadata, withSchemaMetadata } from './support/broken-frames';
import { frameProblems } from './support/frame-check';

const AT = new Date('2026-07-01T12:34:56.789Z');

/** A frame like the data source's, with every kind of value it sends and a few more. */
const FRAME: Frame = {
  name: 'events',
  refId: 'A',
  meta: { type: 'log-lines', typeVersion: [0, 0], preferredVisualisationType: 'logs' },
  fields: [
    { name: 'timestamp', type: 'time', values: [AT, 1_780_000_000_123n * 1_000_000n + 456_789n] },
    { name: 'body', type: 'string', values: ['fence on data-midrc-org is down', 'ünïcødé ✓'] },
    { name: 'restarted_at', type: 'time', nullable: true, values: [null, AT] },
    { name: 'latency', type: 'float64', nullable: true, config: { unit: 'ms', min: 0 }, values: [12.5, null] },
    { name: 'count', type: 'int64', labels: { commons: 'data-midrc-org', environment: 'midrcprod' }, values: [3, 9_007_199_254_740_993n] },
    { name: 'ok', type: 'bool', values: [true, false] },
    { name: 'labels', type: 'json', values: [{ type: 'service.status' }, { nested: [1, 2] }] },
  ],
};

function decoded(bytes: Uint8Array | string, format: 'arrow' | 'json' = 'arrow'): RenderedFrame {
  const r = sdkDecode(bytes, format);
  assert.ok(r.ok, `the SDK decodes it: ${r.ok ? '' : r.error}`);
  return r.frame;
}

function refused(bytes: Uint8Array): string {
  const r = sdkDecode(bytes);
  assert.equal(r.ok, false, 'the SDK refuses it');
  return r.ok ? '' : r.error;
}

const missing = grafanaHostMissing('the frame check against grafana-plugin-sdk-go’s decoder');

describeUnless(missing, 'frames from DCOC’s writer, through the SDK’s decoder', () => {
  it('a good frame decodes to exactly the frame meant: types, nanoseconds, labels, config, meta', () => {
    const f = decoded(toArrow(FRAME));
    assert.deepEqual(frameProblems(f, FRAME), []);
    assert.deepEqual(f.meta, FRAME.meta);
    assert.deepEqual(f.fields.find((x) => x.name === 'latency')!.config, { unit: 'ms', min: 0 });
    assert.deepEqual(f.fields[0].values, ['1782909296789000000', '1780000000123456789'], 'nanoseconds, the sub-millisecond part kept');
    assert.deepEqual(f.fields[4].values, [3, '9007199254740993'], 'int64 beyond 2^53 exact');
  });

  it('the same frame in Grafana’s JSON form decodes the same (format JSON replies, Live frames)', () => {
    assert.deepEqual(frameProblems(decoded(frameToJson(FRAME), 'json'), FRAME), []);
  });

  it('the check is not vacuous: one value off is a problem', () => {
    const f = decoded(toArrow(FRAME));
    const meant = structuredClone(FRAME);
    (meant.fields[1].values as string[])[0] = 'something else';
    assert.deepEqual(frameProblems(f, meant), ['body row 0: got "fence on data-midrc-org is down", meant "something else"']);
  });
});

describeUnless(missing, 'broken frames: refused by the SDK, or flagged by the check', () => {
  it('milliseconds written where nanoseconds belong: the SDK accepts them as 1970 times, the check flags every one', () => {
    const f = decoded(millisecondsAsNanoseconds(FRAME));
    const problems = frameProblems(f, FRAME);
    assert.deepEqual(problems.map((p) => p.split(':')[0]), ['timestamp row 0', 'timestamp row 1', 'restarted_at row 1']);
    assert.ok(new Date(Number(BigInt(f.fields[0].values[0] as string) / 1_000_000n)).getUTCFullYear() === 1970, 'read as nanoseconds: January 1970');
  });

  it('a Timestamp(MILLISECOND) column (what apache-arrow infers from a Date): the SDK ignores the unit, the check flags it', () => {
    const f = decoded(millisecondUnit(FRAME));
    assert.equal(f.fields[0].type, 'time', 'still a time field to the SDK');
    assert.deepEqual(frameProblems(f, FRAME).map((p) => p.split(':')[0]), ['timestamp row 0', 'timestamp row 1', 'restarted_at row 1']);
  });

  it('frame meta that is not FrameMeta JSON is refused', () => {
    assert.match(refused(withSchemaMetadata(FRAME, 'meta', '{"type": "log-lines", "typeVersion": "0.0"')), /^unexpected end of JSON input$/);
    assert.match(refused(withSchemaMetadata(FRAME, 'meta', '{"typeVersion": "0.0"}')), /cannot unmarshal string into Go struct field FrameMeta\.typeVersion/);
  });

  it('labels that are not a JSON object of strings are refused', () => {
    assert.match(refused(withFieldMetadata(FRAME, 4, 'labels', 'commons=data-midrc-org')), /^invalid character 'c' looking for beginning of value$/);
    assert.match(refused(withFieldMetadata(FRAME, 4, 'labels', '{"commons": 1}')), /cannot unmarshal number into Go value of type string/);
  });

  it('field config that is not FieldConfig JSON is refused', () => {
    assert.match(refused(withFieldMetadata(FRAME, 3, 'config', '{"unit": 5}')), /cannot unmarshal number into Go struct field FieldConfig\.unit/);
  });

  it('dictionary-encoded strings (what apache-arrow infers from strings) are refused', () => {
    assert.match(refused(dictionaryStrings(FRAME)), /unsupported conversion from arrow to sdk type for arrow type DICTIONARY/);
  });

  it('the Arrow IPC stream format is refused (Grafana reads the file format)', () => {
    assert.match(refused(streamFormat(FRAME)), /arrow\/ipc: not an Arrow file/);
  });

  it('the check flags a frame with its fields reordered or retyped', () => {
    const swapped: Frame = { ...FRAME, fields: [FRAME.fields[1], FRAME.fields[0], ...FRAME.fields.slice(2)] };
    assert.ok(frameProblems(decoded(toArrow(swapped)), FRAME).some((p) => p.startsWith('field names')));
    const retyped: Frame = { ...FRAME, fields: FRAME.fields.map((f) => (f.name === 'count' ? { ...f, type: 'float64', values: [3, 9007199254740992] } : f)) as Frame['fields'] };
    assert.ok(frameProblems(decoded(toArrow(retyped)), FRAME).includes('count type: got "float64", meant "int64"'));
  });
});
