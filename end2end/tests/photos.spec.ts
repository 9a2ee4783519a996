import type { Page } from '@playwright/test';
import { MERCHANT_KEY, expect, hrefs, photoFile, signInAsMerchant, skuOfHref, test, waitForHandler } from './support';

/** Signs in as the demo shopper with the most orders. */
async function signInAsDemoShopper(page: Page): Promise<void> {
  await page.goto('/sign-in?lang=en');
  await waitForHandler(page, 'click', 'button[data-shopper]');
  await page.locator('button[data-shopper]').first().click();
  await expect(page).toHaveURL(/\/account$/);
}

test('shopper adds photos to a review, views them, and the merchant removes one and replies', { tag: '@js-only' }, async ({ page }) => {
  test.setTimeout(120_000);
  const headers = { Authorization: `Bearer ${MERCHANT_KEY}` };
  await signInAsDemoShopper(page);
  // A sports product nobody else's test reviews.
  await page.goto('/c/sports?lang=en');
  const tiles = page.locator('ul.shop-grid a.shop-tile__link');
  const sku = skuOfHref(await tiles.last().getAttribute('href'));
  await page.goto(`/p/${sku}?sort=newest&lang=en`);
  const form = page.locator('form.rapport-review-form');
  const mine = page.getByTestId('my-review');
  await expect(form.or(mine)).toBeVisible();
  if (await mine.isVisible()) {
    await page.getByTestId('delete-my-review').click();
    await page.getByTestId('confirm-delete-my-review').click();
  }
  await waitForHandler(page, 'submit', 'form.rapport-review-form');
  const title = `Grips well ${Date.now()}`;
  await form.locator('label:has(input[value="5"])').click();
  await form.locator('input[name="title"]').fill(title);
  await form.locator('textarea[name="body"]').fill('Two photos: the grip, and the stitching after a month.');
  await form.locator('input[type="file"]').setInputFiles([photoFile('grip.png', 1200, 900, 20), photoFile('stitching.png', 900, 1200, 140)]);
  const chosen = form.locator('.rapport-review-form__chosen li');
  await expect(chosen).toHaveCount(2);
  // A file that is no photo is refused by name, with what is wrong, and the rest stays.
  await form.locator('input[type="file"]').setInputFiles({ name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('<?php echo 1; ?>') });
  await expect(form.locator('.rapport-review-form__refused')).toContainText('notes.jpg');
  await expect(form.locator('.rapport-review-form__refused')).toContainText('JPEG, PNG or WebP');
  await expect(chosen).toHaveCount(2);
  await form.locator('button[type="submit"]').click();
  await expect(mine.getByTestId('review-photo')).toHaveCount(2);

  const pending = await (await page.request.get('/api/v1/reviews?queue=pending&limit=200', { headers })).json();
  const waiting = pending.reviews.find((item: { review: { title: string } }) => item.review.title === title);
  if (waiting) {
    expect((await page.request.post(`/api/v1/reviews/${waiting.review.id}/approve`, { headers })).status()).toBe(200);
  }

  // Shoppers see the strip, open the viewer, step through it by keyboard and close it with Escape.
  await page.goto(`/p/${sku}?sort=newest&photos=1&lang=en`);
  await expect(page.locator('input[name="photos"]')).toBeChecked();
  const review = page.locator('li.rapport-review', { hasText: title });
  const photos = review.getByTestId('review-photo');
  await expect(photos).toHaveCount(2);
  await expect(photos.first().locator('img')).toHaveAttribute('alt', /^Photo 1 of 2 from .+’s review “Grips well/);
  for (const listed of await page.locator('li.rapport-review').all()) {
    await expect(listed.getByTestId('review-photo').first()).toBeVisible();
  }
  const reviewId = await review.getAttribute('data-review-id');
  await waitForHandler(page, 'click', 'a.rapport-review__photo');
  await photos.first().click();
  const viewer = review.getByTestId('photo-viewer');
  await expect(viewer).toBeVisible();
  await expect(viewer.locator('.rapport-photo-viewer__caption')).toHaveText('Photo 1 of 2');
  expect(await viewer.locator('img').evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth))).toBe(1200);
  await page.keyboard.press('ArrowRight');
  await expect(viewer.locator('.rapport-photo-viewer__caption')).toHaveText('Photo 2 of 2');
  await page.keyboard.press('Escape');
  await expect(viewer).toBeHidden();
  await expect(photos.first()).toBeFocused();

  // The merchant takes the first photo off at the desk and replies; the text stays.
  await signInAsMerchant(page, '/merchant/reviews?queue=published&shown=500&lang=en');
  const card = page.locator(`li.rapport-moderation__item[data-review-id="${reviewId}"]`);
  await expect(card.getByTestId('moderation-photo')).toHaveCount(2);
  await card.getByTestId('remove-photo').first().click();
  await expect(card.getByTestId('moderation-photo')).toHaveCount(1);
  await card.locator('textarea[name="body"]').fill('Thank you for the photos!');
  await card.getByTestId('reply-save').click();
  await expect(card.locator('textarea[name="body"]')).toHaveValue('Thank you for the photos!');
  await card.locator('summary', { hasText: 'History' }).click();
  await expect(card.locator('.rapport-moderation__history li', { hasText: 'removed a photo' })).toHaveCount(1);

  await page.goto(`/p/${sku}?sort=newest&lang=en`);
  await expect(review.getByTestId('review-photo')).toHaveCount(1);
  await expect(review.locator('.rapport-review__body')).toHaveText('Two photos: the grip, and the stitching after a month.');
  await expect(review.getByTestId('shop-reply')).toContainText('Thank you for the photos!');
});

test('shopper filters reviews with photos and opens a photo, with or without JavaScript', async ({ page }) => {
  // The demo data has photos on some reviews: find a product with one.
  let sku = '';
  for (const category of ['kitchen', 'fashion', 'garden', 'pets', 'tea']) {
    await page.goto(`/c/${category}?lang=en`);
    for (const href of await hrefs(page.locator('ul.shop-grid a.shop-tile__link'))) {
      const html = await (await page.request.get(`/p/${skuOfHref(href)}?photos=1`)).text();
      if (html.includes('data-testid="review-photo"')) {
        sku = skuOfHref(href);
        break;
      }
    }
    if (sku) break;
  }
  expect(sku, 'a demo product with a photo review').not.toBe('');
  await page.goto(`/p/${sku}?lang=en`);
  await page.locator('input[name="photos"]').check();
  await page.locator('form.rapport-reviews__controls button[type="submit"]').click();
  await expect(page).toHaveURL(/[?&]photos=1/);
  const listed = page.locator('li.rapport-review');
  await expect(listed.first()).toBeVisible();
  for (const review of await listed.all()) {
    await expect(review.getByTestId('review-photo').first()).toBeVisible();
  }
  const photo = listed.first().getByTestId('review-photo').first();
  await expect(photo.locator('img')).toHaveAttribute('alt', /^Photo 1 of \d from .+’s review “.+”$/);
  const href = await photo.getAttribute('href');
  expect(href).toMatch(/^\/photos\/[0-9a-f]{64}\.jpg$/);
  const response = await page.request.get(href!);
  expect(response.headers()['content-type']).toBe('image/jpeg');
  expect(response.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
});
