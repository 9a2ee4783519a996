import type { Locator, Page } from '@playwright/test';
import { decodeWords, nthEmailTo } from './mailbox';
import { FIRST_PRODUCT_SKU, MERCHANT_KEY, expect, hrefs, skuOfHref, test, waitForHandler } from './support';

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

/** The review form of the product page: the shopper's review, if they wrote one, is opened for editing. */
async function openReviewForm(page: Page): Promise<Locator> {
  const form = page.locator('form.rapport-review-form');
  const mine = page.getByTestId('my-review');
  await expect(form.or(mine)).toBeVisible();
  if (await mine.isVisible()) {
    await waitForHandler(page, 'click', '[data-testid="edit-my-review"]');
    await page.getByTestId('edit-my-review').click();
  }
  await expect(form).toBeVisible();
  await waitForHandler(page, 'submit', 'form.rapport-review-form');
  return form;
}

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
  const form = await openReviewForm(page);

  const title = '<img src=x onerror="alert(1)"> Tea ‮reversed‬ 🫖';
  const body = '<script>window.__xss = 1</script> <a href="javascript:alert(2)">click</a>\nzero\u200bwidth 𠜎 and a second line.';
  await form.locator('label:has(input[value="5"])').click();
  await form.locator('input[name="title"]').fill(title);
  await form.locator('textarea[name="body"]').fill(body);
  await form.locator('select[name="taste"]').selectOption('5');
  const written = page.waitForResponse((r) => new URL(r.url()).pathname.startsWith('/api/write_product_review'));
  await form.locator('button[type="submit"]').click();
  expect((await written).status()).toBe(200);
  await expect(page.locator('.rapport-review-mine__thanks')).toHaveText(/Thank you!/);

  const mine = reviews(page).filter({ has: page.locator('.rapport-review__title', { hasText: 'Tea' }) }).first();
  await expect(mine.locator('.rapport-review__title')).toHaveText(title);
  await expect(mine.locator('.rapport-review__body')).toHaveText(body);
  // The right-to-left override in the title turns only the title around, not the page around it.
  await expect(mine.locator('.rapport-review__title')).toHaveAttribute('dir', 'auto');
  await expect(mine.locator('.rapport-review__body')).toHaveAttribute('dir', 'auto');
  await expect(mine.locator('bdi.rapport-review__author')).toHaveCount(1);
  await expect(mine.locator('img, script, a[href^="javascript"]')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(dialogs).toEqual([]);

  // The server-rendered page escapes it too.
  const html = await (await page.request.get(`/p/${sku}?sort=newest`)).text();
  expect(html).not.toContain('<img src=x');
  expect(html).toContain('&lt;img src=x');
});

test('shopper sees their review turned down with the shop\'s reason, edits it, reads the shop\'s reply, then deletes it', { tag: '@js-only' }, async ({ page }) => {
  const headers = { Authorization: `Bearer ${MERCHANT_KEY}` };
  await signInAsFirstDemoShopper(page);
  await page.goto('/c/tea?lang=en');
  const tiles = page.locator('ul.shop-grid a.shop-tile__link');
  const sku = skuOfHref(await tiles.nth((await tiles.count()) - 2).getAttribute('href'));
  await page.goto(`/p/${sku}?sort=newest&lang=en`);
  let form = await openReviewForm(page);
  const title = `Too bitter ${Date.now()}`;
  await form.locator('label:has(input[value="2"])').click();
  await form.locator('input[name="title"]').fill(title);
  await form.locator('textarea[name="body"]').fill('Call me on 555-0100 about it.');
  await form.locator('select[name="taste"]').selectOption('3');
  await form.locator('button[type="submit"]').click();
  const mine = page.getByTestId('my-review');
  await expect(mine.locator('.rapport-review-mine__status')).toHaveText('Waiting for the shop to check it.');

  const pending = await (await page.request.get('/api/v1/reviews?queue=pending&limit=200', { headers })).json();
  const id = pending.reviews.find((item: { review: { title: string } }) => item.review.title === title).review.id;
  const reason = 'Please leave out phone numbers.';
  const rejected = await page.request.post(`/api/v1/reviews/${id}/reject`, { headers, data: { reason } });
  expect(rejected.status()).toBe(200);

  await page.reload();
  await expect(mine.locator('.rapport-review-mine__status')).toHaveText('Not published.');
  await expect(page.getByTestId('my-review-reason')).toHaveText(reason);

  form = await openReviewForm(page);
  await expect(form.locator('input[name="title"]')).toHaveValue(title);
  await expect(form.locator('input[name="rating"][value="2"]')).toBeChecked();
  await expect(form.locator('select[name="taste"]')).toHaveValue('3');
  await expect(form.locator('input[name="title"]')).toBeFocused();
  await form.locator('label:has(input[value="4"])').click();
  await form.locator('textarea[name="body"]').fill('Better brewed for two minutes only.');
  await form.locator('button[type="submit"]').click();
  await expect(mine.locator('.rapport-review-mine__status')).toHaveText('Published.');
  await expect(page.getByTestId('my-review-reason')).toHaveCount(0);

  const replied = await page.request.put(`/api/v1/reviews/${id}/reply`, { headers, data: { body: 'Thank you! Try 80 °C water.' } });
  expect(replied.status()).toBe(200);
  await page.reload();
  const reply = page.locator(`li.rapport-review[data-review-id="${id}"]`).getByTestId('shop-reply');
  await expect(reply.locator('.rapport-review__reply-from strong')).toHaveText('Reply from Rapport Demo Store');
  await expect(reply.locator('.rapport-review__reply-body')).toHaveText('Thank you! Try 80 °C water.');

  await page.goto('/account?lang=en');
  // The demo shopper has written many reviews: the newest ten show, the rest on asking.
  const list = page.getByTestId('my-reviews');
  await expect(list.locator('li').first()).toBeVisible();
  await expect(list.locator('li:visible')).toHaveCount(10);
  await list.getByRole('button', { name: /^Show all \d+ reviews$/ }).click();
  const listed = list.locator('li', { hasText: title });
  await expect(listed).toBeVisible();
  await expect(listed.locator('.rapport-my-reviews__status')).toHaveText('Published.');

  await page.goto(`/p/${sku}?sort=newest&lang=en`);
  await waitForHandler(page, 'click', '[data-testid="delete-my-review"]');
  await page.getByTestId('delete-my-review').click();
  await page.getByTestId('confirm-delete-my-review').click();
  await expect(page.locator('.rapport-reviews__write > p[role="status"]')).toHaveText('Your review was deleted.');
  await expect(page.locator('form.rapport-review-form')).toBeVisible();
  await expect(page.locator(`li.rapport-review[data-review-id="${id}"]`)).toHaveCount(0);
  const gone = await page.request.get(`/api/v1/reviews/${id}/history`, { headers });
  expect(gone.status()).toBe(404);
});

test("shopper gets a review request a week after the store reports the delivery, and publishes a verified review from its four stars", async ({ page, request }, testInfo) => {
  const shopperId = `asked-${testInfo.project.name}-${Date.now()}`;
  const address = `${shopperId}@example.com`;
  const auth = { Authorization: `Bearer ${MERCHANT_KEY}` };
  const shoppers = await request.put('/api/v1/shoppers', {
    headers: auth,
    data: { shoppers: [{ shopper_id: shopperId, display_name: 'Rita Asked', email: address }] },
  });
  expect(shoppers.status(), await shoppers.text()).toBe(200);
  const day = 86_400_000;
  const orderId = `${shopperId}-order`;
  const order = await request.post('/api/v1/orders', {
    headers: { ...auth, 'Idempotency-Key': `${orderId}-key` },
    data: {
      order_id: orderId,
      shopper_id: shopperId,
      currency: 'CNY',
      placed_at: new Date(Date.now() - 10 * day).toISOString(),
      lines: [{ sku: FIRST_PRODUCT_SKU, quantity: 1, unit_price_minor: 12_900 }],
    },
  });
  expect(order.status(), await order.text()).toBe(201);
  const delivered = await request.post(`/api/v1/orders/${orderId}/fulfilment`, {
    headers: auth,
    data: { status: 'delivered', at: new Date(Date.now() - 8 * day).toISOString() },
  });
  expect(delivered.status(), await delivered.text()).toBe(200);

  const email = await nthEmailTo(address, 1);
  expect(decodeWords(email.headers.get('subject') ?? '')).toBe(`How is your order ${orderId}?`);
  const fourStars = email.text
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.startsWith('★★★★ '))
    ?.split(' ')[1];
  // The star links go through Rapport, which counts the click and opens the review form.
  expect(fourStars, email.text).toMatch(/\/m\/c\/v1\.c\./);

  await page.goto(fourStars!);
  await expect(page).toHaveURL(/\/review\/.+\?stars=4$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Write a review' })).toBeVisible();
  await expect(page.locator('input[name="rating"][value="4"]')).toBeChecked();

  // A text the browser lets through but the shop refuses (one word padded with spaces) is explained in the page's
  // language, its field named, and nothing is written.
  const link = page.url();
  await page.goto(`${link}&lang=zh-CN`);
  await expect(page.getByRole('heading', { level: 1, name: '写评价' })).toBeVisible();
  await page.locator('input[name="title"]').fill('好');
  await page.locator('textarea[name="body"]').fill(`好${' '.repeat(12)}`);
  if (testInfo.project.name !== 'no-js') await waitForHandler(page, 'submit', 'form.rapport-review-link__form');
  await page.getByRole('button', { name: '提交评价' }).click();
  await expect(page.locator('.rapport-error')).toHaveText('你的评价：至少 10 个字符');
  await expect(page.getByTestId('review-link-done')).toHaveCount(0);
  await page.goto(`${link}&lang=en`);

  const title = `Pours well ${testInfo.project.name}`;
  await page.locator('input[name="title"]').fill(title);
  await page.locator('textarea[name="body"]').fill('Asked a week after it came; four stars, it pours without dripping.');
  if (testInfo.project.name !== 'no-js') await waitForHandler(page, 'submit', 'form.rapport-review-link__form');
  await page.getByRole('button', { name: 'Submit review' }).click();
  await expect(page.getByTestId('review-link-done')).toHaveAttribute('data-status', 'published');

  // The review is the buyer's, on the product's page, as a verified purchase, with the stars chosen in the email.
  await page.goto(`/p/${FIRST_PRODUCT_SKU}?sort=newest&lang=en#reviews`);
  const written = page.locator('.rapport-review', { hasText: title });
  await expect(written).toContainText('Rita Asked');
  await expect(written).toContainText('Verified purchase');
  await expect(written.locator('.rapport-review__stars')).toHaveAttribute('aria-label', '4 out of 5 stars');
});

test('a review link that is not the store\'s says so', async ({ page }) => {
  const response = await page.goto('/review/v1.w.forged.0.00?stars=5&lang=en');
  expect(response?.status()).toBe(404);
  await expect(page.locator('.rapport-error')).toContainText('This review link is not valid or has expired');
});
