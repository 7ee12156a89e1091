// The app in Chromium, loaded from the BUILT dist/module.js by a host page
// that plays Grafana's frontend (SystemJS, the real @grafana/* and React),
// its backend calls served by the real plugin executables in front of the
// real control service and three simulated Gen3 commons (issue 4, must-show 1-4).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { CommandView, CommonsDetail, CommonsSummary } from '../../backend/contracts/api';
import { testIds } from '../../src/testIds';
import { eventually } from '../support/fleet';
import { chromiumMissing, launchChromium, type Browser } from './support/chromium';
import { startStack, type Stack } from './support/stack';

const skip = chromiumMissing();
const WAIT = { timeout: 60_000 };

describe('DCOC app in Chromium', { skip, timeout: 600_000 }, () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    [stack, browser] = await Promise.all([startStack(), launchChromium()]);
    page = await browser.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.setDefaultTimeout(60_000);
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });

  async function open(role: 'Viewer' | 'Editor' | 'Admin', path: string) {
    stack.host.role = role;
    await page.goto(`${stack.host.url}${path}`);
    await page.getByTestId(testIds.app.root).waitFor(WAIT);
  }

  async function commonsList(): Promise<CommonsSummary[]> {
    const r = await stack.fleet.admin<{ items: CommonsSummary[] }>('GET', '/api/v1/commons');
    return r.body.items;
  }

  async function midrc(): Promise<CommonsSummary> {
    const c = (await commonsList()).find((x) => x.hostname === 'data.midrc.org');
    assert.ok(c, 'the demo commons data.midrc.org is known to the control service');
    return c;
  }

  test('the fleet page lists the three demo commons with their statuses; opening one shows its services', async () => {
    await eventually(async () => (await commonsList()).length === 3, { what: 'three commons reporting', timeoutMs: 60_000 });
    await open('Viewer', '/a/gen3-dcoc-app/fleet');
    const items = await commonsList();
    for (const c of items) {
      await page.getByTestId(testIds.fleet.row(c.id)).waitFor(WAIT);
      await eventually(
        async () => {
          const shown = (await page.getByTestId(testIds.fleet.status(c.id)).textContent())?.trim();
          const current = (await commonsList()).find((x) => x.id === c.id)?.status;
          return shown === current && shown;
        },
        { what: `${c.id}'s status on the page to match the control service`, timeoutMs: 60_000 },
      );
    }
    assert.equal(await page.getByRole('row').count(), 4, 'a header and the three commons');
    assert.match((await page.getByTestId(testIds.fleet.count).textContent()) ?? '', /Showing 3 of 3 commons/);

    const m = await midrc();
    await page.getByTestId(testIds.fleet.link(m.id)).click();
    await page.waitForURL(`**/a/gen3-dcoc-app/commons/${m.id}`);
    await page.getByTestId(testIds.commons.services).waitFor(WAIT);
    const detail = (await stack.fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${m.id}`)).body;
    assert.ok(detail.services.length >= 14);
    assert.equal(await page.locator(`[data-testid^="dcoc-service-status-"]`).count(), detail.services.length);
    for (const name of ['fence', 'indexd', 'arborist']) {
      assert.ok(await page.getByTestId(testIds.commons.serviceRow(name)).isVisible(), `${name} is listed`);
    }
  });

  test('as an Editor: restart a service (confirm), progress shows live, the command succeeds, the service shows the rollout', async () => {
    const m = await midrc();
    await open('Editor', `/a/gen3-dcoc-app/commons/${m.id}`);
    await page.getByTestId(testIds.commons.liveState).and(page.locator('[data-live="connected"]')).waitFor(WAIT);
    const before = (await stack.fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${m.id}`)).body.services.find((s) => s.name === 'fence');
    assert.ok(before);

    // Record every progress text the page shows, as it shows it.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __progress: string[] }).__progress = seen;
      new MutationObserver(() => {
        for (const el of Array.from(document.querySelectorAll('[data-testid^="dcoc-command-progress-"], [data-testid^="dcoc-command-state-"]'))) {
          const t = `${el.getAttribute('data-testid')}|${el.textContent}`;
          if (seen[seen.length - 1] !== t && !seen.includes(t)) seen.push(t);
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });

    await page.getByTestId(testIds.commons.restart('fence')).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor(WAIT);
    const text = (await dialog.textContent()) ?? '';
    assert.match(text, /fence/);
    assert.match(text, new RegExp(m.name));
    assert.match(text, new RegExp(m.id));
    await dialog.getByRole('button', { name: 'Restart fence' }).click();

    const started = (await page.getByTestId(testIds.commons.actionResult).textContent({ timeout: 60_000 })) ?? '';
    const id = /command ([0-9a-f-]{36})/.exec(started)?.[1];
    assert.ok(id, `the started command is named: ${started}`);
    await page.getByTestId(testIds.commons.commandState(id)).filter({ hasText: 'succeeded' }).waitFor({ timeout: 120_000 });

    const command = (await stack.fleet.admin<CommandView>('GET', `/api/v1/commands/${id}`)).body;
    assert.equal(command.state, 'succeeded');
    assert.equal(command.actor, 'editor-user');
    // Progress reached the page over Grafana Live (the data source's RunStream) …
    const packets = stack.host.livePackets.filter((p) => (p.data as { command?: string }).command === id);
    assert.ok(packets.some((p) => (p.data as { state: string }).state === 'running'), 'running progress was delivered over Live');
    assert.ok(packets.every((p) => p.user === 'editor-user' && p.channel.endsWith(`events/${m.id}`)));
    // … and the page showed it before the command finished.
    const seen = await page.evaluate(() => (window as unknown as { __progress: string[] }).__progress);
    const progressTexts = seen.filter((s) => s.startsWith(`${testIds.commons.commandProgress(id)}|`));
    assert.ok(
      progressTexts.some((s) => !/100%/.test(s) && packets.some((p) => s.includes((p.data as { message: string }).message) && (p.data as { state: string }).state === 'running')),
      `an intermediate progress message from Live was on the page: ${JSON.stringify(seen)}`,
    );
    // The service shows the rollout: restarted at the command's target time.
    await eventually(
      async () => (await page.getByTestId(testIds.commons.serviceRestarted('fence')).getAttribute('data-restarted-at')) === command.target.restartedAt,
      { what: 'the fence row to show the new restartedAt', timeoutMs: 60_000 },
    );
    assert.notEqual(before.restartedAt, command.target.restartedAt);
    const sim = await stack.fleet.simState('data.midrc.org');
    assert.ok(sim.services.fence.rollouts >= 1, 'the simulated cluster rolled fence');
  });

  test('as a Viewer: no restart or scale is offered, and a crafted restart call is refused by the backend', async () => {
    const m = await midrc();
    await open('Viewer', `/a/gen3-dcoc-app/commons/${m.id}`);
    await page.getByTestId(testIds.commons.services).waitFor(WAIT);
    assert.equal(await page.locator('[data-testid^="dcoc-restart-"], [data-testid^="dcoc-scale-"]').count(), 0);
    assert.equal(await page.getByRole('button', { name: /restart|scale/i }).count(), 0);
    const nav = (await page.getByTestId('host-nav').textContent()) ?? '';
    assert.doesNotMatch(nav, /Audit log|Deploy/, 'the nav hides pages whose action the viewer lacks');

    const crafted = await page.evaluate(async (path) => {
      const r = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      return { status: r.status, body: (await r.json()) as { title?: string; detail?: string } };
    }, `/api/plugins/gen3-dcoc-app/resources/commons/${m.id}/services/fence/restart`);
    assert.equal(crafted.status, 403, JSON.stringify(crafted.body));
    const audit = await stack.fleet.admin<{ items: { action: string; outcome: string; actor: string }[] }>('GET', `/api/v1/audit?actor=viewer-user`);
    assert.ok(audit.body.items.some((e) => e.action === 'service.restart' && e.outcome === 'denied'), 'the refusal is in the audit log');
  });

  test('as an Admin: enroll an agent, the token is shown once, and not after a reload', async () => {
    await open('Admin', '/a/gen3-dcoc-app/agents');
    await page.getByTestId(testIds.agents.enroll).click();
    await page.getByTestId(testIds.agents.enrollSubmit).click();
    const token = await page.getByTestId(testIds.agents.token).inputValue({ timeout: 60_000 });
    assert.match(token, /^dcoc-enroll/);
    assert.match((await page.getByTestId(testIds.agents.installCommand).textContent()) ?? '', new RegExp(token));
    const audit = await stack.fleet.admin<{ items: { action: string; actor: string }[] }>('GET', '/api/v1/audit?action=enrollment-token.create');
    assert.ok(audit.body.items.some((e) => e.actor === 'admin-user'));

    await page.reload();
    await page.getByTestId(testIds.agents.page).waitFor(WAIT);
    await page.locator('[data-testid^="dcoc-agent-"]').first().waitFor(WAIT);
    assert.equal(await page.getByTestId(testIds.agents.token).count(), 0);
    assert.ok(!(await page.content()).includes(token), 'the token is nowhere in the reloaded page');
    await page.getByTestId(testIds.agents.enroll).click();
    await page.getByTestId(testIds.agents.enrollSubmit).waitFor(WAIT);
    assert.equal(await page.getByTestId(testIds.agents.token).count(), 0, 'a new dialog starts without the old token');
  });
});
