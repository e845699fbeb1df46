// The page's figures against the simulator's own truth (`/_sim/truth`, computed from its
// made-up calls, not from the report the portal read): a range longer than one Graph window,
// trend buckets of a day and of a week, and the CSV file the browser downloads.
import { readFileSync } from 'node:fs';
import { defaultRange, expect, fetchSummary, formatMoney, normalize, parseCsv, sumDecimals, test, truth } from './support';

test('a range of two Graph windows equals the truth in every currency', async ({ request }) => {
  // 134 days: more than Graph's 90 a request.
  const range = { from: '2025-11-01', to: '2026-03-14' };
  const [summary, expected] = await Promise.all([
    fetchSummary(request, range),
    truth(request, range.from, range.to),
  ]);
  expect(summary.currencies.map((c) => c.currency)).toEqual(Object.keys(expected.currencies).sort());
  for (const spend of summary.currencies) {
    const want = expected.currencies[spend.currency];
    expect(normalize(spend.totals.charge), spend.currency).toBe(normalize(want.charge));
    expect(spend.totals.calls, spend.currency).toBe(want.calls);
    expect(spend.totals.seconds, spend.currency).toBe(want.seconds);
  }
});

test('trend rows of a day and of a whole week equal the truth of their days', async ({ page, request }) => {
  const rowOf = async (label: string) => {
    const figure = page.getByTestId('chart-trend-EUR').locator('xpath=..');
    await figure.getByText('Show as a table').click();
    return figure.locator('tbody tr').filter({ has: page.getByRole('rowheader', { name: label, exact: true }) });
  };
  // Days: the default 28 days.
  await page.goto('/?spend=EUR');
  const day = (await truth(request, '2026-03-02', '2026-03-02')).currencies.EUR;
  const dayRow = await rowOf('Mar 2, 2026');
  await expect(dayRow.locator('td').first()).toHaveText(formatMoney(day.charge, 'EUR'));
  await expect(dayRow.locator('td').nth(2)).toHaveText(day.calls.toLocaleString('en-US'));
  // Weeks: 90 days; Monday 2026-02-23 to Sunday 2026-03-01 is a whole week.
  await page.goto('/?from=2025-12-15&to=2026-03-14&spend=EUR');
  const week = (await truth(request, '2026-02-23', '2026-03-01')).currencies.EUR;
  const weekRow = await rowOf('Feb 23, 2026 – Mar 1, 2026');
  await expect(weekRow.locator('td').first()).toHaveText(formatMoney(week.charge, 'EUR'));
  await expect(weekRow.locator('td').nth(2)).toHaveText(week.calls.toLocaleString('en-US'));
});

test('the CSV file the browser downloads adds up to the truth', async ({ page, request }) => {
  await page.goto('/');
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download CSV' }).click();
  const file = await download;
  const text = readFileSync((await file.path())!, 'utf8').replace(/^\uFEFF/, '');
  const [columns, ...records] = parseCsv(text);
  const at = (name: string) => columns.indexOf(name);
  // Graph's columns, then each person's place in the directory.
  expect(columns.slice(at('totalCallSeconds') + 1)).toEqual(['department', 'cost_center', 'division', 'company', 'office', 'directory']);
  const charges = new Map<string, string[]>();
  const calls = new Map<string, number>();
  for (const cells of records) {
    const currency = cells[at('currency')];
    charges.set(currency, [...(charges.get(currency) ?? []), cells[at('totalCallCharge')]]);
    calls.set(currency, (calls.get(currency) ?? 0) + Number(cells[at('totalCalls')]));
  }
  const expected = await truth(request, defaultRange.from, defaultRange.to);
  expect([...charges.keys()].sort()).toEqual(Object.keys(expected.currencies).sort());
  for (const [currency, want] of Object.entries(expected.currencies)) {
    expect(sumDecimals(charges.get(currency)!), currency).toBe(normalize(want.charge));
    expect(calls.get(currency), currency).toBe(want.calls);
  }
});
