import type { APIRequestContext } from '@playwright/test';
import { FIRST_PRODUCT_SKU, MERCHANT_KEY, expect, signInAsMerchant, signInWithToken, test, waitForHandler } from './support';

const DAY_MS = 24 * 60 * 60 * 1000;

async function api(request: APIRequestContext, method: 'GET' | 'PUT' | 'POST', path: string, data?: unknown) {
  const response = await request.fetch(path, {
    method,
    headers: { Authorization: `Bearer ${MERCHANT_KEY}` },
    data,
  });
  expect(response.status(), await response.text()).toBeLessThan(300);
  return response.json();
}

/** An order of `amountMinor` for `shopperId`, paid `daysAgo` days ago, as the store's systems report it. */
async function postOrder(request: APIRequestContext, shopperId: string, orderId: string, amountMinor: number, daysAgo: number) {
  const response = await request.post('/api/v1/orders', {
    headers: { Authorization: `Bearer ${MERCHANT_KEY}`, 'Idempotency-Key': `${orderId}-key` },
    data: {
      order_id: orderId,
      shopper_id: shopperId,
      currency: 'CNY',
      placed_at: new Date(Date.now() - daysAgo * DAY_MS).toISOString(),
      lines: [{ sku: FIRST_PRODUCT_SKU, quantity: 1, unit_price_minor: amountMinor }],
    },
  });
  expect(response.status(), await response.text()).toBe(201);
}

test('demo shopper signs in and sees their member tier in the header and on the account page', { tag: '@js-only' }, async ({ page }) => {
  await page.goto('/sign-in?lang=en');
  await waitForHandler(page, 'click', 'button[data-shopper]');
  const signIn = page.locator('button[data-shopper]').first();
  const shopper = (await signIn.getAttribute('data-shopper'))!;
  await signIn.click();
  await expect(page).toHaveURL(/\/account$/);

  // The widgets show what the store's checkout reads through the API.
  const standing = await api(page.request, 'GET', `/api/v1/shoppers/${shopper}/tier`);
  const tier = standing.rules.tiers[standing.rank];
  await expect(page.getByTestId('tier-badge').locator('.rapport-tier-badge')).toHaveAttribute('data-tier', tier.code);
  const progress = page.getByTestId('tier-progress');
  await expect(progress.locator('.rapport-tier-progress__head .rapport-tier-badge')).toHaveAttribute('data-tier', tier.code);
  await expect(progress.getByRole('progressbar')).toHaveAttribute('aria-valuenow', String(standing.progress_percent));
  await expect(progress.locator('.rapport-tier-progress__thresholds tbody tr')).toHaveCount(standing.rules.tiers.length);
});

test('member sees their tier and progress, and orders the store reports move the bar and then the tier', { tag: '@js-only' }, async ({ page }) => {
  const shopper = `tier-member-${Date.now()}`;
  await api(page.request, 'PUT', '/api/v1/shoppers', {
    shoppers: [{ shopper_id: shopper, display_name: 'Tess Tier', email: `${shopper}@example.com`, locale: 'en' }],
  });
  await signInWithToken(page, shopper);
  await page.goto('/account');

  const badge = page.getByTestId('tier-badge').locator('.rapport-tier-badge');
  const progress = page.getByTestId('tier-progress');
  const bar = progress.getByRole('progressbar');
  await expect(badge).toHaveAttribute('data-tier', 'bronze');
  await expect(badge).toHaveText('Bronze member');
  await expect(bar).toHaveAttribute('aria-valuenow', '0');
  await expect(progress.getByTestId('tier-to-next')).toHaveText('CN¥1,000.00 more to Silver');
  // Every rule is spelled out, with every tier's threshold.
  await expect(progress.getByText(/Tiers are reviewed every 3 months/)).toBeVisible();
  await expect(progress.locator('.rapport-tier-progress__thresholds tbody tr')).toHaveText([
    'BronzeCN¥0.00',
    'SilverCN¥1,000.00',
    'GoldCN¥5,000.00',
    'DiamondCN¥20,000.00',
  ]);

  // Paid today: still inside its 7-day return window, so it is pending and the bar does not move.
  await postOrder(page.request, shopper, `${shopper}-1`, 30_000, 0);
  await page.reload();
  await expect(progress.getByTestId('tier-pending')).toContainText('CN¥300.00 more is pending');
  await expect(bar).toHaveAttribute('aria-valuenow', '0');

  // Paid ten days ago: it counts, and the bar moves.
  await postOrder(page.request, shopper, `${shopper}-2`, 40_000, 10);
  await page.reload();
  await expect(bar).toHaveAttribute('aria-valuenow', '40');
  await expect(progress.getByTestId('tier-to-next')).toHaveText('CN¥600.00 more to Silver');
  await expect(badge).toHaveAttribute('data-tier', 'bronze');

  // Past the threshold: Silver at once, in the header and on the account page.
  await postOrder(page.request, shopper, `${shopper}-3`, 70_000, 9);
  await page.reload();
  await expect(badge).toHaveAttribute('data-tier', 'silver');
  await expect(badge).toHaveText('Silver member');
  await expect(progress.getByTestId('tier-to-next')).toHaveText('CN¥3,900.00 more to Gold');
  await expect(bar).toHaveAttribute('aria-valuenow', '2');
  // The pending ¥300 will have counted by the next review, so Silver is kept then.
  await expect(progress.getByTestId('tier-keep')).toContainText(/^Silver is kept at the review on [A-Z][a-z]{2} 1, \d{4}: CN¥1,400\.00/);
  await expect(progress.locator('[data-benefit="birthday_gift"]').first()).toHaveText('A ¥20 birthday coupon');

  // Checkout reads the same standing through the merchant API.
  const standing = await api(page.request, 'GET', `/api/v1/shoppers/${shopper}/tier`);
  expect(standing.rules.tiers[standing.rank].code).toBe('silver');
  expect(standing.growth.amount_minor).toBe(110_000);
});

test('a merchant working in Chinese is told in Chinese why a tier rule is refused', async ({ page }) => {
  await signInAsMerchant(page);
  await page.goto('/merchant/tiers?lang=zh-CN');
  const first = page.getByTestId('tiers-form-tier').nth(0).getByLabel('所需成长值（CNY）');
  await first.fill('5');
  await page.getByTestId('tiers-preview').click();
  await expect(page.getByRole('alert')).toContainText('第一个等级必须从 0 开始，这样每位会员都有等级');
  await expect(first).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('tiers-save')).toHaveCount(0);
});

test('merchant edits the tier rules in a form of fields, previews them and saves them', async ({ page }) => {
  const inForce = (await api(page.request, 'GET', '/api/v1/tiers/rules')).rules;
  await signInAsMerchant(page);
  const distribution = page.getByTestId('tiers-distribution').locator('tbody tr');
  await expect(distribution).toHaveCount(4);
  await expect(distribution.first().locator('td').first()).toHaveText('Bronze');
  const form = page.getByTestId('tiers-form');
  const tiers = form.getByTestId('tiers-form-tier');
  await expect(tiers).toHaveCount(4);
  await expect(tiers.nth(1).getByLabel('Name in English').first()).toHaveValue('Silver');
  await expect(tiers.nth(1).getByLabel('Name in 简体中文').first()).toHaveValue('银牌');
  await expect(tiers.nth(1).getByLabel('Growth value needed (CNY)')).toHaveValue('1000.00');

  // The rules in force, previewed unchanged, show the moves already due (pending spend settling, the next review).
  await page.getByTestId('tiers-preview').click();
  const due = await page.getByTestId('tiers-moves').textContent();
  await expect(page.getByTestId('tiers-preview-table').locator('tbody td:nth-child(2)')).toHaveText(
    await distribution.locator('td:nth-child(2)').allTextContents(),
  );

  // Halving every threshold above Bronze moves members up at once; nobody moves down. The form keeps what was typed.
  for (const index of [1, 2, 3]) {
    const threshold = tiers.nth(index).getByLabel('Growth value needed (CNY)');
    await threshold.fill(String(Number(await threshold.inputValue()) / 2));
  }
  await page.getByTestId('tiers-preview').click();
  await expect(page.getByTestId('tiers-moves')).toHaveText(/^[1-9]\d* members would move up at once, 0 would move down/);
  await expect(page.getByTestId('tiers-preview-table').locator('tbody tr')).toHaveCount(4);
  await expect(tiers.nth(1).getByLabel('Growth value needed (CNY)')).toHaveValue('500');

  // Starting again from the rules in force, a fifth tier is added above the others, with one benefit of two.
  await page.getByTestId('tiers-discard').click();
  await expect(tiers.nth(1).getByLabel('Growth value needed (CNY)')).toHaveValue('1000.00');
  await form.getByRole('button', { name: 'Add a tier' }).click();
  await expect(tiers).toHaveCount(5);
  const fifth = tiers.nth(4);
  await fifth.getByLabel('Code (what checkout keys on)').first().fill('black');
  await fifth.getByLabel('Name in English').first().fill('Black');
  await fifth.getByLabel('Name in 简体中文').first().fill('黑钻');
  await fifth.getByLabel('Growth value needed (CNY)').fill('1000000');
  await fifth.getByRole('button', { name: 'Add a benefit' }).click();
  await fifth.getByRole('button', { name: 'Add a benefit' }).click();
  const benefits = fifth.getByTestId('tiers-form-benefit');
  await expect(benefits).toHaveCount(2);
  await expect(fifth.getByLabel('Code (what checkout keys on)').first()).toHaveValue('black');
  await benefits.nth(0).getByRole('button', { name: 'Remove this benefit' }).click();
  await expect(benefits).toHaveCount(1);
  await benefits.getByLabel('Code (what checkout keys on)').fill('personal_shopper');
  await benefits.getByLabel('Name in English').fill('A personal shopper');
  await benefits.getByLabel('Name in 简体中文').fill('专属购物顾问');

  // A first tier that does not start at 0 is refused, naming the field; nothing can be saved until it is mended.
  const first = tiers.nth(0).getByLabel('Growth value needed (CNY)');
  await first.fill('5');
  await page.getByTestId('tiers-preview').click();
  await expect(page.getByRole('alert')).toContainText('the first tier must start at 0');
  await expect(first).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('tiers-save')).toHaveCount(0);
  await first.fill('0');
  await page.getByTestId('tiers-preview').click();
  await expect(page.getByTestId('tiers-preview-table').locator('tbody tr')).toHaveCount(5);
  await expect(page.getByTestId('tiers-moves')).toHaveText(due ?? '');
  await page.getByTestId('tiers-save').click();
  await expect(page.getByTestId('tiers-saved')).toContainText(/The rules were saved as version \d+/);

  const saved = (await api(page.request, 'GET', '/api/v1/tiers/rules')).rules;
  expect(saved.tiers.map((tier: { code: string }) => tier.code)).toEqual(['bronze', 'silver', 'gold', 'diamond', 'black']);
  expect(saved.tiers[4]).toMatchObject({
    threshold_minor: 100_000_000,
    names: { en: 'Black', 'zh-CN': '黑钻' },
    benefits: [{ code: 'personal_shopper', names: { en: 'A personal shopper', 'zh-CN': '专属购物顾问' }, value: null }],
  });
  expect(saved.tiers.slice(0, 4)).toEqual(inForce.tiers);

  // The next scenarios expect the programme as it was.
  await api(page.request, 'PUT', '/api/v1/tiers/rules', inForce);
});
