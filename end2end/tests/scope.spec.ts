// Issue 16, each manager sees their own people: the sign-in portal runs with
// PORTAL_SCOPE=reporting-line (playwright.config.ts). Ada Manager sees exactly the people under
// her in the simulated directory (the simulator's own truth of that subtree, /_sim/truth?under=),
// in the glance, the users table, the CSV file and a drill-down; anyone else's page is "no
// dial-out", as for an id nobody has. Cleo Finance holds DialoutReports.ReadAll and sees
// everyone.
import { readFileSync } from 'node:fs';
import type { APIRequestContext, Page } from '@playwright/test';
import { baseURL, defaultRange, expect, expectAccessible, formatMoney, normalize, parseCsv, signInURL, sumDecimals, test } from './support';

const ADA = 'aaaaaaaa-0000-4000-8000-000000000001';
// The drill-downs answered "not found" are logged by the browser as console errors: expected.
test.use({ allowedConsole: [/^Failed to load resource: the server responded with a status of 404/] });
const range = `from=${defaultRange.from}&to=${defaultRange.to}`;

type SubtreeTruth = {
  users: number;
  currencies: Record<string, { calls: number; seconds: number; charge: string }>;
};

async function simulator(request: APIRequestContext): Promise<string> {
  return (await (await request.get(`${signInURL}/healthz`)).json()).simulator;
}

async function truthUnder(request: APIRequestContext, manager?: string): Promise<SubtreeTruth> {
  const under = manager ? `&under=${manager}` : '';
  const response = await request.get(`${await simulator(request)}/_sim/truth?${range}${under}`);
  expect(response.status()).toBe(200);
  return response.json();
}

async function signIn(page: Page, name: string, path: string) {
  await page.goto(`${signInURL}${path}`);
  await expect(page).toHaveURL(/\/oauth2\/v2\.0\/authorize/);
  await page.getByRole('button', { name: new RegExp(`^Sign in as ${name}`) }).click();
  await expect(page.getByTestId('signed-in-user')).toHaveText(name);
}

/** The downloaded CSV's records with a column reader. */
async function downloadCsv(page: Page) {
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download CSV' }).click();
  const text = readFileSync((await (await download).path())!, 'utf8').replace(/^\uFEFF/, '');
  const [columns, ...records] = parseCsv(text);
  return { records, at: (name: string) => columns.indexOf(name) };
}

test('a manager sees exactly her reporting line, and says so', async ({ page, request }) => {
  await signIn(page, 'Ada Manager', `/?${range}&currency=all`);
  const [expected, people] = await Promise.all([
    truthUnder(request, ADA),
    request.get(`${await simulator(request)}/_sim/directory/reports?manager=${ADA}`).then((r) => r.json()),
  ]);
  const reports = new Set<string>(people.ids.map((id: string) => id.toLowerCase()));
  expect(reports.size).toBeGreaterThan(20);
  // The directory is read after the sync's first pass: the page may first say it is not yet.
  await expect
    .poll(
      async () => {
        await page.reload();
        return page.getByTestId('scope').textContent();
      },
      { timeout: 60_000 },
    )
    .toContain(`the ${reports.size.toLocaleString('en-US')} people who report to you`);
  await expect(page.getByTestId('scope')).toContainText("Every total here is theirs, not the whole organisation's.");

  // The glance: each currency's charge and calls are her people's.
  for (const [currency, totals] of Object.entries(expected.currencies)) {
    await expect(page.getByTestId(`glance-charge-${currency}`), currency).toHaveText(formatMoney(totals.charge, currency));
    await expect(page.getByTestId(`glance-calls-${currency}`), currency).toHaveText(totals.calls.toLocaleString('en-US'));
  }
  await expect(page.locator('[data-testid^="glance-row-"]')).toHaveCount(Object.keys(expected.currencies).length);

  // The CSV: her people only, every cent of theirs.
  const { records, at } = await downloadCsv(page);
  const users = new Set(records.map((cells) => cells[at('userId')].toLowerCase()));
  expect([...users].filter((id) => !reports.has(id))).toEqual([]);
  expect(users.size).toBe(expected.users);
  for (const [currency, totals] of Object.entries(expected.currencies)) {
    const charges = records.filter((cells) => cells[at('currency')] === currency).map((cells) => cells[at('totalCallCharge')]);
    expect(sumDecimals(charges), currency).toBe(normalize(totals.charge));
  }
  // The users table (every currency): one row per person and currency in the file.
  const pairs = new Set(records.map((cells) => `${cells[at('userId')]}|${cells[at('currency')]}`));
  await expect(page.getByTestId('users-count')).toHaveText(`${pairs.size} users`);
  await expectAccessible(page);

  // Someone outside her line (found in the unscoped portal's file of the same data): their
  // page and the server functions answer as for an id nobody has.
  const everyone = await (await request.get(`${baseURL}/export/dialout.csv?${range}`)).text();
  const [allColumns, ...allRecords] = parseCsv(everyone.replace(/^\uFEFF/, ''));
  const outsider = allRecords
    .map((cells) => cells[allColumns.indexOf('userId')])
    .find((id) => !reports.has(id.toLowerCase()))!;
  const insider = [...users][0];
  for (const [who, status] of [
    [insider, 200],
    [outsider, 404],
    ['00000000-0000-4000-8000-00000000dead', 404],
  ] as const) {
    const response = await page.goto(`${signInURL}/users/${who}?${range}`);
    expect(response?.status(), who).toBe(status);
    const detail = await page.request.post(`${signInURL}/api/user`, {
      form: { from: defaultRange.from, to: defaultRange.to, user_id: who },
      headers: { 'sec-fetch-site': 'same-origin' },
    });
    expect(detail.status(), who).toBe(status);
  }
  await expect(page.getByText(`No dial-out by user 00000000-0000-4000-8000-00000000dead`)).toBeVisible();

  // In Portuguese too.
  await page.goto(`${signInURL}/?${range}&lang=pt-BR`);
  await expect(page.getByTestId('scope')).toContainText(`${reports.size} pessoas que se reportam a você`);
});

test('with the all-role, a person sees everyone', async ({ page, request }) => {
  await signIn(page, 'Cleo Finance', `/?${range}`);
  const expected = await truthUnder(request);
  await expect(page.getByTestId('glance')).toBeVisible();
  await expect(page.getByTestId('scope')).toHaveCount(0);
  for (const [currency, totals] of Object.entries(expected.currencies)) {
    await expect(page.getByTestId(`glance-charge-${currency}`), currency).toHaveText(formatMoney(totals.charge, currency));
  }
});
