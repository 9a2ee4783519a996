import { chromium } from '@playwright/test';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
const base = process.env.BASE ?? 'http://127.0.0.1:3300';
for (const [path, name, act] of JSON.parse(process.argv[2])) {
  await page.goto(base + path);
  await page.waitForTimeout(2500);
  if (act) { await page.locator(act).first().click(); await page.waitForTimeout(1000); }
  await page.screenshot({ path: `/tmp/shots/${name}.png`, fullPage: false });
}
await browser.close();
