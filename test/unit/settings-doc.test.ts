// docs/settings.md is generated from the settings schema and the agent's flag
// table; it fails here when it differs (regenerate: npm run settings-doc -- --fix).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AGENT_FLAGS } from '../../agent/cli/flags';
import { EnvSchema } from '../../backend/config/env';
import { controlSettings } from '../../backend/config/settings';
import { SETTINGS_DOC, renderSettingsDoc } from '../../scripts/settings-doc';

describe('docs/settings.md', () => {
  it('is the one generated from backend/config/env.ts and agent/cli/flags.ts', () => {
    assert.equal(readFileSync(SETTINGS_DOC, 'utf8'), renderSettingsDoc(), 'docs/settings.md is stale; run: npm run settings-doc -- --fix');
  });

  it('lists every DCOC_* variable with its default, and every agent flag and variable', () => {
    const doc = renderSettingsDoc();
    const names = Object.keys(EnvSchema.shape);
    assert.ok(names.length >= 30);
    for (const s of controlSettings()) assert.ok(doc.includes(`| \`${s.name}\` | ${s.default === undefined ? 'unset' : `\`${s.default}\``} |`), s.name);
    assert.match(doc, /\| `DCOC_HTTP_ADDR` \| `127\.0\.0\.1:8470` \| Where the HTTP API listens/);
    assert.match(doc, /\| `DCOC_DATABASE_URL` \| unset \|/);
    for (const f of AGENT_FLAGS) assert.ok(doc.includes(f.name ? `\`--${f.name}` : `\`${f.env}\``), f.name || f.env);
    assert.match(doc, /\| `--control HOST:PORT` \| `DCOC_AGENT_CONTROL` \| `localhost:8471` \|/);
  });

  it('every setting has a description, and the defaults are the ones the service applies', () => {
    const applied = EnvSchema.parse({});
    for (const s of controlSettings()) {
      assert.ok(s.description.length > 10, `${s.name}: describe it`);
      const v = (applied as Record<string, unknown>)[s.name];
      assert.equal(s.default, v === undefined ? undefined : String(v), s.name);
    }
  });
});
