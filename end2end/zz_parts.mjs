import { chromium } from 'playwright';
const base = 'http://127.0.0.1:3100';
const [,, path, lang, width, ...selectors] = process.argv;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const context = await browser.newContext({ viewport: { width: Number(width), height: 900 }, colorScheme: process.env.DARK ? 'dark' : 'light' });
const page = await context.newPage();
await page.goto(base + '/merchant/customers?lang=en');
const form = page.locator('.rapport-merchant-sign-in form');
await form.locator('input[name="name"]').fill('Mei');
await form.locator('input[name="key"]').fill('demo-merchant-key');
await form.locator('button[type="submit"]').click();
await page.getByTestId('merchant-name').first().waitFor();
const sep = path.includes('?') ? '&' : '?';
await page.goto(`${base}${path}${sep}lang=${lang}`);
let n = 0;
for (const selector of selectors) {
  const name = `/tmp/part-${n++}-${lang}-${width}${process.env.DARK ? '-dark' : ''}.png`;
  await page.locator(selector).first().screenshot({ path: name });
  console.log(name);
}
await browser.close();
