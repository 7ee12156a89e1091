// Following a service's pod logs in Chromium: the built app, the real plugin
// executables (the data source's Grafana Live stream relays the control
// service's follow), the real control service and a simulated commons whose
// agent reads its pods' logs. A developer (Editor) sees every replica's lines
// with their pod names as they are written; how long each took from the pod to
// the page is printed (figures, not a bound: `npm run bench -- --log-follow`
// measures the path without the browser). A viewer is not offered the logs,
// and the server refuses them the Live subscription and the logs call.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { CommonsSummary } from '../../contracts/api';
import { testIds } from '../../src/testIds';
import { eventually } from '../support/fleet';
import { chromiumMissing, launchChromium, type Browser } from './support/chromium';
import { startStack, type Stack } from './support/stack';

/** The page's globals this file uses (the tests type-check without the DOM library). */
interface BrowserGlobals {
  document: { body: unknown; querySelectorAll(selector: string): ArrayLike<{ getAttribute(name: string): string | null; textContent: string | null }> };
  MutationObserver: new (cb: () => void) => { observe(target: unknown, options: object): void };
  __seen: Record<string, number>;
}

const skip = chromiumMissing();
const WAIT = { timeout: 60_000 };
const HOST = 'data.midrc.org';
const SERVICE = 'indexd';

describe('following pod logs in Chromium', { skip, timeout: 600_000 }, () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let id: string;
  const pageErrors: string[] = [];

  before(async () => {
    [stack, browser] = await Promise.all([startStack(), launchChromium()]);
    page = await browser.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.setDefaultTimeout(60_000);
    const c = await eventually(
      async () => (await stack.fleet.admin<{ items: CommonsSummary[] }>('GET', '/api/v1/commons')).body.items.find((x) => x.hostname === HOST && x.agent.connected),
      { what: `${HOST} connected`, timeoutMs: 60_000 },
    );
    id = c.id;
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });

  async function open(role: 'Viewer' | 'Editor', path: string) {
    stack.host.role = role;
    await page.goto(`${stack.host.url}${path}`);
    await page.getByTestId(testIds.app.root).waitFor(WAIT);
  }

  test("a developer follows a service's logs: lines from every replica arrive with their pod names", async () => {
    await open('Editor', `/a/gen3-dcoc-app/commons/${id}?logs=service:${SERVICE}`);
    await page.getByTestId(testIds.commons.logs).waitFor(WAIT);
    await eventually(async () => /Following live/.test((await page.getByTestId(testIds.commons.logsState).textContent()) ?? ''), { what: 'the viewer to follow over Grafana Live', timeoutMs: 60_000 });
    // When each line appears in the page, by the page's clock (the same machine's as the test's).
    await page.evaluate(() => {
      const seen: Record<string, number> = {};
      const w = globalThis as unknown as BrowserGlobals;
      w.__seen = seen;
      new w.MutationObserver(() => {
        for (const el of Array.from(w.document.querySelectorAll('[data-testid="dcoc-log-line"]'))) {
          const key = `${el.getAttribute('data-pod')} ${el.textContent ?? ''}`;
          const m = /follow-marker-\d+/.exec(key);
          if (m) seen[`${el.getAttribute('data-pod')} ${m[0]}`] ??= performance.timeOrigin + performance.now();
        }
      }).observe(w.document.body, { subtree: true, childList: true, characterData: true });
    });

    const writes: { marker: string; pods: string[]; timeMs: number }[] = [];
    for (let i = 0; i < 5; i++) {
      const marker = `follow-marker-${i}`;
      const w = await stack.fleet.simLog(HOST, SERVICE, `INFO ${marker} written by the test`);
      writes.push({ marker, ...w });
      await new Promise((r) => setTimeout(r, 300));
    }
    const replicas = writes[0].pods;
    assert.ok(replicas.length >= 2, `${SERVICE} runs several replicas (${replicas.length})`);
    const seen = await eventually(
      async () => {
        const s = await page.evaluate(() => (globalThis as unknown as BrowserGlobals).__seen);
        return writes.every((w) => w.pods.every((p) => s[`${p} ${w.marker}`])) && s;
      },
      { what: "every marker from every replica on the page", timeoutMs: 60_000 },
    );
    for (const pod of replicas) {
      const line = page.locator(`[data-testid="${testIds.commons.logLine}"][data-pod="${pod}"]`, { hasText: 'follow-marker-4' });
      assert.match((await line.first().textContent()) ?? '', new RegExp(pod), `the line names its pod ${pod}`);
    }
    const latencies = writes.flatMap((w) => w.pods.map((p) => seen[`${p} ${w.marker}`] - w.timeMs)).sort((a, b) => a - b);
    const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]);
    console.log(`# log follow in the browser: ${latencies.length} lines from ${replicas.length} replicas, write→shown p50 ${at(0.5)} ms, max ${at(1)} ms`);
    const relayed = stack.host.livePackets.filter((p) => p.channel.includes(`/logs/${id}/${SERVICE}`));
    assert.ok(relayed.length > 0, 'the lines came over the data source\'s Live stream');
  });

  test('a viewer is not offered the logs, and the server refuses them the stream and the call', async () => {
    await open('Viewer', `/a/gen3-dcoc-app/commons/${id}?logs=service:${SERVICE}`);
    await page.getByTestId(testIds.commons.services).waitFor(WAIT);
    assert.equal(await page.getByTestId(testIds.commons.logs).count(), 0, 'no log viewer for a viewer');
    const refused = await page.evaluate(
      async ({ commons, service }) => {
        const call = await fetch(`/api/plugins/gen3-dcoc-app/resources/commons/${commons}/services/${service}/logs`);
        const live = await new Promise<string>((resolve) => {
          const es = new EventSource(`/__host/live?channel=${encodeURIComponent(`ds/dcoc/logs/${commons}/${service}`)}`);
          es.addEventListener('denied', (e) => {
            es.close();
            resolve(String((e as MessageEvent).data));
          });
          es.addEventListener('subscribed', () => {
            es.close();
            resolve('subscribed');
          });
        });
        return { status: call.status, body: (await call.json()) as { detail?: string }, live };
      },
      { commons: id, service: SERVICE },
    );
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.match(refused.body.detail ?? '', /logs:read/);
    assert.match(refused.live, /PERMISSION_DENIED/);
  });
});
