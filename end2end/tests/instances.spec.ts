// Two portal instances on one PostgreSQL (a throwaway cluster of this spec's own, from the
// workspace's `pg-cluster` helper), behind no proxy: a sign-in made on one is redeemed on the
// other, a sign-out on one holds on both, one of them syncs, and when PostgreSQL stops the
// portal says so and recovers by itself once it is back.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { type APIRequestContext, type Page, request as playwrightRequest } from '@playwright/test';
import { port } from './env';
import { startDemoPortal, stopPortal, waitUntilServing } from './portal-process';
import { expect, test } from './support';

const ports = [port + 10, port + 11];
const [firstURL, secondURL] = ports.map((listen) => `http://127.0.0.1:${listen}`);
// One key for both instances: either reads the other's session cookies.
const sessionKey = randomBytes(64).toString('base64');

/** The workspace's throwaway PostgreSQL: its URL, and commands on its stdin (stop, start). */
class Cluster {
  private answers: string[] = [];
  private waiting: ((line: string) => void)[] = [];
  private constructor(private process: ChildProcess) {
    createInterface({ input: process.stdout! }).on('line', (line) => {
      const next = this.waiting.shift();
      if (next) next(line);
      else this.answers.push(line);
    });
  }

  static async start(): Promise<{ cluster: Cluster; url: string }> {
    const child = spawn('../target/debug/pg-cluster', ['portal'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const cluster = new Cluster(child);
    const url = await cluster.line();
    expect(url).toMatch(/^postgres:\/\//);
    return { cluster, url };
  }

  private line(): Promise<string> {
    const ready = this.answers.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async command(name: 'stop' | 'start') {
    this.process.stdin!.write(`${name}\n`);
    expect(await this.line()).toBe('ok');
  }

  async end() {
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.stdin!.end();
    await exited;
  }
}

type Readiness = {
  status: string;
  reason?: string;
  history: { loading_days: number; this_instance_syncs: boolean };
};

async function readiness(request: APIRequestContext, base: string): Promise<Readiness | null> {
  const response = await request.get(`${base}/readyz`).catch(() => null);
  return response ? ((await response.json()) as Readiness) : null;
}

const sameOrigin = { 'sec-fetch-site': 'same-origin' };

async function signInAs(page: Page, base: string, name: string) {
  await page.goto(`${base}/auth/login?popup=1&return_to=/`);
  await page.getByRole('button', { name: new RegExp(`^Sign in as ${name}`) }).click();
}

// While PostgreSQL is stopped the page's data requests answer 503, which the browser logs.
test.use({ allowedConsole: [/^Failed to load resource: the server responded with a status of 503/] });

let cluster: Cluster;
let portals: ChildProcess[] = [];

test.beforeAll(async ({ request }) => {
  const started = await Cluster.start();
  cluster = started.cluster;
  portals = ports.map((listen) =>
    startDemoPortal(listen, {
      PORTAL_DATABASE_URL: started.url,
      PORTAL_HISTORY_DAYS: '40',
      PORTAL_AUTH: 'entra',
      PORTAL_SESSION_KEY: sessionKey,
    }),
  );
  for (const base of [firstURL, secondURL]) await waitUntilServing(request, base);
  // Both have the whole window: one read it from Graph, the other heard of each day.
  for (const base of [firstURL, secondURL]) {
    await expect
      .poll(async () => (await readiness(request, base))?.history.loading_days, { timeout: 60_000 })
      .toBe(0);
  }
});

test.afterAll(async () => {
  await Promise.all(portals.map(stopPortal));
  await cluster?.end();
});

test('one instance syncs; a popup sign-in on one is redeemed on the other, once', async ({
  page,
  request,
}) => {
  const roles = await Promise.all([firstURL, secondURL].map((base) => readiness(request, base)));
  expect(roles.map((ready) => ready?.history.this_instance_syncs).sort()).toEqual([false, true]);

  // The popup's half, on the first instance: its page carries the one-time token.
  await signInAs(page, firstURL, 'Ada Manager');
  const html = await page.content();
  const token = /token: "([^"]+)"/.exec(html)?.[1];
  expect(token, 'the popup page hands a token over').toBeTruthy();

  // The frame's half, on the second instance, from a client that holds no cookie at all.
  const frame = await playwrightRequest.newContext();
  try {
    expect((await frame.post(`${secondURL}/api/today`, { headers: sameOrigin })).status()).toBe(401);
    const redeemed = await frame.post(`${secondURL}/auth/handoff`, { form: { token: token! } });
    expect(redeemed.status()).toBe(204);
    const signedIn = await frame.get(`${secondURL}/`);
    expect(signedIn.status()).toBe(200);
    expect(await signedIn.text()).toContain('Ada Manager');
    // Once, on whichever instance.
    for (const base of [firstURL, secondURL]) {
      const again = await request.post(`${base}/auth/handoff`, { form: { token: token! } });
      expect(again.status()).toBe(400);
    }
    // Signed out on the second instance: the same cookie is refused by the first as well.
    const { cookies } = await frame.storageState();
    const session = cookies.find((cookie) => cookie.name.includes('dialout_session'));
    expect(session).toBeTruthy();
    const cookie = `${session!.name}=${session!.value}`;
    const today = () =>
      request.post(`${firstURL}/api/today`, { headers: { ...sameOrigin, cookie } }).then((r) => r.status());
    expect(await today()).toBe(200);
    const signedOut = await frame.post(`${secondURL}/auth/logout`, { headers: sameOrigin, maxRedirects: 0 });
    expect(signedOut.status()).toBe(303);
    await expect.poll(today).toBe(401);
  } finally {
    await frame.dispose();
  }
});

test('PostgreSQL stopped: the portal says the data store is unavailable, and recovers', async ({
  page,
  request,
}) => {
  await signInAs(page, secondURL, 'Ada Manager');
  await cluster.command('stop');
  try {
    for (const base of [firstURL, secondURL]) {
      await expect
        .poll(async () => (await readiness(request, base))?.reason, { timeout: 20_000 })
        .toBe('store_unavailable');
      expect((await request.get(`${base}/readyz`)).status()).toBe(503);
    }
    // Days before the kept window must come from the store: the page says it is unavailable,
    // in the page's language, without a trace of the server's insides.
    await page.goto(`${secondURL}/?from=2026-01-10&to=2026-01-20`);
    await expect(page.getByTestId('error-message').first()).toContainText("The report's data store is unavailable");
    await expect(page.locator('body')).not.toContainText('panicked');
    await page.goto(`${secondURL}/?from=2026-01-10&to=2026-01-20&lang=pt-BR`);
    await expect(page.getByTestId('error-message').first()).toContainText(
      'O armazenamento de dados do relatório está indisponível',
    );
  } finally {
    await cluster.command('start');
  }
  for (const base of [firstURL, secondURL]) {
    await expect.poll(async () => (await readiness(request, base))?.status, { timeout: 30_000 }).toBe('ready');
  }
  // Back by itself: the same page now has its figures.
  await page.goto(`${secondURL}/?from=2026-01-10&to=2026-01-20`);
  await expect(page.getByTestId('glance')).toBeVisible({ timeout: 60_000 });
});
