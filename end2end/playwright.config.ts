import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests of the Rapport demo storefront.
 *
 * The server is started by the caller (`./rapport test`), never by Playwright: point the suite at it with
 * RAPPORT_BASE_URL. Browsers are never downloaded: the suite drives Debian's Chromium.
 *
 * Two projects run the same scenarios: `js` (hydrated app) and `no-js` (server-rendered HTML only).
 * Scenarios that need JavaScript carry the tag `@js-only`, and the `no-js` project leaves them out by that tag.
 */
const baseURL = process.env.RAPPORT_BASE_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  testDir: './tests',
  outputDir: 'test-results',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    baseURL,
    browserName: 'chromium',
    locale: 'en-US',
    timezoneId: 'UTC',
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  projects: [
    {
      name: 'js',
      use: { javaScriptEnabled: true },
    },
    {
      name: 'no-js',
      use: { javaScriptEnabled: false },
      grepInvert: /@js-only/,
    },
  ],
});
