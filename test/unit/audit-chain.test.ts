// The audit hash chain without a database: the canonical hash, what verify
// finds for an edited, deleted, reordered or inserted entry, and the CSV
// export's quoting and formula guard.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { type ChainRow, GENESIS_HASH, auditHash } from '../../backend/audit/chain';
import { csvCell, csvLine, exportEntry, exportLines } from '../../backend/audit/export';
import { describeFinding, verifyChain } from '../../backend/audit/verify';
import { COMMANDS, DEFAULT_COMMAND } from '../../backend/cli/commands';
import { runCli } from '../../backend/cli/subcommand';
import { AUDIT_EXPORT_COLUMNS } from '../../contracts/compliance';

const ROOT = resolve(import.meta.dirname, '../..');

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const x of it) out.push(x);
  return out;
}

function chain(n: number): ChainRow[] {
  const rows: ChainRow[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const fields = { seq, at: `2026-11-0${(seq % 9) + 1}T10:00:00.000Z`, actor: `user${seq % 3}@example.org`, actor_kind: 'grafana', role: 'operator', action: 'service.restart', commons_id: 'midrc', service: 'fence', detail_json: `{"n":${seq}}`, outcome: 'accepted', command_id: null };
    const hash = auditHash(fields, prev);
    rows.push({ ...fields, id: seq + 100, prev_hash: prev, hash });
    prev = hash;
  }
  return rows;
}

describe('the audit hash', () => {
  it('is SHA-256 over a JSON array of the fields in a fixed order and the previous hash', () => {
    const f = { seq: 7, at: '2026-11-01T00:00:00.000Z', actor: 'a', actor_kind: 'token', role: null, action: 'x', commons_id: null, service: null, detail_json: '{}', outcome: 'accepted', command_id: null };
    const expected = createHash('sha256').update(JSON.stringify(['dcoc-audit-v1', 7, f.at, 'a', 'token', null, 'x', null, null, '{}', 'accepted', null, GENESIS_HASH])).digest('hex');
    assert.equal(auditHash(f, GENESIS_HASH), expected);
  });

  it('changes with any field, the seq and the previous hash; a field cannot run into the next', () => {
    const f = { seq: 1, at: 't', actor: 'ab', actor_kind: 'token', role: null, action: 'c', commons_id: null, service: null, detail_json: '{}', outcome: 'accepted', command_id: null };
    const h = auditHash(f, GENESIS_HASH);
    assert.notEqual(auditHash({ ...f, actor: 'a', action: 'bc' }, GENESIS_HASH), h);
    assert.notEqual(auditHash({ ...f, seq: 2 }, GENESIS_HASH), h);
    assert.notEqual(auditHash({ ...f, role: 'admin' }, GENESIS_HASH), h);
    assert.notEqual(auditHash(f, 'f'.repeat(64)), h);
    // null and the string "null" differ
    assert.notEqual(auditHash({ ...f, service: 'null' }, GENESIS_HASH), h);
  });
});

describe('verify', () => {
  const start = { seq: 0, hash: GENESIS_HASH };

  it('an intact chain has no findings and gives its head', async () => {
    const rows = chain(5);
    const r = await verifyChain(rows, { start });
    assert.deepEqual(r.findings, []);
    assert.equal(r.checked, 5);
    assert.deepEqual(r.head, { seq: 5, hash: rows[4].hash });
  });

  it('names an edited entry (and only that one)', async () => {
    const rows = chain(5);
    rows[2] = { ...rows[2], actor: 'mallory@example.org' };
    const r = await verifyChain(rows, { start });
    assert.deepEqual(r.findings.map((f) => [f.kind, 'entry' in f ? f.entry.id : null]), [['edited', 103]]);
    assert.match(describeFinding(r.findings[0]), /EDITED: audit entry id 103 \(seq 3, at .*, actor mallory@example.org, action service.restart\)/);
  });

  it('an edited entry whose hash was recomputed breaks the link of the next', async () => {
    const rows = chain(5);
    const e = { ...rows[2], actor: 'mallory@example.org' };
    rows[2] = { ...e, hash: auditHash({ ...e, seq: 3 }, e.prev_hash!) };
    const r = await verifyChain(rows, { start });
    assert.deepEqual(r.findings.map((f) => f.kind), ['unlinked']);
    assert.equal(r.findings[0].kind === 'unlinked' && r.findings[0].previous?.id, 103);
  });

  it('names the entries either side of a deleted one', async () => {
    const rows = chain(6);
    rows.splice(2, 2);
    const r = await verifyChain(rows, { start });
    assert.equal(r.findings.length, 1);
    const f = r.findings[0];
    assert.ok(f.kind === 'deleted');
    assert.deepEqual([f.missing, f.fromSeq, f.toSeq, f.after?.id, f.before.id], [2, 3, 4, 102, 105]);
    assert.match(describeFinding(f), /DELETED: 2 entries \(seq 3–4\) between entry id 102 .* and entry id 105/);
  });

  it('a deleted first entry is a gap after the start of the chain', async () => {
    const rows = chain(3).slice(1);
    const r = await verifyChain(rows, { start });
    assert.deepEqual(r.findings.map((f) => f.kind), ['deleted']);
  });

  it('finds reordered entries (two entries swapped their seq)', async () => {
    const rows = chain(5);
    const a = rows[1];
    const b = rows[3];
    rows[1] = { ...b, seq: 2 };
    rows[3] = { ...a, seq: 4 };
    const r = await verifyChain(rows, { start });
    const named = new Set(r.findings.filter((f) => f.kind === 'edited').map((f) => (f.kind === 'edited' ? f.entry.id : 0)));
    assert.deepEqual([...named].sort(), [102, 104]);
  });

  it('checks an anchor: the entry at its seq must still have its hash; a missing one is a finding', async () => {
    const rows = chain(5);
    assert.deepEqual((await verifyChain(rows, { start, expectHead: { seq: 4, hash: rows[3].hash! } })).findings, []);
    const wrong = await verifyChain(rows, { start, expectHead: { seq: 4, hash: 'a'.repeat(64) } });
    assert.deepEqual(wrong.findings.map((f) => f.kind), ['anchor']);
    // The newest entries deleted leave no gap: only the anchor shows it.
    const cut = await verifyChain(rows.slice(0, 3), { start, expectHead: { seq: 5, hash: rows[4].hash! } });
    assert.deepEqual(cut.findings.map((f) => f.kind), ['anchor']);
  });

  it('from the middle of the chain, takes the first entry\'s link as given', async () => {
    const rows = chain(6).slice(3);
    assert.deepEqual((await verifyChain(rows)).findings, []);
  });
});

describe('export', () => {
  it('quotes cells with commas, quotes and line breaks (RFC 4180)', () => {
    assert.equal(csvCell('plain'), 'plain');
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('two\nlines'), '"two\nlines"');
    assert.equal(csvCell('cr\r'), '"cr\r"');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell(12), '12');
  });

  it('guards cells a spreadsheet would run as a formula', () => {
    for (const s of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) assert.ok(csvCell(s).replace(/^"/, '').startsWith(`'`), s);
    assert.equal(csvCell('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
    assert.equal(csvCell('a=b'), 'a=b');
  });

  it('writes a header then one line per entry; JSON Lines one entry per line', async () => {
    const rows = chain(3).map((r) => ({ ...r, seq: r.seq }));
    const csv = (await collect(exportLines(rows as never, 'csv'))).join('');
    const lines = csv.split('\r\n');
    assert.equal(lines[0], AUDIT_EXPORT_COLUMNS.join(','));
    assert.equal(lines.length, 5); // header, 3 entries, the empty string after the last CRLF
    assert.equal(csvLine(exportEntry(rows[0] as never)), `${lines[1]}\r\n`);
    const jsonl = (await collect(exportLines(rows as never, 'jsonl', 2))).join('');
    const parsed = jsonl.trimEnd().split('\n').map((l) => JSON.parse(l) as { seq: number; hash: string; detail: unknown });
    assert.deepEqual(parsed.map((e) => [e.seq, e.hash, e.detail]), [[1, rows[0].hash, { n: 1 }], [2, rows[1].hash, { n: 2 }]]);
  });
});

describe('every audit entry goes through the chain', () => {
  it('no code but the audit store inserts into the audit table (a direct insert would sit outside the chain)', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts') && /insertInto\(\s*['"]audit['"]\s*\)/.test(readFileSync(p, 'utf8'))) offenders.push(relative(ROOT, p));
      }
    };
    for (const d of ['backend', 'lib']) walk(join(ROOT, d));
    // The migration reads and updates existing rows; it inserts nothing.
    assert.deepEqual(offenders, ['backend/store/audit-store.ts'], 'write audit entries with store.appendAudit, or auditLog.append(tx, entry) inside a transaction');
  });
});

describe('dcoc-control audit', () => {
  const run = async (argv: string[]) => {
    let out = '';
    let err = '';
    const code = await runCli({ program: 'dcoc-control', version: 't', commands: COMMANDS, defaultCommand: DEFAULT_COMMAND, argv, io: { out: (t) => (out += t), err: (t) => (err += t) } });
    return { code, out, err };
  };

  it('is listed, and --help says what verify and export do and how to anchor the head', async () => {
    assert.match((await run(['--help'])).out, /audit\s+verify the audit log hash chain/);
    for (const argv of [['audit', '--help'], ['audit', 'verify', '--help'], ['help', 'audit']]) {
      const r = await run(argv);
      assert.equal(r.code, 0);
      assert.match(r.out, /usage: dcoc-control audit verify/);
      assert.match(r.out, /--expect-head/);
    }
  });

  it('refuses a missing or unknown action and bad flags with exit 2', async () => {
    for (const argv of [['audit'], ['audit', 'fix'], ['audit', 'verify', '--from', 'yesterday'], ['audit', 'verify', '--expect-head', '12:abc'], ['audit', 'verify', '--nope']]) {
      const r = await run(argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.err, /run dcoc-control --help/);
    }
  });
});
