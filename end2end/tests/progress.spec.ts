// The browser's side of the progress stream: a range whose days the store lacks is read from
// a slow Graph while the page's bar moves with the server's events, then gives way to figures.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { port } from './env';
import { startDemoPortal, stopPortal, waitUntilServing } from './portal-process';

const progressPort = port + 6;
const progressURL = `http://127.0.0.1:${progressPort}`;

/** A demo portal whose store holds only the last two days, on a simulator answering slowly. */
function startPortal(database: string, latencyMs = 300): ChildProcess {
  return startDemoPortal(progressPort, {
    PORTAL_DEMO_LATENCY_MS: String(latencyMs),
    PORTAL_DATABASE_URL: database,
    PORTAL_HISTORY_DAYS: '2',
  });
}

test('the progress bar follows the server events of a fetch, then the figures come', async ({
  page,
  request,
}) => {
  const folder = mkdtempSync(path.join(tmpdir(), 'dialout-progress-'));
  const portal = startPortal(path.join(folder, 'store.sqlite'));
  try {
    await waitUntilServing(request, progressURL);
    // Hydrated first (its charts drawn), on a day the store holds, so the next range is fetched
    // while the page watches.
    await page.goto(`${progressURL}/?from=2026-03-14&to=2026-03-14`);
    await expect(page.locator('.chart canvas').first()).toBeVisible();
    // Record every state of the bar while it is shown.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as any).seen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector('[data-testid="progress"] progress');
        const label = document.querySelector('#fetch-progress-label');
        if (bar) seen.push(`${bar.getAttribute('value')}/${bar.getAttribute('max')} ${label?.textContent}`);
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    // Twenty days the store lacks: read from Graph now, one window per day.
    const form = page.locator('form').filter({ has: page.getByLabel('From', { exact: true }) });
    await page.getByLabel('From', { exact: true }).fill('2026-02-20');
    await page.getByLabel('To', { exact: true }).fill('2026-03-11');
    await form.getByRole('button', { name: 'Apply', exact: true }).click();
    await expect(page.getByTestId('progress')).toBeVisible();
    await expect(page.getByTestId('progress')).toBeHidden({ timeout: 60_000 });
    await expect(page.getByTestId('period')).toHaveText('Feb 20, 2026 – Mar 11, 2026 (UTC)');
    await expect(page.getByTestId('glance')).toBeVisible();
    const seen: string[] = await page.evaluate(() => (window as any).seen);
    // The bar counted the days' windows (of 20) as events came, with pages and rows in words.
    const counts = seen
      .map((state) => /^(\d+)\/20 /.exec(state))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => Number(match[1]));
    expect(counts.length, seen.join('\n')).toBeGreaterThan(0);
    expect(counts.some((done) => done > 0 && done < 20), seen.join('\n')).toBe(true);
    expect(seen.some((state) => /\d+ pages?/.test(state)), seen.join('\n')).toBe(true);
  } finally {
    await stopPortal(portal);
    rmSync(folder, { recursive: true, force: true });
  }
});

test('a page opened on days the store lacks comes at once, says they are loading, then completes', async ({
  page,
  request,
}) => {
  const folder = mkdtempSync(path.join(tmpdir(), 'dialout-progress-'));
  // One second a request, four at a time: twenty days take five seconds or more to read.
  const portal = startPortal(path.join(folder, 'store.sqlite'), 1000);
  try {
    await waitUntilServing(request, progressURL);
    // The HTML does not wait for Graph: it shows what is stored and which days are loading
    // (a first view of a large tenant was a blank tab for minutes).
    const started = Date.now();
    await page.goto(`${progressURL}/?from=2026-02-20&to=2026-03-11`, { waitUntil: 'commit' });
    expect(Date.now() - started).toBeLessThan(4_500);
    await expect(page.getByTestId('missing-days')).toBeVisible();
    await expect(page.getByTestId('sync-progress')).toBeVisible();
    // Not "no dial-out": nothing is known yet about the days still loading.
    await expect(page.getByTestId('empty')).toHaveCount(0);
    // The page follows the fetch and loads its figures when it ends, without a reload.
    await expect(page.getByTestId('missing-days')).toBeHidden({ timeout: 60_000 });
    await expect(page.getByTestId('sync-progress')).toHaveCount(0);
    await expect(page.getByTestId('period')).toHaveText('Feb 20, 2026 – Mar 11, 2026 (UTC)');
    await expect(page.getByTestId('glance')).toBeVisible();
    await expect(page.locator('.chart canvas').first()).toBeVisible();
  } finally {
    await stopPortal(portal);
    rmSync(folder, { recursive: true, force: true });
  }
});
