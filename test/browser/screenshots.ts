// Screenshots of the fleet, commons, agents, audit and deploy pages at
// 1440x900 for the README (docs/screenshots/*.png), taken from the real stack
// the browser tests use. Run on demand:
// `node --import tsx test/browser/screenshots.ts [fleet|commons|agents|audit|deploy ...]`
// (no names: all of them).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CommonsSummary } from '../../contracts/api';
import { testIds } from '../../src/testIds';
import { eventually } from '../support/fleet';
import { chromiumMissing, launchChromium } from './support/chromium';
import { startStack } from './support/stack';

const OUT = resolve(import.meta.dirname, '..', '..', 'docs', 'screenshots');
const ONLY = process.argv.slice(2);
const wanted = (file: string) => ONLY.length === 0 || ONLY.includes(file.replace(/\.png$/, ''));

async function main() {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  mkdirSync(OUT, { recursive: true });
  const stack = await startStack({ podStartMs: 300 });
  const browser = await launchChromium({ width: 1440, height: 900 });
  try {
    const list = async () => (await stack.fleet.admin<{ items: CommonsSummary[] }>('GET', '/api/v1/commons')).body.items;
    await eventually(async () => (await list()).length === 3 && (await list()).every((c) => c.status === 'healthy'), { what: 'three healthy commons', timeoutMs: 90_000 });
    const midrc = (await list()).find((c) => c.hostname === 'data.midrc.org')!;
    const heal = (await list()).find((c) => c.hostname === 'healdata.org')!;
    // Some history and some trouble, so the pages show what they are for.
    await stack.fleet.simFault('healdata.org', 'indexd', 'down');
    const page = await browser.context.newPage();
    stack.host.role = 'Editor';
    await page.goto(`${stack.host.url}/a/gen3-dcoc-app/commons/${midrc.id}`);
    for (const service of ['fence', 'indexd']) {
      await page.getByTestId(testIds.commons.restart(service)).click();
      await page.getByRole('dialog').getByRole('button', { name: `Restart ${service}` }).click();
      await page.getByTestId(testIds.commons.actionResult).waitFor();
    }
    await page.locator('[data-testid^="dcoc-command-state-"]').filter({ hasText: 'succeeded' }).nth(1).waitFor({ timeout: 120_000 });
    await eventually(async () => (await list()).find((c) => c.id === heal.id)?.status !== 'healthy', { what: 'HEAL to show the injected fault', timeoutMs: 60_000 });

    stack.host.role = 'Admin';
    const shoot = async (path: string, ready: string, file: string) => {
      if (!wanted(file)) return;
      await page.goto(`${stack.host.url}${path}`);
      await page.getByTestId(ready).first().waitFor({ timeout: 60_000 });
      await page.waitForLoadState('networkidle');
      await page.screenshot({ path: join(OUT, file) });
      console.log(`wrote docs/screenshots/${file}`);
    };
    await shoot('/a/gen3-dcoc-app/fleet', testIds.fleet.row(heal.id), 'fleet.png');
    await shoot(`/a/gen3-dcoc-app/commons/${midrc.id}`, testIds.commons.commands, 'commons.png');
    await shoot('/a/gen3-dcoc-app/agents', testIds.agents.page, 'agents.png');
    await shoot('/a/gen3-dcoc-app/audit', 'dcoc-audit-row-1', 'audit.png');

    // The deploy wizard with a plan: MIDRC from 2026.06 to 2026.07, the diff and the service changes before applying.
    if (wanted('deploy.png')) {
      stack.host.role = 'Editor';
      await page.goto(`${stack.host.url}/a/gen3-dcoc-app/deploy`);
      const choose = async (testId: string, option: RegExp) => {
        await page.getByTestId(testId).locator('input').click();
        await page.getByRole('option', { name: option }).first().click();
      };
      await page.getByTestId(testIds.deploy.form).waitFor({ timeout: 60_000 });
      await choose(testIds.deploy.commons, /^MIDRC/);
      await choose(testIds.deploy.template, /^gen3-explorer/);
      await choose(testIds.deploy.profile, /^production/);
      await choose(testIds.deploy.release, /^2026\.07/);
      await page.getByTestId(testIds.deploy.reason).fill('Monthly upgrade to 2026.07');
      await page.getByTestId(testIds.deploy.plan).click();
      await page.getByTestId(testIds.deploy.diff).waitFor({ timeout: 60_000 });
      await page.getByTestId(testIds.deploy.planSummary).evaluate((el) => el.closest('section')?.scrollIntoView({ block: 'start' }));
      await page.waitForLoadState('networkidle');
      await page.screenshot({ path: join(OUT, 'deploy.png') });
      console.log('wrote docs/screenshots/deploy.png');
    }
  } finally {
    await browser.close();
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
