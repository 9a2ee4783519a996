import type { Page } from '@playwright/test';
import { MERCHANT_KEY, expect, shopperToken, signInAsMerchant, signInWithToken, test, waitForHandler } from './support';
import { startStore } from './store';

const RAPPORT = process.env.RAPPORT_BASE_URL ?? 'http://127.0.0.1:3000';
const headers = { Authorization: `Bearer ${MERCHANT_KEY}` };
const out = '/tmp/shots';

async function shot(page: Page, locator: ReturnType<Page['locator']>, path: string, most = 1400) {
  await locator.scrollIntoViewIfNeeded();
  const box = (await locator.boundingBox())!;
  const scroll = await page.evaluate(() => ({ x: window.scrollX, y: window.scrollY }));
  await page.screenshot({ path, fullPage: true, clip: { x: box.x + scroll.x, y: box.y + scroll.y, width: box.width, height: Math.min(box.height, most) } });
}

test('shots', { tag: '@js-only' }, async ({ page }) => {
  test.setTimeout(240_000);
  const store = await startStore(3301, RAPPORT);
  const shopperId = `shots-${Date.now()}`;
  await page.request.put(`${RAPPORT}/api/v1/shoppers`, { headers, data: { shoppers: [{ shopper_id: shopperId, display_name: 'Lin' }] } });
  const token = shopperToken(shopperId);
  // A question of Lin's that waits, and one the shop turned down.
  await signInWithToken(page, shopperId);
  for (const body of ['Can I use it on an induction hob?', 'Call me on 555-0100 about it']) {
    await page.goto(`${RAPPORT}/p/KIT-00001?lang=en#questions`);
    await waitForHandler(page, 'submit', 'form.rapport-questions__form');
    await page.locator('form.rapport-questions__form textarea').fill(body);
    await page.getByRole('button', { name: 'Ask', exact: true }).click();
    await expect(page.getByTestId('my-question').filter({ hasText: body })).toBeVisible();
  }
  await signInAsMerchant(page, '/merchant/questions?lang=en');
  await page.goto(`${RAPPORT}/merchant/questions?queue=waiting&shown=500&lang=en`);
  const card = page.getByTestId('desk-question').filter({ hasText: 'Call me on 555-0100' });
  await card.locator('input[name="reason"]').fill('Please leave out phone numbers.');
  await card.locator('button[data-decision="reject"]').click();
  await expect(card).toHaveCount(0);

  for (const lang of ['en', 'zh-CN']) {
    for (const [name, width] of [['phone', 390], ['desktop', 1280]] as const) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${RAPPORT}/p/KIT-00001?lang=${lang}`);
      const section = page.locator('section#questions');
      await expect(section.getByTestId('my-question').first()).toBeVisible();
      await shot(page, section, `${out}/store-questions-${lang}-${name}.png`);
      await page.goto(`${RAPPORT}/merchant/questions?queue=waiting&lang=${lang}`);
      await shot(page, page.locator('section.rapport-questions-desk'), `${out}/desk-${lang}-${name}.png`, 1200);
      await page.goto(`${store.origin}/products/KIT-00001?token=${token}&lang=${lang}`);
      const widget = page.locator('rapport-questions');
      await widget.scrollIntoViewIfNeeded();
      await expect(widget).toHaveAttribute('data-rapport', 'ready');
      await expect(widget.getByTestId('my-question').first()).toBeVisible();
      if (name === 'desktop') await widget.evaluate((element: HTMLElement) => { element.style.width = '300px'; });
      await shot(page, widget, `${out}/embed-questions-${lang}-${name}${name === 'desktop' ? '-300px' : ''}.png`);
    }
  }
  await store.close();
});
