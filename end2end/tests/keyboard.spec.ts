import type { Locator, Page } from '@playwright/test';
import { expect, expectAccessible, test } from './support';

/** Presses Tab until `target` has the focus (every control must be reachable this way). */
async function tabTo(page: Page, target: Locator, limit = 250) {
  for (let i = 0; i < limit; i++) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`not reachable by keyboard: ${target}`);
}

test('a keyboard-only path: range, series, table, search, drill-down and back', async ({ page }) => {
  await page.goto('/?spend=EUR');
  await expect(page.getByTestId('chart-trend-EUR').locator('canvas').first()).toBeVisible();

  // The skip link comes first and lands in the content.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();

  await tabTo(page, page.getByRole('link', { name: 'Last 90 days' }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/from=2025-12-15&to=2026-03-14&spend=EUR/);

  const calls = page.getByTestId('currency-EUR').getByRole('button', { name: 'Calls' });
  await tabTo(page, calls);
  await page.keyboard.press('Enter');
  await expect(calls).toHaveAttribute('aria-pressed', 'true');

  const table = page.getByTestId('currency-EUR').getByText('Show as a table').first();
  await tabTo(page, table);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('currency-EUR').getByRole('table').first()).toBeVisible();

  const search = page.getByLabel('Search name or UPN');
  await tabTo(page, search);
  await page.keyboard.type('contoso.com');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/q=contoso.com/);

  const firstUser = page.getByTestId('users-table').locator('tbody tr').first().getByRole('link');
  const name = await firstUser.innerText();
  await tabTo(page, firstUser);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('user-name')).toHaveText(name);

  await tabTo(page, page.getByTestId('back'));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/\?from=2025-12-15&to=2026-03-14&spend=EUR&q=contoso.com/);
  await expect(search).toHaveValue('contoso.com');
});

test('axe finds no serious or critical issue on the dashboard with tables open', async ({ page }) => {
  await page.goto('/?from=2026-03-01&to=2026-03-14');
  for (const summary of await page.getByText('Show as a table').all()) await summary.click();
  await expectAccessible(page);
});
