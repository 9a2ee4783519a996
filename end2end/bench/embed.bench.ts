import { test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { publishedIn, type Published } from '../tests/published';
import { startStore } from '../tests/store';
import { MERCHANT_KEY, shopperToken } from '../tests/support';

const RAPPORT = process.env.RAPPORT_BASE_URL ?? 'http://127.0.0.1:3000';
const SITE = process.env.LEPTOS_SITE_ROOT ?? join(__dirname, '..', '..', 'target', 'site');
const RUNS = Number(process.env.RAPPORT_BENCH_RUNS ?? 15);
// A network's round trip to add to every request (Chromium's network emulation), as a shopper's phone sees one; 0
// measures loopback alone.
const LATENCY_MS = Number(process.env.RAPPORT_BENCH_LATENCY_MS ?? 0);

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/** The widgets' files as the site's published loader names them, as site paths (without the leading slash). */
function published(): Published {
  const files = publishedIn(readFileSync(join(SITE, 'embed.js'), 'utf8'));
  const bare = (path: string) => path.replace(/^\//, '');
  return { ...files, glue: bare(files.glue), wasm: bare(files.wasm), style: bare(files.style) };
}

/** A file's size as served to a browser accepting brotli: its twin made at build time, else compressed here at
 * brotli's strongest setting (the loader and the theme, which the server compresses per request at a lower one). */
function served(file: string): { raw: number; brotli: number } {
  const bytes = readFileSync(join(SITE, file));
  let brotli: number;
  try {
    brotli = readFileSync(join(SITE, `${file}.br`)).length;
  } catch {
    brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  }
  return { raw: bytes.length, brotli };
}

/** What a store page holding the elements `tags` downloads from Rapport: the loader, the theme, the stylesheet, and
 * unless the loader draws every one of its elements, the glue, the main WASM, the chunks' loader and the chunks its
 * elements' code is in. */
function pageFiles(files: Published, tags: string[]): string[] {
  const build = files.glue.slice(0, files.glue.lastIndexOf('/') + 1);
  const inWasm = tags.filter((tag) => files.chunkOf[tag]);
  const chunks = new Set(inWasm.flatMap((tag) => files.chunks[files.chunkOf[tag]] ?? []));
  const wasm = [files.glue, files.wasm, `${build}rapport-chunks.js`, ...[...chunks].map((stem) => `${build}${stem}.wasm`)];
  return ['embed.js', 'rapport-theme.css', files.style, ...(inWasm.length > 0 ? wasm : [])];
}

test('what a store page downloads for the widgets, by kind of page', async () => {
  const files = published();
  const every = pageFiles(files, [...Object.keys(files.chunkOf), 'rapport-stars']);
  for (const file of every) {
    const size = served(file);
    console.log(`${file}: ${kb(size.raw)} raw, ${kb(size.brotli)} brotli`);
  }
  // The issue's pages (21): a product page, a category page of 24 cards, every widget at once; and a shopper's own
  // page and a home page.
  const pages: [string, string[]][] = [
    ['product page: reviews, heart, price alert, star badge', ['rapport-reviews', 'rapport-wishlist-button', 'rapport-price-alert', 'rapport-stars']],
    // A compact heart is drawn by the loader (no chunk of its own), the full one by the WASM.
    ['category page: 24 star badges and compact hearts', ['rapport-stars', 'rapport-wishlist-button[compact]']],
    ['search results: star badges alone', ['rapport-stars']],
    ['home page: feed, recently viewed, tier badge', ['rapport-feed', 'rapport-recently-viewed', 'rapport-tier-badge']],
    ['account page: wish list, alerts, tier progress, review points', ['rapport-wishlist', 'rapport-my-alerts', 'rapport-tier-progress', 'rapport-review-points']],
    ['every widget at once', [...Object.keys(files.chunkOf), 'rapport-stars']],
  ];
  for (const [what, tags] of pages) {
    const sizes = pageFiles(files, tags).map(served);
    const brotli = sizes.reduce((sum, size) => sum + size.brotli, 0);
    console.log(`${what}: ${sizes.length} files, ${kb(brotli)} brotli as served`);
  }
});

test('time from page load to the first widget being interactive', async ({ browser }) => {
  const store = await startStore(Number(process.env.RAPPORT_STORE_PORT ?? 3301), RAPPORT);
  // The test store's product page holds every widget; its category page 24 cards of the demo shop's products, each
  // with a star badge and a compact heart (the SKUs as the storefront's kitchen category lists them).
  const listing = await browser.newPage();
  await listing.goto(`${RAPPORT}/c/kitchen?lang=en`);
  const skus = await listing.locator('ul.shop-grid > li.shop-tile a.shop-tile__link').evaluateAll((links) =>
    links.map((link) => decodeURIComponent(new URL((link as HTMLAnchorElement).href).pathname.split('/').pop() ?? '')),
  );
  // A signed-in shopper's hearts ask for their saved states, where a first visit's have none to ask for.
  const shopper = `bench-${Date.now()}`;
  await listing.request.put(`${RAPPORT}/api/v1/shoppers`, {
    headers: { Authorization: `Bearer ${MERCHANT_KEY}` },
    data: { shoppers: [{ shopper_id: shopper, display_name: 'Bench' }] },
  });
  await listing.close();
  const cards = `/category?skus=${encodeURIComponent(skus.slice(0, 24).join(','))}`;
  const pages: [string, string][] = [
    ['every widget (the product page)', '/'],
    [`category page (${Math.min(24, skus.length)} cards)`, cards],
    [`category page, signed in (${Math.min(24, skus.length)} cards)`, `${cards}&token=${shopperToken(shopper)}`],
    [`star badges alone (${Math.min(24, skus.length)} cards)`, `/category?skus=${encodeURIComponent(skus.slice(0, 24).join(','))}&hearts=0`],
  ];
  const sample = async (path: string, cold: boolean) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    if (LATENCY_MS > 0) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: LATENCY_MS,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
    }
    await page.addInitScript(() => {
      const record = window as unknown as { __ready?: number; __hearts: number; __shift: number };
      record.__shift = 0;
      record.__hearts = 0;
      window.addEventListener('rapport:ready', (event) => {
        record.__ready ??= performance.now();
        // A heart is ready once its shopper's saved state is in (on a first visit, the WASM's after a guest session).
        if ((event.target as Element).localName === 'rapport-wishlist-button') record.__hearts = performance.now();
      });
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as unknown as { value: number; hadRecentInput: boolean }[]) {
          if (!entry.hadRecentInput) record.__shift += entry.value;
        }
      }).observe({ type: 'layout-shift', buffered: true });
    });
    const firstReady = () =>
      page.waitForFunction(() => (window as unknown as { __ready?: number }).__ready !== undefined, null, {
        timeout: 30_000,
      });
    if (!cold) {
      await page.goto(`${store.origin}${path}`);
      await firstReady();
    }
    await page.goto(`${store.origin}${path}`);
    await firstReady();
    await page.waitForTimeout(1500);
    const result = await page.evaluate(() => {
      const record = window as unknown as { __ready: number; __hearts: number; __shift: number };
      // When the last heart that mounted was ready, and how many requests for hearts' states and guest sessions the
      // page made.
      const asked = performance
        .getEntriesByType('resource')
        .filter((entry) => /\/api\/(wishlist_states|start_guest_session)/.test(entry.name));
      return {
        ready: record.__ready,
        hearts: record.__hearts,
        requests: asked.length,
        shift: record.__shift,
      };
    });
    await context.close();
    return result;
  };
  for (const [what, path] of pages) {
    for (const cold of [true, false]) {
      const samples = [];
      for (let run = 0; run < RUNS; run++) samples.push(await sample(path, cold));
      const shift = Math.max(...samples.map((s) => s.shift));
      const at = (times: number[], q: number) => {
        const sorted = [...times].sort((a, b) => a - b);
        return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(0);
      };
      const ready = samples.map((s) => s.ready);
      const hearts = samples.map((s) => s.hearts);
      const requests = samples.map((s) => s.requests);
      console.log(
        `${what}, ${cold ? 'cold cache' : 'warm cache'}${LATENCY_MS ? `, ${LATENCY_MS} ms added to each request` : ''}: ` +
          `first widget ready ${at(ready, 0.5)} ms median, ${at(ready, 0.9)} ms p90; last heart ready ` +
          `${at(hearts, 0.5)} ms median, ${at(hearts, 0.9)} ms p90 (${Math.min(...requests)}–${Math.max(...requests)} ` +
          `requests for states and guest sessions) after navigation start (${RUNS} loads); largest layout shift score ${shift.toFixed(4)}`,
      );
    }
  }
  await store.close();
});
