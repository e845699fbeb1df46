// Charts that do not mislead: the page's number format on axes and in tooltips, partial
// buckets marked, long names that leave the bars their room (issue 13).
import type { Page } from '@playwright/test';

import { defaultRange, expect, expectAccessible, fetchSummary, formatMoney, test, waitForCharts } from './support';

/** The 90 days before the demo's today: weekly bars from Monday 2025-12-15 to Saturday 2026-03-14. */
const ninetyDays = { from: '2025-12-15', to: '2026-03-14' };

type ChartFacts = {
  /** The value axis's tick labels as drawn. */
  ticks: string[];
  axisName: string | undefined;
  categories: string[];
  bars: number;
  /** Width of the plotting area, px. */
  plotWidth: number;
  /** Item styles of the bars drawn apart (partial buckets). */
  partial: number[];
  /** Texts drawn (axis labels, names), and the pairs of them whose boxes overlap. */
  texts: { drawn: number; overlaps: number };
};

/** What ECharts drew into the chart `testid`. */
async function chartFacts(page: Page, testid: string): Promise<ChartFacts> {
  return page.getByTestId(testid).evaluate((element) => {
    const chart = (window as any).echarts.getInstanceByDom(element);
    const option = chart.getOption();
    const horizontal = option.xAxis[0].type === 'value';
    const valueAxis = chart.getModel().getComponent(horizontal ? 'xAxis' : 'yAxis').axis;
    const data = option.series[0].data as Array<{ value: number; itemStyle?: unknown }>;
    return {
      ticks: valueAxis.getViewLabels().map((label: { formattedLabel: string }) => label.formattedLabel),
      axisName: (horizontal ? option.xAxis[0] : option.yAxis[0]).name,
      categories: (horizontal ? option.yAxis[0] : option.xAxis[0]).data,
      bars: data.length,
      plotWidth: chart.getModel().getComponent('grid').coordinateSystem.getRect().width,
      partial: data.flatMap((item, index) => (item.itemStyle ? [index] : [])),
      texts: (() => {
        // Every text ECharts drew, as boxes on the canvas.
        const boxes = chart
          .getZr()
          .storage.getDisplayList()
          .filter((shape: any) => shape.type === 'tspan' && !shape.ignore && shape.style?.text)
          .map((shape: any) => {
            const box = shape.getBoundingRect().clone();
            if (shape.transform) box.applyTransform(shape.transform);
            return box;
          });
        let overlaps = 0;
        for (let i = 0; i < boxes.length; i++)
          for (let j = i + 1; j < boxes.length; j++) if (boxes[i].intersect(boxes[j])) overlaps++;
        return { drawn: boxes.length, overlaps };
      })(),
    };
  });
}

/** The tooltip's lines for bar `index` of chart `testid`. */
async function tooltip(page: Page, testid: string, index: number): Promise<string[]> {
  const chart = page.getByTestId(testid);
  await chart.evaluate((element, dataIndex) => {
    (window as any).echarts.getInstanceByDom(element).dispatchAction({ type: 'showTip', seriesIndex: 0, dataIndex });
  }, index);
  const tip = chart.locator('div').filter({ hasText: /\S/ }).last();
  await expect(tip).toBeVisible();
  return (await tip.innerText()).split('\n').map((line) => line.trim()).filter(Boolean);
}

test('charts speak Portuguese: compact axis ticks, the currency on the axis, tooltips as the tables', async ({
  page,
  request,
}) => {
  const summary = await fetchSummary(request, ninetyDays);
  const eur = summary.currencies.find((c) => c.currency === 'EUR')!;
  await page.goto(`/?from=${ninetyDays.from}&to=${ninetyDays.to}&spend=EUR&lang=pt-BR`);
  await waitForCharts(page);

  for (const chart of ['chart-trend-EUR', 'chart-destination-EUR', 'chart-top-users-EUR']) {
    const facts = await chartFacts(page, chart);
    expect(facts.axisName, chart).toBe('EUR');
    // "1,5 mil", "500", "0": never "1,500" or "1.5K" in Portuguese.
    for (const tick of facts.ticks) expect(tick, chart).toMatch(/^-?\d+(,\d+)?( mil| mi)?$/);
  }
  const destination = eur.by_destination[0];
  expect(await tooltip(page, 'chart-destination-EUR', 0)).toEqual([
    destination.key === 'Domestic' ? 'Nacional' : 'Internacional',
    `Custo: ${formatMoney(destination.totals.charge, 'EUR', 'pt-BR')}`,
  ]);
  const top = eur.top_users[0];
  expect(await tooltip(page, 'chart-top-users-EUR', 0)).toEqual([
    top.display_name ?? top.user_principal_name!,
    `Custo: ${formatMoney(top.totals.charge, 'EUR', 'pt-BR')}`,
  ]);
  // JPY: whole yen in the tooltip, no decimals.
  await page.getByTestId('glance').getByRole('link', { name: 'JPY', exact: true }).click();
  await waitForCharts(page);
  const yen = summary.currencies.find((c) => c.currency === 'JPY')!;
  expect((await tooltip(page, 'chart-destination-JPY', 0))[1]).toBe(
    `Custo: ${formatMoney(yen.by_destination[0].totals.charge, 'JPY', 'pt-BR')}`,
  );
  expect((await chartFacts(page, 'chart-location-JPY')).ticks.join(' ')).not.toMatch(/\d{4}/);
});

test('weeks cut by the range are drawn apart and called partial; labels carry the year', async ({ page }) => {
  await page.goto(`/?from=${ninetyDays.from}&to=${ninetyDays.to}&spend=EUR`);
  await waitForCharts(page);
  const facts = await chartFacts(page, 'chart-trend-EUR');
  // Monday 2025-12-15 to Saturday 2026-03-14: 13 weeks, the last one of six days.
  expect(facts.bars).toBe(13);
  expect(facts.partial).toEqual([12]);
  expect(facts.categories[0]).toBe('Dec 15–Dec 21, 2025');
  expect(facts.categories[12]).toBe('Mar 9–Mar 14, 2026');
  expect(await tooltip(page, 'chart-trend-EUR', 12)).toEqual([
    'Mar 9, 2026 – Mar 14, 2026',
    expect.stringMatching(/^Cost: EUR [\d,]+\.\d\d$/),
    'partial: 6 of 7 days',
  ]);
  const table = page.getByTestId('chart-trend-EUR').locator('xpath=..').locator('table');
  await page.getByTestId('chart-trend-EUR').locator('xpath=..').getByText('Show as a table').click();
  await expect(table.locator('tbody tr').last().locator('th')).toHaveText(
    'Mar 9, 2026 – Mar 14, 2026 (partial: 6 of 7 days)',
  );
  await expect(table.locator('tbody tr').first().locator('th')).toHaveText('Dec 15, 2025 – Dec 21, 2025');

  // A year is drawn per calendar month.
  await page.goto('/?from=2025-03-15&to=2026-03-14&spend=EUR');
  await waitForCharts(page);
  const months = await chartFacts(page, 'chart-trend-EUR');
  expect(months.bars).toBe(13);
  expect(months.categories[0]).toBe('Mar 2025');
  expect(months.categories[12]).toBe('Mar 2026');
  expect(months.partial).toEqual([0, 12]);
});

test('the last 12 months: a bar per calendar month, the month under way marked as month-to-date', async ({ page }) => {
  await page.goto('/?spend=EUR');
  await page.getByRole('link', { name: 'Last 12 months' }).click();
  // The demo's today is 2026-03-15: April 2025 to yesterday, March 14.
  await expect(page.getByTestId('period')).toHaveText('Apr 1, 2025 – Mar 14, 2026 (UTC)');
  await expect(page.getByRole('link', { name: 'Last 12 months' })).toHaveAttribute('aria-current', 'true');
  await waitForCharts(page);
  const months = await chartFacts(page, 'chart-trend-EUR');
  expect(months.bars).toBe(12);
  expect(months.categories[0]).toBe('Apr 2025');
  expect(months.categories[11]).toBe('Mar 2026');
  // Only the month under way is drawn apart, and it says why.
  expect(months.partial).toEqual([11]);
  expect((await tooltip(page, 'chart-trend-EUR', 11)).at(-1)).toBe('month to date: 14 of 31 days');
  const figure = page.getByTestId('chart-trend-EUR').locator('xpath=..');
  await figure.getByText('Show as a table').click();
  await expect(figure.locator('table tbody tr')).toHaveCount(12);
  await expect(figure.locator('table tbody tr').last().locator('th')).toHaveText(
    'Mar 1, 2026 – Mar 14, 2026 (month to date: 14 of 31 days)',
  );
  await expect(figure.locator('table tbody tr').first().locator('th')).toHaveText('Apr 1, 2025 – Apr 30, 2025');

  await page.goto('/?lang=pt-BR&from=2025-04-01&to=2026-03-14&spend=EUR');
  await expect(page.getByRole('link', { name: 'Últimos 12 meses' })).toHaveAttribute('aria-current', 'true');
  await waitForCharts(page);
  expect((await tooltip(page, 'chart-trend-EUR', 11)).at(-1)).toBe('mês até agora: 14 de 31 dias');
  // A range that ends before yesterday cuts its last month: partial, not month-to-date.
  await page.goto('/?from=2025-04-01&to=2026-03-10&spend=EUR');
  await waitForCharts(page);
  expect((await tooltip(page, 'chart-trend-EUR', 11)).at(-1)).toBe('partial: 10 of 31 days');
});

for (const width of [320, 1400]) {
  test(`a top 10 with a long name still draws ten bars at ${width} px`, async ({ page, request }) => {
    await page.setViewportSize({ width, height: 900 });
    const summary = await fetchSummary(request, ninetyDays);
    // The demo data has names longer than an axis can hold; find the currency with one.
    const long = summary.currencies.find((c) =>
      c.top_users.some((u) => (u.display_name ?? '').length > 30),
    );
    expect(long, 'a top 10 with a name longer than 30 characters').toBeDefined();
    const { currency, top_users } = long!;
    await page.goto(`/?from=${ninetyDays.from}&to=${ninetyDays.to}&spend=${currency}`);
    await waitForCharts(page);
    const facts = await chartFacts(page, `chart-top-users-${currency}`);
    expect(facts.bars).toBe(10);
    // No label runs into another, in any chart of the page.
    for (const chart of ['trend', 'destination', 'location', 'top-users']) {
      const { texts } = await chartFacts(page, `chart-${chart}-${currency}`);
      expect(texts.drawn, chart).toBeGreaterThan(3);
      expect(texts.overlaps, chart).toBe(0);
    }
    const chartWidth = await page.getByTestId(`chart-top-users-${currency}`).evaluate((e) => e.clientWidth);
    // The names take at most about a third; the bars keep the rest.
    expect(facts.plotWidth).toBeGreaterThan(chartWidth * 0.45);
    const index = top_users.findIndex((u) => (u.display_name ?? '').length > 30);
    expect(facts.categories[index]).toMatch(/…$/);
    // The whole name in the tooltip.
    expect((await tooltip(page, `chart-top-users-${currency}`, index))[0]).toBe(top_users[index].display_name);
    // The figures' tables, open, scroll inside their card instead of cutting a number: the
    // card never overflows, and a table wider than it can be scrolled (by keyboard too).
    await page.locator('details').evaluateAll((all) => all.forEach((details) => ((details as HTMLDetailsElement).open = true)));
    const figures = await page.locator('.figure').evaluateAll((all) =>
      all.map((figure) => {
        const scroller = figure.querySelector('.table-scroll') as HTMLElement;
        return {
          overflows: figure.scrollWidth > figure.clientWidth + 1,
          scrolls: getComputedStyle(scroller).overflowX === 'auto',
          focusable: scroller.tabIndex === 0,
        };
      }),
    );
    expect(figures.length).toBeGreaterThan(3);
    for (const figure of figures) expect(figure).toEqual({ overflows: false, scrolls: true, focusable: true });
    await expectAccessible(page);
  });
}

test('usage locations by country name in the page\'s language, the code in the table, and what they mean', async ({
  page,
  request,
}) => {
  const summary = await fetchSummary(request, defaultRange);
  const eur = summary.currencies.find((c) => c.currency === 'EUR')!;
  const names: Record<string, [string, string]> = {
    DE: ['Germany', 'Alemanha'],
    FR: ['France', 'França'],
    ES: ['Spain', 'Espanha'],
    PT: ['Portugal', 'Portugal'],
    NL: ['Netherlands', 'Países Baixos'],
    IE: ['Ireland', 'Irlanda'],
  };
  for (const [lang, index, note] of [
    ['en', 0, "Graph's report gives each user's usage location (where they are licensed), not the country called."],
    ['pt-BR', 1, 'O relatório do Graph traz o local de uso de cada usuário (onde ele está licenciado), não o país chamado.'],
  ] as const) {
    await page.goto(`/?spend=EUR&lang=${lang}`);
    await waitForCharts(page);
    const figure = page.getByTestId('chart-location-EUR').locator('xpath=..');
    await expect(figure.locator('.figure-note')).toHaveText(note);
    // The chart names each country; its tooltip too.
    const first = eur.by_location[0];
    expect((await tooltip(page, 'chart-location-EUR', 0))[0]).toBe(names[first.key][index]);
    // The table: name and code, each row's charge.
    await figure.locator('summary').click();
    for (const row of eur.by_location) {
      await expect(
        figure.getByRole('row', { name: `${names[row.key][index]} (${row.key})` }),
      ).toContainText(formatMoney(row.totals.charge, 'EUR', lang));
    }
  }
  // The drill-down names its locations the same way.
  const user = eur.top_users[0];
  await page.goto(`/users/${encodeURIComponent(user.user_id)}?spend=EUR&lang=pt-BR`);
  await expect(page.getByTestId('chart-user-location-EUR').locator('xpath=..').locator('.figure-note')).toBeVisible();
  const location = user.locations[0];
  await page.getByTestId('chart-user-location-EUR').locator('xpath=..').locator('summary').click();
  await expect(
    page.getByTestId('chart-user-location-EUR').locator('xpath=..').getByRole('row', {
      name: `${names[location][1]} (${location})`,
    }),
  ).toBeVisible();
});
