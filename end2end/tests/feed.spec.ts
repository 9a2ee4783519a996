import { type Page } from '@playwright/test';
import { expect, FIRST_PRODUCT_SKU, hrefs, shelfToday, shelvesToday, skuOfHref, test, waitForHandler } from './support';

/** Signs in as the `nth` demo shopper of the sign-in page. */
async function signInAsDemoShopper(page: Page, nth: number): Promise<void> {
  await page.goto('/sign-in?lang=en');
  await waitForHandler(page, 'click', 'button[data-shopper]');
  await page.locator('button[data-shopper]').nth(nth).click();
  await expect(page).toHaveURL(/\/account$/);
}

/** Opens a product page and waits until the browser has recorded the view; returns the product's title. */
async function view(page: Page, sku: string): Promise<string> {
  const recorded = page.waitForResponse((response) => response.url().includes('/record_view') && response.ok());
  await page.goto(`/p/${sku}?lang=en`);
  await recorded;
  return (await page.locator('h1.shop-product__title').textContent()) ?? '';
}

/** The in-stock products of a category page, by SKU. */
async function categorySkus(page: Page, slug: string): Promise<string[]> {
  await page.goto(`/c/${slug}?lang=en`);
  const inStock = page
    .locator('ul.shop-grid > li.shop-tile')
    .filter({ has: page.locator('.rapport-stock:not(.rapport-stock--out)') })
    .locator('a.shop-tile__link');
  return (await hrefs(inStock)).map(skuOfHref);
}

test('shopper views two products in a category and finds that category on the home page, because they viewed it', { tag: '@js-only' }, async ({ page }) => {
  await signInAsDemoShopper(page, 6);
  const [first, second] = (await categorySkus(page, 'outdoor')).slice(0, 2);
  await view(page, first);
  const title = await view(page, second);
  const viewedAt = Date.now();

  await page.goto('/?lang=en');
  const because = page.locator(`.rapport-feed__section[data-section="because"][data-anchor="${second}"]`);
  await expect(because.locator('.rapport-feed__title')).toHaveText(`Because you viewed ${title}`);
  test.info().annotations.push({ type: 'view to home feed, ms', description: String(Date.now() - viewedAt) });
  const outdoorBecauseOfIt = because.locator('.rapport-feed__card[data-category="outdoor"]', {
    has: page.locator('.rapport-feed__reason', { hasText: `Because you viewed ${title}` }),
  });
  await expect(outdoorBecauseOfIt.first()).toBeVisible();
  // The viewed products themselves are not suggested back.
  await expect(page.locator(`.rapport-feed__section:not([data-section="recently-viewed"]) .rapport-feed__card[data-sku="${second}"]`)).toHaveCount(0);
  await expect(page.locator('.rapport-feed__section[data-section="recently-viewed"] .rapport-feed__card').first()).toHaveAttribute('data-sku', second);
});

test('shopper says "not interested" to a card and it stays gone', { tag: '@js-only' }, async ({ page }) => {
  await signInAsDemoShopper(page, 7);
  const [sku] = await categorySkus(page, 'toys');
  await view(page, sku);
  await page.goto('/?lang=en');
  const section = page.locator(`.rapport-feed__section[data-section="because"][data-anchor="${sku}"]`);
  const card = section.locator('.rapport-feed__card').first();
  await expect(card).toBeVisible();
  const dismissed = await card.getAttribute('data-sku');
  await waitForHandler(page, 'click', '.rapport-feed__dismiss');
  await card.locator('.rapport-feed__dismiss').click();
  await expect(page.locator(`.rapport-feed__card[data-sku="${dismissed}"]`)).toBeHidden();

  await page.reload();
  // Wait for the shopper's own feed (the server renders best sellers until the browser asks with its token).
  await expect(section).toBeVisible();
  await expect(page.locator(`.rapport-feed__card[data-sku="${dismissed}"]`)).toHaveCount(0);
});

test('shopper sees the cards of their home feed and opens one, and the merchant counts both', { tag: '@js-only' }, async ({ page }) => {
  await signInAsDemoShopper(page, 8);
  const earlier = await shelvesToday(page.request);
  // The shopper's own feed, which the browser asks for with their token once the page is live.
  const ownFeed = page.waitForResponse((response) => response.url().includes('/home_feed') && response.ok());
  await page.goto('/?lang=en');
  await ownFeed;
  // Only the shopper's own sections are watched: once one is, the best sellers the server rendered are gone.
  await waitForHandler(page, 'click', '.rapport-feed__section');
  const section = page.locator('.rapport-feed__section').first();
  const shelf = (await section.getAttribute('data-section')) ?? '';
  const before = earlier.find((figures) => figures.shelf === shelf)!;
  const card = section.locator('.rapport-feed__card').first();
  await card.scrollIntoViewIfNeeded();
  await expect.poll(async () => (await shelfToday(page.request, shelf)).impressions).toBeGreaterThan(before.impressions);
  const sku = await card.getAttribute('data-sku');
  await waitForHandler(page, 'click', `.rapport-feed__section[data-section="${shelf}"]`);
  await card.locator('a.rapport-feed__link').click();
  await expect(page).toHaveURL(new RegExp(`/p/${sku}`));
  await expect.poll(async () => (await shelfToday(page.request, shelf)).clicks).toBeGreaterThan(before.clicks);
});

test('visitor sees best sellers and trending products on the home page', async ({ page }) => {
  await page.goto('/?lang=en');
  const best = page.locator('.rapport-feed__section[data-section="best-sellers"]');
  await expect(best.locator('.rapport-feed__title')).toHaveText('Best sellers');
  await expect(best.locator('.rapport-feed__card').nth(2)).toBeVisible();
  await expect(best.locator('.rapport-feed__reason').first()).toHaveText("One of this month's best sellers");
  // Diversified: no category fills the shelf.
  const categories = await Promise.all(
    (await best.locator('.rapport-feed__card').all()).map((card) => card.getAttribute('data-category')),
  );
  expect(new Set(categories).size).toBeGreaterThan(1);
});

test('shopper sees what customers who bought and viewed this product also bought and viewed, and went on to', async ({ page }) => {
  await page.goto(`/p/${FIRST_PRODUCT_SKU}?lang=en`);
  const bought = page.getByTestId('also-bought');
  await expect(bought.getByRole('heading')).toHaveText('Customers who bought this also bought');
  await expect(bought.locator('li.shop-tile').first()).toBeVisible();
  const viewed = page.getByTestId('also-viewed');
  await expect(viewed.getByRole('heading')).toHaveText('Customers who viewed this also viewed');
  const skus = (await hrefs(viewed.locator('a.shop-tile__link'))).map(skuOfHref);
  expect(skus).not.toContain(FIRST_PRODUCT_SKU);
  const next = page.getByTestId('went-on-to');
  await expect(next.getByRole('heading')).toHaveText('Customers who viewed this went on to');
  const following = (await hrefs(next.locator('a.shop-tile__link'))).map(skuOfHref);
  expect(following.length).toBeGreaterThan(0);
  expect(following).not.toContain(FIRST_PRODUCT_SKU);
});
