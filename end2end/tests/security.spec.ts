import { MERCHANT_KEY, expect, signInAsMerchant, test } from './support';

/**
 * Markup that sets a mark on the page if a browser ever runs it: in a title, a category name, a form's field.
 * Checked through a locator, so that the test reads the page the same way with JavaScript off.
 */
const payload = (n: number) => `</title></textarea><script>document.documentElement.dataset.pwned='${n}'</script>`;

test('merchant pushes a product and a category named with markup; shoppers see the names as text and nothing runs', async ({ page }) => {
  const stamp = Date.now();
  const slug = `markup-${stamp}`;
  const sku = `MARKUP-${stamp}`;
  const headers = { Authorization: `Bearer ${MERCHANT_KEY}` };
  let response = await page.request.put('/api/v1/categories', { headers, data: { categories: [{ slug, name: payload(1), position: 1000 }] } });
  expect(response.status(), await response.text()).toBe(200);
  response = await page.request.put('/api/v1/products', {
    headers,
    data: { products: [{ sku, category: slug, title: payload(2), price_minor: 1000, currency: 'CNY', stock: 3 }] },
  });
  expect(response.status(), await response.text()).toBe(200);

  for (const [path, shown] of [
    [`/p/${sku}?lang=en`, payload(2)],
    [`/c/${slug}?lang=en`, payload(1)],
  ] as const) {
    // The policy is read from a plain request: Chromium reports a navigation's headers to Playwright late now and
    // then (microsoft/playwright#6690), so a navigation's header list can come without it.
    const plain = await page.request.get(path);
    const policy = plain.headers()['content-security-policy'] ?? '';
    expect(policy, `${plain.status()} ${JSON.stringify(plain.headers())}`).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9_-]{16,}' 'wasm-unsafe-eval'/);
    const answer = await page.goto(path);
    expect(answer?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(shown);
    expect(await page.title()).toContain(shown);
    await expect(page.locator('html[data-pwned]')).toHaveCount(0);
  }
});

test('a tier benefit named with markup stays text in the merchant\'s rules form and its preview', async ({ page }) => {
  const headers = { Authorization: `Bearer ${MERCHANT_KEY}` };
  const inForce = (await (await page.request.get('/api/v1/tiers/rules', { headers })).json()).rules;
  const marked = structuredClone(inForce);
  marked.tiers[1].benefits[0].names.en = payload(3);
  let response = await page.request.put('/api/v1/tiers/rules', { headers, data: marked });
  expect(response.status(), await response.text()).toBe(201);
  try {
    await signInAsMerchant(page);
    const answer = await page.request.get('/merchant/tiers?lang=en');
    const headers = answer.headers();
    expect(headers['content-security-policy'] ?? '', `${answer.status()} ${JSON.stringify(headers)}`).toContain("frame-ancestors 'none'");
    expect(headers['x-frame-options']).toBe('DENY');
    await page.goto('/merchant/tiers?lang=en');
    const benefit = page.getByTestId('tiers-form-tier').nth(1).getByTestId('tiers-form-benefit').first();
    await expect(benefit.getByLabel('Name in English')).toHaveValue(payload(3));
    await page.getByTestId('tiers-preview').click();
    await expect(page.getByTestId('tiers-save')).toHaveCount(1);
    await expect(benefit.getByLabel('Name in English')).toHaveValue(payload(3));
    await expect(page.locator('html[data-pwned]')).toHaveCount(0);
  } finally {
    response = await page.request.put('/api/v1/tiers/rules', { headers, data: inForce });
    expect(response.status(), await response.text()).toBe(201);
  }
});
