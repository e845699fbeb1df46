// Issue 15, points 1, 2 and 7: every figure against the period before (checked against the
// simulator's truth of both periods), the glance ranked by calls with its trend lines, and the
// compact embedded view.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { port } from './env';
import { startDemoPortal, stopPortal, waitUntilServing } from './portal-process';
import {
  defaultRange,
  expect,
  expectAccessible,
  fetchSummary,
  formatCount,
  formatMoney,
  scaledDecimal,
  screenshot,
  sumDecimals,
  test,
  truth,
} from './support';

// The 28 days before the default range (Feb 15 - Mar 14, 2026).
const before = { from: '2026-01-18', to: '2026-02-14' };

/** Decimal text as an integer of 10^-8 units. */
const units = (text: string) => BigInt(sumDecimals([text]).replace('.', ''));

/** `+12.3%` / `-4.0%` (pt-BR: `+12,3%`): the exact change rounded half away from zero. */
function percent(now: string, then: string, locale: 'en' | 'pt-BR' = 'en'): string {
  const [a, b] = [units(now), units(then)];
  const difference = a - b;
  const magnitude = difference < 0n ? -difference : difference;
  // Tenths of a percent, to the nearest (half away from zero): floor(|d| * 1000 / b + 1/2).
  const tenths = (magnitude * 2000n / b + 1n) / 2n;
  const whole = (tenths / 10n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, locale === 'en' ? ',' : '.');
  return `${difference < 0n ? '-' : '+'}${whole}${locale === 'en' ? '.' : ','}${tenths % 10n}%`;
}

test('each figure says its change against the period before, as the truth of both periods has it', async ({
  page,
  request,
}) => {
  const [now, then, previousSummary] = await Promise.all([
    truth(request, defaultRange.from, defaultRange.to).then((t) => t.currencies),
    truth(request, before.from, before.to).then((t) => t.currencies),
    fetchSummary(request, before),
  ]);
  const summary = await fetchSummary(request, defaultRange);
  const busiest = [...summary.currencies].sort((a, b) => b.totals.calls - a.totals.calls)[0];
  const code = busiest.currency;
  const previousUsers = previousSummary.currencies.find((c) => c.currency === code)!.users;
  const minutes = (seconds: number) => Math.ceil(seconds / 60);

  await page.goto('/');
  // The range ends yesterday: its last days are still growing, and the page says so.
  await expect(page.getByTestId('compared-with')).toHaveText(
    "Changes compare with the period before: Jan 18, 2026 – Feb 14, 2026. Some of the period's days may still grow, and its changes with them.",
  );
  const card = (what: string) => page.getByTestId(`${what}-${code}-change`);
  await expect(card('total-charge')).toHaveText(
    `${percent(now[code].charge, then[code].charge)} · before: ${formatMoney(then[code].charge, code)}`,
  );
  await expect(card('total-calls')).toHaveText(
    `${percent(String(now[code].calls), String(then[code].calls))} · before: ${formatCount(then[code].calls)}`,
  );
  const [minutesNow, minutesThen] = [minutes(now[code].seconds), minutes(then[code].seconds)];
  await expect(card('total-minutes')).toHaveText(
    `${percent(String(minutesNow), String(minutesThen))} · before: ${formatCount(minutesThen)}`,
  );
  await expect(card('total-users')).toHaveText(
    `${percent(String(busiest.users), String(previousUsers))} · before: ${formatCount(previousUsers)}`,
  );
  // The cost per minute before: the earlier charge per minute of talk, to four decimals.
  const rateThen = scaledDecimal(then[code].charge, 60n, BigInt(then[code].seconds), 4);
  await expect(card('cost-per-minute')).toContainText(` · before: ${code} ${rateThen}`);
  // A rise or a fall: the class colours the arrow, the sign says it in words.
  const charge = await card('total-charge').textContent();
  await expect(card('total-charge')).toHaveClass(charge!.startsWith('+') ? /change up/ : /change down/);
  // This month's table is there; with no budgets configured, no budget columns.
  await expect(page.getByTestId(`outlook-spent-${code}`)).toBeVisible();
  await expect(page.getByTestId(`outlook-budget-${code}`)).toHaveCount(0);
  await expect(page.getByTestId('outlook').getByRole('columnheader', { name: 'Budget' })).toHaveCount(0);
  // No year earlier: the kept history (365 days) does not reach it, so no line claims one.
  await expect(page.getByTestId(`total-charge-${code}-year`)).toHaveCount(0);

  // Every currency's charge in the glance, against the truth of both periods.
  for (const currency of Object.keys(now)) {
    await expect(page.getByTestId(`glance-change-${currency}`)).toHaveText(
      percent(now[currency].charge, then[currency].charge),
    );
  }

  // In Portuguese: the same change with a decimal comma and the earlier value in pt-BR.
  await page.goto('/?lang=pt-BR');
  await expect(card('total-charge')).toHaveText(
    `${percent(now[code].charge, then[code].charge, 'pt-BR')} · antes: ${formatMoney(then[code].charge, code, 'pt-BR')}`,
  );
  await expect(page.getByTestId('compared-with')).toHaveText(
    'As variações comparam com o período anterior: 18/01/2026 – 14/02/2026. Alguns dias do período ainda podem crescer, e as variações com eles.',
  );
  await expectAccessible(page);
});

test('a period whose period before is not kept says there is no earlier data', async ({ page }) => {
  // The kept history starts on 2025-03-16 (365 days to the demo's today).
  await page.goto('/?from=2025-03-16&to=2025-03-31');
  await expect(page.getByTestId('compared-with')).toHaveText(
    'No earlier data to compare with: the portal does not hold all of the period before (Feb 28, 2025 – Mar 15, 2025).',
  );
  const section = page.locator('section.currency');
  for (const what of ['total-charge', 'total-calls', 'total-minutes', 'total-users', 'cost-per-minute']) {
    await expect(section.locator(`[data-testid$="-change"][data-testid^="${what}-"]`)).toHaveText('No earlier data');
  }
  const cells = page.locator('[data-testid^="glance-change-"]');
  await expect(cells).not.toHaveCount(0);
  for (const cell of await cells.all()) {
    await expect(cell).toHaveText('—');
  }
  await page.goto('/?from=2025-03-16&to=2025-03-31&lang=pt-BR');
  await expect(section.locator('[data-testid^="total-charge-"][data-testid$="-change"]')).toHaveText(
    'Sem dados anteriores',
  );
});

test('the glance ranks currencies by calls, says so, and draws each one\'s trend', async ({ page, request }) => {
  const summary = await fetchSummary(request, defaultRange);
  const byCalls = [...summary.currencies]
    .sort((a, b) => b.totals.calls - a.totals.calls || b.users - a.users || a.currency.localeCompare(b.currency))
    .map((c) => c.currency);
  await page.goto('/');
  await expect(page.getByTestId('glance-order')).toContainText('Most calls first.');
  const rows = page.getByTestId('glance').locator('tbody tr');
  await expect(rows).toHaveCount(byCalls.length);
  const shown = await rows.locator('th').allTextContents();
  expect(shown.map((text) => text.trim())).toEqual(byCalls);
  for (const spend of summary.currencies) {
    await expect(page.getByTestId(`glance-calls-${spend.currency}`)).toHaveText(formatCount(spend.totals.calls));
    // One point a day of the 28-day range, drawn from left to right across the cell.
    const points = await page
      .getByTestId(`glance-row-${spend.currency}`)
      .locator('svg.spark polyline')
      .getAttribute('points');
    const xs = points!.split(' ').map((point) => Number(point.split(',')[0]));
    expect(xs).toHaveLength(28);
    expect(xs[0]).toBe(0);
    expect(xs[27]).toBe(1000);
  }
  await page.goto('/?lang=pt-BR');
  await expect(page.getByTestId('glance-order')).toContainText('Mais chamadas primeiro.');
});

test('the compact embedded view is the glance alone and fits a phone', async ({ page, request }) => {
  const summary = await fetchSummary(request, defaultRange);
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    await page.goto('/?embed=1&view=glance');
    await expect(page.getByTestId('glance')).toBeVisible();
    await expect(page.getByTestId('compact-period')).toHaveText('Feb 15, 2026 – Mar 14, 2026');
    // No picker, no cards or charts, no users table.
    await expect(page.getByRole('button', { name: 'Apply' })).toHaveCount(0);
    await expect(page.locator('section.currency')).toHaveCount(0);
    await expect(page.getByTestId('users')).toHaveCount(0);
    for (const spend of summary.currencies) {
      await expect(page.getByTestId(`glance-charge-${spend.currency}`)).toHaveText(
        formatMoney(spend.totals.charge, spend.currency),
      );
    }
    // The page never scrolls sideways (the table scrolls inside its own box).
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  }
  // The whole report opens in a tab of its own, without the embed settings.
  const full = page.getByTestId('open-full-report');
  await expect(full).toHaveAttribute('target', '_blank');
  await expect(full).toHaveAttribute('href', '/');
  const link = page.getByTestId('glance').getByRole('link', { name: 'EUR', exact: true });
  await expect(link).toHaveAttribute('href', '/?spend=EUR');
  await expect(link).toHaveAttribute('target', '_blank');
  await expectAccessible(page);
  await screenshot(page, 'compact-glance');
  await page.goto('/?embed=1&view=glance&lang=pt-BR');
  await expect(page.getByTestId('open-full-report')).toHaveText('Abrir o relatório completo');
  await expect(page.getByTestId('open-full-report')).toHaveAttribute('href', '/?lang=pt-BR');
});

test('with two years kept, each figure also says its change against the same days a year earlier', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  const yearURL = `http://127.0.0.1:${port + 8}`;
  const folder = mkdtempSync(path.join(tmpdir(), 'dialout-year-'));
  const portal = startDemoPortal(port + 8, {
    PORTAL_DATABASE_URL: path.join(folder, 'store.sqlite'),
    PORTAL_HISTORY_DAYS: '400',
  });
  try {
    await waitUntilServing(request, yearURL);
    await expect
      .poll(async () => (await (await request.get(`${yearURL}/readyz`)).json()).history.loading_days, {
        timeout: 150_000,
        intervals: [500],
      })
      .toBe(0);
    const yearEarlier = { from: '2025-02-15', to: '2025-03-14' };
    const [now, then] = await Promise.all([
      truth(request, defaultRange.from, defaultRange.to),
      truth(request, yearEarlier.from, yearEarlier.to),
    ]);
    await page.goto(`${yearURL}/?spend=EUR`);
    await expect(page.getByTestId('compared-with')).toHaveText(
      "Changes compare with the period before: Jan 18, 2026 – Feb 14, 2026; and with a year earlier: Feb 15, 2025 – Mar 14, 2025. Some of the period's days may still grow, and its changes with them.",
    );
    await expect(page.getByTestId('total-charge-EUR-year')).toHaveText(
      `${percent(now.currencies.EUR.charge, then.currencies.EUR.charge)} · a year earlier: ${formatMoney(then.currencies.EUR.charge, 'EUR')}`,
    );
    await expect(page.getByTestId('total-calls-EUR-year')).toHaveText(
      `${percent(String(now.currencies.EUR.calls), String(then.currencies.EUR.calls))} · a year earlier: ${formatCount(then.currencies.EUR.calls)}`,
    );
  } finally {
    await stopPortal(portal);
    rmSync(folder, { recursive: true, force: true });
  }
});
