// The kept history survives a restart: a portal whose store was synced, stopped and started
// again draws the default dashboard from the store at once, with no progress bar and no
// Graph fetch, and says how far its history reaches.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { port } from './env';
import { startDemoPortal, stopPortal, waitUntilServing } from './portal-process';

const restartPort = port + 5;
const restartURL = `http://127.0.0.1:${restartPort}`;

function startPortal(database: string, extra: Record<string, string> = {}): ChildProcess {
  return startDemoPortal(restartPort, {
    PORTAL_DATABASE_URL: database,
    PORTAL_HISTORY_DAYS: '60',
    ...extra,
  });
}

type Readiness = { history: { stored_days: number; loading_days: number; window_days: number } };

/** Polls /readyz until the whole history window is stored. */
async function waitForHistory(request: import('@playwright/test').APIRequestContext) {
  await expect
    .poll(
      async () => {
        const response = await request.get(`${restartURL}/readyz`).catch(() => null);
        if (!response?.ok()) return -1;
        const body = (await response.json()) as Readiness;
        return body.history.loading_days;
      },
      { timeout: 60_000, intervals: [250] },
    )
    .toBe(0);
}

test('after a restart the dashboard comes from the store, with no progress bar', async ({
  page,
  request,
}) => {
  const folder = mkdtempSync(path.join(tmpdir(), 'dialout-restart-'));
  const database = path.join(folder, 'store.sqlite');
  let portal = startPortal(database);
  try {
    await waitForHistory(request);
    await stopPortal(portal);

    portal = startPortal(database);
    await waitUntilServing(request, restartURL);
    // The store already holds every day: nothing is fetched, so the bar never appears.
    let progressSeen = false;
    page.on('response', (response) => {
      if (response.url().includes('/events/progress')) progressSeen = true;
    });
    await page.goto(restartURL);
    await expect(page.getByTestId('period')).toBeVisible();
    await expect(page.getByTestId('progress')).toHaveCount(0);
    await expect(page.getByTestId('missing-days')).toHaveCount(0);
    await expect(page.getByTestId('history')).toContainText('History kept from');
    await expect(page.getByRole('heading', { level: 2 }).first()).toBeVisible();
    expect(progressSeen).toBe(false);

    const ready = (await (await request.get(`${restartURL}/readyz`)).json()) as Readiness;
    expect(ready.history.stored_days).toBe(ready.history.window_days);
  } finally {
    await stopPortal(portal);
    rmSync(folder, { recursive: true, force: true });
  }
});

test('a period with days still loading says so, shows their progress and completes by itself', async ({
  page,
  request,
}) => {
  // A short history and a slow Graph: a 60-day period is mostly not stored yet.
  const folder = mkdtempSync(path.join(tmpdir(), 'dialout-loading-'));
  const portal = startPortal(path.join(folder, 'store.sqlite'), {
    PORTAL_HISTORY_DAYS: '5',
    PORTAL_DEMO_LATENCY_MS: '300',
  });
  try {
    await waitForHistory(request);
    await page.goto(`${restartURL}/?from=2026-01-14&to=2026-03-14`);
    const missing = page.getByTestId('missing-days');
    await expect(missing).toContainText('Not complete:');
    await expect(missing).toContainText('still loading from Microsoft Graph');
    await expect(page.getByTestId('sync-progress')).toContainText('days loaded');
    // When the sync has stored them all, the figures load again without a reload.
    await expect(missing).toHaveCount(0, { timeout: 60_000 });
    await expect(page.getByTestId('sync-progress')).toHaveCount(0);
    await expect(page.getByTestId('history')).toContainText('History kept from Jan 14, 2026');
  } finally {
    await stopPortal(portal);
    rmSync(folder, { recursive: true, force: true });
  }
});
