// Times the dashboard as a browser draws it: Chromium (Debian's, through Playwright) opens
// BASE_URL at a given width, and the time until the first chart's canvas is visible is printed,
// with whether a progress bar or a progress stream was seen on the way. Used by the "daily store"
// figures in docs/benchmarks.md (after bench/store.sh has restarted the portal).
// Usage: node bench/first-draw.cjs BASE_URL [WIDTH (1280)] [RUNS (1)]
const path = require('path');
const { chromium } = require(path.join(__dirname, '..', 'end2end', 'node_modules', 'playwright'));

async function main() {
  const [base, width = '1280', runs = '1'] = process.argv.slice(2);
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
      await page.goto(base, { waitUntil: 'commit' });
      const committed = Date.now() - started;
      const loaded = page.waitForLoadState('load').then(() => Date.now() - started);
      let progressBar = false;
      const bar = page.getByTestId('progress');
      bar.waitFor({ state: 'attached', timeout: 60_000 }).then(() => { progressBar = true; }, () => {});
      await page.locator('canvas').first().waitFor({ state: 'visible', timeout: 120_000 });
      const drawn = Date.now() - started;
      console.log(`run ${run}: first chart drawn ${drawn} ms at ${width} px (HTML arriving ${committed} ms, page loaded ${await loaded} ms); progress bar ${progressBar ? 'seen' : 'none'}, progress stream ${progressStream ? 'requested' : 'none'}`);
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
