import AxeBuilder from '@axe-core/playwright';
import { expect, test } from './support';

/** The API key `./rapport test` starts the server with. */
const MERCHANT_KEY = 'demo-merchant-key';

/** What each page's title names, by language (the words of its heading). */
const PAGES: { path: string; title: Record<string, RegExp> }[] = [
  { path: '/merchant', title: { en: /Merchant overview/, 'zh-CN': /商家概览/ } },
  { path: '/merchant/customers', title: { en: /Customers/, 'zh-CN': /客户/ } },
  { path: '/merchant/widgets', title: { en: /Widgets at work/, 'zh-CN': /组件成效/ } },
  { path: '/merchant/reviews', title: { en: /Review moderation/, 'zh-CN': /评价审核/ } },
  { path: '/merchant/questions', title: { en: /Questions/, 'zh-CN': /问答/ } },
  { path: '/merchant/tiers', title: { en: /Member tiers/, 'zh-CN': /会员等级/ } },
  { path: '/gallery', title: { en: /gallery/i, 'zh-CN': /组件/ } },
];

test('merchant pages and the widget gallery pass an accessibility check and name themselves, in English and Chinese', { tag: '@js-only' }, async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/merchant/reviews?lang=en');
  const form = page.locator('.rapport-merchant-sign-in form');
  await form.locator('input[name="name"]').fill('Axe');
  await form.locator('input[name="key"]').fill(MERCHANT_KEY);
  await form.locator('button[type="submit"]').click();
  await expect(page.getByTestId('merchant-name')).toHaveText('Signed in as Axe');
  for (const lang of ['en', 'zh-CN']) {
    for (const { path, title } of PAGES) {
      const response = await page.goto(`${path}?lang=${lang}`);
      expect(response!.status(), path).toBe(200);
      await expect(page, `${path} ${lang}`).toHaveTitle(title[lang]);
      const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
      const serious = results.violations
        .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
        .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
      expect(serious, `${path} ${lang}`).toEqual([]);
    }
  }
});
