import { defineConfig } from '@playwright/test';
import base from './playwright.config';

/**
 * Measurements, not tests: `./rapport bench` runs these against a release build and prints what they measure
 * (BENCHMARKS.md records it). Nothing here asserts a time.
 */
export default defineConfig({
  ...base,
  testDir: './bench',
  testMatch: /.*\.bench\.ts/,
  timeout: 600_000,
  projects: [{ name: 'bench', use: { javaScriptEnabled: true } }],
});
