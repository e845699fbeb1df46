import { defaultRange, expect, expectAccessible, formatMoney, screenshot, test, waitForCharts } from './support';
import type { APIRequestContext } from '@playwright/test';
import type { UserSpend } from './support';

type UserPage = {
  total_rows: number;
  rows: UserSpend[];
  currency: string | null;
  currencies: string[];
  locations: string[];
};

async function searchUsers(request: APIRequestContext, query: Record<string, unknown>): Promise<UserPage> {
  const response = await request.post('/api/users', {
    data: {
      query: {
        range: defaultRange,
        search: null,
        currency: null,
        destination: null,
        location: null,
        sort: 'Charge',
        descending: true,
        page: 0,
        page_size: 20,
        ...query,
      },
    },
  });
  expect(response.status()).toBe(200);
  return (await response.json()) as UserPage;
}

const rows = (page: import('@playwright/test').Page) =>
  page.getByTestId('users-table').locator('tbody tr');

test('search, filter, sort and page the users table', async ({ page, request }) => {
  await page.goto('/');
  const table = page.getByTestId('users-table');
  // By default the table shows the currency the dashboard details, highest charge first.
  const all = await searchUsers(request, {});
  expect(all.currency).not.toBeNull();
  await expect(page.getByLabel('Currency', { exact: true })).toHaveValue(all.currency!);
  await expect(page.getByTestId('users-count')).toHaveText(`${all.total_rows} users`);
  await expect(rows(page)).toHaveCount(20);
  await expect(rows(page).first().getByRole('link')).toHaveText(all.rows[0].display_name!);
  for (const cell of await table.locator('tbody tr td:nth-child(3)').allInnerTexts()) {
    expect(cell).toBe(all.currency);
  }

  // Filter by currency.
  await page.getByLabel('Currency', { exact: true }).selectOption('EUR');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/currency=EUR/);
  await expect(page.getByLabel('Currency', { exact: true })).toHaveValue('EUR');
  const eur = await searchUsers(request, { currency: 'EUR' });
  await expect(page.getByTestId('users-count')).toHaveText(`${eur.total_rows} users`);
  for (const cell of await table.locator('tbody tr td:nth-child(3)').allInnerTexts()) {
    expect(cell).toBe('EUR');
  }

  // Sort by calls, ascending after a second click.
  await table.getByRole('link', { name: 'Calls' }).click();
  await expect(table.getByRole('columnheader', { name: 'Calls' })).toHaveAttribute('aria-sort', 'descending');
  await table.getByRole('link', { name: 'Calls' }).click();
  await expect(table.getByRole('columnheader', { name: 'Calls' })).toHaveAttribute('aria-sort', 'ascending');
  await expect(page).toHaveURL(/sort=calls&dir=asc/);
  const ascending = await searchUsers(request, { currency: 'EUR', sort: 'Calls', descending: false });
  await expect(rows(page).first().locator('td').nth(3)).toHaveText(String(ascending.rows[0].totals.calls));

  // Sort by location: A to Z first.
  await table.getByRole('link', { name: 'Location' }).click();
  await expect(table.getByRole('columnheader', { name: 'Location' })).toHaveAttribute('aria-sort', 'ascending');
  await expect(page).toHaveURL(/sort=location/);
  const byLocation = await searchUsers(request, { currency: 'EUR', sort: 'Location', descending: false });
  await expect(rows(page).first().locator('td').nth(2)).toContainText(byLocation.rows[0].locations[0]);
  await table.getByRole('link', { name: 'Calls' }).click();
  await table.getByRole('link', { name: 'Calls' }).click();
  await expect(page).toHaveURL(/sort=calls&dir=asc/);

  // Page 2.
  await page.getByRole('link', { name: 'Next' }).click();
  await expect(page).toHaveURL(/page=2/);
  const second = await searchUsers(request, { currency: 'EUR', sort: 'Calls', descending: false, page: 1 });
  await expect(page.getByTestId('page-of')).toContainText('Page 2 of');
  await expect(rows(page).first().getByRole('link')).toHaveText(
    second.rows[0].display_name ?? second.rows[0].user_principal_name!,
  );
  await page.getByRole('link', { name: 'Previous' }).click();
  await expect(page.getByTestId('page-of')).toContainText('Page 1 of');

  // Search by UPN, and by destination.
  const someone = all.rows[3];
  await page.getByLabel('Search name or UPN').fill(someone.user_principal_name!);
  await page.getByLabel('Currency', { exact: true }).selectOption('all');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(rows(page)).toHaveCount(
    (
      await searchUsers(request, {
        search: someone.user_principal_name,
        currency: 'all',
        sort: 'Calls',
        descending: false,
      })
    ).rows.length,
  );
  await expect(rows(page).first()).toContainText(someone.user_principal_name!);

  await page.getByRole('link', { name: 'Clear' }).click();
  await expect(page).not.toHaveURL(/q=/);
  await expect(page.getByLabel('Search name or UPN')).toHaveValue('');
  await page.getByLabel('Destination', { exact: true }).selectOption('International');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/destination=International/);
  const international = await searchUsers(request, {
    destination: 'International',
    sort: 'Calls',
    descending: false,
  });
  await expect(page.getByTestId('users-count')).toHaveText(`${international.total_rows} users`);
});

test('drill into a user and back with the same range and filters', async ({ page, request }) => {
  await page.goto('/?from=2026-02-01&to=2026-02-28&currency=USD');
  const usd = await searchUsers(request, { range: { from: '2026-02-01', to: '2026-02-28' }, currency: 'USD' });
  // A user with a plain name (the demo data also has hostile ones): the screenshot goes in the docs.
  const index = usd.rows.findIndex((row) => /^[\p{L} .'-]+$/u.test(row.display_name ?? ''));
  const user = usd.rows[index];
  // A click on the row (not only its link) opens the user.
  await rows(page).nth(index).locator('td').last().click();
  await expect(page).toHaveURL(new RegExp(`/users/${user.user_id}\\?from=2026-02-01&to=2026-02-28&currency=USD`));
  await expect(page.getByTestId('user-name')).toHaveText(user.display_name!);
  await expect(page.getByTestId('user-upn')).toHaveText(user.user_principal_name!);
  // Every usage location of the user, in any currency.
  for (const location of user.locations) {
    await expect(page.getByTestId('user-locations')).toContainText(location);
  }
  await expect(page.getByTestId('user-charge-USD')).toHaveText(formatMoney(user.totals.charge, 'USD'));
  await expect(page.getByTestId('user-share-USD')).toHaveText(/^\d+\.\d%$/);
  await expect(page.getByTestId('chart-user-trend-USD').locator('canvas').first()).toBeVisible();
  await waitForCharts(page);
  await screenshot(page, 'drill-down');
  await expectAccessible(page);

  await page.getByTestId('back').click();
  await expect(page).toHaveURL(/\/\?from=2026-02-01&to=2026-02-28&currency=USD$/);
  await expect(page.getByLabel('Currency', { exact: true })).toHaveValue('USD');
  await expect(page.getByTestId('period')).toHaveText('Feb 1, 2026 – Feb 28, 2026 (UTC)');
});

test.describe('an unknown user', () => {
  // The page answers 404, which the browser records as a console error: expected here.
  test.use({ allowedConsole: [/^Failed to load resource: the server responded with a status of 404/] });

  test('gets a clear message, in Portuguese too', async ({ page }) => {
    const nobody = '00000000-0000-0000-0000-000000000000';
    await page.goto(`/users/${nobody}`);
    await expect(page.getByTestId('error-message')).toHaveText(
      `No dial-out by user ${nobody} from Feb 15, 2026 to Mar 14, 2026.`,
    );
    await page.goto(`/users/${nobody}?lang=pt-BR`);
    await expect(page.getByTestId('error-message')).toHaveText(
      `Nenhuma discagem do usuário ${nobody} de 15/02/2026 a 14/03/2026.`,
    );
    await expect(page.getByRole('alert')).toContainText('Não foi possível carregar o relatório');
    await expect(page.getByTestId('back')).toBeVisible();
  });
});

test('every currency: rows grouped by currency, each highest charge first; never ranked across', async ({
  page,
  request,
}) => {
  await page.goto('/?currency=all');
  await expect(page.getByLabel('Currency', { exact: true })).toHaveValue('all');
  const every = await searchUsers(request, { currency: 'all', page_size: 20 });
  expect(every.currency).toBeNull();
  const shown = await rows(page).evaluateAll((trs) =>
    trs.map((tr) => [tr.querySelector('td:nth-child(3)')!.textContent!, tr.querySelector('td:last-child')!.textContent!]),
  );
  expect(shown.map(([currency]) => currency)).toEqual(every.rows.map((row) => row.currency));
  const currencies = every.rows.map((row) => row.currency);
  expect([...currencies].sort()).toEqual(currencies);
  for (let i = 1; i < every.rows.length; i++) {
    if (every.rows[i].currency === every.rows[i - 1].currency) {
      expect(Number(every.rows[i].totals.charge)).toBeLessThanOrEqual(Number(every.rows[i - 1].totals.charge));
    }
  }
});

test('paging and sorting keep the scroll position and the focus on the control used', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/');
  await expect(rows(page)).toHaveCount(20);
  const next = page.getByRole('link', { name: 'Next' });
  await next.scrollIntoViewIfNeeded();
  const before = await page.evaluate(() => window.scrollY);
  expect(before).toBeGreaterThan(500);
  await next.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('page-of')).toContainText('Page 2 of');
  await expect(page).toHaveURL(/page=2/);
  await expect(page.locator('[data-focus-key="next"]')).toBeFocused();
  expect(Math.abs((await page.evaluate(() => window.scrollY)) - before)).toBeLessThan(5);

  const calls = page.getByTestId('users-table').getByRole('link', { name: 'Calls' });
  await calls.scrollIntoViewIfNeeded();
  const atHeader = await page.evaluate(() => window.scrollY);
  await calls.click();
  await expect(page.getByTestId('users-table').getByRole('columnheader', { name: 'Calls' })).toHaveAttribute(
    'aria-sort',
    'descending',
  );
  await expect(page.locator('[data-focus-key="sort-calls"]')).toBeFocused();
  expect(Math.abs((await page.evaluate(() => window.scrollY)) - atHeader)).toBeLessThan(5);

  // Filtering: the focus stays on "Apply filters".
  await page.getByLabel('Destination', { exact: true }).selectOption('International');
  const apply = page.getByRole('button', { name: 'Apply filters' });
  await apply.scrollIntoViewIfNeeded();
  const atFilters = await page.evaluate(() => window.scrollY);
  await apply.click();
  await expect(page).toHaveURL(/destination=International/);
  await expect(page.locator('[data-focus-key="apply"]')).toBeFocused();
  expect(Math.abs((await page.evaluate(() => window.scrollY)) - atFilters)).toBeLessThan(5);
});
