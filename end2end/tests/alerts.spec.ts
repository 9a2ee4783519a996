import type { APIRequestContext, Page } from '@playwright/test';
import { decodeWords, emailsTo, linkIn, nthEmailTo } from './mailbox';
import { expect, firstInStockTile, productTiles, skuOfHref, test, waitForHandler } from './support';

/** The API key `./rapport test` starts the server with. */
const MERCHANT_KEY = 'demo-merchant-key';

/** Sets a product's price through the merchant API, as the store's own systems would. */
async function setPrice(request: APIRequestContext, sku: string, priceMinor: number): Promise<void> {
  const response = await request.post('/api/v1/prices', {
    headers: { Authorization: `Bearer ${MERCHANT_KEY}` },
    data: { prices: [{ sku, price_minor: priceMinor, currency: 'CNY' }] },
  });
  expect(response.status(), await response.text()).toBe(200);
}

/** Sets a product's stock through the merchant API. */
async function setStock(request: APIRequestContext, sku: string, stock: number): Promise<void> {
  const response = await request.post('/api/v1/stock', {
    headers: { Authorization: `Bearer ${MERCHANT_KEY}` },
    data: { stock: [{ sku, stock }] },
  });
  expect(response.status(), await response.text()).toBe(200);
}

async function signIn(page: Page, nth: number): Promise<void> {
  await page.goto('/sign-in?lang=en');
  await waitForHandler(page, 'click', 'button[data-shopper]');
  await page.locator('button[data-shopper]').nth(nth).click();
  await expect(page).toHaveURL(/\/account$/);
}

test('shopper sets a price-drop alert, the merchant lowers the price, and the bell shows the notice', { tag: '@js-only' }, async ({ page }) => {
  await signIn(page, 6);
  // A garden product nobody else's test touches; its price is set first so that the drop below is known.
  await page.goto('/c/garden?lang=en');
  const sku = skuOfHref(await firstInStockTile(page).locator('a.shop-tile__link').getAttribute('href'));
  await setPrice(page.request, sku, 10_000);

  await page.goto(`/p/${sku}`);
  const widget = page.locator('section.rapport-price-alert');
  await waitForHandler(page, 'submit', 'form.rapport-price-alert__form');
  await expect(widget.getByRole('radio', { name: 'Any price drop' })).toBeChecked();
  const subscribed = page.evaluate(
    () =>
      new Promise<{ sku: string; kind: string }>((resolve) =>
        window.addEventListener('rapport:alert-subscribed', (event) => resolve((event as CustomEvent).detail), {
          once: true,
        }),
      ),
  );
  await widget.getByRole('button', { name: 'Notify me when the price drops' }).click();
  await expect(widget.getByTestId('current-alert')).toContainText('You will be told of any price drop from CN¥100.00.');
  expect(await subscribed).toEqual({ sku, kind: 'price_drop' });

  // A target at or above today's price is refused with a reason, and the alert stays as it was.
  await widget.getByRole('radio', { name: 'When it costs no more than a price I choose' }).check();
  await widget.getByLabel('Target price').fill('120');
  await widget.getByRole('button', { name: 'Change alert' }).click();
  await expect(widget.getByRole('alert')).toContainText('The target price must be below the current price.');
  await expect(widget.getByTestId('current-alert')).toContainText('any price drop from CN¥100.00');

  await setPrice(page.request, sku, 8_000);
  await page.reload();
  const bell = page.locator('.rapport-alert-inbox__bell');
  await expect(page.getByTestId('alert-count')).toHaveText('1');
  await expect(bell).toHaveAccessibleName('Notifications, 1 unread');
  await waitForHandler(page, 'click', '.rapport-alert-inbox__bell');
  await bell.click();
  const notice = page.locator(`li.rapport-alert-inbox__notice[data-sku="${sku}"]`).first();
  await expect(notice).toContainText('is now CN¥80.00 (was CN¥100.00). Lowest price in the previous 30 days:');
  await expect(page.getByTestId('alert-count')).toBeHidden();

  // The account page lists the alert, now measured from the notified price, and cancels it.
  await page.goto('/account');
  const listed = page.locator(`.rapport-my-alerts__list li[data-sku="${sku}"]`);
  await expect(listed).toContainText('any price drop from CN¥80.00');
  await waitForHandler(page, 'click', '.rapport-my-alerts__list button');
  await listed.getByRole('button', { name: 'Cancel alert' }).click();
  await expect(listed).toHaveCount(0);
});

test('guest subscribes by email, confirms, hears of the drop by email, and stops the alert from it', { tag: '@js-only' }, async ({ page }) => {
  const address = `guest-${Date.now()}@example.com`;
  await page.goto('/c/garden?lang=en');
  const tile = productTiles(page).filter({ has: page.locator('.rapport-stock:not(.rapport-stock--out)') }).nth(1);
  const sku = skuOfHref(await tile.locator('a.shop-tile__link').getAttribute('href'));
  await setPrice(page.request, sku, 10_000);

  await page.goto(`/p/${sku}`);
  const title = (await page.locator('h1.shop-product__title').textContent())!;
  const widget = page.locator('section.rapport-price-alert');
  await waitForHandler(page, 'submit', 'form.rapport-price-alert__form');
  const form = widget.locator('form.rapport-price-alert__form').last();
  await form.getByLabel('Your email address').fill(address);
  await form.getByRole('button', { name: 'Notify me when the price drops' }).click();
  await expect(widget.getByTestId('current-alert')).toContainText('Check your email: confirm the link we sent');

  // Double opt-in: nothing but the confirmation is sent until the link in it is opened.
  const confirmation = await nthEmailTo(address, 1);
  expect(decodeWords(confirmation.headers.get('subject')!)).toBe(`Confirm your alert for ${title}`);
  await page.goto(linkIn(confirmation, '/alerts/confirm/'));
  await expect(page.getByTestId('alert-page-result')).toHaveText(
    `Your alert for ${title} is on: we will email you of any price drop from CN¥100.00.`,
  );

  await setPrice(page.request, sku, 8_000);
  const drop = await nthEmailTo(address, 2);
  expect(decodeWords(drop.headers.get('subject')!)).toBe(`Price drop: ${title} is now CN¥80.00`);
  expect(drop.text).toContain(`${title} is now CN¥80.00 (was CN¥100.00). Lowest price in the previous 30 days:`);
  expect(drop.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
  const unsubscribe = drop.headers.get('list-unsubscribe')!.replace(/^<|>$/g, '');

  // The unsubscribe address opened in a browser asks first, then stops the alert.
  await page.goto(unsubscribe);
  await page.getByRole('button', { name: 'Stop this alert' }).click();
  await expect(page.getByTestId('alert-page-result')).toHaveText(
    `The alert for ${title} is stopped. You will get no more emails about it.`,
  );
  await setPrice(page.request, sku, 6_000);
  await page.waitForTimeout(2_000);
  expect(emailsTo(address)).toHaveLength(2);
});

test('guest on a product out of stock types their address once for both alerts', { tag: '@js-only' }, async ({ page }) => {
  const address = `guest-restock-${Date.now()}@example.com`;
  // A toy nobody else's test touches, taken out of stock for this test.
  await page.goto('/c/toys?lang=en');
  const sku = skuOfHref(await firstInStockTile(page).locator('a.shop-tile__link').getAttribute('href'));
  await setStock(page.request, sku, 0);
  try {
    await page.goto(`/p/${sku}`);
    const title = (await page.locator('h1.shop-product__title').textContent())!;
    const widget = page.locator('section.rapport-price-alert');
    await waitForHandler(page, 'submit', 'form.rapport-price-alert__form');
    await expect(widget.getByRole('button', { name: 'Notify me when back in stock' })).toBeVisible();
    const email = widget.getByLabel('Your email address');
    await expect(email).toHaveCount(1);
    const signUps: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/subscribe_alert')) signUps.push(request.url());
    });

    // The price-drop form, which does not hold the field, still asks for it first: the browser marks the field
    // and takes the shopper there, and nothing is sent.
    await widget.getByRole('button', { name: 'Notify me when the price drops' }).click();
    await expect(email).toBeFocused();
    expect(await email.evaluate((input) => (input as HTMLInputElement).validity.valueMissing)).toBe(true);

    // Enter in the field asks for the restock alert, the form it belongs to.
    await email.fill(address);
    await email.press('Enter');
    await expect(widget.getByTestId('current-alert')).toContainText('Check your email: confirm the link we sent');
    expect(signUps).toHaveLength(1);
    const confirmation = await nthEmailTo(address, 1);
    expect(decodeWords(confirmation.headers.get('subject')!)).toBe(`Confirm your alert for ${title}`);
    // The price-drop form, now alone, holds the field, with the address already in it.
    await expect(widget.locator('form.rapport-price-alert__form').getByLabel('Your email address')).toHaveValue(address);
  } finally {
    await setStock(page.request, sku, 25);
  }
});
