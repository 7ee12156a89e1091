// The frame writer and readers on small hand-made frames: types Grafana's Go
// decoder accepts, refusal of values that would be silently corrupted, and the
// JSON form's entities and nanos.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Type, tableFromArrays, tableFromIPC, tableToIPC, type Timestamp } from 'apache-arrow';
import { RawJson, arrowToJson, frameFromArrow, frameToJson, toArrow, type Frame } from '../../plugin/sdk/frames';
import { formatFloat32 } from '../../plugin/sdk/frames/float-format';
import { parseExactJson } from '../support/exact-json';

const t0 = new Date('2026-01-02T03:04:05.678Z');

function sample(): Frame {
  return {
    name: 'sample',
    meta: { type: 'table', custom: { b: 1, a: '<x&y>' } },
    fields: [
      { name: 'time', type: 'time', values: [t0, t0.getTime() + 1, 1767323045678000123n] },
      { name: 'host', type: 'string', values: ['a', 'b', 'a'], labels: { z: '1', a: '2' } },
      { name: 'up', type: 'bool', nullable: true, values: [true, null, false] },
      { name: 'count', type: 'int64', values: [1, 2n ** 62n, -3] },
      { name: 'ratio', type: 'float64', nullable: true, values: [0.5, NaN, null], config: { unit: 'percentunit', min: 0, max: Infinity } },
      { name: 'detail', type: 'json', nullable: true, values: [{ ok: true }, new RawJson('{"n":12345678901234567890}'), null] },
      { name: 'state', type: 'enum', values: [0, 1, 1], config: { type: { enum: { text: ['down', 'up'] } } } },
    ],
  };
}

describe('toArrow', () => {
  it('writes an Arrow IPC file with explicit types Grafana decodes', () => {
    const bytes = toArrow(sample());
    assert.equal(Buffer.from(bytes.subarray(0, 6)).toString(), 'ARROW1');
    assert.equal(Buffer.from(bytes.subarray(-6)).toString(), 'ARROW1');
    const table = tableFromIPC(bytes);
    const types = table.schema.fields.map((f) => Type[f.type.typeId]);
    // Plain Utf8 (not Dictionary), nanosecond timestamps, Binary for JSON, Uint16 for enums.
    assert.deepEqual(types, ['Timestamp', 'Utf8', 'Bool', 'Int', 'Float', 'Binary', 'Int']);
    const ts = table.schema.fields[0].type as Timestamp;
    assert.equal(ts.unit, 3, 'NANOSECOND');
    assert.equal(ts.timezone, null, 'no time zone, as the Go SDK writes');
    assert.deepEqual(
      table.schema.fields.map((f) => f.metadata.get('tstype')),
      ['time', 'string', 'boolean', 'number', 'number', 'other', 'enum'],
    );
    assert.deepEqual(
      table.schema.fields.map((f) => f.nullable),
      [false, false, true, false, true, true, false],
    );
  });

  it('writes schema metadata name/refId/meta and field labels/config as Go JSON', () => {
    const table = tableFromIPC(toArrow({ ...sample(), refId: 'Q' }));
    assert.equal(table.schema.metadata.get('name'), 'sample');
    assert.equal(table.schema.metadata.get('refId'), 'Q');
    // typeVersion is always present; map keys sorted; <>& escaped like Go's encoding/json.
    assert.equal(table.schema.metadata.get('meta'), '{"type":"table","typeVersion":[0,0],"custom":{"a":"\\u003cx\\u0026y\\u003e","b":1}}');
    assert.equal(table.schema.fields[1].metadata.get('labels'), '{"a":"2","z":"1"}');
    assert.equal(table.schema.fields[4].metadata.get('config'), '{"unit":"percentunit","min":0,"max":null}');
    assert.equal(table.schema.fields[0].metadata.has('labels'), false);
    assert.equal(table.schema.fields[0].metadata.has('config'), false);
  });

  it('always writes name and refId, empty when unset', () => {
    const table = tableFromIPC(toArrow({ fields: [] }));
    assert.equal(table.schema.metadata.get('name'), '');
    assert.equal(table.schema.metadata.get('refId'), '');
    assert.equal(table.schema.metadata.has('meta'), false);
    assert.equal(table.numCols, 0);
  });

  it('keeps nanoseconds and 64-bit integers exact', () => {
    const back = frameFromArrow(toArrow(sample()));
    assert.deepEqual(back.fields[0].values, [1767323045678000000n, 1767323045679000000n, 1767323045678000123n]);
    assert.deepEqual(back.fields[3].values, [1n, 2n ** 62n, -3n]);
    assert.equal((back.fields[5].values[1] as RawJson).text, '{"n":12345678901234567890}');
    assert.deepEqual(back.fields[2].values, [true, null, false]);
    assert.ok(Number.isNaN(back.fields[4].values[1]));
  });

  it("keeps each field's own labels when fields share a name (one series per label set)", () => {
    // apache-arrow merges the metadata of same-named fields unless the writer and reader guard against it.
    const frame: Frame = {
      name: 'wide',
      fields: [
        { name: 'time', type: 'time', values: [t0] },
        { name: 'value', type: 'float64', labels: { host: 'a' }, values: [1] },
        { name: 'value', type: 'float64', labels: { host: 'b' }, config: { unit: 's' }, values: [2] },
        { name: 'value', type: 'float64', labels: { host: 'c' }, values: [3] },
      ],
    };
    const bytes = toArrow(frame);
    const text = Buffer.from(bytes).toString('latin1');
    for (const host of ['a', 'b', 'c']) assert.ok(text.includes(`{"host":"${host}"}`), `labels of host ${host} are written`);
    const back = frameFromArrow(bytes);
    assert.deepEqual(
      back.fields.slice(1).map((f) => [f.name, f.labels ?? null, f.config ?? null, f.values[0]]),
      [
        ['value', { host: 'a' }, null, 1],
        ['value', { host: 'b' }, { unit: 's' }, 2],
        ['value', { host: 'c' }, null, 3],
      ],
    );
    const json = JSON.parse(arrowToJson(bytes)) as { schema: { fields: { labels?: Record<string, string> }[] } };
    assert.deepEqual(json.schema.fields.map((f) => f.labels?.host ?? null), [null, 'a', 'b', 'c']);
  });

  it('encodes a frame with no rows', () => {
    const back = frameFromArrow(toArrow({ name: 'empty', fields: [{ name: 'v', type: 'float64', values: [] }] }));
    assert.deepEqual(back.fields[0].values, []);
    assert.equal(back.name, 'empty');
  });

  it('refuses values it would otherwise corrupt', () => {
    assert.throws(() => toArrow({ fields: [{ name: 'v', type: 'string', values: ['a', null] }] }), /null at row 1, but the field is not nullable/);
    assert.throws(() => toArrow({ fields: [{ name: 'v', type: 'int8', values: [128] }] }), /not a valid int8/);
    assert.throws(() => toArrow({ fields: [{ name: 'v', type: 'uint32', values: [1.5] }] }), /not a valid uint32/);
    assert.throws(() => toArrow({ fields: [{ name: 'v', type: 'uint64', values: [-1n] }] }), /not a valid uint64/);
    assert.throws(() => toArrow({ fields: [{ name: 'v', type: 'int64', values: [2 ** 60] }] }), /safe integer/);
    assert.throws(
      () => toArrow({ fields: [{ name: 'a', type: 'bool', values: [true] }, { name: 'b', type: 'bool', values: [] }] }),
      /different lengths/,
    );
  });
});

describe('Arrow readers', () => {
  it('refuse the Arrow stream format, which Grafana cannot decode', () => {
    const stream = tableToIPC(tableFromArrays({ v: Float64Array.from([1]) }), 'stream');
    assert.throws(() => frameFromArrow(stream), /not an Arrow IPC file/);
  });

  it('refuse types Grafana does not support (dictionary strings from inferred builders)', () => {
    const inferred = tableToIPC(tableFromArrays({ s: ['a', 'b'] }), 'file');
    assert.throws(() => arrowToJson(inferred), /unsupported Arrow type/);
  });
});

describe('JSON frame form', () => {
  it('writes entities for NaN/±Inf and nanos for sub-millisecond times', () => {
    const json = parseExactJson(
      frameToJson({
        fields: [
          { name: 't', type: 'time', values: [1000000n, 1500001n] },
          { name: 'f', type: 'float32', values: [Infinity, 0.1] },
          { name: 'g', type: 'float64', values: [-Infinity, NaN] },
          { name: 'u', type: 'uint64', values: [18446744073709551615n, 0n] },
        ],
      }),
    );
    assert.deepEqual(json, {
      schema: {
        fields: [
          { name: 't', type: 'time', typeInfo: { frame: 'time.Time' } },
          { name: 'f', type: 'number', typeInfo: { frame: 'float32' } },
          { name: 'g', type: 'number', typeInfo: { frame: 'float64' } },
          { name: 'u', type: 'number', typeInfo: { frame: 'uint64' } },
        ],
      },
      data: {
        values: [[1n, 1n], [null, 0.1], [null, null], [18446744073709551615n, 0n]],
        entities: [null, { Inf: [0n] }, { NaN: [1n], NegInf: [0n] }, null],
        nanos: [[0n, 500001n], null, null, null],
      },
    });
  });

  it('formats float32 with the fewest digits that read back the same', () => {
    assert.equal(formatFloat32(Math.fround(0.1)), '0.1');
    assert.equal(formatFloat32(1.401298464324817e-45), '1e-45');
    assert.equal(formatFloat32(3.4028234663852886e38), '3.4028235e+38');
    assert.equal(formatFloat32(1), '1');
  });
});
