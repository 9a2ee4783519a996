import { chromium } from 'playwright';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
for (const [lang, width] of [['en', 1280], ['zh-CN', 1280]]) {
  const page = await browser.newPage({ viewport: { width, height: 1400 }, locale: lang });
  await page.goto('http://127.0.0.1:3301/index.html');
  if (lang !== 'en') await page.evaluate(() => document.documentElement.lang = 'zh-CN');
  await page.waitForSelector('rapport-went-on-to[data-rapport="ready"]', { timeout: 20000 });
  await page.waitForTimeout(800);
  await page.screenshot({ path: `/tmp/foreign-${lang}.png`, fullPage: false });
  await page.close();
}
await browser.close();
