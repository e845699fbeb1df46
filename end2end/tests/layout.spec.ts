// The page's layout at a phone's, a laptop's and a desktop's width, and on paper (issue 15,
// point 6): no sideways page scroll, key figures two a row on a phone, no chart left alone in a
// third of the width, tables that scroll keep their first column in view, print without the
// controls.
import type { Page } from '@playwright/test';
import { expect, expectAccessible, test, waitForCharts } from './support';

type Box = { left: number; top: number; width: number };

/** The boxes of the elements `selector` matches, in page coordinates. */
async function boxes(page: Page, selector: string): Promise<Box[]> {
  return page.locator(selector).evaluateAll((elements) =>
    elements.map((element) => {
      const box = element.getBoundingClientRect();
      return { left: Math.round(box.left), top: Math.round(box.top + window.scrollY), width: Math.round(box.width) };
    }),
  );
}

/** Groups boxes into rows by their top edge. */
function rows(all: Box[]): Box[][] {
  const byTop = new Map<number, Box[]>();
  for (const box of all) byTop.set(box.top, [...(byTop.get(box.top) ?? []), box]);
  return [...byTop.values()];
}

for (const lang of ['en', 'pt-BR']) {
  test(`a phone (375 px, ${lang}): no sideways scroll, key figures two a row, first column kept`, async ({ page }) => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`/?lang=${lang}`);
    await waitForCharts(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

    // Five key figures: two rows of two, and the fifth across the whole row.
    const cards = await boxes(page, '.currency .cards > .card');
    expect(cards).toHaveLength(5);
    const cardRows = rows(cards);
    expect(cardRows.map((row) => row.length)).toEqual([2, 2, 1]);
    const grid = (await boxes(page, '.currency .cards'))[0];
    expect(cardRows[2][0].width).toBeGreaterThan(grid.width - 2);

    // The glance table is wider than the phone: scrolled sideways, its currency column stays.
    const scroller = page.locator('.glance .table-scroll');
    const overflow = await scroller.evaluate((element) => element.scrollWidth - element.clientWidth);
    expect(overflow).toBeGreaterThan(0);
    const firstCell = page.getByTestId('glance').locator('tbody tr').first().locator(':scope > *').first();
    const before = await firstCell.boundingBox();
    await scroller.evaluate((element) => { element.scrollLeft = element.scrollWidth; });
    await expect.poll(async () => (await firstCell.boundingBox())?.x).toBe(before?.x);
    // ...and is drawn over the columns scrolled under it (an opaque background).
    const background = await firstCell.evaluate((element) => getComputedStyle(element).backgroundColor);
    expect(background).not.toBe('rgba(0, 0, 0, 0)');
    await expectAccessible(page);
  });
}

for (const width of [1280, 1920]) {
  test(`at ${width} px no chart is left alone in part of a row`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await page.goto('/');
    await waitForCharts(page);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    const grid = (await boxes(page, '.currency .figures'))[0];
    const figureRows = rows(await boxes(page, '.currency .figures > .figure'));
    expect(figureRows.length).toBeGreaterThan(1);
    for (const row of figureRows) {
      expect(row.length).toBeLessThanOrEqual(2);
      // A row's figures share the grid's width: a lone one takes all of it.
      const used = row.reduce((sum, box) => sum + box.width, 0);
      expect(used).toBeGreaterThan(grid.width * 0.95);
    }
  });
}

test('printing gives the report without the controls', async ({ page }) => {
  await page.setViewportSize({ width: 800, height: 1100 });
  await page.goto('/');
  await waitForCharts(page);
  await page.emulateMedia({ media: 'print' });
  // Kept: the period, each currency at a glance, the detailed currency's figures and charts.
  await expect(page.getByTestId('period')).toBeVisible();
  await expect(page.getByTestId('glance')).toBeVisible();
  await expect(page.locator('.currency .cards')).toBeVisible();
  await expect(page.locator('.currency .chart canvas').first()).toBeVisible();
  // Left out: the range picker, the buttons and links that act, the people's table.
  await expect(page.getByRole('button', { name: 'Apply', exact: true })).toBeHidden();
  await expect(page.getByRole('button', { name: 'Refresh' })).toBeHidden();
  await expect(page.getByRole('link', { name: 'Download CSV' })).toBeHidden();
  await expect(page.getByRole('link', { name: 'Last 7 days' })).toBeHidden();
  await expect(page.getByRole('heading', { name: 'Users', exact: true })).toBeHidden();
  await expect(page.locator('.topbar')).toBeHidden();
});
