// The layers stay apart: backend/, agent/, plugin/ and src/ import only
// contracts/ (and lib/ for the control service and the agent), never each
// other; contracts/ imports none of them. Checked with the repository's own
// ESLint configuration, so this fails if the rule is switched off.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

// Type-aware rules off: they need the file on disk, and these files are made up.
const eslint = new ESLint({ cwd: process.cwd(), overrideConfig: tseslint.configs.disableTypeChecked });

async function crossings(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'dcoc/layer-boundaries').map((m) => m.message);
}

describe('layer boundaries', () => {
  const refused: Array<[string, string]> = [
    ['agent/core/x.ts', "import { a } from '../../backend/config/env';"],
    ['backend/http/x.ts', "import { a } from '../../agent/core/agent';"],
    ['plugin/app/x.ts', "import { a } from '../../backend/http/app';"],
    ['plugin/app/x.ts', "import { a } from '../../lib/logger';"],
    ['src/pages/x.ts', "import { a } from '../../plugin/app/routes';"],
    ['src/pages/x.ts', "export * from '../../backend/dashboards/generator';"],
    ['contracts/x.ts', "import { a } from '../backend/http/app';"],
    ['contracts/x.ts', "import { a } from '../lib/logger';"],
    ['lib/x.ts', "const m = await import('../backend/store/store');"],
  ];
  for (const [file, code] of refused) {
    it(`refuses ${file}: ${code}`, async () => {
      const found = await crossings(file, `${code}\nexport {};\n`);
      assert.equal(found.length, 1, `expected one crossing, got ${JSON.stringify(found)}`);
      assert.match(found[0]!, /may not import/);
    });
  }
  const allowed: Array<[string, string]> = [
    ['agent/core/x.ts', "import { a } from '../../contracts/api';\nimport { b } from '../../lib/logger';\nimport { c } from './y';"],
    ['backend/http/x.ts', "import { a } from '../../contracts/roles';\nimport { b } from '../../lib/pki/x509';"],
    ['plugin/app/x.ts', "import { a } from '../../contracts/identity';"],
    ['src/pages/x.ts', "import { a } from '../../contracts/api';\nimport { b } from 'zod';"],
    ['test/unit/x.ts', "import { a } from '../../backend/http/app';\nimport { b } from '../../agent/core/agent';"],
  ];
  for (const [file, code] of allowed) {
    it(`allows ${file}`, async () => {
      assert.deepEqual(await crossings(file, `${code}\nexport {};\n`), []);
    });
  }
});
