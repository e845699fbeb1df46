import { defineConfig } from '@playwright/test';
import { baseURL, demoToday, failingURL, hostOrigin, port, signInHostOrigin, signInURL } from './tests/env';

// The suite runs the release build of the portal in demo mode (no Graph credentials: the
// embedded simulator, with a fixed seed and "today" so every run sees the same data) and drives
// Debian's Chromium: Playwright's own browser download cannot work on our machines.
// A second instance runs on a simulator that fails every request, for the error state; a third
// requires Entra sign-in (PORTAL_AUTH=entra: the simulator is the OpenID provider too) and
// shows each manager their own people (PORTAL_SCOPE=reporting-line).
const failingPort = port + 1;

const portalEnv = (listen: number) => ({
  LEPTOS_SITE_ADDR: `127.0.0.1:${listen}`,
  LEPTOS_SITE_ROOT: '../target/site',
  LEPTOS_SITE_PKG_DIR: 'pkg',
  LEPTOS_ENV: 'PROD',
  // Demo mode: no tenant credentials reach the server under test.
  AZURE_TENANT_ID: '',
  AZURE_CLIENT_ID: '',
  AZURE_CLIENT_SECRET: '',
  AZURE_CLIENT_CERTIFICATE_PATH: '',
  PORTAL_DEMO_SEED: '42',
  PORTAL_DEMO_TODAY: demoToday,
  RUST_LOG: 'warn',
  PORTAL_FRAME_ANCESTORS: `'self' ${hostOrigin}`,
});

export default defineConfig({
  testDir: './tests',
  // Demo mode reads a store synced before it serves, and its simulator enforces no rate limit,
  // so a page has its figures within seconds: the slowest test took 10.5 s on a loaded 2-core
  // runner (a fresh-clone `make test`, 2026-12-02). These leave room for such a runner and no
  // more, so a change that made pages slow again fails here. errors.spec.ts sets its own: its
  // Graph fails every request and the client retries for about half a minute first.
  timeout: 90_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    navigationTimeout: 30_000,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [
    {
      command: '../target/release/dialout-portal serve',
      url: `${baseURL}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'pipe',
      env: portalEnv(port),
    },
    {
      command: '../target/release/dialout-portal serve',
      url: `${failingURL}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'ignore',
      env: { ...portalEnv(failingPort), PORTAL_DEMO_ERROR_RATE: '1' },
    },
    {
      command: '../target/release/dialout-portal serve',
      url: `${signInURL}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'pipe',
      env: {
        ...portalEnv(port + 2),
        PORTAL_AUTH: 'entra',
        // Each manager sees their own people (scope.spec.ts); Cleo Finance holds the all-role.
        PORTAL_SCOPE: 'reporting-line',
        PORTAL_FRAME_ANCESTORS: `'self' ${signInHostOrigin}`,
      },
    },
  ],
});
