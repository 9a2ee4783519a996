import { expect, test } from '@playwright/test';

for (const lang of ['en', 'zh-CN']) {
  for (const [name, width, height] of [['phone', 390, 844], ['desktop', 1280, 900]] as const) {
    test(`widgets at work ${lang} ${name}`, async ({ page }) => {
      await page.setViewportSize({ width, height });
      await page.goto(`/merchant/customers?lang=${lang}`);
      const form = page.locator('.rapport-merchant-sign-in form');
      await form.locator('input[name="name"]').fill('Mei');
      await form.locator('input[name="key"]').fill('demo-merchant-key');
      await form.locator('button[type="submit"]').click();
      await expect(page.getByTestId('merchant-name')).toBeVisible();
      await page.goto(`/merchant/widgets?lang=${lang}`);
      const lists = page.locator('section').filter({ has: page.locator('#wish-lists, [id*="wish"]') }).first();
      await page.screenshot({ path: `/tmp/shots/widgets-${lang}-${name}.png`, fullPage: true });
      const rules = page.locator('.rapport-insights__rules');
      await rules.scrollIntoViewIfNeeded();
      await rules.screenshot({ path: `/tmp/shots/rules-${lang}-${name}.png` });
      void lists;
    });
  }
}
