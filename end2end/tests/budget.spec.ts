// Issue 15, points 4 and 5: the month under way with its forecast (its inputs stated) and the
// budgets, warned in words on the page and posted once per currency and month to a webhook,
// retried when the receiver fails, never sent again (not after a restart either).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { port } from './env';
import { startDemoPortal, stopPortal, waitUntilServing } from './portal-process';
import { formatMoney, scaledDecimal, truth } from './support';

const budgetPort = port + 7;
const budgetURL = `http://127.0.0.1:${budgetPort}`;

type Alert = { text: string; currency: string; month: string; status: string; budget: string; forecast: string };

/** A webhook receiver that fails its first `failures` requests with a 500. */
async function receiver(failures: number) {
  const received: Alert[] = [];
  let attempts = 0;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      attempts += 1;
      if (attempts <= failures) {
        response.writeHead(500).end();
        return;
      }
      received.push(JSON.parse(body) as Alert);
      response.writeHead(200).end('1');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, attempts: () => attempts, close: () => new Promise((r) => server.close(r)) };
}

test('the month\'s forecast, a budget warning in words, and exactly one webhook call per currency', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  const folder = mkdtempSync(path.join(tmpdir(), 'dialout-budget-'));
  const database = path.join(folder, 'store.sqlite');
  // The receiver refuses the first alert: the portal tries again.
  const hook = await receiver(1);
  const start = (budgets: string) =>
    startDemoPortal(budgetPort, {
      PORTAL_DATABASE_URL: database,
      PORTAL_HISTORY_DAYS: '60',
      PORTAL_BUDGETS: budgets,
      PORTAL_BUDGET_WEBHOOK: hook.url,
    });
  // March 2026 to the demo's today (the 15th): at this pace JPY ends over 100,000, USD and
  // EUR stay within theirs.
  let portal = start('USD=2500,EUR=5000,JPY=100000');
  try {
    await waitUntilServing(request, budgetURL);
    await expect.poll(() => hook.received.length, { timeout: 60_000 }).toBe(1);
    expect(hook.attempts()).toBe(2);
    const [alert] = hook.received;
    expect(alert).toMatchObject({ currency: 'JPY', month: '2026-03', status: 'forecast_over', budget: '100000' });

    // The page: spend so far, the forecast and its inputs, the budget and the warning in words.
    // The demo's today is the 15th; the 13th and 14th are still within Graph's lag, so the
    // forecast rests on the 1st to the 12th, the spend so far on the 1st to the 14th.
    const spent = (await truth(request, '2026-03-01', '2026-03-14')).currencies;
    const settled = (await truth(request, '2026-03-01', '2026-03-12')).currencies;
    const forecast = scaledDecimal(settled.JPY.charge, 31n, 12n, 0);
    expect(alert.text).toBe(
      `Dial-out spend in JPY is forecast to reach ${formatMoney(forecast, 'JPY')} in March 2026, over its budget of JPY 100,000 (${formatMoney(spent.JPY.charge, 'JPY')} spent so far, 12 of 31 days settled; the forecast is an estimate).`,
    );
    expect(alert.forecast).toBe(forecast);
    await page.goto(budgetURL);
    await expect(page.getByTestId('outlook').getByRole('heading')).toHaveText('This month: Mar 2026');
    await expect(page.getByTestId('outlook-method')).toHaveText(
      "Estimate: the spend of the month's 12 settled days, plus their daily average for each of its 19 other days (2 of them past but still growing: Graph publishes calls 24–48 hours late), never less than what is already spent. 31 days in the month.",
    );
    for (const code of ['USD', 'EUR', 'JPY']) {
      const scale = code === 'JPY' ? 0 : 2;
      await expect(page.getByTestId(`outlook-spent-${code}`)).toHaveText(formatMoney(spent[code].charge, code));
      await expect(page.getByTestId(`outlook-forecast-${code}`)).toHaveText(
        formatMoney(scaledDecimal(settled[code].charge, 31n, 12n, scale), code),
      );
    }
    const over = BigInt(forecast) - 100000n;
    await expect(page.getByTestId('outlook-status-JPY')).toHaveText(
      `Warning: the forecast exceeds the budget by ${formatMoney(String(over), 'JPY')}`,
    );
    await expect(page.getByTestId('outlook-status-USD')).toContainText('Within budget: USD ');
    await expect(page.getByTestId('outlook-status-GBP')).toHaveText('No budget set');
    await page.goto(`${budgetURL}/?lang=pt-BR`);
    await expect(page.getByTestId('outlook-status-JPY')).toHaveText(
      `Atenção: a previsão passa do orçamento em ${formatMoney(String(over), 'JPY', 'pt-BR')}`,
    );

    // Restarted with EUR's budget lowered below its forecast: EUR is told once, JPY not again.
    await stopPortal(portal);
    portal = start('USD=2500,EUR=1000,JPY=100000');
    await waitUntilServing(request, budgetURL);
    await expect.poll(() => hook.received.map((a) => a.currency), { timeout: 60_000 }).toEqual(['JPY', 'EUR']);
    // And nothing more after a while.
    await page.waitForTimeout(3_000);
    expect(hook.received.map((a) => a.currency)).toEqual(['JPY', 'EUR']);
  } finally {
    await stopPortal(portal);
    await hook.close();
    rmSync(folder, { recursive: true, force: true });
  }
});

test('a budget crossed on the last days of a month is told once those days arrive, after the month ended', async ({
  request,
}) => {
  test.setTimeout(120_000);
  const closingPort = port + 9;
  const closingURL = `http://127.0.0.1:${closingPort}`;
  const folder = mkdtempSync(path.join(tmpdir(), 'dialout-closing-'));
  const hook = await receiver(0);
  // April 2nd: March's 31st and April's 1st are still within Graph's lag.
  const start = (env: Record<string, string>) =>
    startDemoPortal(closingPort, {
      PORTAL_DEMO_TODAY: '2026-04-02',
      PORTAL_DATABASE_URL: path.join(folder, 'store.sqlite'),
      PORTAL_HISTORY_DAYS: '40',
      ...env,
    });
  let portal = start({});
  try {
    // This portal's own simulator: its made-up days depend on its today.
    await waitUntilServing(request, closingURL);
    const simulator = (await (await request.get(`${closingURL}/healthz`)).json()).simulator as string;
    const jpy = async (from: string, to: string) =>
      (await (await request.get(`${simulator}/_sim/truth?from=${from}&to=${to}`)).json()).currencies.JPY
        .charge as string;
    const [march, april] = [await jpy('2026-03-01', '2026-03-31'), await jpy('2026-04-01', '2026-04-01')];
    // A budget March exceeds only with its last day, far above what April's first day spent.
    const budget = String(Math.floor(Number(await jpy('2026-03-01', '2026-03-30'))) + 1);
    expect(Number(march)).toBeGreaterThan(Number(budget));
    expect(Number(april)).toBeLessThan(Number(budget));
    await stopPortal(portal);
    portal = start({ PORTAL_BUDGETS: `JPY=${budget}`, PORTAL_BUDGET_WEBHOOK: hook.url });
    await waitUntilServing(request, closingURL);
    await expect.poll(() => hook.received.length, { timeout: 60_000 }).toBe(1);
    expect(hook.received[0]).toMatchObject({ currency: 'JPY', month: '2026-03', status: 'over', budget });
    expect(hook.received[0].text).toBe(
      `Dial-out spend in JPY is already over its March 2026 budget of ${formatMoney(budget, 'JPY')}: ${formatMoney(march, 'JPY')} spent (30 of 31 days settled).`,
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(hook.received).toHaveLength(1);
  } finally {
    await stopPortal(portal);
    await hook.close();
    rmSync(folder, { recursive: true, force: true });
  }
});
