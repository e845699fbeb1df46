import * as os from 'node:os';
import * as path from 'node:path';
import { createServer, type Server } from 'node:http';
import type { APIRequestContext, Page } from '@playwright/test';
import {
  baseURL,
  expect,
  expectAccessible,
  signInHostOrigin,
  signInHostPort,
  signInURL,
  test,
} from './support';

// The third portal (playwright.config.ts) requires Entra sign-in; its embedded simulator is the
// OpenID provider, with three test users: Ada holds the app role, Ben does not, Cleo holds the
// all-role too (scope.spec.ts).
// Pages refused with 401/403 are logged by the browser as console errors: expected here.
test.use({ allowedConsole: [/^Failed to load resource: the server responded with a status of 40[13]/] });

/** Chooses a test user on the simulator's sign-in page (Entra's, in production). */
async function chooseAccount(page: Page, name: string) {
  await expect(page).toHaveURL(/\/oauth2\/v2\.0\/authorize/);
  await page.getByRole('button', { name: new RegExp(`^Sign in as ${name}`) }).click();
}

test('a manager signs in with Entra ID, sees the report, and signs out', async ({ page }) => {
  await page.goto(`${signInURL}/?from=2026-03-01&to=2026-03-14`);
  await chooseAccount(page, 'Ada Manager');
  // Back where she started, signed in.
  await expect(page).toHaveURL(`${signInURL}/?from=2026-03-01&to=2026-03-14`);
  await expect(page.getByRole('heading', { level: 1, name: 'Dial-out spend' })).toBeVisible();
  await expect(page.getByTestId('signed-in-user')).toHaveText('Ada Manager');
  await expect(page.getByTestId('glance')).toBeVisible();
  // Other sites may frame this portal: its cookie is Secure, partitioned, and prefixed.
  const cookie = (await page.context().cookies(signInURL)).find(
    (c) => c.name === '__Host-dialout_session',
  );
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.secure).toBe(true);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'You have signed out' })).toBeVisible();
  await expectAccessible(page);
  // The report is closed again: the portal sends the browser back to sign in.
  await page.goto(`${signInURL}/`);
  await expect(page).toHaveURL(/\/oauth2\/v2\.0\/authorize/);
  // A copy of the cookie from before the sign-out is refused too (the session was revoked).
  const replay = await page.request.post(`${signInURL}/api/today`, {
    headers: { cookie: `${cookie?.name}=${cookie?.value}` },
  });
  expect(replay.status()).toBe(401);
});

test('a signed-in user without the app role is told which role to ask for', async ({ page }) => {
  await page.goto(`${signInURL}/`);
  await chooseAccount(page, 'Ben Employee');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("You don't have access to dial-out spend");
  await expect(page.getByTestId('no-access')).toContainText('Ben Employee');
  await expect(page.getByTestId('no-access')).toContainText('DialoutReports.Read');
  await expect(page.getByTestId('glance')).toHaveCount(0);
  await expectAccessible(page);
  // Data requests are refused too, not only the page.
  const summary = await page.request.post(`${signInURL}/api/summary`, {
    form: { from: '2026-03-01', to: '2026-03-14' },
    headers: { 'sec-fetch-site': 'same-origin' },
  });
  expect(summary.status()).toBe(403);
  // Another account can sign in from here.
  await page.getByRole('link', { name: 'Sign in as someone else' }).click();
  await chooseAccount(page, 'Ada Manager');
  await expect(page.getByTestId('signed-in-user')).toHaveText('Ada Manager');
});

// The intranet page: another site (localhost vs 127.0.0.1), allowed by PORTAL_FRAME_ANCESTORS.
let host: Server;
test.beforeAll(async () => {
  host = createServer((_, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Intranet</title></head>
<body><h1>Contoso intranet</h1><iframe title="Dial-out spend" src="${signInURL}/?embed=1"
style="width:100%;height:900px;border:0"></iframe></body></html>`);
  });
  await new Promise<void>((resolve) => host.listen(signInHostPort, 'localhost', resolve));
});
test.afterAll(async () => {
  await new Promise((resolve) => host.close(resolve));
});

test('embedded in another site, sign-in runs in a popup and returns to the frame', async ({ page }) => {
  await page.goto(`${signInHostOrigin}/`);
  const frame = page.frameLocator('iframe[title="Dial-out spend"]');
  await expect(frame.getByRole('heading', { level: 1 })).toHaveText('Sign in to see dial-out spend');
  const popupOpened = page.waitForEvent('popup');
  await frame.getByRole('link', { name: 'Sign in' }).click();
  const popup = await popupOpened;
  // Listening before the choice: the popup may close before the click returns.
  const closed = popup.waitForEvent('close');
  await chooseAccount(popup, 'Ada Manager');
  await closed;
  // The frame got its own (partitioned) session and shows the report.
  await expect(frame.getByRole('heading', { level: 1, name: 'Dial-out spend' })).toBeVisible();
  await expect(frame.getByTestId('glance')).toBeVisible();
});

/** Every asset the browser loads, as bytes. */
async function servedFiles(request: APIRequestContext, origin: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const html = await request.get(`${origin}/`);
  expect(html.status()).toBe(200);
  const page = await html.text();
  files.set('/', Buffer.from(page));
  const assets = [...page.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((match) => match[1]);
  for (const path of new Set([...assets, '/pkg/dialout-portal.js', '/pkg/dialout-portal.wasm', '/pkg/dialout-portal.css'])) {
    if (!/\.(js|wasm|css|svg)$/.test(path)) continue; // links to pages and downloads
    const response = await request.get(`${origin}${path}`);
    expect(response.status(), path).toBe(200);
    files.set(path, await response.body());
  }
  return files;
}

test('no secret reaches the browser: HTML, JavaScript, WASM and styles', async ({ page }) => {
  // The demo's documented credentials stand in for a tenant's: the Graph app's client secret
  // and the sign-in app's. Nor the build machine's folders (the WASM's paths are remapped).
  const repository = path.resolve(__dirname, '..', '..');
  const secrets = [
    'graph-sim-demo-secret',
    'graph-sim-demo-sign-in-secret',
    repository,
    '/.cargo/registry',
    os.homedir() + '/',
  ];
  await page.goto(`${signInURL}/`);
  await chooseAccount(page, 'Ada Manager');
  await expect(page.getByTestId('signed-in-user')).toHaveText('Ada Manager');
  for (const [origin, request] of [
    [signInURL, page.request],
    [baseURL, page.request],
  ] as const) {
    const files = await servedFiles(request, origin);
    expect(files.size).toBeGreaterThan(4);
    for (const [file, bytes] of files) {
      for (const secret of secrets) {
        expect(bytes.includes(secret), `${secret} in ${origin}${file}`).toBe(false);
      }
    }
  }
});
