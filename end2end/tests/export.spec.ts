import { defaultRange, expect, fetchSummary, normalize, parseCsv, sumDecimals, test } from './support';

test('the CSV download of the range adds up to the dashboard totals', async ({ page, request }) => {
  await page.goto('/');
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/\.csv$/);
  const bytes = await (await request.get(
    `/export/dialout.csv?from=${defaultRange.from}&to=${defaultRange.to}`,
  )).body();
  // UTF-8's byte-order mark first: Excel then reads the names as UTF-8.
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = bytes.subarray(3).toString('utf8');
  const [columns, ...records] = parseCsv(text);
  const currencyAt = columns.indexOf('currency');
  const chargeAt = columns.indexOf('totalCallCharge');
  const callsAt = columns.indexOf('totalCalls');
  expect(Math.min(currencyAt, chargeAt, callsAt)).toBeGreaterThanOrEqual(0);
  const charges = new Map<string, string[]>();
  const calls = new Map<string, number>();
  for (const cells of records) {
    const currency = cells[currencyAt];
    charges.set(currency, [...(charges.get(currency) ?? []), cells[chargeAt]]);
    calls.set(currency, (calls.get(currency) ?? 0) + Number(cells[callsAt]));
  }
  const summary = await fetchSummary(request, defaultRange);
  expect([...charges.keys()].sort()).toEqual(summary.currencies.map((c) => c.currency));
  for (const spend of summary.currencies) {
    expect(sumDecimals(charges.get(spend.currency)!)).toBe(normalize(spend.totals.charge));
    expect(calls.get(spend.currency)).toBe(spend.totals.calls);
  }
});

test('the Excel download is offered for the same range', async ({ page, request }) => {
  await page.goto('/?from=2026-03-01&to=2026-03-14');
  const link = page.getByRole('link', { name: 'Download Excel' });
  await expect(link).toHaveAttribute('href', '/export/dialout.xlsx?from=2026-03-01&to=2026-03-14&lang=en');
  const response = await request.get('/export/dialout.xlsx?from=2026-03-01&to=2026-03-14');
  expect(response.status()).toBe(200);
  expect((await response.body()).subarray(0, 2).toString()).toBe('PK');
});
