import { createServer, type Server } from 'node:http';
import {
  baseURL,
  defaultRange,
  expect,
  expectAccessible,
  fetchSummary,
  formatMoney,
  hostOrigin,
  hostPort,
  screenshot,
  test,
} from './support';

// The intranet page: another origin, allowed by PORTAL_FRAME_ANCESTORS (playwright.config.ts).
const hostPage = (src: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Intranet</title>
<style>body{margin:0;font-family:sans-serif} header{padding:8px 16px;background:#444;color:#fff}
iframe{display:block;width:100%;height:1100px;border:0}</style></head>
<body><header>Contoso intranet</header>
<iframe title="Dial-out spend" src="${src}"></iframe></body></html>`;

// The intranet page's snippet of docs/embedding.md: the frame takes the height the portal says.
const fittingHostPage = (src: string, portal: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Intranet</title>
<style>body{margin:0} iframe{display:block;width:100%;height:300px;border:0}</style></head>
<body><iframe id="dialout" title="Dial-out spend" src="${src}"></iframe>
<script>
  window.addEventListener('message', (event) => {
    if (event.origin !== '${portal}' || event.data?.type !== 'dialout-portal:height') return;
    document.getElementById('dialout').style.height = event.data.height + 'px';
    (window.heights = window.heights || []).push(event.data.height);
  });
</script></body></html>`;

let host: Server;
test.beforeAll(async () => {
  host = createServer((request, response) => {
    const url = new URL(request.url ?? '/', hostOrigin);
    const src = `${baseURL}/?embed=1${url.searchParams.get('theme') ? `&theme=${url.searchParams.get('theme')}` : ''}`;
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(url.pathname === '/fitting' ? fittingHostPage(`${baseURL}/?embed=1`, baseURL) : hostPage(src));
  });
  await new Promise<void>((resolve) => host.listen(hostPort, 'localhost', resolve));
});
test.afterAll(async () => {
  await new Promise((resolve) => host.close(resolve));
});

test('embed mode works inside an iframe on another origin', async ({ page, request }) => {
  await page.setViewportSize({ width: 900, height: 1000 });
  await page.goto(`${hostOrigin}/?theme=dark`);
  const frame = page.frameLocator('iframe[title="Dial-out spend"]');
  await expect(frame.getByRole('heading', { level: 1, name: 'Dial-out spend' })).toBeVisible();
  // No navigation chrome in embed mode.
  await expect(frame.getByRole('banner')).toHaveCount(0);
  await expect(frame.getByRole('link', { name: 'Dialout Portal' })).toHaveCount(0);
  const summary = await fetchSummary(request, defaultRange);
  const usd = summary.currencies.find((c) => c.currency === 'USD')!;
  await frame.getByTestId('glance').getByRole('link', { name: 'USD', exact: true }).click();
  await expect(frame.getByTestId('total-charge-USD')).toHaveText(formatMoney(usd.totals.charge, 'USD'));
  await expect(frame.getByTestId('chart-trend-USD').locator('canvas').first()).toBeVisible();
  // The page fits the iframe's width.
  const fits = await frame.locator('body').evaluate(
    () => document.documentElement.scrollWidth <= document.documentElement.clientWidth,
  );
  expect(fits).toBe(true);
  // The dark theme.
  const background = await frame.locator('.app').evaluate((element) => getComputedStyle(element).backgroundColor);
  expect(background).toBe('rgb(15, 20, 25)');
  await screenshot(page, 'embed');

  // It keeps working: the range changes inside the frame, still embedded and dark.
  await frame.getByRole('link', { name: 'Last 7 days' }).click();
  await expect(frame.getByTestId('period')).toHaveText('Mar 8, 2026 – Mar 14, 2026 (UTC)');
  const href = await frame.getByRole('link', { name: 'Last 90 days' }).getAttribute('href');
  expect(href).toContain('embed=1');
  expect(href).toContain('theme=dark');
});

test('the portal refuses other framers', async ({ request }) => {
  const response = await request.get('/');
  expect(response.headers()['content-security-policy']).toContain(`frame-ancestors 'self' ${hostOrigin}`);
});

test('themes: light, dark, or the browser preference', async ({ page }) => {
  const background = () => page.locator('.app').evaluate((element) => getComputedStyle(element).backgroundColor);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/?theme=light');
  expect(await background()).toBe('rgb(245, 247, 250)');
  await page.goto('/');
  expect(await background()).toBe('rgb(15, 20, 25)');
  await expectAccessible(page);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/?theme=dark&embed=1');
  expect(await background()).toBe('rgb(15, 20, 25)');
  await expectAccessible(page);
});

test('the dashboard fits a phone screen', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto('/');
  await expect(page.getByTestId('glance')).toBeVisible();
  await expect(page.locator('section.currency canvas').first()).toBeVisible();
  const fits = await page.evaluate(
    () => document.documentElement.scrollWidth <= document.documentElement.clientWidth,
  );
  expect(fits).toBe(true);
});

test('the embedded page tells its frame its height: no scrollbar inside the frame', async ({ page }) => {
  await page.setViewportSize({ width: 900, height: 800 });
  await page.goto(`${hostOrigin}/fitting`);
  const frame = page.frameLocator('#dialout');
  await expect(frame.getByTestId('glance')).toBeVisible();
  const iframe = page.locator('#dialout');
  // The frame grows to the page's full height, and the page inside does not scroll.
  const inner = () =>
    frame.locator('html').evaluate((root) => ({ scroll: root.scrollHeight, client: root.clientHeight }));
  await expect.poll(async () => (await iframe.boundingBox())?.height).toBeGreaterThan(1000);
  await expect.poll(async () => { const { scroll, client } = await inner(); return scroll - client; }).toBeLessThanOrEqual(0);
  // When the page grows (a chart's table opened), the frame follows.
  const before = (await iframe.boundingBox())!.height;
  await frame.getByTestId('chart-trend-USD').locator('xpath=..').getByText('Show as a table').click();
  await expect.poll(async () => (await iframe.boundingBox())!.height).toBeGreaterThan(before + 100);
  await expect.poll(async () => { const { scroll, client } = await inner(); return scroll - client; }).toBeLessThanOrEqual(0);
  // Only height messages, each a whole number of pixels.
  const heights: number[] = await page.evaluate(() => (window as any).heights);
  expect(heights.every((height) => Number.isInteger(height) && height > 0)).toBe(true);
});
