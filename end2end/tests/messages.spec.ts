import type { APIRequestContext } from '@playwright/test';
import { decodeWords, emailsTo, linkIn, nthEmailTo } from './mailbox';
import { FIRST_PRODUCT_SKU, MERCHANT_KEY, expect, signInAsMerchant, signInWithToken, test, waitForHandler } from './support';

const auth = { Authorization: `Bearer ${MERCHANT_KEY}` };
const hour = 3_600_000;

/** Reports an order placed `hoursAgo` and not paid: its reminder is due once a day has passed. */
async function placeUnpaid(request: APIRequestContext, orderId: string, shopperId: string, hoursAgo: number): Promise<void> {
  const response = await request.put(`/api/v1/unpaid-orders/${orderId}`, {
    headers: auth,
    data: {
      shopper_id: shopperId,
      currency: 'CNY',
      placed_at: new Date(Date.now() - hoursAgo * hour).toISOString(),
      lines: [{ sku: FIRST_PRODUCT_SKU, quantity: 2, unit_price_minor: 12_900 }],
      payment_url: `https://shop.example/pay/${orderId}`,
    },
  });
  expect(response.status(), await response.text()).toBe(201);
}

test("shopper reminded of an unpaid order stops such reminders from the email's preferences link", async ({ page, request }, testInfo) => {
  const shopperId = `unpaid-${testInfo.project.name}-${Date.now()}`;
  const address = `${shopperId}@example.com`;
  const shoppers = await request.put('/api/v1/shoppers', {
    headers: auth,
    data: { shoppers: [{ shopper_id: shopperId, display_name: 'Uma Unpaid', email: address }] },
  });
  expect(shoppers.status(), await shoppers.text()).toBe(200);
  await placeUnpaid(request, `${shopperId}-1`, shopperId, 25);

  const email = await nthEmailTo(address, 1);
  expect(decodeWords(email.headers.get('subject') ?? '')).toBe(`Your order ${shopperId}-1 is waiting for payment`);
  expect(email.text).toContain('× 2');
  // Its button goes through Rapport, which counts the click and sends the shopper to the store's payment page.
  const pay = await request.get(linkIn(email, '/m/c/'), { maxRedirects: 0 });
  expect(pay.status()).toBe(303);
  expect(pay.headers().location).toBe(`https://shop.example/pay/${shopperId}-1`);
  expect(email.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');

  await page.goto(`${linkIn(email, '/email-preferences/')}?lang=en`);
  await expect(page.getByRole('heading', { level: 1, name: 'Email preferences' })).toBeVisible();
  await expect(page.getByText('The email that brought you here was one of these: Reminders of orders you have not paid.')).toBeVisible();
  const reminders = page.getByRole('checkbox', { name: /Reminders of orders you have not paid/ });
  await expect(reminders).toBeChecked();
  await reminders.uncheck();
  await page.getByRole('button', { name: 'Save my choices' }).click();
  await expect(page.getByTestId('email-preferences-saved')).toBeVisible();
  await expect(page.getByRole('checkbox', { name: /Reminders of orders you have not paid/ })).not.toBeChecked();
  await expect(page.getByRole('checkbox', { name: /Requests to review what you bought/ })).toBeChecked();

  // The next unpaid order is considered when its day has passed, and no email goes.
  await placeUnpaid(request, `${shopperId}-2`, shopperId, 25);
  await expect
    .poll(async () => (await (await request.get(`/api/v1/unpaid-orders/${shopperId}-2`, { headers: auth })).json()).reminded_at, {
      timeout: 30_000,
    })
    .not.toBeNull();
  expect(emailsTo(address)).toHaveLength(1);

  // The merchant sees the reminder counted, clicked, in "Widgets at work", as the API counts it.
  await signInAsMerchant(page, '/merchant/widgets?lang=en');
  const to = await page.getByTestId('insights-period').locator('input[name="to"]').inputValue();
  const from = await page.getByTestId('insights-period').locator('input[name="from"]').inputValue();
  const report = await (await request.get(`/api/v1/insights/widgets?from=${from}&to=${to}`, { headers: auth })).json();
  const figures = report.figures.emails.find((row: { kind: string }) => row.kind === 'unpaid_order');
  expect(figures.queued).toBeGreaterThanOrEqual(1);
  expect(figures.clicked).toBeGreaterThanOrEqual(1);
  const counted = new Intl.NumberFormat('en-US');
  const cells = page.getByTestId('work-emails').locator('tr[data-kind="unpaid_order"] td');
  await expect(cells.nth(0)).toHaveText(counted.format(figures.queued));
  await expect(cells.nth(3)).toContainText(counted.format(figures.clicked));
});

test('an email preferences link that is not the store\'s says so', async ({ page }) => {
  const response = await page.goto('/email-preferences/v1.p.forged.0.00?lang=en');
  expect(response?.status()).toBe(404);
  await expect(page.locator('.rapport-error')).toContainText('This link to your email preferences is not valid');
});

/**
 * A product only this test uses, at `priceMinor` yuan cents, in a category of its own, so that the demo's category
 * pages other tests read stay as they were.
 */
async function newProduct(request: APIRequestContext, sku: string, title: string, priceMinor: number): Promise<void> {
  const category = await request.put('/api/v1/categories', {
    headers: auth,
    data: { categories: [{ slug: 'carts-e2e', name: 'Carts (tests)', position: 91 }] },
  });
  expect(category.status(), await category.text()).toBe(200);
  const response = await request.put('/api/v1/products', {
    headers: auth,
    data: { products: [{ sku, category: 'carts-e2e', title, price_minor: priceMinor, currency: 'CNY', stock: 5 }] },
  });
  expect(response.status(), await response.text()).toBe(200);
}

async function reprice(request: APIRequestContext, sku: string, priceMinor: number): Promise<void> {
  const response = await request.post('/api/v1/prices', {
    headers: auth,
    data: { prices: [{ sku, price_minor: priceMinor, currency: 'CNY' }] },
  });
  expect(response.status(), await response.text()).toBe(200);
}

test('shopper puts a product in the cart and is emailed when its price drops', { tag: '@js-only' }, async ({ page, request }, testInfo) => {
  const shopperId = `cart-${testInfo.project.name}-${Date.now()}`;
  const address = `${shopperId}@example.com`;
  const sku = `CART-${Date.now()}`;
  await newProduct(request, sku, 'Cast-iron kettle', 20_000);
  const shoppers = await request.put('/api/v1/shoppers', {
    headers: auth,
    data: { shoppers: [{ shopper_id: shopperId, display_name: 'Cora Cart', email: address }] },
  });
  expect(shoppers.status(), await shoppers.text()).toBe(200);

  await signInWithToken(page, shopperId);
  await page.goto(`/p/${sku}?lang=en`);
  await waitForHandler(page, 'submit', 'form.shop-buy');
  await page.locator('form.shop-buy .shop-buy__quantity input').fill('2');
  await page.locator('form.shop-buy button[type="submit"]').click();
  await expect(page.locator('form.shop-buy .shop-buy__status')).toHaveText('Added to your cart (2 in cart)');
  const cart = await (await request.get(`/api/v1/carts/${shopperId}`, { headers: auth })).json();
  expect(cart.lines).toEqual([expect.objectContaining({ sku, quantity: 2, watched_price: { amount_minor: 20_000, currency: 'CNY' } })]);

  // A hovering price says nothing; a real drop emails the shopper once, as an alert would.
  await reprice(request, sku, 19_950);
  await reprice(request, sku, 15_000);
  const email = await nthEmailTo(address, 1);
  expect(decodeWords(email.headers.get('subject') ?? '')).toBe('Cheaper now in your cart: Cast-iron kettle is CN¥150.00');
  // "Was" is the price just before the drop, as an alert says it; the hover moved it by 50 fen.
  expect(email.text).toContain('is now CN¥150.00 (was CN¥199.50)');
  expect(email.text).toContain('With 2 in your cart, that is CN¥99.00 less.');
  const product = await request.get(linkIn(email, '/m/c/'), { maxRedirects: 0 });
  expect(product.status()).toBe(303);
  expect(new URL(product.headers().location).pathname).toBe(`/p/${sku}`);
  // Within the day another drop waits, and the merchant's cart view says when the shopper was told.
  await reprice(request, sku, 12_000);
  const told = await (await request.get(`/api/v1/carts/${shopperId}`, { headers: auth })).json();
  expect(told.lines[0].watched_price.amount_minor).toBe(15_000);
  expect(told.lines[0].notified_at).not.toBeNull();
});
