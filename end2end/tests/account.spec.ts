import { expect, test, waitForHandler } from './support';

/** How many recent orders the account page lists at most. */
const RECENT_ORDERS = 10;

test('shopper signs in as a demo shopper and sees their orders', { tag: '@js-only' }, async ({ page }) => {
  // The account page loads in the browser: without a token it asks the shopper to sign in.
  await page.goto('/account');
  await expect(page.getByText('You are not signed in.')).toBeVisible();
  await page.getByRole('link', { name: 'Sign in to see your orders.' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);

  // Demo mode lists shoppers, the one with the most orders first.
  const shopper = page.locator('li.shop-sign-in__shopper').first();
  const signIn = shopper.locator('button[data-shopper]');
  await expect(signIn).toHaveText(/^Sign in as .+/);
  await expect(signIn).toHaveAttribute('data-shopper', /.+/);
  const name = (await signIn.textContent())!.trim().replace(/^Sign in as /, '');
  const ordersText = (await shopper.locator('span').textContent())!.trim();
  // Counts are written as the language writes numbers: "2,044 orders".
  const orders = Number(/^([\d,]+) orders?$/.exec(ordersText)?.[1]?.replaceAll(',', ''));
  expect(orders, `order count in ${JSON.stringify(ordersText)}`).toBeGreaterThan(0);

  await waitForHandler(page, 'click', 'button[data-shopper]');
  await signIn.click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId('account-name')).toContainText(name);
  expect(await page.evaluate(() => localStorage.getItem('rapport.token'))).toBeTruthy();

  // The shop now speaks the shopper's own language, the one their profile names.
  const locale = (await page.locator('.shop-account__profile dd[data-locale]').getAttribute('data-locale'))!;
  expect(['en', 'zh-CN']).toContain(locale);
  await expect(page.locator('html')).toHaveAttribute('lang', locale);
  const statuses = locale === 'zh-CN' ? /^(已付款|已退款|已取消)$/ : /^(Paid|Refunded|Cancelled)$/;

  const rows = page.locator('table.shop-orders tbody tr');
  await expect(rows).toHaveCount(Math.min(orders, RECENT_ORDERS));
  const firstOrder = rows.first().locator('td');
  await expect(firstOrder.nth(0)).not.toHaveText('');
  // Dates as the page's language writes them, with the ISO date for machines.
  const date = locale === 'zh-CN' ? /^\d{4}年\d{1,2}月\d{1,2}日$/ : /^[A-Z][a-z]{2} \d{1,2}, \d{4}$/;
  await expect(firstOrder.nth(1)).toHaveText(date);
  await expect(firstOrder.nth(1).locator('time')).toHaveAttribute('datetime', /^\d{4}-\d{2}-\d{2}$/);
  await expect(firstOrder.nth(2)).toHaveText(statuses);
  await expect(firstOrder.nth(3)).toHaveText(/^\d+$/);
  await expect(firstOrder.nth(4).locator('.rapport-price')).toHaveText(/\d/);

  // The token outlives a reload.
  await page.reload();
  await expect(page.getByTestId('account-name')).toContainText(name);
  await expect(rows).toHaveCount(Math.min(orders, RECENT_ORDERS));
});
