// The README's API table, generated from the route table (contracts/routes.ts)
// between marker comments. test/unit/readme-api-table.test.ts fails when the
// README's copy differs; `node --import tsx scripts/api-table.ts --fix`
// rewrites it.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import * as api from '../contracts/api';
import { PERMISSIONS } from '../contracts/roles';
import { API_PREFIX, API_ROUTES, type ApiRoute, successStatuses, templatePath } from '../contracts/routes';

export const README = fileURLToPath(new URL('../README.md', import.meta.url));
export const BEGIN = '<!-- api-routes:begin (generated from contracts/routes.ts by scripts/api-table.ts; do not edit) -->';
export const END = '<!-- api-routes:end -->';

const nameOf = (schema: z.ZodType) => Object.entries(api).find(([, v]) => v === schema)?.[0];
const cell = (s: string) => s.replace(/\|/g, '\\|');

/** `{a, b?}`: a body's fields, optional ones marked. */
function fields(schema: z.ZodType | undefined): string {
  let s = schema as (z.ZodType & { shape?: Record<string, z.ZodType>; unwrap?: () => z.ZodType }) | undefined;
  if (s && !s.shape && s.unwrap) s = s.unwrap() as typeof s;
  const shape = s?.shape;
  if (!shape || !Object.keys(shape).length) return '';
  return ` \`{${Object.entries(shape)
    .map(([k, v]) => (v.safeParse(undefined).success ? `${k}?` : k))
    .join(', ')}}\``;
}

function row(r: ApiRoute): string {
  const query = r.query ? `?${Object.keys(r.query.shape).map((k) => `${k}=`).join('&')}` : '';
  const what = `\`${r.method.toUpperCase()} ${API_PREFIX}${templatePath(r.path)}${query}\`${fields(r.body)}`;
  const role = r.public ? 'none' : r.permission ? PERMISSIONS[r.permission] : 'any';
  const answers = successStatuses(r)
    .map((status) => {
      const body = r.responses[status];
      return body ? `\`${status} ${nameOf(body) ?? 'JSON'}\`` : r.mediaType ? `\`${status}\` ${[r.mediaType].flat().join(' or ')}` : `\`${status}\``;
    })
    .join(', ');
  return `| ${cell(what)} | ${role} | ${r.app === 'forward' ? 'yes' : 'no'} | ${answers} | ${cell(r.summary)} |`;
}

export function renderApiTable(): string {
  return [
    BEGIN,
    '| method and path | role | through the app | answers | what |',
    '|---|---|---|---|---|',
    ...API_ROUTES.map(row),
    END,
  ].join('\n');
}

/** The README with its generated section replaced by `table`. */
export function withTable(readme: string, table: string): string {
  const begin = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`README.md has no ${BEGIN} … ${END} section`);
  return readme.slice(0, begin) + table + readme.slice(end + END.length);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const readme = readFileSync(README, 'utf8');
  const next = withTable(readme, renderApiTable());
  if (process.argv.includes('--fix')) {
    writeFileSync(README, next);
  } else if (next !== readme) {
    process.stderr.write('README.md API table differs from contracts/routes.ts; run: node --import tsx scripts/api-table.ts --fix\n');
    process.exitCode = 1;
  }
}
