// The app in Chromium, loaded from the BUILT dist/module.js by a host page
// that plays Grafana's frontend (SystemJS, the real @grafana/* and React),
// its backend calls served by the real plugin executables in front of the
// real control service and three simulated Gen3 commons; the deploy wizard shows the diff before applying and a
// progress bar per service while it applies).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { CommandView, CommonsDetail, CommonsSummary, DeploymentView } from '../../contracts/api';
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
  /** Picks an option of the Combobox inside the element with this test id. */
  async function choose(testId: string, option: RegExp) {
    await page.getByTestId(testId).locator('input').click();
    await page.getByRole('option', { name: option }).first().click();
  }

  test('as an Editor: the deploy wizard shows the diff before applying, then a progress bar per service while it applies; the commons page shows the new release and revision', async () => {
    const m = await midrc();
    assert.equal(m.version, '2026.06', 'the demo MIDRC starts on 2026.06');
    const deploymentsOfMidrc = async () => (await stack.fleet.admin<{ items: DeploymentView[] }>('GET', `/api/v1/deployments?commons=${m.id}`)).body.items;
    assert.deepEqual(await deploymentsOfMidrc(), []);

    await open('Editor', '/a/gen3-dcoc-app/deploy');
    await page.getByTestId(testIds.deploy.form).waitFor(WAIT);
    await choose(testIds.deploy.commons, /^MIDRC \(data\.midrc\.org\)/);
    await choose(testIds.deploy.template, /^gen3-explorer/);
    await choose(testIds.deploy.profile, /^production/);
    await choose(testIds.deploy.release, /^2026\.07/);
    await page.getByTestId(testIds.deploy.reason).fill('monthly upgrade to 2026.07 (browser test)');
    await page.getByTestId(testIds.deploy.plan).click();

    // The plan: the diff is on the page before anything is applied.
    const diff = page.getByTestId(testIds.deploy.diff);
    await diff.waitFor(WAIT);
    assert.ok(await diff.isVisible(), 'the diff is visible');
    const diffText = (await diff.textContent()) ?? '';
    assert.ok(diffText.includes('-    tag: "2026.06"\n+    tag: "2026.07"\n'), `the fence image tag changes from 2026.06 to 2026.07 in the diff:\n${diffText.slice(0, 2000)}`);
    assert.match((await page.getByTestId(testIds.deploy.planService('fence')).textContent()) ?? '', /fence\s*2026\.06 → 2026\.07/);
    assert.match((await page.getByTestId(testIds.deploy.planSummary).textContent()) ?? '', /revision 1 of data-midrc-org/);
    assert.deepEqual(await deploymentsOfMidrc(), [], 'planning applied nothing');
    const now = (await stack.fleet.admin<CommonsDetail>('GET', `/api/v1/commons/${m.id}`)).body;
    assert.equal(now.services.find((x) => x.name === 'fence')?.image, 'quay.io/cdis/fence:2026.06', 'planning changed no image');

    // Record every bar value and state the page shows while it applies.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __bars: string[] }).__bars = seen;
      // No named functions in here: the test's TypeScript transform would wrap them in a helper the page lacks.
      new MutationObserver(() => {
        for (const el of Array.from(document.querySelectorAll('[data-testid^="dcoc-deploy-service-bar-"]'))) {
          const t = `${el.getAttribute('data-testid')}|${el.getAttribute('aria-valuenow')}|${el.getAttribute('data-state')}`;
          if (!seen.includes(t)) seen.push(t);
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow', 'data-state'] });
    });
    // The reason typed before planning is still there, so Apply is offered.
    assert.equal(await page.getByTestId(testIds.deploy.reason).inputValue(), 'monthly upgrade to 2026.07 (browser test)');
    assert.ok(await page.getByTestId(testIds.deploy.apply).isEnabled(), `Apply is enabled; the page says: ${await page.getByTestId(testIds.deploy.applyNote).textContent()}`);
    await page.getByTestId(testIds.deploy.apply).click();
    await page.getByTestId(testIds.deploy.progress).waitFor(WAIT);
    await page.waitForURL(/[?&]deployment=[0-9a-f-]{36}/, WAIT);
    const id = new URL(page.url()).searchParams.get('deployment')!;
    await page.getByTestId(testIds.deploy.state).filter({ hasText: 'succeeded' }).waitFor({ timeout: 240_000 });

    const dep = (await stack.fleet.admin<DeploymentView>('GET', `/api/v1/deployments/${id}`)).body;
    assert.equal(dep.state, 'succeeded', dep.message);
    assert.equal(dep.actor, 'editor-user');
    assert.equal(dep.reason, 'monthly upgrade to 2026.07 (browser test)');
    assert.ok(dep.services.length >= 10, `the services that change: ${dep.services.map((x) => x.name).join(', ')}`);
    // One bar per changing service, each at 100 % and done at the end …
    assert.equal(await page.locator('[data-testid^="dcoc-deploy-service-bar-"]').count(), dep.services.length);
    for (const svc of dep.services) {
      const bar = page.getByTestId(testIds.deploy.serviceBar(svc.name));
      assert.equal(await bar.getAttribute('aria-valuenow'), '100', svc.name);
      assert.equal(await bar.getAttribute('data-state'), 'done', svc.name);
    }
    // … and bars advanced on the page while it applied.
    const seen = await page.evaluate(() => (window as unknown as { __bars: string[] }).__bars);
    const midway = seen.filter((x) => {
      const [, value, state] = x.split('|');
      return state === 'rolling' || (Number(value) > 0 && Number(value) < 100);
    });
    assert.ok(midway.length > 0, `a bar between 0 and 100 % or rolling was shown: ${JSON.stringify(seen.slice(0, 40))}`);
    assert.ok(seen.some((x) => x.endsWith('|pending') || x.includes('|0|')), 'bars started at 0 / pending');
    // The progress reached the page over Grafana Live.
    const packets = stack.host.livePackets.filter((p) => (p.data as { type?: string; deployment?: string }).type === 'deployment.updated' && (p.data as { deployment: string }).deployment === id);
    assert.ok(packets.some((p) => (p.data as { state: string }).state === 'running'), 'deployment.updated events were delivered over Live');

    // Finished: the link to the commons, whose page shows the new release and the revision.
    await page.getByTestId(testIds.deploy.commonsLink).click();
    await page.waitForURL(`**/a/gen3-dcoc-app/commons/${m.id}`);
    await page.getByTestId(testIds.commons.release).filter({ hasText: 'release 2026.07' }).waitFor({ timeout: 90_000 });
    const row = page.getByTestId(testIds.commons.revisionRow(dep.revision));
    await row.waitFor(WAIT);
    const rowText = (await row.textContent()) ?? '';
    assert.match(rowText, /2026\.07/);
    assert.match(rowText, /monthly upgrade to 2026\.07 \(browser test\)/);
    await page.getByTestId(testIds.commons.revisionState(dep.revision)).filter({ hasText: 'succeeded' }).waitFor(WAIT);
    await page.getByTestId(testIds.commons.revisionDiffToggle(dep.revision)).click();
    assert.ok(((await page.getByTestId(testIds.commons.revisionDiff(dep.revision)).textContent(WAIT)) ?? '').includes('+    tag: "2026.07"'));
  });

  test('as a Viewer: the deploy page is read only', async () => {
    await open('Viewer', '/a/gen3-dcoc-app/deploy');
    await page.getByTestId(testIds.deploy.readOnly).waitFor(WAIT);
    assert.equal(await page.getByTestId(testIds.deploy.plan).count(), 0);
    assert.equal(await page.getByTestId(testIds.deploy.apply).count(), 0);
    assert.equal(await page.getByTestId(testIds.deploy.form).count(), 0);
  });
});
