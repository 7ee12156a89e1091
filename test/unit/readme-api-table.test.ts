// README.md's API table is generated from the route table; it fails here when
// it differs (regenerate: node --import tsx scripts/api-table.ts --fix).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { API_ROUTES } from '../../contracts/routes';
import { BEGIN, END, README, renderApiTable, withTable } from '../../scripts/api-table';

describe("README's API table", () => {
  it('is the one generated from contracts/routes.ts', () => {
    const readme = readFileSync(README, 'utf8');
    assert.equal(withTable(readme, renderApiTable()), readme, 'README.md differs from the route table; run: node --import tsx scripts/api-table.ts --fix');
  });

  it('has a row per route, and a changed route changes it', () => {
    const table = renderApiTable();
    assert.equal(table.split('\n').length, API_ROUTES.length + 4);
    assert.ok(table.startsWith(BEGIN) && table.endsWith(END));
    assert.match(table, /\| `GET \/api\/v1\/audit\?actor=&action=&commons=&since=&limit=` \| operator \| yes \| `200 AuditList` \|/);
    assert.match(table, /\| `POST \/api\/v1\/tokens` `\{name, role, ttlSeconds\?\}` \| admin \| no \| `201 ApiTokenMinted` \|/);
    const readme = readFileSync(README, 'utf8');
    assert.notEqual(withTable(readme, table.replace('Audit log', 'Audit trail')), readme);
  });
});
