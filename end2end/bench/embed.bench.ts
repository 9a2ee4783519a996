import { test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { startStore } from '../tests/store';

const RAPPORT = process.env.RAPPORT_BASE_URL ?? 'http://127.0.0.1:3000';
const SITE = process.env.LEPTOS_SITE_ROOT ?? join(__dirname, '..', '..', 'target', 'site');
const RUNS = Number(process.env.RAPPORT_BENCH_RUNS ?? 15);

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/** The widgets' files, by the names the published loader gives them (`rapport-tools publish-assets`). */
function published(): { glue: string; wasm: string; style: string } {
  const loader = readFileSync(join(SITE, 'embed.js'), 'utf8');
  const named = loader.match(/const FILES = \{ glue: '\/([^']+)', wasm: '\/([^']+)', style: '\/([^']+)' \}/);
  if (!named) throw new Error('the loader names no widget files');
  return { glue: named[1], wasm: named[2], style: named[3] };
}

test('what a store page downloads for the widgets', async () => {
  const files = published();
  const rows = [
    ['loader', 'embed.js'],
    ['JS glue', files.glue],
    ['WASM', files.wasm],
    ['widget CSS', files.style],
    ['theme tokens', 'rapport-theme.css'],
  ].map(([what, file]) => {
    const bytes = readFileSync(join(SITE, file));
    const brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    return { what, file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, brotli };
  });
  for (const row of rows) {
    console.log(`${row.what} (${row.file}): ${kb(row.raw)} raw, ${kb(row.gzip)} gzip, ${kb(row.brotli)} brotli`);
  }
  const code = rows.filter((row) => row.what === 'JS glue' || row.what === 'WASM');
  console.log(`WASM and JS glue together: ${kb(code.reduce((sum, row) => sum + row.brotli, 0))} brotli`);
});

test('time from page load to the first widget being interactive', async ({ browser }) => {
  const store = await startStore(Number(process.env.RAPPORT_STORE_PORT ?? 3301), RAPPORT);
  const sample = async (cold: boolean) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript(() => {
      const record = window as unknown as { __ready?: number; __shift: number };
      record.__shift = 0;
      window.addEventListener('rapport:ready', () => (record.__ready ??= performance.now()));
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
      await page.goto(`${store.origin}/`);
      await firstReady();
    }
    await page.goto(`${store.origin}/`);
    await firstReady();
    await page.waitForTimeout(1500);
    const result = await page.evaluate(() => {
      const record = window as unknown as { __ready: number; __shift: number };
      return { ready: record.__ready, shift: record.__shift };
    });
    await context.close();
    return result;
  };
  for (const cold of [true, false]) {
    const samples = [];
    for (let run = 0; run < RUNS; run++) samples.push(await sample(cold));
    const ready = samples.map((s) => s.ready).sort((a, b) => a - b);
    const shift = Math.max(...samples.map((s) => s.shift));
    const at = (q: number) => ready[Math.min(ready.length - 1, Math.floor(q * ready.length))].toFixed(0);
    console.log(
      `${cold ? 'cold cache' : 'warm cache'}: first widget ready ${at(0.5)} ms median, ${at(0.9)} ms p90 ` +
        `after navigation start (${RUNS} loads); largest layout shift score ${shift.toFixed(4)}`,
    );
  }
  await store.close();
});
