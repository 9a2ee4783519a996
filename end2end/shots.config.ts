import { defineConfig } from '@playwright/test';
export default defineConfig({
  testDir: './shots',
  outputDir: 'test-results-shots',
  timeout: 120_000,
  workers: 1,
  use: {
    baseURL: process.env.RAPPORT_BASE_URL,
    browserName: 'chromium',
    launchOptions: { executablePath: '/usr/bin/chromium' },
  },
});
