import type { Page } from '@playwright/test';
import { expect, test } from './support';

/** The API key `./rapport test` starts the server with. */
const MERCHANT_KEY = 'demo-merchant-key';

const cards = (page: Page) => page.locator('li.rapport-moderation__item');
const card = (page: Page, id: string) => page.locator(`li.rapport-moderation__item[data-review-id="${id}"]`);

async function signInAsMerchant(page: Page, name: string): Promise<void> {
  await page.goto('/merchant/reviews?queue=pending&lang=en');
  const form = page.locator('.rapport-merchant-sign-in form');
  await expect(form).toBeVisible();
  await form.locator('input[name="name"]').fill(name);
  await form.locator('input[name="key"]').fill(MERCHANT_KEY);
  await form.locator('button[type="submit"]').click();
  await expect(page.getByTestId('merchant-name')).toHaveText(`Signed in as ${name}`);
}

test('a visitor without merchant credentials sees only the sign-in form', async ({ page }) => {
  const response = await page.goto('/merchant/reviews?lang=en');
  expect(response!.status()).toBe(401);
  await expect(page.getByRole('heading', { name: 'Merchant sign-in' })).toBeVisible();
  await expect(cards(page)).toHaveCount(0);

  // The session cookie is the only way in; a wrong key gets a clear refusal.
  const action = await page.locator('.rapport-merchant-sign-in form').getAttribute('action');
  const refused = await page.request.post(action!, {
    form: { name: 'Mallory', key: 'not-a-key', next: '/merchant/reviews' },
    headers: { Accept: 'application/json' },
  });
  expect(refused.status()).toBe(401);
  expect((await refused.json()).message).toBe("That API key is not one of this store's keys.");
});

test('merchant approves a pending review and it appears on the product page', async ({ page }) => {
  await signInAsMerchant(page, 'Mei');
  await expect(page.locator('nav.rapport-moderation__queues a[aria-current="page"]')).toHaveText('Pending');
  const first = cards(page).first();
  await expect(first).toBeVisible();
  const id = (await first.getAttribute('data-review-id'))!;
  const productHref = (await first.locator('.rapport-moderation__product a').getAttribute('href'))!;

  await first.locator('button[data-decision="approve"]').click();
  await expect(card(page, id)).toHaveCount(0);

  await page.goto(`${productHref}?sort=newest&shown=500&lang=en`);
  await expect(page.locator(`li.rapport-review[data-review-id="${id}"]`)).toBeVisible();
});

test('merchant rejects a review with a reason, then restores it', async ({ page }) => {
  await signInAsMerchant(page, 'Mei');
  const first = cards(page).first();
  const id = (await first.getAttribute('data-review-id'))!;
  const reject = first.locator('form:has(button[data-decision="reject"])');
  await reject.locator('input[name="reason"]').fill('Not about the product');
  await reject.locator('button[type="submit"]').click();
  await expect(card(page, id)).toHaveCount(0);

  await page.goto('/merchant/reviews?queue=rejected&shown=500&lang=en');
  const rejected = card(page, id);
  await expect(rejected.locator('.rapport-moderation__rejection')).toHaveText('Rejected because: Not about the product');
  await rejected.locator('button[data-decision="restore"]').click();
  await expect(card(page, id)).toHaveCount(0);

  await page.goto('/merchant/reviews?queue=published&shown=500&lang=en');
  const history = card(page, id).locator('.rapport-moderation__history li');
  await expect(history.filter({ hasText: 'merchant:Mei · rejected it · Not about the product' })).toHaveCount(1);
  await expect(history.filter({ hasText: 'merchant:Mei · restored it' })).toHaveCount(1);
});

test('merchant replies to a review in public, changes the reply, and shoppers see it under the review', async ({ page }) => {
  await signInAsMerchant(page, 'Mei');
  await page.goto('/merchant/reviews?queue=published&lang=en');
  const first = cards(page).first();
  const id = (await first.getAttribute('data-review-id'))!;
  const productHref = (await first.locator('.rapport-moderation__product a').getAttribute('href'))!;
  const desk = card(page, id).getByTestId('reply-desk');
  await desk.locator('textarea[name="body"]').fill('Thank you for the kind words.');
  await desk.getByTestId('reply-save').click();
  await expect(desk.locator('textarea[name="body"]')).toHaveValue('Thank you for the kind words.');
  await desk.locator('textarea[name="body"]').fill('Thank you! Your next order ships free.');
  await desk.getByTestId('reply-save').click();
  await expect(desk.locator('textarea[name="body"]')).toHaveValue('Thank you! Your next order ships free.');
  await desk.locator('summary', { hasText: 'Earlier replies' }).click();
  await expect(desk.locator('.rapport-moderation__history li').first()).toContainText('merchant:Mei · Thank you for the kind words.');

  await page.goto(`${productHref}?sort=newest&shown=500&lang=en`);
  const reply = page.locator(`li.rapport-review[data-review-id="${id}"]`).getByTestId('shop-reply');
  await expect(reply.locator('.rapport-review__reply-body')).toHaveText('Thank you! Your next order ships free.');
  await expect(reply.locator('.rapport-review__edited')).toHaveText('Edited');

  await page.goto('/merchant/reviews?queue=published&lang=en');
  await card(page, id).getByTestId('reply-take-down').click();
  await expect(card(page, id).getByTestId('reply-take-down')).toHaveCount(0);
  await page.goto(`${productHref}?sort=newest&shown=500&lang=en`);
  await expect(page.locator(`li.rapport-review[data-review-id="${id}"]`).getByTestId('shop-reply')).toHaveCount(0);
});

test('merchant signs out', async ({ page }) => {
  await signInAsMerchant(page, 'Mei');
  await page.locator('.rapport-moderation__session button[type="submit"]').click();
  await expect(page.getByRole('heading', { name: 'Merchant sign-in' })).toBeVisible();
  await page.goto('/merchant/reviews?lang=en');
  await expect(page.getByRole('heading', { name: 'Merchant sign-in' })).toBeVisible();
});
