import { chromium } from 'playwright';
const base = 'http://127.0.0.1:3100';
const [,, ...pages] = process.argv;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
for (const [w, h, tag] of [[1280, 900, 'desktop'], [390, 844, 'phone']]) {
  const context = await browser.newContext({ viewport: { width: w, height: h } });
  const page = await context.newPage();
  await page.goto(base + '/merchant/customers?lang=en');
  const form = page.locator('.rapport-merchant-sign-in form');
  await form.locator('input[name="name"]').fill('Mei');
  await form.locator('input[name="key"]').fill('demo-merchant-key');
  await form.locator('button[type="submit"]').click();
  await page.getByTestId('merchant-name').first().waitFor();
  for (const lang of ['en', 'zh-CN']) {
    for (const path of pages) {
      const sep = path.includes('?') ? '&' : '?';
      await page.goto(`${base}${path}${sep}lang=${lang}`);
      await page.waitForTimeout(500);
      const name = `/tmp/shot-${path.replace(/[^a-z0-9]+/gi, '_')}-${lang}-${tag}.png`;
      await page.screenshot({ path: name, fullPage: true });
      console.log(name);
    }
  }
  await context.close();
}
await browser.close();
