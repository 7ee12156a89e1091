// A revision applied to a gen3-gitops values file as an edit, not a rewrite.
// Those files hold far more than DCOC models (FENCE_CONFIG, etl mappings,
// sower jobs, comments), so a deploy changes only the leaves the revision
// changes and leaves every other byte as it was: the file is parsed with the
// yaml Document API to find where each changed value sits (node ranges), and
// only those spans of the text are replaced. Re-printing the whole document
// would not do: several real gen3-gitops files do not survive a yaml
// parse-and-print unchanged (sequence indentation, spacing, line folding).
import { Document, type Node, type Pair, type Scalar, type YAMLMap, isCollection, isMap, isNode, isPair, isScalar, isSeq, parseAllDocuments, visit } from 'yaml';
import { HELM_YAML, type Values, isMap as isValues, toYaml } from './values';

/** The file cannot be edited safely; the message says what to do about it. Nothing is written. */
export class ValuesFileError extends Error {}

export interface EditOptions {
  /** Comment lines (without '#') for the top of a file DCOC creates. */
  header?: string;
}

/**
 * The new text of a values file. `before` is what DCOC committed last (the
 * previous revision's values); without it the file's own content stands in, so
 * only values that differ from the file are written and nothing is removed.
 * Removal is only for leaves `before` had and `after` no longer has.
 */
export function editValuesFile(existing: string | undefined, before: Values | undefined, after: Values, o: EditOptions = {}): string {
  const header = o.header ? `${o.header.split('\n').map((l) => (l ? `# ${l}` : '#')).join('\n')}\n` : '';
  if (existing === undefined) return header + toYaml(after);

  const docs = parseAllDocuments(existing, { uniqueKeys: false });
  if (docs.length > 1) {
    throw new ValuesFileError(`it holds ${docs.length} YAML documents (separated by ---) and Helm reads a values file as one mapping; keep a single document in the file and deploy again`);
  }
  const doc = docs[0] as Document.Parsed | undefined;
  const problem = doc?.errors[0];
  if (problem) throw new ValuesFileError(`it is not valid YAML (${problem.message.split('\n')[0]}); fix it in the repository and deploy again`);

  // Nothing in it yet (empty, comments only, a bare ---): everything DCOC renders is added below what is there.
  const root = doc?.contents;
  if (!root || (isScalar(root) && root.value === null && root.source === '')) {
    const keep = existing === '' || existing.endsWith('\n') ? existing : `${existing}\n`;
    return keep + (existing.trim() === '' ? header : '') + toYaml(after);
  }
  if (!isMap(root)) {
    const what = isSeq(root) ? 'a list' : isScalar(root) ? 'a single value' : 'not a mapping';
    throw new ValuesFileError(`it is ${what}, not a mapping of gen3-helm values; fix or remove the file in the repository (DCOC writes a new one where there is none) and deploy again`);
  }

  let fileValues: Values;
  try {
    fileValues = root.toJS(doc) as Values;
  } catch (e) {
    throw new ValuesFileError(`its content cannot be read (${(e as Error).message}); fix it in the repository and deploy again`);
  }
  const edits = editTree(before ?? fileValues, after, before !== undefined);
  if (edits.children.size === 0) return existing;

  const ctx = context(existing, doc);
  const splices = root.flow ? replaceFlowRoot(ctx, root, edits) : applyMap(ctx, root, edits, []).splices;
  const out = splice(existing, splices);
  verify(out, edits);
  return out;
}

// ------------------------------------------------------------------ what changes

/** A trie of the changed leaves: `set` a value, `remove` the key, or descend into `children`. */
interface Edit {
  set?: { value: unknown };
  remove?: boolean;
  children: Map<string, Edit>;
}

type Leaf = { path: string[]; value: unknown };

/** Leaves as structuredDiff (diff.ts) sees them, but with the path as keys: a key may hold dots. */
function leaves(v: Values, prefix: string[], out: Map<string, Leaf>): Map<string, Leaf> {
  for (const [k, x] of Object.entries(v)) {
    const path = [...prefix, k];
    if (isValues(x) && Object.keys(x).length > 0) leaves(x, path, out);
    else out.set(JSON.stringify(path), { path, value: x });
  }
  return out;
}

function editTree(before: Values, after: Values, removals: boolean): Edit {
  const a = leaves(before, [], new Map());
  const b = leaves(after, [], new Map());
  const root: Edit = { children: new Map() };
  const at = (path: string[]) => path.reduce((e, k) => e.children.get(k) ?? e.children.set(k, { children: new Map() }).get(k)!, root);
  for (const [key, leaf] of b) if (!a.has(key) || !same(a.get(key)!.value, leaf.value)) at(leaf.path).set = { value: leaf.value };
  if (removals) for (const [key, leaf] of a) if (!b.has(key)) at(leaf.path).remove = true;
  return root;
}

type Kind = 'set' | 'remove' | 'map';

/** A non-empty value replaces whatever is below it; `{}` and bare paths only make sure there is a mapping. */
function kindOf(e: Edit): Kind {
  if (e.set && !isEmptyMap(e.set.value)) return 'set';
  if (e.remove && e.children.size === 0) return 'remove';
  return 'map';
}

const isEmptyMap = (v: unknown) => isValues(v) && Object.keys(v).length === 0;

/** The value an edit puts where the file has nothing (or no mapping): its sets, nested. */
function added(e: Edit): unknown {
  const kind = kindOf(e);
  if (kind === 'set') return structuredClone(e.set!.value);
  if (kind === 'remove') return undefined;
  const out: Values = {};
  for (const [k, c] of e.children) {
    const v = added(c);
    if (v !== undefined) out[k] = v;
  }
  return Object.keys(out).length || e.set ? out : undefined;
}

/** Deep equality where key order does not matter (it does not to Helm). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isValues(a) && isValues(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
  }
  return false;
}

// ------------------------------------------------------------------ where it goes

interface Ctx {
  src: string;
  doc: Document.Parsed;
  eol: string;
  indent: number;
  indentSeq: boolean;
}

interface Splice {
  start: number;
  end: number;
  text: string;
  /** Nesting depth of an insertion: at one position, a nested mapping's new keys go before its parent's. */
  depth?: number;
}

/** The file's own style for what DCOC adds: line ends, indent width, whether lists are indented under their key. */
function context(src: string, doc: Document.Parsed): Ctx {
  const ctx: Ctx = { src, doc, eol: src.includes('\r\n') ? '\r\n' : '\n', indent: 2, indentSeq: true };
  let foundIndent = false;
  let foundSeq = false;
  visit(doc, {
    Pair(_, pair) {
      if (!isNode(pair.key) || !pair.key.range || !isCollection(pair.value) || pair.value.flow || !pair.value.range) return undefined;
      const keyCol = column(src, pair.key.range[0]);
      if (!foundIndent && isMap(pair.value) && isPair(pair.value.items[0]) && isNode(pair.value.items[0].key)) {
        const step = column(src, pair.value.items[0].key.range![0]) - keyCol;
        if (step >= 2 && step <= 8) ctx.indent = step;
        foundIndent = true;
      }
      if (!foundSeq && isSeq(pair.value)) {
        ctx.indentSeq = column(src, pair.value.range[0]) > keyCol;
        foundSeq = true;
      }
      return foundIndent && foundSeq ? visit.BREAK : undefined;
    },
  });
  return ctx;
}

function column(src: string, pos: number): number {
  return pos - (src.lastIndexOf('\n', pos - 1) + 1);
}

function lineStart(src: string, pos: number): number {
  return src.lastIndexOf('\n', pos - 1) + 1;
}

/** Just past the line break of the line holding `pos` (or the end of the text). */
function lineEnd(src: string, pos: number): number {
  const nl = src.indexOf('\n', pos);
  return nl < 0 ? src.length : nl + 1;
}

/** Just past the last line holding a node's content: its trailing comment on that line, not comment lines after it. */
function contentEnd(ctx: Ctx, n: unknown, fallback: number): number {
  if ((isMap(n) || isSeq(n)) && !n.flow && n.items.length > 0) {
    const last = n.items[n.items.length - 1];
    if (isPair(last)) return contentEnd(ctx, last.value ?? last.key, fallback);
    return contentEnd(ctx, last, fallback);
  }
  if (!isNode(n) || !n.range) return lineEnd(ctx.src, fallback);
  // A block scalar's range already ends after its last line break.
  if (isScalar(n) && (n.type === 'BLOCK_LITERAL' || n.type === 'BLOCK_FOLDED')) return n.range[1];
  return lineEnd(ctx.src, n.range[1]);
}

function keyName(pair: Pair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

function keyRange(pair: Pair): [number, number] {
  const k = pair.key as Node;
  return [k.range![0], k.range![1]];
}

const dotted = (path: string[]) => path.join('.');

function applyMap(ctx: Ctx, map: YAMLMap, e: Edit, path: string[]): { splices: Splice[]; emptied: boolean } {
  const index = new Map<string, Pair[]>();
  for (const item of map.items) {
    const k = keyName(item);
    if (k === undefined) continue;
    const list = index.get(k);
    if (list) list.push(item);
    else index.set(k, [item]);
  }
  const splices: Splice[] = [];
  const inserts: [string, unknown][] = [];
  const removed = new Set<Pair>();
  for (const [k, c] of e.children) {
    const p = [...path, k];
    const pairs = index.get(k) ?? [];
    if (pairs.length > 1) {
      const lines = pairs.map((x) => ctx.src.slice(0, keyRange(x)[0]).split('\n').length);
      throw new ValuesFileError(`${dotted(p)} appears ${pairs.length} times (lines ${lines.join(', ')}) and DCOC changes it; keep one of them in the repository and deploy again`);
    }
    const pair = pairs[0];
    const kind = kindOf(c);
    if (!pair) {
      const v = added(c);
      if (v !== undefined) inserts.push([k, v]);
      continue;
    }
    const node = pair.value;
    if (kind === 'remove') {
      // What DCOC rendered was a value; a mapping with keys there now is someone else's, and stays.
      if (isMap(node) && node.items.length > 0) continue;
      splices.push(removePair(ctx, pair, p));
      removed.add(pair);
    } else if (kind === 'set') {
      if (!same(toJs(ctx, node), c.set!.value)) splices.push(replaceValue(ctx, pair, c.set!.value, p));
    } else if (isMap(node) && !node.flow) {
      const r = applyMap(ctx, node, c, p);
      if (!r.emptied) splices.push(...r.splices);
      else if (c.set) splices.push(replaceValue(ctx, pair, {}, p));
      else {
        splices.push(removePair(ctx, pair, p));
        removed.add(pair);
      }
    } else if (isMap(node) && node.items.length > 0) {
      // A flow mapping ({a: 1, b: 2}) is rewritten whole, in flow style.
      const js = toJs(ctx, node) as Values;
      const r = applyValues(js, c);
      if (r.emptied && !c.set) {
        splices.push(removePair(ctx, pair, p));
        removed.add(pair);
      } else if (!same(js, r.value)) splices.push(replaceValue(ctx, pair, r.value, p, true));
    } else {
      // No mapping here ({}, null, a value or a list): the mapping DCOC needs replaces it.
      const v = added(c);
      if (v !== undefined && !same(toJs(ctx, node), v)) splices.push(replaceValue(ctx, pair, v, p));
    }
  }
  if (inserts.length) splices.push(insertPairs(ctx, map, inserts, removed, path));
  return { splices, emptied: removed.size > 0 && removed.size === map.items.length && inserts.length === 0 };
}

/** The same edit on plain values (for flow collections): the new value, and whether removals emptied it. */
function applyValues(v: Values, e: Edit): { value: Values; emptied: boolean } {
  const out: Values = { ...v };
  let removals = 0;
  for (const [k, c] of e.children) {
    const kind = kindOf(c);
    if (kind === 'remove') {
      if (Object.hasOwn(out, k)) {
        delete out[k];
        removals++;
      }
    } else if (kind === 'set') out[k] = structuredClone(c.set!.value);
    else if (isValues(out[k]) && Object.keys(out[k]).length > 0) {
      const r = applyValues(out[k], c);
      if (r.emptied && !c.set) {
        delete out[k];
        removals++;
      } else out[k] = r.value;
    } else {
      const a = added(c);
      if (a !== undefined) out[k] = a;
    }
  }
  return { value: out, emptied: removals > 0 && Object.keys(out).length === 0 };
}

function toJs(ctx: Ctx, n: unknown): unknown {
  return isNode(n) ? n.toJS(ctx.doc) : (n ?? null);
}

/** `x: <value>` as yaml prints it in the file's style, without the `x:`. */
function renderValue(ctx: Ctx, value: unknown, o: { style?: Scalar.Type; flow?: boolean; padded?: boolean } = {}): string {
  const d = new Document({ x: value }, HELM_YAML);
  const v = (d.contents as YAMLMap).items[0].value;
  if (o.style && isScalar(v)) v.type = o.style;
  if (o.flow && isCollection(v)) v.flow = true;
  return d.toString({ lineWidth: 0, indent: ctx.indent, indentSeq: ctx.indentSeq, flowCollectionPadding: o.padded ?? true }).slice(2);
}

/** Indents every line after the first by `col` (the first continues a line that is already indented). */
function shift(ctx: Ctx, text: string, col: number, first = false): string {
  const pad = ' '.repeat(col);
  return text
    .split('\n')
    .map((l, i) => (l && (i > 0 || first) ? pad + l : l))
    .join('\n')
    .replace(/\n/g, ctx.eol);
}

/** After the `:` of a pair, and past a comment on the key's own line (kept). */
function afterColon(ctx: Ctx, pair: Pair, path: string[]): { pos: number; comment: boolean } {
  let i = keyRange(pair)[1];
  while (ctx.src[i] === ' ' || ctx.src[i] === '\t') i++;
  if (ctx.src[i] !== ':') throw new ValuesFileError(`${dotted(path)} is written in a form DCOC cannot edit in place (an explicit "? key"); write it as "key: value" in the repository and deploy again`);
  i++;
  let j = i;
  while (ctx.src[j] === ' ' || ctx.src[j] === '\t') j++;
  if (ctx.src[j] !== '#') return { pos: i, comment: false };
  const nl = ctx.src.indexOf('\n', j);
  const end = nl < 0 ? ctx.src.length : ctx.src[nl - 1] === '\r' ? nl - 1 : nl;
  return { pos: end, comment: true };
}

const INLINE: readonly (Scalar.Type | undefined)[] = ['PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE'];

function replaceValue(ctx: Ctx, pair: Pair, value: unknown, path: string[], flow = false): Splice {
  const node = pair.value;
  const col = column(ctx.src, keyRange(pair)[0]);
  // A quoted string stays quoted the same way ('2026.07' → '2026.08'); yaml quotes what would not read back as a string.
  const keepQuotes = isScalar(node) && (node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE') && typeof value === 'string' && !value.includes('\n');
  // A list or mapping written in flow style ([a, b]) stays in flow style; an empty one ({}) opens up into a block.
  const keepFlow = flow || (isCollection(node) && node.flow === true && node.items.length > 0 && (Array.isArray(value) || isValues(value)));
  const padded = isCollection(node) && node.flow && node.range ? ctx.src[node.range[0] + 1] === ' ' : true;
  const rendered = renderValue(ctx, value, { style: keepQuotes ? (node as Scalar).type : undefined, flow: keepFlow, padded });
  const oneLine = rendered.indexOf('\n') === rendered.length - 1;
  const inlineNode = isNode(node) && node.range && !node.anchor && !node.tag && (isScalar(node) ? INLINE.includes(node.type) && node.source !== '' : isCollection(node) && node.flow);
  if (oneLine && inlineNode) {
    // Only the value's own characters: its comment and spacing stay.
    return { start: node.range![0], end: node.range![1], text: rendered.trim() };
  }
  const from = afterColon(ctx, pair, path);
  const end = contentEnd(ctx, node, keyRange(pair)[1]);
  let text = oneLine && from.comment ? `\n${' '.repeat(col + ctx.indent)}${rendered.trim()}\n` : rendered;
  if (end === ctx.src.length && !ctx.src.endsWith('\n')) text = text.replace(/\n$/, '');
  return { start: from.pos, end, text: shift(ctx, text, col) };
}

function removePair(ctx: Ctx, pair: Pair, path: string[]): Splice {
  const [k] = keyRange(pair);
  const start = lineStart(ctx.src, k);
  if (ctx.src.slice(start, k).trim() !== '') throw new ValuesFileError(`${dotted(path)} does not start its own line, so DCOC cannot remove it in place; remove it in the repository and deploy again`);
  return { start, end: contentEnd(ctx, pair.value ?? pair.key, k), text: '' };
}

/** New keys go after the mapping's last key that stays, at its keys' indentation. */
function insertPairs(ctx: Ctx, map: YAMLMap, entries: [string, unknown][], removed: Set<Pair>, path: string[]): Splice {
  const first = map.items[0];
  const col = column(ctx.src, keyRange(first)[0]);
  const keep = map.items.filter((x) => !removed.has(x));
  const last = keep[keep.length - 1];
  const at = last ? contentEnd(ctx, last.value ?? last.key, keyRange(last)[1]) : lineStart(ctx.src, keyRange(first)[0]);
  if (ctx.src.slice(lineStart(ctx.src, keyRange(first)[0]), keyRange(first)[0]).trim() !== '') {
    throw new ValuesFileError(`${dotted(path) || 'the top-level mapping'} does not start its own line, so DCOC cannot add ${entries.map(([k]) => k).join(', ')} to it in place; edit the file in the repository and deploy again`);
  }
  const body = new Document(Object.fromEntries(entries), HELM_YAML).toString({ lineWidth: 0, indent: ctx.indent, indentSeq: ctx.indentSeq });
  const lead = at === ctx.src.length && !ctx.src.endsWith('\n') && ctx.src.length > 0 ? ctx.eol : '';
  return { start: at, end: at, text: lead + shift(ctx, body, col, true), depth: path.length };
}

/** A document that is one flow mapping: rewritten whole, in flow style. */
function replaceFlowRoot(ctx: Ctx, root: YAMLMap, e: Edit): Splice[] {
  const js = toJs(ctx, root) as Values;
  const v = applyValues(js, e).value;
  if (same(js, v)) return [];
  const text = new Document(v, HELM_YAML).toString({ lineWidth: 0, collectionStyle: 'flow' }).trimEnd();
  return [{ start: root.range![0], end: root.range![1], text }];
}

/**
 * Applies non-overlapping splices in one pass. At one position a removal
 * comes before an insertion, and a nested mapping's insertion before its
 * parent's (its new keys belong above the parent's).
 */
function splice(src: string, splices: Splice[]): string {
  const sorted = [...splices].sort((a, b) => a.start - b.start || a.end - b.end || (b.depth ?? 0) - (a.depth ?? 0));
  const parts: string[] = [];
  let at = 0;
  for (const s of sorted) {
    if (s.start < at) throw new ValuesFileError('DCOC computed overlapping edits of this file (a bug); nothing was written');
    parts.push(src.slice(at, s.start), s.text);
    at = s.end;
  }
  parts.push(src.slice(at));
  return parts.join('');
}

/** The edited text must read back as the file with exactly the edits applied; otherwise nothing is written. */
function verify(out: string, e: Edit): void {
  const docs = parseAllDocuments(out, { uniqueKeys: false });
  const doc = docs[0] as Document.Parsed | undefined;
  if (docs.length !== 1 || !doc || doc.errors.length) throw new ValuesFileError('DCOC could not edit this file in place without breaking its YAML (a bug); nothing was written');
  const got = doc.toJS() as unknown;
  const check = (v: unknown, edit: Edit, path: string[]) => {
    for (const [k, c] of edit.children) {
      const p = [...path, k];
      const here = isValues(v) && Object.hasOwn(v, k) ? v[k] : undefined;
      const kind = kindOf(c);
      const ok =
        kind === 'set' ? same(here, c.set!.value) : kind === 'remove' ? here === undefined || (isValues(here) && Object.keys(here).length > 0) : c.set ? isValues(here) : here === undefined || isValues(here);
      if (!ok) throw new ValuesFileError(`DCOC could not set ${dotted(p)} in this file in place (a bug); nothing was written`);
      if (kind === 'map' && isValues(here)) check(here, c, p);
    }
  };
  check(got, e, []);
}
