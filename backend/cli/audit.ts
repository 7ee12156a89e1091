// `dcoc-control audit verify|export`: checks the audit log's hash chain and
// names every entry edited, deleted or slipped in; writes the log as CSV or
// JSON Lines. Both read the store the settings name, beside a running service.
import { once } from 'node:events';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { AuditExportQuery } from '../../contracts/compliance';
import { type ChainStart, formatHead } from '../audit/chain';
import { exportLines } from '../audit/export';
import { describeFinding, unchainedFindings, verifyChain } from '../audit/verify';
import { loadEnv } from '../config/env';
import type { AuditStore } from '../store/audit-store';
import { openAuditReader } from '../store/open-audit-reader';
import { type Subcommand, UsageError } from './subcommand';

const HELP = `usage: dcoc-control audit verify [--from SEQ|TIME] [--to SEQ|TIME] [--expect-head SEQ:HASH]
       dcoc-control audit export [--format csv|jsonl] [--since TIME] [--until TIME]
                                 [--commons ID] [--actor ACTOR] [--action ACTION]

Reads the store named by the settings (DCOC_DATABASE_URL, else
DCOC_DATA_DIR/dcoc.sqlite, opened read-only: the service may keep running).

verify   Walks the audit log's hash chain (each entry's SHA-256 covers its
         fields and the hash before it) and prints one line per entry that
         was edited (content no longer matches its hash), deleted (a gap in
         seq: between which entries), moved or replaced (does not follow the
         entry before it), or inserted around dcoc-control (no seq); then the
         head, SEQ:HASH. Progress goes to stderr on large logs.
           --from, --to     check only entries from/to this seq, or written
                            from/before this time (ISO 8601)
           --expect-head    a head printed earlier: the entry at that seq
                            must still have that hash
         Someone able to rewrite the whole database can recompute every
         hash. Keep the printed head (or an export's DCOC-Audit-Head)
         somewhere they cannot write, and check against it later with
         --expect-head: that also shows the newest entries deleted.
         Entries pruned by retention (DCOC_AUDIT_RETENTION_DAYS) are not
         findings: the chain is checked from the last pruned entry's hash.

export   Writes the audit log to stdout, oldest first, with each entry's seq
         and hash: CSV (RFC 4180, header row; a cell starting with = + - @
         gets a leading ' so spreadsheets do not run it) or JSON Lines (one
         entry per line, the exact stored values: use it to re-check hashes).
         --until is exclusive. The head when the export began is on stderr.

Exit status: 0 intact (verify) or written (export), 1 findings or failure,
2 usage error.
`;

/** The largest seq (an integer column). */
const MAX_SEQ = 2 ** 31 - 1;

/** A seq number, or the first/last seq written from/before a time. */
function rangeBound(v: string | undefined, flag: string): { seq: number } | { time: string } | undefined {
  if (v === undefined) return undefined;
  if (/^\d+$/.test(v)) {
    if (Number(v) > MAX_SEQ) throw new UsageError(`${flag} must be a seq up to ${MAX_SEQ}`);
    return { seq: Number(v) };
  }
  if (!Number.isNaN(Date.parse(v)) && /^\d{4}-\d{2}-\d{2}/.test(v)) return { time: new Date(v).toISOString() };
  throw new UsageError(`${flag} must be a seq number or an ISO 8601 time, not ${JSON.stringify(v)}`);
}

export function parseHead(v: string): ChainStart {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(v.trim());
  if (!m) throw new UsageError(`--expect-head must be SEQ:HASH as \`audit verify\` prints it (a number, a colon, 64 hex digits), not ${JSON.stringify(v)}`);
  return { seq: Number(m[1]), hash: m[2] };
}

function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<string, string | undefined>;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

async function verify(argv: string[]): Promise<number> {
  const v = parse(argv, { from: { type: 'string' }, to: { type: 'string' }, 'expect-head': { type: 'string' } });
  const from = rangeBound(v.from, '--from');
  const to = rangeBound(v.to, '--to');
  const expectHead = v['expect-head'] !== undefined ? parseHead(v['expect-head']) : undefined;
  const reader = await openAuditReader(loadEnv()).catch((e: Error) => e);
  if (reader instanceof Error) {
    process.stderr.write(`dcoc-control audit verify: ${reader.message}\n`);
    return 1;
  }
  try {
    return await reader.snapshot((audit) => verifyIn(audit, reader.where, from, to, expectHead));
  } finally {
    await reader.close();
  }
}

async function verifyIn(audit: AuditStore, where: string, from: ReturnType<typeof rangeBound>, to: ReturnType<typeof rangeBound>, expectHead: ChainStart | undefined): Promise<number> {
  const start = await audit.start();
  let fromSeq = start.seq + 1;
  let toSeq: number | undefined;
  if (from || to) {
    const times = await audit.seqRange(from && 'time' in from ? from.time : undefined, to && 'time' in to ? to.time : undefined);
    // A time range with no entries checks nothing: from past every seq.
    if (from) fromSeq = Math.max(fromSeq, 'seq' in from ? from.seq : (times?.min ?? MAX_SEQ));
    if (to) toSeq = 'seq' in to ? to.seq : (times?.max ?? 0);
  }
  const whole = fromSeq === start.seq + 1;
  const { rows, unchained } = await audit.counts();
  const progress = rows > 10_000;
  const result = await verifyChain(audit.chain(fromSeq, toSeq), {
    start: whole ? start : undefined,
    expectHead,
    onProgress: progress ? (n) => process.stderr.write(`audit verify: ${n} of about ${rows} entries checked\n`) : undefined,
  });
  const findings = [...result.findings, ...unchainedFindings(await audit.unchained(1000))];
  for (const f of findings) process.stdout.write(`${describeFinding(f)}\n`);
  if (unchained > 1000) process.stdout.write(`… and ${unchained - 1000} more entries with no place in the chain\n`);
  for (const n of result.notes) process.stdout.write(`note: ${n}\n`);
  const range = result.first === null ? 'no entries' : `seq ${result.first}–${result.head.seq}`;
  const pruned = start.seq > 0 ? `; entries up to seq ${start.seq} were pruned by retention` : '';
  if (findings.length) {
    process.stdout.write(`audit chain BROKEN: ${findings.length} finding(s) in ${result.checked} entries checked (${range}) in ${where}${pruned}\n`);
  } else {
    process.stdout.write(`audit chain intact: ${result.checked} entries checked (${range}) in ${where}${pruned}\n`);
  }
  process.stdout.write(`head ${formatHead(result.head)}\n`);
  return findings.length ? 1 : 0;
}

async function exportLog(argv: string[]): Promise<number> {
  const v = parse(argv, { format: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, commons: { type: 'string' }, actor: { type: 'string' }, action: { type: 'string' } });
  const q = AuditExportQuery.safeParse(Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)));
  if (!q.success) throw new UsageError(q.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
  const reader = await openAuditReader(loadEnv()).catch((e: Error) => e);
  if (reader instanceof Error) {
    process.stderr.write(`dcoc-control audit export: ${reader.message}\n`);
    return 1;
  }
  try {
    const { format, ...filter } = q.data;
    return await reader.snapshot(async (audit) => {
      process.stderr.write(`audit head ${formatHead(await audit.head())}\n`);
      for await (const piece of exportLines(audit.select(filter), format)) {
        if (!process.stdout.write(piece)) await once(process.stdout, 'drain');
      }
      return 0;
    });
  } finally {
    await reader.close();
  }
}

export const auditCommand: Subcommand = {
  name: 'audit',
  summary: 'verify the audit log hash chain, or export the log (CSV, JSON Lines)',
  help: () => HELP,
  async run(argv) {
    const [action, ...rest] = argv;
    if (action === 'verify') return verify(rest);
    if (action === 'export') return exportLog(rest);
    throw new UsageError(action === undefined ? 'say what to do: verify or export' : `unknown action ${JSON.stringify(action)} (verify or export)`);
  },
};
