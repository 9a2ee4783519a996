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
  await expect(progress.getByTestId('tier-keep')).toContainText(/^Silver is kept at the review on \d{4}-\d{2}-01: CN¥1,400\.00/);
  await expect(progress.locator('[data-benefit="birthday_gift"]').first()).toHaveText('A ¥20 birthday coupon');

  // Checkout reads the same standing through the merchant API.
  const standing = await api(page.request, 'GET', `/api/v1/shoppers/${shopper}/tier`);
  expect(standing.rules.tiers[standing.rank].code).toBe('silver');
  expect(standing.growth.amount_minor).toBe(110_000);
});

test('merchant previews a rule change on the tiers page before saving it', async ({ page }) => {
  await signInAsMerchant(page);
  const distribution = page.getByTestId('tiers-distribution').locator('tbody tr');
  await expect(distribution).toHaveCount(4);
  await expect(distribution.first().locator('td').first()).toHaveText('Bronze');

  // Halving every threshold above Bronze moves members up at once; nobody moves down.
  const editor = page.getByTestId('tiers-rules');
  const rules = JSON.parse(await editor.inputValue());
  for (const tier of rules.tiers.slice(1)) tier.threshold_minor = Math.floor(tier.threshold_minor / 2);
  await editor.fill(JSON.stringify(rules, null, 2));
  await page.getByTestId('tiers-preview').click();
  await expect(page.getByTestId('tiers-moves')).toHaveText(/^[1-9]\d* members would move up at once, 0 would move down/);
  await expect(page.getByTestId('tiers-preview-table').locator('tbody tr')).toHaveCount(4);

  // Rules that leave a gap are refused, naming what is wrong.
  rules.tiers[0].threshold_minor = 500;
  await editor.fill(JSON.stringify(rules));
  await page.getByTestId('tiers-preview').click();
  await expect(page.getByRole('alert')).toContainText('the first tier must start at 0');
  await expect(page.getByTestId('tiers-save')).toHaveCount(0);

  // The rules in force, previewed unchanged: "now" is today's distribution. Saving them makes the next version.
  await page.goto('/merchant/tiers?lang=en');
  const today = await distribution.locator('td:nth-child(2)').allTextContents();
  await editor.fill(await editor.inputValue());
  await page.getByTestId('tiers-preview').click();
  await expect(page.getByTestId('tiers-preview-table').locator('tbody td:nth-child(2)')).toHaveText(today);
  await page.getByTestId('tiers-save').click();
  await expect(page.getByTestId('tiers-saved')).toContainText(/The rules were saved as version \d+/);
});
