import {
  defaultRange,
  expect,
  expectAccessible,
  fetchSummary,
  formatCount,
  formatMoney,
  screenshot,
  test,
  waitForCharts,
} from './support';

test('health check reports demo mode', async ({ request }) => {
  const response = await request.get('/healthz');
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ status: 'up', mode: 'demo' });
});

/** `12.3400` and `12.34` are the same amount; `1200` keeps its zeros. */
function canonicalDecimal(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

test('the dashboard totals equal the simulator\'s truth to the cent', async ({ page, request }) => {
  // Demo mode names its embedded simulator; its /_sim/truth sums the calls themselves.
  const health = await (await request.get('/healthz')).json();
  const truthResponse = await request.get(
    `${health.simulator}/_sim/truth?from=${defaultRange.from}&to=${defaultRange.to}`,
  );
  expect(truthResponse.status()).toBe(200);
  const truth = await truthResponse.json();
  const summary = await fetchSummary(request, defaultRange);
  const currencies = summary.currencies.map((spend) => spend.currency);
  expect(currencies).toEqual(Object.keys(truth.currencies).sort());
  await page.goto('/');
  for (const spend of summary.currencies) {
    const expected = truth.currencies[spend.currency];
    // Exact decimals as strings: no float rounding on either side.
    expect(canonicalDecimal(spend.totals.charge)).toBe(canonicalDecimal(String(expected.charge)));
    expect(spend.totals.calls).toBe(expected.calls);
    expect(spend.totals.seconds).toBe(expected.seconds);
    await expect(page.getByTestId(`glance-charge-${spend.currency}`)).toHaveText(
      formatMoney(expected.charge, spend.currency),
    );
  }
});

test('the server-rendered dashboard already carries every total', async ({ request }) => {
  const summary = await fetchSummary(request, defaultRange);
  expect(summary.currencies.length).toBeGreaterThan(1);
  // No script runs here: this is the HTML as the server sends it.
  const html = await (await request.get('/')).text();
  for (const spend of summary.currencies) {
    expect(html).toContain(`data-testid="glance-charge-${spend.currency}"`);
    expect(html).toContain(formatMoney(spend.totals.charge, spend.currency));
  }
  // One currency is detailed (the one with the most calls); the others are a link away.
  const busiest = [...summary.currencies].sort((a, b) => b.totals.calls - a.totals.calls)[0];
  const sections = [...html.matchAll(/data-testid="currency-([A-Z]{3})"/g)].map((match) => match[1]);
  expect(sections).toEqual([busiest.currency]);
  expect(html).toContain(`data-testid="total-charge-${busiest.currency}"`);
  // Without WASM the links work too: they are plain URLs.
  for (const spend of summary.currencies) {
    const page = await (await request.get(`/?spend=${spend.currency}`)).text();
    expect(page).toContain(`data-testid="currency-${spend.currency}"`);
    expect(page).toContain(`data-testid="total-charge-${spend.currency}"`);
  }
});

test('a card and four charts per currency, equal to the exact figures', async ({ page, request }) => {
  const summary = await fetchSummary(request, defaultRange);
  await page.goto('/');
  const glance = page.getByTestId('glance');
  await expect(page.getByRole('heading', { level: 1, name: 'Dial-out spend' })).toBeVisible();
  await expect(page.getByTestId('period')).toHaveText('Feb 15, 2026 – Mar 14, 2026 (UTC)');
  await expect(page.getByTestId('as-of')).toContainText('Data as of Mar 15, 2026');
  await expect(page.getByTestId('as-of')).toContainText('24–48 hours');
  await expect(page.getByTestId('demo-banner')).toContainText('Demo data');
  for (const spend of summary.currencies) {
    const c = spend.currency;
    // Each currency is a link in the table at a glance; the page then details that one only.
    await glance.getByRole('link', { name: c, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`spend=${c}`));
    await expect(glance.getByRole('link', { name: c, exact: true })).toHaveAttribute('aria-current', 'true');
    const section = page.getByTestId(`currency-${c}`);
    await expect(section.getByRole('heading', { level: 2 })).toContainText(c);
    await expect(page.locator('section.currency')).toHaveCount(1);
    await expect(page.getByTestId(`total-charge-${c}`)).toHaveText(formatMoney(spend.totals.charge, c));
    await expect(page.getByTestId(`total-calls-${c}`)).toHaveText(formatCount(spend.totals.calls));
    await expect(page.getByTestId(`total-minutes-${c}`)).toHaveText(
      formatCount(Math.ceil(spend.totals.seconds / 60)),
    );
    await expect(page.getByTestId(`total-users-${c}`)).toHaveText(formatCount(spend.users));
    for (const chart of ['trend', 'destination', 'location', 'top-users']) {
      await expect(page.getByTestId(`chart-${chart}-${c}`).locator('canvas').first()).toBeVisible();
    }
    // Every chart has its figures as a table too.
    const destinations = section.getByRole('table', { name: 'Domestic vs international' });
    // Switching currency updates the page in place: a table opened for the last one stays open.
    const details = section.locator('details').nth(1);
    if (!(await details.evaluate((element) => (element as HTMLDetailsElement).open))) {
      await section.getByText('Show as a table').nth(1).click();
    }
    for (const row of spend.by_destination) {
      await expect(destinations.getByRole('row', { name: new RegExp(row.key) })).toContainText(
        formatMoney(row.totals.charge, c),
      );
    }
  }
  // JPY has no minor unit.
  await expect(page.getByTestId('glance-charge-JPY')).toHaveText(/^JPY [\d,]+$/);
  await page.goto('/');
  await waitForCharts(page);
  await screenshot(page, 'dashboard', true);
  await expectAccessible(page);
});

test('the spend chart switches between cost, call duration and calls', async ({ page }) => {
  await page.goto('/?spend=EUR');
  const section = page.getByTestId('currency-EUR');
  const group = section.getByRole('group', { name: 'Series' });
  const cost = group.getByRole('button', { name: 'Cost' });
  const calls = group.getByRole('button', { name: 'Calls' });
  await expect(cost).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('chart-trend-EUR').locator('canvas')).toBeVisible();
  await calls.click();
  await expect(calls).toHaveAttribute('aria-pressed', 'true');
  await expect(cost).toHaveAttribute('aria-pressed', 'false');
  await group.getByRole('button', { name: 'Call duration' }).click();
  await expect(page.getByTestId('chart-trend-EUR').locator('canvas')).toBeVisible();
});

test('changing the range updates the URL and the numbers', async ({ page, request }) => {
  await page.goto('/?spend=EUR');
  await waitForCharts(page);
  const before = await page.getByTestId('total-charge-EUR').innerText();

  // The detailed currency stays as the range changes.
  await page.getByRole('link', { name: 'Last 7 days' }).click();
  await expect(page).toHaveURL(/\?from=2026-03-08&to=2026-03-14&spend=EUR$/);
  const week = await fetchSummary(request, { from: '2026-03-08', to: '2026-03-14' });
  const eur = week.currencies.find((c) => c.currency === 'EUR')!;
  await expect(page.getByTestId('total-charge-EUR')).toHaveText(formatMoney(eur.totals.charge, 'EUR'));
  expect(await page.getByTestId('total-charge-EUR').innerText()).not.toBe(before);
  await expect(page.getByRole('link', { name: 'Last 7 days' })).toHaveAttribute('aria-current', 'true');

  await page.getByRole('link', { name: 'Last calendar month' }).click();
  await expect(page).toHaveURL(/\?from=2026-02-01&to=2026-02-28/);
  await expect(page.getByTestId('period')).toHaveText('Feb 1, 2026 – Feb 28, 2026 (UTC)');

  // A custom range, typed.
  await page.getByLabel('From', { exact: true }).fill('2026-01-10');
  await page.getByLabel('To', { exact: true }).fill('2026-01-20');
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await expect(page).toHaveURL(/\?from=2026-01-10&to=2026-01-20&spend=EUR$/);
  const custom = await fetchSummary(request, { from: '2026-01-10', to: '2026-01-20' });
  const eurCustom = custom.currencies.find((c) => c.currency === 'EUR')!;
  await expect(page.getByTestId('total-charge-EUR')).toHaveText(formatMoney(eurCustom.totals.charge, 'EUR'));
  const usd = custom.currencies.find((c) => c.currency === 'USD')!;
  await page.getByTestId('glance').getByRole('link', { name: 'USD', exact: true }).click();
  await expect(page).toHaveURL(/\?from=2026-01-10&to=2026-01-20&spend=USD$/);
  await expect(page.getByTestId('total-charge-USD')).toHaveText(formatMoney(usd.totals.charge, 'USD'));

  // The URL is the bookmark: loading it anew shows the same view.
  await page.reload();
  await expect(page.getByTestId('total-charge-USD')).toHaveText(formatMoney(usd.totals.charge, 'USD'));
});

test('an invalid range gets a message instead of numbers', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('From', { exact: true }).fill('2026-03-10');
  await page.getByLabel('To', { exact: true }).fill('2026-03-01');
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('The start date is after the end date.');
  await expect(page.getByLabel('From', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  // No empty users card under the message.
  await expect(page.getByTestId('users')).toHaveCount(0);
  // The pickers offer the days a range can have: up to today, back two years.
  await expect(page.getByLabel('To', { exact: true })).toHaveAttribute('max', '2026-03-15');
  await expect(page.getByLabel('From', { exact: true })).toHaveAttribute('min', '2024-03-15');

  await page.goto('/?from=2026-03-01&to=2026-04-01');
  await expect(page.getByRole('alert')).toContainText('there is no data for future days');
  await page.goto('/?from=2026-03-01');
  await expect(page.getByRole('alert')).toContainText('Enter both a start and an end date.');
  await expect(page.getByTestId('glance')).toHaveCount(0);
});

test('refresh fetches the range again and keeps the numbers', async ({ page }) => {
  await page.goto('/?spend=EUR');
  await waitForCharts(page);
  const before = await page.getByTestId('total-charge-EUR').innerText();
  const refreshed = page.waitForResponse((response) => response.url().endsWith('/api/refresh'));
  const reloaded = page.waitForResponse((response) => response.url().endsWith('/api/dashboard'));
  await page.getByRole('button', { name: 'Refresh' }).click();
  expect((await refreshed).status()).toBe(200);
  expect((await reloaded).status()).toBe(200);
  await expect(page.getByTestId('total-charge-EUR')).toHaveText(before);
  await expect(page.getByRole('button', { name: 'Refresh' })).toBeEnabled();
});
