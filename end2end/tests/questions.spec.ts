import type { APIRequestContext, Locator, Page } from '@playwright/test';
import { decodeWords, linkIn, nthEmailTo } from './mailbox';
import { MERCHANT_KEY, expect, signInAsMerchant, signInWithToken, test, waitForHandler } from './support';

/**
 * A product of its own, pushed through the merchant API as the store's systems would, so that its questions are the
 * test's alone; in a category of its own, so that the demo's category pages other tests read stay as they were.
 */
async function newProduct(request: APIRequestContext, name: string): Promise<string> {
  const headers = { Authorization: `Bearer ${MERCHANT_KEY}` };
  const category = await request.put('/api/v1/categories', {
    headers,
    data: { categories: [{ slug: 'questions-e2e', name: 'Questions (tests)', position: 90 }] },
  });
  expect(category.status(), await category.text()).toBe(200);
  const sku = `QA-${name}-${Date.now()}`;
  const response = await request.put('/api/v1/products', {
    headers,
    data: {
      products: [
        { sku, category: 'questions-e2e', title: `Question kettle ${name}`, description: 'A kettle for questions.', price_minor: 12_900, currency: 'CNY', stock: 5 },
      ],
    },
  });
  expect(response.status(), await response.text()).toBe(200);
  return sku;
}

/** A shopper the store registered through the API; with `buying`, they also have a paid order of that product. */
async function newShopper(request: APIRequestContext, name: string, buying?: string): Promise<string> {
  const shopperId = `qa-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${Date.now()}`;
  const response = await request.put('/api/v1/shoppers', {
    headers: { Authorization: `Bearer ${MERCHANT_KEY}` },
    data: { shoppers: [{ shopper_id: shopperId, display_name: name, email: `${shopperId}@shoppers.example`, locale: 'en' }] },
  });
  expect(response.status(), await response.text()).toBe(200);
  if (buying) {
    const order = await request.post('/api/v1/orders', {
      headers: { Authorization: `Bearer ${MERCHANT_KEY}`, 'Idempotency-Key': `${shopperId}-order` },
      data: { order_id: `${shopperId}-order`, shopper_id: shopperId, currency: 'CNY', lines: [{ sku: buying, quantity: 1, unit_price_minor: 12_900 }] },
    });
    expect(order.status(), await order.text()).toBe(201);
  }
  return shopperId;
}

/** The product page's questions section, once its forms answer to the shopper. */
async function questionsOf(page: Page, sku: string): Promise<Locator> {
  await page.goto(`/p/${sku}?lang=en#questions`);
  const section = page.locator('section#questions');
  await expect(section.getByRole('heading', { name: 'Questions and answers' })).toBeVisible();
  return section;
}

async function ask(page: Page, sku: string, question: string): Promise<void> {
  const section = await questionsOf(page, sku);
  await waitForHandler(page, 'submit', 'form.rapport-questions__form');
  await section.locator('form.rapport-questions__form textarea[name="body"]').fill(question);
  await section.getByRole('button', { name: 'Ask', exact: true }).click();
  await expect(section.locator('.rapport-questions__thanks')).toHaveText(/your question appears here once the shop has read it/);
  await expect(section.getByTestId('my-question').filter({ hasText: question })).toContainText('Your question is waiting for the shop.');
}

/** The merchant's desk card of the question about `sku`, in the `queue` list. */
async function deskCard(page: Page, queue: string, sku: string, question: string): Promise<Locator> {
  await page.goto(`/merchant/questions?queue=${queue}&shown=500&lang=en`);
  const card = page
    .getByTestId('desk-question')
    .filter({ hasText: question })
    .filter({ has: page.locator(`a[href="/p/${sku}#questions"]`) });
  await expect(card).toHaveCount(1);
  return card;
}

test('shopper asks about a product, the merchant answers on the desk, and the shopper reads the answer from its email', { tag: '@js-only' }, async ({ page }) => {
  const sku = await newProduct(page.request, 'ask');
  const asker = await newShopper(page.request, 'Ada Asker');
  await signInWithToken(page, asker);
  const question = 'Does the lid lock for pouring?';
  await ask(page, sku, question);
  const section = page.locator('section#questions');
  // Waiting for the shop, it is the asker's alone.
  await expect(section.getByTestId('questions-count')).toHaveText('0 questions');

  await signInAsMerchant(page, '/merchant/questions?lang=en');
  const card = await deskCard(page, 'waiting', sku, question);
  await expect(card).toContainText('Ada Asker');
  await card.locator('textarea[name="body"]').fill('Yes: turn it a quarter to the right.');
  await card.getByTestId('desk-answer-save').click();
  await expect(card).toHaveCount(0);
  await deskCard(page, 'answered', sku, question);

  const published = await questionsOf(page, sku);
  await expect(published.getByTestId('questions-count')).toHaveText('1 question');
  const item = published.locator('li.rapport-question').filter({ hasText: question });
  await expect(item).toContainText('Asked by Ada Asker');
  const answer = item.locator('li.rapport-answer--shop');
  await expect(answer.locator('.rapport-answer__body')).toHaveText('A:Yes: turn it a quarter to the right.');
  await expect(answer.locator('.rapport-answer__author')).toHaveText('Answer from Rapport Demo Store');
  await expect(published.getByTestId('my-question')).toHaveCount(0);

  // The asker is told by email, once, and its link leads to the answers.
  const email = await nthEmailTo(`${asker}@shoppers.example`, 1);
  expect(decodeWords(email.headers.get('subject')!)).toBe(`Your question about Question kettle ask has an answer`);
  expect(email.text).toContain(question);
  expect(email.text).toMatch(/Rapport Demo Store answered:\r?\n\r?\nYes: turn it a quarter to the right\./);
  // Its link goes through Rapport (which counts the click) to the product's answers.
  await page.goto(linkIn(email, '/m/c/'));
  await expect(page).toHaveURL(new RegExp(`/p/${sku}#questions$`));
  await expect(page.locator('li.rapport-answer--shop')).toContainText('Yes: turn it a quarter to the right.');
});

test('a buyer answers a question, another shopper marks the answer helpful once, and only buyers may answer', { tag: '@js-only' }, async ({ page }) => {
  const sku = await newProduct(page.request, 'answer');
  const asker = await newShopper(page.request, 'Ada Asker');
  const buyer = await newShopper(page.request, 'Bo Buyer', sku);
  const reader = await newShopper(page.request, 'Cy Reader');
  const question = 'How long does it take to boil a litre?';
  await signInWithToken(page, asker);
  await ask(page, sku, question);
  await signInAsMerchant(page, '/merchant/questions?lang=en');
  const card = await deskCard(page, 'waiting', sku, question);
  await card.locator('button[data-decision="publish"]').click();
  await deskCard(page, 'unanswered', sku, question);

  await signInWithToken(page, buyer);
  let section = await questionsOf(page, sku);
  let item = section.locator('li.rapport-question').filter({ hasText: question });
  await expect(item.locator('.rapport-question__unanswered')).toHaveText('No answer yet.');
  await waitForHandler(page, 'click', '[data-testid="answer-question"]');
  await item.getByTestId('answer-question').click();
  const form = item.locator('form.rapport-answer-form');
  await expect(form.locator('textarea')).toBeFocused();
  await form.locator('textarea').fill('About three minutes on a full boil.');
  await form.getByRole('button', { name: 'Send answer' }).click();
  const answer = item.locator('li.rapport-answer');
  await expect(answer.locator('.rapport-answer__author')).toHaveText('Bo Buyer, who bought this');
  // One answer each: the button is gone for the buyer.
  await expect(item.getByTestId('answer-question')).toHaveCount(0);

  await signInWithToken(page, reader);
  section = await questionsOf(page, sku);
  item = section.locator('li.rapport-question').filter({ hasText: question });
  // The reader did not buy it, so cannot answer.
  await expect(item.locator('li.rapport-answer')).toHaveCount(1);
  await expect(item.getByTestId('answer-question')).toHaveCount(0);
  await waitForHandler(page, 'click', 'button[data-testid="answer-helpful"]');
  const helpful = item.getByTestId('answer-helpful');
  await expect(helpful).toHaveAttribute('aria-pressed', 'false');
  await helpful.click();
  await expect(helpful).toHaveAttribute('aria-pressed', 'true');
  await expect(item.getByTestId('answer-helpful-count')).toHaveText('1 person found this helpful');
  // Kept by the server: a reload shows the mark, and a second click takes it back.
  section = await questionsOf(page, sku);
  item = section.locator('li.rapport-question').filter({ hasText: question });
  await expect(item.getByTestId('answer-helpful')).toHaveAttribute('aria-pressed', 'true');
  await expect(item.getByTestId('answer-helpful-count')).toHaveText('1 person found this helpful');
  await item.getByTestId('answer-helpful').click();
  await expect(item.getByTestId('answer-helpful-count')).toHaveText('0 people found this helpful');
});

test('merchant turns a waiting question down with a reason and publishes another without an answer', async ({ page }) => {
  await signInAsMerchant(page, '/merchant/questions?lang=en');
  await page.goto('/merchant/questions?queue=waiting&lang=en');
  const cards = page.getByTestId('desk-question');
  await expect(page.locator('nav.rapport-moderation__queues a[aria-current="page"]')).toHaveText('Waiting');
  const first = cards.first();
  const turnedDown = (await first.getAttribute('data-question-id'))!;
  const reject = first.locator('form:has(button[data-decision="reject"])');
  await reject.locator('input[name="reason"]').fill('Please ask about the product itself.');
  await reject.locator('button[type="submit"]').click();
  await expect(page.locator(`[data-question-id="${turnedDown}"]`)).toHaveCount(0);

  const next = cards.first();
  const published = (await next.getAttribute('data-question-id'))!;
  await next.locator('button[data-decision="publish"]').click();
  await expect(page.locator(`[data-question-id="${published}"]`)).toHaveCount(0);

  await page.goto('/merchant/questions?queue=rejected&shown=500&lang=en');
  await expect(page.locator(`[data-question-id="${turnedDown}"] .rapport-moderation__rejection`)).toHaveText(
    'Rejected because: Please ask about the product itself.',
  );
  await page.goto('/merchant/questions?queue=unanswered&shown=500&lang=en');
  const unanswered = page.locator(`[data-question-id="${published}"]`);
  await expect(unanswered).toBeVisible();
  // It is on its product's page now, with no answer yet.
  const productHref = (await unanswered.locator('.rapport-moderation__product a').getAttribute('href'))!;
  const questionText = (await unanswered.locator('.rapport-question__body').textContent())!;
  await page.goto(productHref.replace('#questions', '?questions=100&lang=en#questions'));
  await expect(page.locator('li.rapport-question').filter({ hasText: questionText }).first()).toBeVisible();
});
