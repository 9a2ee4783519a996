import { cartEvents, expect, FIRST_PRODUCT_SKU, firstInStockTile, skuOfHref, test, waitForHandler } from './support';

test('guest saves a product, signs in, and finds it in their wish list', { tag: '@js-only' }, async ({ page }) => {
  await page.goto(`/p/${FIRST_PRODUCT_SKU}?lang=en`);
  const heart = page.locator('.shop-product .rapport-wishlist-button__heart');
  await waitForHandler(page, 'click', '.shop-product .rapport-wishlist-button__heart');
  await expect(heart).toBeEnabled();
  await expect(heart).toHaveAttribute('aria-pressed', 'false');
  const changes = page.evaluate(
    () =>
      new Promise<{ sku: string; saved: boolean }>((resolve) =>
        window.addEventListener('rapport:wishlist-change', (event) => resolve((event as CustomEvent).detail), {
          once: true,
        }),
      ),
  );
  await heart.click();
  await expect(heart).toHaveAttribute('aria-pressed', 'true');
  expect(await changes).toEqual({ sku: FIRST_PRODUCT_SKU, saved: true });

  await page.goto('/wishlist');
  await expect(page.locator(`li.rapport-wishlist__item[data-sku="${FIRST_PRODUCT_SKU}"]`)).toBeVisible();

  await page.goto('/sign-in');
  await waitForHandler(page, 'click', 'button[data-shopper]');
  await page.locator('button[data-shopper]').nth(3).click();
  await expect(page).toHaveURL(/\/account$/);
  await page.goto('/wishlist');
  await expect(page.locator(`li.rapport-wishlist__item[data-sku="${FIRST_PRODUCT_SKU}"]`)).toBeVisible();
});

test('shopper makes a second list, moves an item there, and shares it', { tag: '@js-only' }, async ({ page, browser }) => {
  await page.goto('/sign-in?lang=en');
  await waitForHandler(page, 'click', 'button[data-shopper]');
  await page.locator('button[data-shopper]').nth(4).click();
  await expect(page).toHaveURL(/\/account$/);
  await page.goto(`/p/${FIRST_PRODUCT_SKU}`);
  await waitForHandler(page, 'click', '.shop-product .rapport-wishlist-button__heart');
  const heart = page.locator('.shop-product .rapport-wishlist-button__heart');
  await expect(heart).toBeEnabled();
  if ((await heart.getAttribute('aria-pressed')) === 'false') await heart.click();
  await expect(heart).toHaveAttribute('aria-pressed', 'true');

  await page.goto('/wishlist');
  const name = `Gifts ${Date.now()}`;
  await waitForHandler(page, 'submit', 'form.rapport-wishlist__new');
  await page.locator('form.rapport-wishlist__new input[name="name"]').fill(name);
  await page.locator('form.rapport-wishlist__new button[type="submit"]').click();
  const gifts = page.locator('nav.rapport-wishlist__lists a', { hasText: name });
  await expect(gifts).toBeVisible();

  const item = page.locator(`li.rapport-wishlist__item[data-sku="${FIRST_PRODUCT_SKU}"]`);
  const listId = (await gifts.getAttribute('href'))!.split('list=')[1];
  await item.getByTestId('move-to').selectOption(listId);
  await expect(item).toHaveCount(0);
  await gifts.click();
  await expect(item).toBeVisible();

  await page.locator('.rapport-wishlist__toolbar select').selectOption('price_drop');
  await expect(page).toHaveURL(new RegExp(`list=${listId}&sort=price_drop`));
  await expect(item).toBeVisible();

  await page.locator('.rapport-wishlist__share button').click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link).toMatch(/\/wishlist\/shared\/[0-9a-f]{32}$/);

  const stranger = await browser.newContext();
  const other = await stranger.newPage();
  await other.goto(link);
  await expect(other.locator(`li.rapport-wishlist__item[data-sku="${FIRST_PRODUCT_SKU}"]`)).toBeVisible();
  await expect(other.locator('.rapport-wishlist__actions')).toHaveCount(0);

  await page.locator('.rapport-wishlist__share button').click();
  await expect(page.getByTestId('share-link')).toHaveCount(0);
  await other.reload();
  await expect(other.getByRole('alert')).toContainText('stopped sharing');
  await stranger.close();
});

test('guest saves a product from a category card and adds it to the cart from the wish list', { tag: '@js-only' }, async ({ page }) => {
  await page.goto('/c/kitchen?lang=en');
  const tile = firstInStockTile(page);
  const sku = skuOfHref(await tile.locator('a.shop-tile__link').getAttribute('href'));
  const heart = tile.locator('.rapport-wishlist-button__heart');
  await waitForHandler(page, 'click', '.shop-tile .rapport-wishlist-button__heart');
  await expect(heart).toBeEnabled();
  await expect(heart).toHaveAttribute('aria-pressed', 'false');
  await expect(heart).toHaveAccessibleName('Save to wish list');
  await heart.click();
  await expect(heart).toHaveAttribute('aria-pressed', 'true');
  await expect(heart).toHaveAccessibleName('Saved');
  await expect(page, 'the heart sits above the card link').toHaveURL(/\/c\/kitchen/);

  // A fresh page asks for every card's state at once and shows this one saved.
  const statesCall = page.waitForRequest((request) => new URL(request.url()).pathname.startsWith('/api/wishlist_states'));
  await page.reload();
  await statesCall;
  await expect(heart).toHaveAttribute('aria-pressed', 'true');

  await page.goto('/wishlist');
  const item = page.locator(`li.rapport-wishlist__item[data-sku="${sku}"]`);
  const addToCart = item.getByRole('button', { name: 'Add to cart' });
  await waitForHandler(page, 'click', 'li.rapport-wishlist__item button.rapport-button--primary');
  await expect(page.getByTestId('cart-count')).toHaveText('0');
  await addToCart.click();
  await expect(page.getByTestId('cart-count')).toHaveText('1');
  // "Notify me of price drops" leads to the product's price-alert widget.
  await expect(item.getByRole('link', { name: 'Notify me of price drops' })).toHaveAttribute(
    'href',
    `/p/${sku}#rapport-price-alert`,
  );
  await expect.poll(() => cartEvents(page)).toEqual([{ sku, quantity: 1, target: 'button' }]);
});
