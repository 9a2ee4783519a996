import type { Page } from '@playwright/test';
import { expect, test } from './support';

/** The API key `./rapport test` starts the server with. */
const MERCHANT_KEY = 'demo-merchant-key';

async function signInAsMerchant(page: Page): Promise<void> {
  const response = await page.goto('/merchant/customers?lang=en');
  expect(response!.status()).toBe(401);
  const form = page.locator('.rapport-merchant-sign-in form');
  await form.locator('input[name="name"]').fill('Mei');
  await form.locator('input[name="key"]').fill(MERCHANT_KEY);
  await form.locator('button[type="submit"]').click();
  await expect(page.getByTestId('merchant-name')).toHaveText('Signed in as Mei');
}

/** A date `days` before `iso` (`2026-12-06`), as a date field takes it. */
function daysBefore(iso: string, days: number): string {
  const date = new Date(`${iso}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - days);
  return date.toISOString().slice(0, 10);
}

test('merchant picks a period on the customers page and its tables match the API', async ({ page }) => {
  await signInAsMerchant(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Customers' })).toBeVisible();
  const form = page.getByTestId('insights-period');
  const to = await form.locator('input[name="to"]').inputValue();
  const from = daysBefore(to, 89);
  await form.locator('input[name="from"]').fill(from);
  await form.locator('select[name="compare"]').selectOption('year_before');
  await form.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(new RegExp(`from=${from}&to=${to}&compare=year_before`));
  await expect(form.locator('input[name="from"]')).toHaveValue(from);

  const api = await page.request.get(`/api/v1/insights/customers?from=${from}&to=${to}&compare=year_before`, {
    headers: { Authorization: `Bearer ${MERCHANT_KEY}` },
  });
  expect(api.status()).toBe(200);
  const report = await api.json();
  const counted = new Intl.NumberFormat('en-US');
  const segments = page.getByTestId('insights-segments');
  for (const row of report.segments) {
    const cells = segments.locator(`tr[data-segment="${row.segment}"] td`);
    await expect(cells.nth(0), row.segment).toHaveText(counted.format(row.customers));
    await expect(cells.nth(2), row.segment).toHaveText(counted.format(row.previous_customers));
    await expect(cells.nth(3), row.segment).toHaveText(counted.format(row.orders));
  }
  const customers = report.segments.reduce((sum: number, row: { customers: number }) => sum + row.customers, 0);
  expect(customers).toBeGreaterThan(0);
  await expect(page.getByTestId('insights-headlines').locator('dd strong').first()).toHaveText(counted.format(customers));
  await expect(page.getByTestId('insights-months').locator('tbody tr')).toHaveCount(report.months.length);
  await expect(page.getByTestId('insights-cohorts').locator('tbody tr')).toHaveCount(report.cohorts.length);
  const tiers = page.getByTestId('insights-tiers');
  for (const tier of report.tiers) {
    await expect(tiers.locator(`tr[data-tier="${tier.code}"] td`).first(), tier.code).toHaveText(counted.format(tier.members));
  }
  // Each chart is drawn beside its table.
  await expect(page.locator('figure.rapport-chart svg[role="img"]')).toHaveCount(4);

  // The segments' table downloads as CSV, with the same counts.
  const href = await page.getByRole('link', { name: 'Download this table as CSV' }).first().getAttribute('href');
  const csv = await page.request.get(href!);
  expect(csv.headers()['content-type']).toBe('text/csv; charset=utf-8');
  const lines = (await csv.text()).trim().split('\r\n');
  expect(lines[0]).toBe('segment,customers,previous_customers,orders,value_minor,currency');
  expect(lines.slice(1).map((line) => line.split(',').slice(0, 2).join(','))).toEqual(
    report.segments.map((row: { segment: string; customers: number }) => `${row.segment},${row.customers}`),
  );
});

test('merchant asks for a period that cannot be and is told what is wrong', async ({ page }) => {
  await signInAsMerchant(page);
  const response = await page.goto('/merchant/customers?from=2026-06-01&to=2026-05-01&lang=en');
  expect(response!.status()).toBe(422);
  await expect(page.getByRole('alert')).toContainText('the first day comes after the last day');
  await expect(page.getByTestId('insights-period').locator('input[name="from"]')).toHaveValue('2026-06-01');
  await expect(page.getByTestId('insights-segments')).toHaveCount(0);
});

test('merchant reads the overview and goes on to the customers page, in Chinese', async ({ page }) => {
  await signInAsMerchant(page);
  await page.goto('/merchant?lang=zh-CN');
  await expect(page.getByRole('heading', { level: 1, name: '商家概览' })).toBeVisible();
  await expect(page.getByTestId('insights-headlines').locator('dt').first()).toHaveText('客户数');
  await page.getByRole('link', { name: /^客户/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: '客户' })).toBeVisible();
  await expect(page.getByTestId('insights-segments').locator('tr[data-segment="champions"] th')).toHaveText('核心客户');
});

test('merchant reads what the widgets did and its tables match the API', async ({ page }) => {
  await signInAsMerchant(page);
  await page.goto('/merchant/widgets?lang=en');
  await expect(page.getByRole('heading', { level: 1, name: 'Widgets at work' })).toBeVisible();
  const to = await page.getByTestId('insights-period').locator('input[name="to"]').inputValue();
  const from = await page.getByTestId('insights-period').locator('input[name="from"]').inputValue();

  const api = await page.request.get(`/api/v1/insights/widgets?from=${from}&to=${to}`, {
    headers: { Authorization: `Bearer ${MERCHANT_KEY}` },
  });
  expect(api.status()).toBe(200);
  const report = await api.json();
  const counted = new Intl.NumberFormat('en-US');
  const alerts = page.getByTestId('work-alerts');
  for (const row of report.figures.alerts) {
    const cells = alerts.locator(`tr[data-kind="${row.kind}"] td`);
    await expect(cells.nth(1), row.kind).toHaveText(counted.format(row.notices));
    await expect(cells.nth(2), row.kind).toHaveText(counted.format(row.emailed));
    await expect(cells.nth(5), row.kind).toHaveText(counted.format(row.purchases));
  }
  // The demo's sales campaigns: some notified shoppers ordered within the week, as recorded when their orders came in.
  expect(report.figures.alerts.some((row: { purchases: number }) => row.purchases > 0)).toBe(true);
  const reviews = report.figures.reviews;
  expect(reviews.written).toBeGreaterThan(0);
  const months = page.getByTestId('work-reviews').locator('tbody tr');
  await expect(months).toHaveCount(reviews.months.length);
  const last = reviews.months[reviews.months.length - 1];
  await expect(months.last().locator('td')).toHaveText([...last.ratings, last.verified].map((n: number) => counted.format(n)));
  await expect(page.getByTestId('work-wish-summary')).toContainText(`${counted.format(report.figures.wish_lists.saves)} products saved`);
  const wished = page.getByTestId('work-most-wished').locator('tbody tr');
  await expect(wished).toHaveCount(report.figures.wish_lists.most_wished.length);
  await expect(page.getByTestId('work-tiers').locator('tbody tr')).toHaveCount(report.tiers.months.length);
  await expect(page.locator('figure.rapport-chart svg[role="img"]').first()).toBeVisible();
  // The shelves that showed cards in the period, as the API counts them (none yet if no test has browsed the feed).
  type Shelf = { shelf: string; impressions: number; clicks: number };
  const shelves = report.figures.feed.filter((row: Shelf) => row.impressions > 0 || row.clicks > 0);
  await expect(page.getByTestId('work-feed').locator('tbody tr')).toHaveCount(shelves.length);
  for (const row of shelves as Shelf[]) {
    const cells = page.getByTestId('work-feed').locator(`tr[data-shelf="${row.shelf}"] td`);
    await expect(cells.nth(0), row.shelf).toHaveText(counted.format(row.impressions));
    await expect(cells.nth(1), row.shelf).toHaveText(counted.format(row.clicks));
  }
  // The emails of each kind queued in the period, as the API counts them.
  type Emails = { kind: string; queued: number; opened: number; clicked: number };
  const kinds = report.figures.emails.filter((row: Emails) => row.queued > 0);
  await expect(page.getByTestId('work-emails').locator('tbody tr')).toHaveCount(kinds.length);
  for (const row of kinds as Emails[]) {
    const cells = page.getByTestId('work-emails').locator(`tr[data-kind="${row.kind}"] td`);
    await expect(cells.nth(0), row.kind).toHaveText(counted.format(row.queued));
    await expect(cells.nth(2), row.kind).toContainText(counted.format(row.opened));
    await expect(cells.nth(3), row.kind).toContainText(counted.format(row.clicked));
  }

  // The alerts' table downloads as CSV, with the same counts.
  const href = await alerts.locator('xpath=../following-sibling::p[1]/a').getAttribute('href');
  const csv = await page.request.get(href!);
  const lines = (await csv.text()).trim().split('\r\n');
  expect(lines[0]).toBe('kind,alerts_started,alerts_confirmed,notices,emailed,seen,clicked,purchases,value_minor,currency');
  expect(lines.slice(1).map((line) => line.split(',').slice(0, 4).join(','))).toEqual(
    report.figures.alerts.map(
      (row: { kind: string; alerts_started: number; alerts_confirmed: number; notices: number }) =>
        `${row.kind},${row.alerts_started},${row.alerts_confirmed},${row.notices}`,
    ),
  );
});

test('merchant goes from the overview to what the widgets did, in Chinese', async ({ page }) => {
  await signInAsMerchant(page);
  await page.goto('/merchant?lang=zh-CN');
  await page.getByRole('link', { name: /^组件成效/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: '组件成效' })).toBeVisible();
  await expect(page.getByTestId('work-alerts').locator('tr[data-kind="price_drop"] th')).toHaveText('降价');
});
