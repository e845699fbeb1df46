// Shared by the specs: the servers under test, a page fixture that fails a test on any console
// error, page error or request to a foreign origin, the exact figures the server functions send,
// money formatting as the portal does it, axe checks and screenshots.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test';

import { baseURL, failingURL, hostOrigin } from './env';

export * from './env';

type Totals = { calls: number; seconds: number; charge: string };
export type Breakdown = { key: string; totals: Totals };
export type UserSpend = {
  user_id: string;
  user_principal_name: string | null;
  display_name: string | null;
  locations: string[];
  currency: string;
  totals: Totals;
};
export type CurrencySummary = {
  currency: string;
  totals: Totals;
  users: number;
  by_destination: Breakdown[];
  by_location: Breakdown[];
  top_users: UserSpend[];
};
export type Summary = { range: { from: string; to: string }; currencies: CurrencySummary[] };

export const test = base.extend<{ problems: string[]; allowedConsole: RegExp[] }>({
  /** Console errors a test expects (the browser logs every HTTP error status it receives). */
  allowedConsole: [[], { option: true }],
  problems: [
    async ({ page, allowedConsole }, use) => {
      // The portals, the intranet pages and the simulators they start (loopback only).
      const allowed = ['http://127.0.0.1:', 'http://localhost:'];
      const problems: string[] = [];
      page.on('console', (message) => {
        const text = message.text();
        if (message.type() === 'error' && !allowedConsole.some((allowed) => allowed.test(text))) {
          problems.push(`console: ${text}`);
        }
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('request', (request) => {
        const url = request.url();
        if (!allowed.some((origin) => url.startsWith(origin)) && !url.startsWith('data:')) {
          problems.push(`external request: ${url}`);
        }
      });
      await use(problems);
      expect(problems, 'console errors, page errors or foreign requests').toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

/** The exact figures, as the get_summary server function sends them. */
export async function fetchSummary(
  request: APIRequestContext,
  range: { from: string; to: string },
  origin = baseURL,
): Promise<Summary> {
  const response = await request.post(`${origin}/api/summary`, {
    form: { from: range.from, to: range.to },
  });
  expect(response.status()).toBe(200);
  return (await response.json()) as Summary;
}

export type TruthTotals = { calls: number; seconds: number; charge: string; rows: number };
export type Truth = { currencies: Record<string, TruthTotals> };

/** The simulator's truth for the inclusive days `from..=to` (its URL from `/healthz`): the sums
 * of its made-up calls, not of the report the portal read. */
export async function truth(request: APIRequestContext, from: string, to: string): Promise<Truth> {
  const health = await (await request.get('/healthz')).json();
  const response = await request.get(`${health.simulator}/_sim/truth?from=${from}&to=${to}`);
  expect(response.status()).toBe(200);
  return (await response.json()) as Truth;
}

const minorUnits = (currency: string) => (currency === 'JPY' ? 0 : 2);

/** An exact decimal string rounded half away from zero to `scale` digits, as digits and sign. */
function round(text: string, scale: number): { negative: boolean; whole: string; fraction: string } {
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = text.replace('-', '').split('.');
  const padded = (fraction + '0'.repeat(scale + 1)).slice(0, scale + 1);
  let scaled = BigInt(whole + padded.slice(0, scale));
  if (Number(padded[scale]) >= 5) scaled += 1n;
  const digits = scaled.toString().padStart(scale + 1, '0');
  return {
    negative: negative && scaled !== 0n,
    whole: digits.slice(0, digits.length - scale),
    fraction: digits.slice(digits.length - scale),
  };
}

/** Money as the portal shows it: `USD 1,234.50` (en) or `USD 1.234,50` (pt-BR); JPY whole. */
export function formatMoney(charge: string, currency: string, locale: 'en' | 'pt-BR' = 'en'): string {
  const [group, decimal] = locale === 'en' ? [',', '.'] : ['.', ','];
  const { negative, whole, fraction } = round(charge, minorUnits(currency));
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return `${currency} ${negative ? '-' : ''}${grouped}${fraction ? decimal + fraction : ''}`;
}

export function formatCount(value: number, locale: 'en' | 'pt-BR' = 'en'): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, locale === 'en' ? ',' : '.');
}

/** Exact sum of decimal strings (as a decimal string with `scale` digits). */
export function sumDecimals(values: string[], scale = 8): string {
  const total = values.reduce((sum, value) => {
    const negative = value.startsWith('-');
    const [whole, fraction = ''] = value.replace('-', '').split('.');
    const scaled = BigInt(whole + (fraction + '0'.repeat(scale)).slice(0, scale));
    return sum + (negative ? -scaled : scaled);
  }, 0n);
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** `amount` (a decimal string) × `times` ÷ `by`, rounded half away from zero to `scale` digits. */
export function scaledDecimal(amount: string, times: bigint, by: bigint, scale: number): string {
  const units = BigInt(sumDecimals([amount]).replace('.', '')) * times; // 10^-8 units
  const unit = 10n ** BigInt(8 - scale);
  const rounded = (units * 2n / by / unit + 1n) / 2n;
  const digits = rounded.toString().padStart(scale + 1, '0');
  return scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** The same decimal written with the same scale (for comparing exact sums). */
export const normalize = (value: string, scale = 8) => sumDecimals([value], scale);

/** Waits until the page is hydrated: every chart has its canvas. */
export async function waitForCharts(page: Page) {
  const charts = page.locator('.chart');
  const count = await charts.count();
  for (let index = 0; index < count; index++) {
    await expect(charts.nth(index).locator('canvas').first()).toBeVisible();
  }
}

/** Axe finds no serious or critical violation. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const severe = results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.length} nodes: ${violation.nodes
      .slice(0, 3)
      .map((node) => node.target.join(' '))
      .join(', ')})`);
  expect(severe).toEqual([]);
}

/** RFC 4180: quoted fields may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else {
      field += char;
    }
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/** Written to end2end/screenshots/ (ignored by git) on every run. */
export async function screenshot(page: Page, name: string, fullPage = false) {
  const folder = path.join(__dirname, '..', 'screenshots');
  mkdirSync(folder, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(folder, `${name}.png`), fullPage });
}
