import { expect, hrefs, productTiles, skuOfHref, test } from './support';

/** Products per category page. */
const PER_PAGE = 24;

const CATEGORY_SLUGS = [
  'kitchen', 'tea', 'books', 'electronics', 'toys', 'beauty',
  'outdoor', 'home', 'fashion', 'sports', 'garden', 'pets',
];

test('shopper lands on the home page and sees the categories and new arrivals', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveTitle('Rapport Demo Store');
  await expect(page.getByRole('heading', { level: 1, name: 'Things people love, picked for you' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Shop by category' })).toBeVisible();
  const cards = page.locator('ul.shop-category-grid a.shop-category-card');
  // The demo's categories in their order; categories a test pushed through the API come after them.
  await expect(cards.nth(CATEGORY_SLUGS.length - 1)).toBeVisible();
  expect((await hrefs(cards)).slice(0, CATEGORY_SLUGS.length)).toEqual(CATEGORY_SLUGS.map((slug) => `/c/${slug}`));
  await expect(page.getByRole('heading', { level: 2, name: 'New arrivals' })).toBeVisible();
  await expect(productTiles(page).first()).toBeVisible();
});

test('shopper browses a category and pages through it', async ({ page }) => {
  await page.goto('/c/tea');
  await expect(page.getByRole('heading', { level: 1, name: 'Tea' })).toBeVisible();
  const pager = page.locator('nav.shop-pager');
  await expect(pager.locator('span')).toHaveText(/^Page 1 of \d+$/);
  const pages = Number(/of (\d+)$/.exec((await pager.locator('span').textContent())!.trim())![1]);
  expect(pages).toBeGreaterThanOrEqual(2);

  const tiles = productTiles(page);
  await expect(tiles).toHaveCount(PER_PAGE);
  const hrefsOf = () => hrefs(tiles.locator('a.shop-tile__link'));
  const firstPage = (await hrefsOf()).map(skuOfHref);
  for (const sku of firstPage) expect(sku).toMatch(/^TEA-\d{5}$/);
  await expect(pager.locator('a[rel="prev"]')).toHaveCount(0);

  const next = pager.locator('a[rel="next"]');
  await expect(next).toHaveAttribute('href', '/c/tea?page=2');
  await next.click();
  await expect(page).toHaveURL(/\/c\/tea\?page=2$/);
  await expect(pager.locator('span')).toHaveText(`Page 2 of ${pages}`);
  await expect(pager.locator('a[rel="prev"]')).toHaveAttribute('href', '/c/tea?page=1');
  await expect(tiles.first()).toBeVisible();
  const secondPage = (await hrefsOf()).map(skuOfHref);
  expect(secondPage.length).toBeGreaterThan(0);
  expect(secondPage.length).toBeLessThanOrEqual(PER_PAGE);
  for (const sku of secondPage) {
    expect(sku).toMatch(/^TEA-\d{5}$/);
    expect(firstPage).not.toContain(sku);
  }
});
