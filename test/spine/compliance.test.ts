// Compliance through the running control service: the audit log exported as
// CSV and JSON Lines (the CSV parses back to the same entries as the JSON
// Lines and the audit list, with each entry's seq and hash and the chain's
// head in a header), scoped by commons and time; a commons' monthly change
// report names the restarts and who made them; bad input names the field; a
// viewer may not read the audit log.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEntry } from '../../contracts/api';
import { AUDIT_EXPORT_COLUMNS, type AuditExportEntry, type ChangeReport } from '../../contracts/compliance';
import { DEMO_COMMONS } from '../../scripts/demo/processes';
import { ADMIN_TOKEN, TestFleet } from '../support/fleet';

/** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; records end in CRLF. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i += 2;
    } else if (c === '"') {
      quoted = !quoted;
      i++;
    } else if (!quoted && c === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (!quoted && c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else {
      field += c;
      i++;
    }
  }
  assert.equal(field + record.join(''), '', 'the CSV ends with CRLF');
  return records;
}

describe('audit export and the change report', () => {
  let fleet: TestFleet;
  let commons: string;
  before(async () => {
    fleet = await TestFleet.start({ commons: [DEMO_COMMONS[1]] });
    [{ id: commons }] = await fleet.healthyCommons(1);
    await fleet.restartAndWait(commons, 'fence');
    await fleet.restartAndWait(commons, 'indexd');
  });
  after(() => fleet?.stop());

  const download = (query: string, token = ADMIN_TOKEN) => fetch(`${fleet.control.url}/api/v1/audit/export?${query}`, { headers: { Authorization: `Bearer ${token}` } });

  it('CSV and JSON Lines hold the same entries as the audit list, with seq, hash and the head', async () => {
    const listed = (await fleet.admin<{ items: AuditEntry[] }>('GET', '/api/v1/audit?limit=1000')).body.items;
    const jsonl = await download('format=jsonl');
    assert.equal(jsonl.status, 200);
    assert.match(jsonl.headers.get('content-type') ?? '', /^application\/x-ndjson/);
    const entries = (await jsonl.text()).trimEnd().split('\n').map((l) => JSON.parse(l) as AuditExportEntry);
    const csv = await download('format=csv');
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(csv.headers.get('content-disposition') ?? '', /attachment; filename="dcoc-audit-.*\.csv"/);
    const [header, ...records] = parseCsv(await csv.text());
    assert.deepEqual(header, [...AUDIT_EXPORT_COLUMNS]);

    // The exports are oldest first; the list newest first. Entries written between the calls are past the list's.
    const ids = listed.map((e) => e.id).reverse();
    assert.deepEqual(entries.slice(0, ids.length).map((e) => e.id), ids);
    assert.deepEqual(records.slice(0, ids.length).map((r) => Number(r[0])), ids);
    for (const e of listed) {
      const j = entries.find((x) => x.id === e.id)!;
      assert.deepEqual([j.at, j.actor, j.action, j.commons, j.service, j.outcome, j.detail], [e.at, e.actor, e.action, e.commons, e.service, e.outcome, e.detail]);
      const row = Object.fromEntries(AUDIT_EXPORT_COLUMNS.map((c, k) => [c, records.find((r) => Number(r[0]) === e.id)![k]]));
      assert.deepEqual([row.at, row.actor, row.action, row.outcome, row.seq, row.hash], [e.at, e.actor, e.action, e.outcome, String(j.seq), j.hash]);
      assert.deepEqual(JSON.parse(row.detail), e.detail, 'a JSON detail starts with { and is never formula-guarded');
    }
    // The chain: strictly increasing seq, each entry's prev_hash the one before's hash, the head the last.
    for (let k = 1; k < entries.length; k++) {
      assert.equal(entries[k].seq, entries[k - 1].seq! + 1);
      assert.equal(entries[k].prevHash, entries[k - 1].hash);
    }
    const head = jsonl.headers.get('dcoc-audit-head') ?? '';
    assert.match(head, /^\d+:[0-9a-f]{64}$/);
    assert.ok(entries.some((e) => `${e.seq}:${e.hash}` === head), 'the head is an exported entry');
  });

  it('scopes by commons, action and time; limit bounds it', async () => {
    const all = (await (await download('format=jsonl')).text()).trimEnd().split('\n').map((l) => JSON.parse(l) as AuditExportEntry);
    const restarts = (await (await download(`format=jsonl&commons=${commons}&action=service.restart`)).text()).trimEnd().split('\n').map((l) => JSON.parse(l) as AuditExportEntry);
    assert.equal(restarts.length, 2);
    assert.ok(restarts.every((e) => e.commons === commons && e.action === 'service.restart'));
    const cut = restarts[1].at;
    const before = (await (await download(`format=jsonl&until=${encodeURIComponent(cut)}`)).text()).trimEnd().split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditExportEntry);
    assert.deepEqual(before.map((e) => e.id), all.filter((e) => e.at < cut).map((e) => e.id));
    const two = (await (await download('format=csv&limit=2')).text()).split('\r\n').filter(Boolean);
    assert.equal(two.length, 3, 'the header and two entries');
  });

  it('refuses bad input naming the field, and a viewer', async () => {
    for (const [q, field] of [['format=xml', 'query.format'], ['since=yesterday', 'query.since'], ['since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z', 'query.until'], ['commons=Not_A_Label', 'query.commons'], ['surprise=1', 'query.surprise']] as const) {
      const r = await download(q);
      assert.equal(r.status, 422, q);
      const body = (await r.json()) as { errors: { field: string }[] };
      assert.ok(body.errors.some((e) => e.field === field), `${q}: ${JSON.stringify(body.errors)}`);
    }
    const viewer = await fleet.tokenFor('viewer');
    assert.equal((await download('format=csv', viewer)).status, 403);
    assert.equal((await fleet.api(viewer, 'GET', `/api/v1/commons/${commons}/change-report?month=2026-12`)).status, 403);
  });

  it("the month's change report names the restarts and who made them", async () => {
    const month = new Date().toISOString().slice(0, 7);
    const r = await fleet.admin<ChangeReport>('GET', `/api/v1/commons/${commons}/change-report?month=${month}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const restarts = r.body.operations.filter((o) => o.action === 'service.restart');
    assert.deepEqual(restarts.map((o) => o.service).sort(), ['fence', 'indexd']);
    assert.equal(new Set(restarts.map((o) => o.who)).size, 1, 'both by the operator token');
    assert.deepEqual(restarts.map((o) => o.result), ['succeeded', 'succeeded']);
    const who = restarts[0].who;
    assert.equal(r.body.people.find((p) => p.who === who)?.operations, 2);
    assert.match(r.body.auditHead, /^\d+:[0-9a-f]{64}$/);
    assert.equal(r.body.from, `${month}-01T00:00:00.000Z`);

    const empty = await fleet.admin<ChangeReport>('GET', `/api/v1/commons/${commons}/change-report?month=2020-01`);
    assert.equal(empty.status, 200);
    assert.deepEqual([empty.body.deploys, empty.body.operations, empty.body.people], [[], [], []]);
    const bad = await fleet.admin<{ errors: { field: string }[] }>('GET', `/api/v1/commons/${commons}/change-report?month=2026-13`);
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.errors.map((e) => e.field), ['query.month']);
    assert.equal((await fleet.admin('GET', `/api/v1/commons/no-such-commons/change-report?month=${month}`)).status, 404);
  });
});
