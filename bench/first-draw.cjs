// Times the dashboard as a browser draws it: Chromium (Debian's, through Playwright) opens
// BASE_URL at a given width, and the time until the first chart's canvas is visible is printed,
// with whether a progress bar or a progress stream was seen on the way, and, when the page first
// showed the range with days still loading, when it had them all. Used by the "daily store"
// figures in docs/benchmarks.md (after bench/store.sh has restarted the portal).
// Usage: node bench/first-draw.cjs BASE_URL [WIDTH (1280)] [RUNS (1)]
// FIRST_DRAW_TIMEOUT_MS (120000): how long to wait for the page and the chart (a first view from a rate-limited
// Graph takes minutes).
const path = require('path');
const { chromium } = require(path.join(__dirname, '..', 'end2end', 'node_modules', 'playwright'));

async function main() {
  const [base, width = '1280', runs = '1'] = process.argv.slice(2);
  const timeout = Number(process.env.FIRST_DRAW_TIMEOUT_MS ?? 120_000);
  if (!base) {
    console.error('usage: node bench/first-draw.cjs BASE_URL [WIDTH] [RUNS]');
    process.exit(2);
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  });
  try {
    for (let run = 1; run <= Number(runs); run++) {
      const page = await browser.newPage({ viewport: { width: Number(width), height: 900 } });
      let progressStream = false;
      page.on('request', (request) => {
        if (request.url().includes('/events/progress')) progressStream = true;
      });
      const started = Date.now();
      await page.goto(base, { waitUntil: 'commit', timeout });
      const committed = Date.now() - started;
      const loaded = page.waitForLoadState('load').then(() => Date.now() - started);
      let progressBar = false;
      const bar = page.getByTestId('progress');
      bar.waitFor({ state: 'attached', timeout: 60_000 }).then(() => { progressBar = true; }, () => {});
      // The bar of days still loading (the page came before Graph had them), and when it showed.
      let loadingBar = null;
      page.getByTestId('sync-progress').waitFor({ state: 'attached', timeout })
        .then(() => { loadingBar = Date.now() - started; }, () => {});
      await page.locator('canvas').first().waitFor({ state: 'visible', timeout });
      const drawn = Date.now() - started;
      // A range with days still loading is drawn from the days stored so far: the page says so
      // until it has them all (and loads its figures again).
      const partial = await page.getByTestId('missing-days').count() > 0;
      await page.getByTestId('missing-days').waitFor({ state: 'detached', timeout });
      await page.locator('canvas').first().waitFor({ state: 'visible', timeout });
      const complete = Date.now() - started;
      console.log(`run ${run}: first chart drawn ${drawn} ms at ${width} px (HTML arriving ${committed} ms, page loaded ${await loaded} ms); ${partial ? `drawn with days still loading, complete ${complete} ms` : 'complete when drawn'}; loading days' bar ${loadingBar === null ? 'none' : `at ${loadingBar} ms`}, transition progress bar ${progressBar ? 'seen' : 'none'}, progress stream ${progressStream ? 'requested' : 'none'}`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
