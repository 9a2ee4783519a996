import fs from 'node:fs';
import path from 'node:path';
import { FIRST_PRODUCT_SKU, escapeHtmlText, expect, test } from './support';

/** Screenshots kept after the run, one per project: `end2end/artifacts/product-page-<project>.png`. */
const ARTIFACTS = path.resolve(__dirname, '..', 'artifacts');

test('shopper opens a product page rendered on the server', async ({ page }, testInfo) => {
  const sku = FIRST_PRODUCT_SKU;

  // The server's own HTML, before any script runs.
  const response = await page.request.get(`/p/${sku}`);
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toContain('text/html');
  const html = await response.text();
  expect(html).toContain(`data-sku="${sku}"`);

  await page.goto(`/p/${sku}`);
  const product = page.locator(`article.shop-product[data-sku="${sku}"]`);
  const title = product.locator('h1.shop-product__title');
  await expect(title).toBeVisible();
  await expect(title).not.toHaveText('');
  const price = product.locator('.shop-product__price .rapport-price');
  await expect(price).toBeVisible();
  await expect(price).toHaveText(/\d/);
  await expect(product.locator('.shop-product__sku')).toHaveText(`SKU ${sku}`);
  await expect(product.locator('.rapport-stock')).toBeVisible();
  await expect(product.locator('form.shop-buy button[type="submit"]')).toHaveText('Add to cart');

  // What the shopper sees is what the server sent.
  const titleText = (await title.textContent())!.trim();
  const priceText = (await price.textContent())!.trim();
  expect(html).toContain(escapeHtmlText(titleText));
  expect(html).toContain(escapeHtmlText(priceText));

  const screenshot = path.join(ARTIFACTS, `product-page-${testInfo.project.name}.png`);
  await page.screenshot({ path: screenshot, fullPage: true });
  expect(fs.statSync(screenshot).size).toBeGreaterThan(0);
  await testInfo.attach('product-page', { path: screenshot, contentType: 'image/png' });
});

test('shopper opening an unknown product sees a 404', async ({ page }) => {
  const raw = await page.request.get('/p/NOPE-1');
  expect(raw.status()).toBe(404);
  expect(await raw.text()).toContain('There is no such product.');

  const response = await page.goto('/p/NOPE-1');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1, name: 'There is no such product.' })).toBeVisible();
  await expect(page.locator('article.shop-product')).toHaveCount(0);
});
