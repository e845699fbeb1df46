import {
  defaultRange,
  expect,
  expectAccessible,
  fetchSummary,
  formatCount,
  formatMoney,
  test,
} from './support';

test('Brazilian Portuguese with ?lang=pt-BR', async ({ page, request }) => {
  const summary = await fetchSummary(request, defaultRange);
  await page.goto('/?lang=pt-BR');
  await expect(page.locator('html')).toHaveAttribute('lang', 'pt-BR');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Gastos com chamadas externas');
  await expect(page.getByTestId('period')).toHaveText('15/02/2026 – 14/03/2026 (UTC)');
  for (const spend of summary.currencies) {
    await expect(page.getByTestId(`glance-charge-${spend.currency}`)).toHaveText(
      formatMoney(spend.totals.charge, spend.currency, 'pt-BR'),
    );
  }
  await expect(page.getByTestId('glance-charge-JPY')).toHaveText(/^JPY [\d.]+$/);
  // The detailed currency's cards, after switching to it.
  const eur = summary.currencies.find((c) => c.currency === 'EUR')!;
  await page.getByTestId('glance').getByRole('link', { name: 'EUR', exact: true }).click();
  await expect(page.getByTestId('total-calls-EUR')).toHaveText(formatCount(eur.totals.calls, 'pt-BR'));
  await expect(page.getByTestId('total-charge-EUR')).toHaveText(formatMoney(eur.totals.charge, 'EUR', 'pt-BR'));
  await expectAccessible(page);

  // Client-side navigation stays in Portuguese and keeps the language in the URL.
  await page.getByRole('link', { name: 'Últimos 7 dias' }).click();
  await expect(page).toHaveURL(/from=2026-03-08&to=2026-03-14&spend=EUR&lang=pt-BR/);
  await expect(page.getByTestId('period')).toHaveText('08/03/2026 – 14/03/2026 (UTC)');
  await expect(page.getByRole('button', { name: 'Atualizar' })).toBeVisible();
});

test('the browser language picks Portuguese; the switcher goes back to English', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'pt-BR' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Gastos com chamadas externas');
  await expect(page.getByText('Mostrar como tabela').first()).toBeVisible();
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page).toHaveURL(/lang=en/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Dial-out spend');
  expect(errors).toEqual([]);
  await context.close();
});
