import type { Page } from '@playwright/test';
import { expect, hrefs, skuOfHref, test, waitForHandler } from './support';

/** The first kitchen product whose page shows at least `least` published reviews. */
async function productWithReviews(page: Page, least: number): Promise<string> {
  await page.goto('/c/kitchen');
  for (const href of await hrefs(page.locator('ul.shop-grid a.shop-tile__link'))) {
    const sku = skuOfHref(href);
    const html = await (await page.request.get(`/p/${sku}`)).text();
    if ((html.match(/class="rapport-review"/g) ?? []).length >= least) return sku;
  }
  throw new Error(`no kitchen product with ${least} reviews on the first page`);
}

/** Signs in as the demo shopper with the most orders; returns their display name. */
async function signInAsFirstDemoShopper(page: Page): Promise<string> {
  await page.goto('/sign-in');
  await waitForHandler(page, 'click', 'button[data-shopper]');
  await page.locator('button[data-shopper]').first().click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId('account-name')).not.toBeEmpty();
  return (await page.getByTestId('account-name').textContent())!.trim();
}

const reviews = (page: Page) => page.locator('li.rapport-review');

test('shopper sorts reviews and filters them by stars', async ({ page }) => {
  const sku = await productWithReviews(page, 3);
  await page.goto(`/p/${sku}`);
  await expect(page.getByRole('heading', { name: 'Customer reviews' })).toBeVisible();
  await expect(page.getByText('How reviews are sorted')).toBeVisible();

  await page.locator('.rapport-reviews__controls select[name="sort"]').selectOption('newest');
  await page.locator('.rapport-reviews__controls button[type="submit"]').click();
  await expect(page).toHaveURL(/sort=newest/);
  await expect(page.locator('.rapport-reviews__controls select[name="sort"]')).toHaveValue('newest');
  await expect(reviews(page).first()).toBeVisible();
  const dates = await reviews(page).locator('time').evaluateAll((times) => times.map((time) => time.getAttribute('datetime') ?? ''));
  expect(dates.length).toBeGreaterThan(0);
  expect([...dates].sort().reverse()).toEqual(dates);

  const fiveStars = page.locator('a.rapport-reviews__bar[data-stars="5"]');
  await fiveStars.click();
  await expect(page).toHaveURL(/stars=5/);
  await expect(page.locator('a.rapport-reviews__bar[data-stars="5"]')).toHaveAttribute('aria-current', 'true');
  await expect(reviews(page).first()).toBeVisible();
  const stars = await reviews(page).locator('.rapport-review__stars').evaluateAll((nodes) =>
    nodes.map((node) => node.getAttribute('aria-label')),
  );
  expect(stars.length).toBeGreaterThan(0);
  for (const label of stars) expect(label).toBe('5 out of 5 stars');

  // The address reproduces the view.
  const address = page.url();
  await page.goto(address);
  await expect(page.locator('a.rapport-reviews__bar[data-stars="5"]')).toHaveAttribute('aria-current', 'true');
  await expect(page.locator('.rapport-reviews__controls select[name="sort"]')).toHaveValue('newest');
});

test('search engines find the product rating in the server-rendered page', async ({ page }) => {
  const sku = await productWithReviews(page, 1);
  const html = await (await page.request.get(`/p/${sku}`)).text();
  const script = /<script type="application\/ld\+json">(.*?)<\/script>/s.exec(html);
  expect(script, 'a JSON-LD script in the page').not.toBeNull();
  const product = JSON.parse(script![1]);
  expect(product['@type']).toBe('Product');
  expect(product.sku).toBe(sku);
  expect(product.aggregateRating.reviewCount).toBeGreaterThan(0);
  expect(product.aggregateRating.ratingValue).toBeGreaterThanOrEqual(1);
  expect(product.review.length).toBeGreaterThan(0);
  expect(product.review[0]['@type']).toBe('Review');
});

test('a guest who votes is asked to sign in', { tag: '@js-only' }, async ({ page }) => {
  const sku = await productWithReviews(page, 1);
  await page.goto(`/p/${sku}`);
  await waitForHandler(page, 'click', 'button.rapport-review__vote');
  const first = reviews(page).first();
  const count = await first.getByTestId('helpful-count').textContent();
  await first.locator('button[data-vote="helpful"]').click();
  await expect(first.getByRole('alert')).toContainText('Please sign in to vote.');
  await expect(first.getByTestId('helpful-count')).toHaveText(count!);
});

test('shopper votes a review helpful, then takes the vote back', { tag: '@js-only' }, async ({ page }) => {
  const me = await signInAsFirstDemoShopper(page);
  await page.goto('/?lang=en');
  const sku = await productWithReviews(page, 2);
  await page.goto(`/p/${sku}?sort=newest`);
  await waitForHandler(page, 'click', 'button.rapport-review__vote');
  // Someone else's review: one's own cannot be voted on.
  const others = reviews(page).filter({ hasNot: page.locator('.rapport-review__author').getByText(me, { exact: true }) });
  const id = await others.first().getAttribute('data-review-id');
  const review = page.locator(`li.rapport-review[data-review-id="${id}"]`);
  const helpful = review.locator('button[data-vote="helpful"]');
  const countOf = async () => Number(/(\d+)/.exec((await review.getByTestId('helpful-count').textContent())!)![1]);
  const before = await countOf();
  const pressedBefore = (await helpful.getAttribute('aria-pressed')) === 'true';

  const vote = page.waitForResponse((r) => new URL(r.url()).pathname.startsWith('/api/vote_on_review'));
  await helpful.click();
  expect((await vote).status()).toBe(200);
  await expect(helpful).toHaveAttribute('aria-pressed', pressedBefore ? 'false' : 'true');
  await expect.poll(countOf).toBe(pressedBefore ? before - 1 : before + 1);

  // The server keeps the vote: after a reload the button still shows it.
  await page.reload();
  await waitForHandler(page, 'click', 'button.rapport-review__vote');
  await expect(helpful).toHaveAttribute('aria-pressed', pressedBefore ? 'false' : 'true');

  const withdraw = page.waitForResponse((r) => new URL(r.url()).pathname.startsWith('/api/vote_on_review'));
  await helpful.click();
  expect((await withdraw).status()).toBe(200);
  await expect(helpful).toHaveAttribute('aria-pressed', pressedBefore ? 'true' : 'false');
  await expect.poll(countOf).toBe(before);
});

test('shopper writes a review and markup in it is shown as text', { tag: '@js-only' }, async ({ page }) => {
  const dialogs: string[] = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  await signInAsFirstDemoShopper(page);
  await page.goto('/?lang=en');
  await page.goto('/c/tea?lang=en');
  const sku = skuOfHref(await page.locator('ul.shop-grid a.shop-tile__link').last().getAttribute('href'));
  await page.goto(`/p/${sku}?sort=newest`);
  const form = page.locator('form.rapport-review-form');
  await expect(form).toBeVisible();
  await waitForHandler(page, 'submit', 'form.rapport-review-form');

  const title = '<img src=x onerror="alert(1)"> Tea ‮reversed‬ 🫖';
  const body = '<script>window.__xss = 1</script> <a href="javascript:alert(2)">click</a>\nzero\u200bwidth 𠜎 and a second line.';
  await form.locator('label:has(input[value="5"])').click();
  await form.locator('input[name="title"]').fill(title);
  await form.locator('textarea[name="body"]').fill(body);
  await form.locator('select[name="taste"]').selectOption('5');
  const written = page.waitForResponse((r) => new URL(r.url()).pathname.startsWith('/api/write_product_review'));
  await form.locator('button[type="submit"]').click();
  expect((await written).status()).toBe(200);
  await expect(form.getByRole('status')).toHaveText(/Thank you!/);

  const mine = reviews(page).filter({ has: page.locator('.rapport-review__title', { hasText: 'Tea' }) }).first();
  await expect(mine.locator('.rapport-review__title')).toHaveText(title);
  await expect(mine.locator('.rapport-review__body')).toHaveText(body);
  await expect(mine.locator('img, script, a[href^="javascript"]')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(dialogs).toEqual([]);

  // The server-rendered page escapes it too.
  const html = await (await page.request.get(`/p/${sku}?sort=newest`)).text();
  expect(html).not.toContain('<img src=x');
  expect(html).toContain('&lt;img src=x');
});
