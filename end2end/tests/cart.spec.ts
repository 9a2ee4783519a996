import type { Page, Response } from '@playwright/test';
import { cartEvents, expect, firstInStockTile, skuOfHref, test, waitForHandler } from './support';

/** The POST of the `add_to_cart` server function (Leptos serves them under `/api/`). */
function addToCartCall(page: Page): Promise<Response> {
  return page.waitForResponse(
    (response) =>
      response.request().method() === 'POST' && new URL(response.url()).pathname.startsWith('/api/add_to_cart'),
  );
}

test('shopper adds a product to the cart after hydration', { tag: '@js-only' }, async ({ page }) => {
  // Pick something that can be bought: the kitchen aisle's first product that is not out of stock.
  await page.goto('/c/kitchen');
  const tileLink = firstInStockTile(page).locator('a.shop-tile__link');
  const sku = skuOfHref(await tileLink.getAttribute('href'));
  expect(sku).toMatch(/^KIT-/);
  await tileLink.click();
  await expect(page).toHaveURL(new RegExp(`/p/${sku}$`));

  const product = page.locator(`article.shop-product[data-sku="${sku}"]`);
  await expect(product).toBeVisible();
  const form = product.locator('form.shop-buy');
  const button = form.locator('button[type="submit"]');
  const status = form.locator('.shop-buy__status');
  const cartCount = page.getByTestId('cart-count');
  await expect(cartCount).toHaveText('0');
  await waitForHandler(page, 'submit', 'form.shop-buy');
  await expect(button).toBeEnabled();
  await expect(button).toHaveText('Add to cart');

  // One of it.
  const firstCall = addToCartCall(page);
  await button.click();
  expect((await firstCall).status()).toBe(200);
  await expect(status).toHaveText('Added to your cart (1 in cart)');
  await expect(cartCount).toHaveText('1');
  await expect.poll(() => cartEvents(page)).toEqual([{ sku, quantity: 1, target: 'button' }]);

  // Two more: the quantity travels in the event, and the header adds it up.
  await form.locator('.shop-buy__quantity input').fill('2');
  const secondCall = addToCartCall(page);
  await button.click();
  expect((await secondCall).status()).toBe(200);
  await expect(status).toHaveText('Added to your cart (3 in cart)');
  await expect(cartCount).toHaveText('3');
  await expect
    .poll(() => cartEvents(page))
    .toEqual([
      { sku, quantity: 1, target: 'button' },
      { sku, quantity: 2, target: 'button' },
    ]);

  // The demo store keeps its cart count across a reload.
  await page.reload();
  await expect(page.getByTestId('cart-count')).toHaveText('3');
});
