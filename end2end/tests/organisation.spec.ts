// Issue 16, spend by organisation: the directory the sync reads (graph-sim's /v1.0/users)
// groups each person's spend by department and cost centre, per currency, and the chargeback
// file has one row per group and currency; both against the simulator's own truth per group
// (summed per call, not from the report the portal read).
import { readFileSync } from 'node:fs';
import type { APIRequestContext } from '@playwright/test';
import { defaultRange, expect, expectAccessible, formatMoney, normalize, parseCsv, sumDecimals, test, truth } from './support';

type GroupTruth = Record<string, Record<string, { calls: number; seconds: number; charge: string }>>;

async function groupTruth(request: APIRequestContext, group: string): Promise<GroupTruth> {
  const health = await (await request.get('/healthz')).json();
  const query = `from=${defaultRange.from}&to=${defaultRange.to}&group=${group}`;
  const response = await request.get(`${health.simulator}/_sim/truth?${query}`);
  expect(response.status()).toBe(200);
  return (await response.json()).groups as GroupTruth;
}

/** The group's row label as the page writes it. */
const label = (key: string) =>
  key === '' ? '(none in the directory)' : key === 'not_in_directory' ? 'Not in the directory (deleted accounts, guests)' : key;

test('departments add up to the truth of their people, per currency', async ({ page, request }) => {
  const range = `from=${defaultRange.from}&to=${defaultRange.to}`;
  // The directory is read by the sync after the report's days: the section may first say so.
  await expect
    .poll(
      async () => {
        await page.goto(`/?${range}&spend=EUR`);
        return page.getByTestId('org-department').count();
      },
      { timeout: 60_000 },
    )
    .toBe(1);
  await expect(page.getByRole('heading', { name: 'Spend by organisation · EUR' })).toBeVisible();
  await expect(page.getByTestId('directory-note')).toContainText('Groups as the directory (Microsoft Entra ID) listed people on');
  for (const [group, testid] of [['department', 'org-department'], ['costCenter', 'org-cost_center'], ['officeLocation', 'org-office']]) {
    const expected = await groupTruth(request, group);
    const table = page.getByTestId(testid);
    await table.locator('summary').evaluate((summary) => ((summary.parentElement as HTMLDetailsElement).open = true));
    const withEuro = Object.entries(expected).filter(([, currencies]) => currencies.EUR);
    await expect(table.locator('tbody tr')).toHaveCount(withEuro.length);
    for (const [key, currencies] of withEuro) {
      const row = table.locator('tbody tr').filter({ has: page.getByRole('rowheader', { name: label(key), exact: true }) });
      await expect(row.locator('td').nth(1), `${group} ${key}`).toHaveText(currencies.EUR.calls.toLocaleString('en-US'));
      await expect(row.locator('td').nth(3), `${group} ${key}`).toHaveText(formatMoney(currencies.EUR.charge, 'EUR'));
    }
  }
  // Someone in the report is missing from the directory: counted, not dropped.
  await expect(page.getByTestId('org-department').getByRole('rowheader', { name: label('not_in_directory') })).toBeVisible();
  await expectAccessible(page);
  await page.goto(`/?${range}&spend=EUR&lang=pt-BR`);
  await expect(page.getByRole('heading', { name: 'Gastos por organização · EUR' })).toBeVisible();
  await expect(page.getByTestId('org-department').getByRole('columnheader', { name: 'Departamento' })).toBeVisible();
});

test('the chargeback file has every cent of the period, by cost centre and currency', async ({ page, request }) => {
  await page.goto(`/?from=${defaultRange.from}&to=${defaultRange.to}`);
  const download = page.waitForEvent('download');
  await page.getByTestId('chargeback-cost_center').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`chargeback_cost_center_${defaultRange.from}_${defaultRange.to}.csv`);
  const text = readFileSync((await file.path())!, 'utf8').replace(/^\uFEFF/, '');
  const [header, ...lines] = parseCsv(text);
  expect(header.join(',')).toBe('cost_center,note,currency,people,calls,minutes,seconds,charge');
  const expected = await groupTruth(request, 'costCenter');
  const total = await truth(request, defaultRange.from, defaultRange.to);
  const charges = new Map<string, string[]>();
  expect(lines.length).toBe(Object.values(expected).reduce((n, currencies) => n + Object.keys(currencies).length, 0));
  for (const [group, note, currency, , calls, , seconds, charge] of lines) {
    const key = note === 'not_in_directory' ? 'not_in_directory' : group;
    const want = expected[key][currency];
    expect(normalize(charge), `${key} ${currency}`).toBe(normalize(want.charge));
    expect(Number(calls)).toBe(want.calls);
    expect(Number(seconds)).toBe(want.seconds);
    charges.set(currency, [...(charges.get(currency) ?? []), charge]);
  }
  // Never summed across currencies, and nothing lost: each currency's rows add up to its total.
  for (const [currency, totals] of Object.entries(total.currencies)) {
    expect(sumDecimals(charges.get(currency) ?? []), currency).toBe(normalize(totals.charge));
  }
  // The report's own download names each row's department: its rows add up to the truth per
  // department too.
  const rows = parseCsv(
    (await (await request.get(`/export/dialout.csv?from=${defaultRange.from}&to=${defaultRange.to}`)).text()).replace(/^\uFEFF/, ''),
  );
  const columns = rows[0];
  const at = (name: string) => columns.indexOf(name);
  const byDepartment = new Map<string, string[]>();
  for (const cells of rows.slice(1).filter((cells) => cells[at('currency')] === 'EUR')) {
    const key = cells[at('directory')] === 'not_in_directory' ? 'not_in_directory' : cells[at('department')];
    expect(['listed', 'not_in_directory']).toContain(cells[at('directory')]);
    byDepartment.set(key, [...(byDepartment.get(key) ?? []), cells[at('totalCallCharge')]]);
  }
  const departments = await groupTruth(request, 'department');
  for (const [key, currencies] of Object.entries(departments).filter(([, c]) => c.EUR)) {
    expect(sumDecimals(byDepartment.get(key) ?? []), key).toBe(normalize(currencies.EUR.charge));
  }
  const wrong = await request.get(`/export/chargeback.csv?from=${defaultRange.from}&to=${defaultRange.to}&by=team`);
  expect(wrong.status()).toBe(400);
  expect(await wrong.text()).toContain('cost_center');
});

test('the users table filters by a group of the directory, in Portuguese too', async ({ page, request }) => {
  const range = `from=${defaultRange.from}&to=${defaultRange.to}`;
  await page.goto(`/?${range}&currency=all`);
  const choice = page.getByLabel('Organisation', { exact: true });
  await expect(choice).toBeVisible();
  await expect(choice.locator('optgroup')).toHaveCount(6); // five groupings and "Directory"
  await choice.selectOption('department:Sales');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/org=department(%3A|:)Sales/);
  await expect(choice).toHaveValue('department:Sales');
  // One row per person and currency: as many as the report's file has in Sales.
  const rows = parseCsv((await (await request.get(`/export/dialout.csv?${range}`)).text()).replace(/^\uFEFF/, ''));
  const at = (name: string) => rows[0].indexOf(name);
  const sales = new Set(
    rows
      .slice(1)
      .filter((cells) => cells[at('department')] === 'Sales')
      .map((cells) => `${cells[at('userId')]}|${cells[at('currency')]}`),
  );
  expect(sales.size).toBeGreaterThan(10);
  await expect(page.getByTestId('users-count')).toHaveText(`${sales.size} users`);
  await expectAccessible(page);
  await page.goto(`/?${range}&currency=all&org=cost_center%3A&lang=pt-BR`);
  const escolha = page.getByLabel('Organização', { exact: true });
  await expect(escolha).toHaveValue('cost_center:');
  await expect(escolha.locator('optgroup[label="Centro de custo"] option[value="cost_center:"]')).toHaveText('(nenhum no diretório)');
});
