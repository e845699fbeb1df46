// A demo portal started by a spec itself (its own port, store and settings), and its clean stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { type APIRequestContext, expect } from '@playwright/test';
import { demoToday } from './env';

/** The release build serving the demo data on 127.0.0.1:`listen`, with `env` added. */
export function startDemoPortal(listen: number, env: Record<string, string>): ChildProcess {
  return spawn('../target/release/dialout-portal', ['serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      LEPTOS_SITE_ADDR: `127.0.0.1:${listen}`,
      LEPTOS_SITE_ROOT: '../target/site',
      LEPTOS_SITE_PKG_DIR: 'pkg',
      LEPTOS_ENV: 'PROD',
      PORTAL_DEMO_SEED: '42',
      PORTAL_DEMO_TODAY: demoToday,
      RUST_LOG: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** SIGTERM, and waits for the exit (the portal's clean shutdown removes nothing it needs). */
export async function stopPortal(portal: ChildProcess) {
  if (portal.exitCode !== null) return;
  const exited = new Promise((resolve) => portal.once('exit', resolve));
  portal.kill('SIGTERM');
  await exited;
}

/** Waits until the portal at `base` answers its health check (it has just been started). */
export async function waitUntilServing(request: APIRequestContext, base: string) {
  await expect
    .poll(async () => (await request.get(`${base}/healthz`).catch(() => null))?.ok(), {
      timeout: 30_000,
      intervals: [100],
    })
    .toBe(true);
}
