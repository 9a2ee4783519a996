import { createHmac } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { test as base, expect, type APIRequestContext, type Locator, type Page } from '@playwright/test';

/** A `rapport:add-to-cart` event as it reached `window`. */
export type CartEvent = { sku: unknown; quantity: unknown; target: string };

type ListenerRecord = { type: string; target: EventTarget };

declare global {
  interface Window {
    /** Every `rapport:add-to-cart` event that bubbled up to `window`, oldest first. */
    __cartEvents?: CartEvent[];
    /** Every `addEventListener` call the page made, so that tests can tell when an element is hydrated. */
    __rapportListeners?: ListenerRecord[];
  }
}

/** The demo catalogue's first product (index 1 is a kitchen product); it exists in every seeded store. */
export const FIRST_PRODUCT_SKU = 'KIT-00001';

/**
 * Runs in the page before any of the app's scripts (with JavaScript on only). It
 * - records every `addEventListener` call: Leptos attaches an element's handlers when it hydrates that element
 *   (the app does not turn on event delegation), so "the form has a `submit` listener" means "the form is
 *   hydrated" — no fixed sleep, no guessing from network silence;
 * - records the `rapport:add-to-cart` events that bubble up to `window`, as a host page would see them.
 * It must stay self-contained: Playwright sends its source text to the browser.
 */
function instrumentPage(): void {
  if (window.__rapportListeners) return;
  const listeners: ListenerRecord[] = [];
  const cartEvents: CartEvent[] = [];
  window.__rapportListeners = listeners;
  window.__cartEvents = cartEvents;
  const addEventListener = EventTarget.prototype.addEventListener;
  EventTarget.prototype.addEventListener = function (
    this: EventTarget,
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    listeners.push({ type, target: this });
    return addEventListener.call(this, type, listener, options);
  };
  window.addEventListener('rapport:add-to-cart', (event) => {
    const detail = ((event as CustomEvent).detail ?? {}) as { sku?: unknown; quantity?: unknown };
    const target = event.target instanceof Element ? event.target.tagName.toLowerCase() : String(event.target);
    cartEvents.push({ sku: detail.sku, quantity: detail.quantity, target });
  });
}

/** Playwright's `test`, with the page instrumented (see `instrumentPage`) whenever JavaScript is on. */
export const test = base.extend<{ pageInstrumentation: void }>({
  pageInstrumentation: [
    async ({ page, javaScriptEnabled }, use) => {
      if (javaScriptEnabled) {
        await page.addInitScript(instrumentPage);
      }
      await use();
    },
    { auto: true },
  ],
});

export { expect };

/**
 * Waits until the app has attached a `type` handler to a connected element matching `selector`, i.e. until
 * that element is hydrated (or was rendered in the browser). Use before interacting with an element whose
 * behaviour needs the WASM app.
 */
export async function waitForHandler(page: Page, type: string, selector: string): Promise<void> {
  await test.step(`wait until the app handles "${type}" on ${selector}`, async () => {
    await page.waitForFunction(
      ([type, selector]) =>
        (window.__rapportListeners ?? []).some(
          (record) =>
            record.type === type &&
            record.target instanceof Element &&
            record.target.isConnected &&
            record.target.matches(selector),
        ),
      [type, selector] as const,
    );
  });
}

/** The cart events recorded on `window` so far. */
export async function cartEvents(page: Page): Promise<CartEvent[]> {
  return page.evaluate(() => window.__cartEvents ?? []);
}

/** Escapes text as the server renders it into HTML text nodes. */
export function escapeHtmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The tiles of a category or home grid. */
export function productTiles(page: Page) {
  return page.locator('ul.shop-grid > li.shop-tile');
}

/** The first tile of the current grid whose product can be bought (its stock badge is not "out of stock"). */
export function firstInStockTile(page: Page) {
  return productTiles(page)
    .filter({ has: page.locator('.rapport-stock:not(.rapport-stock--out)') })
    .first();
}

/**
 * The `href` of every element `links` matches, in document order. Reads them through Playwright's own
 * isolated world (not `evaluateAll`), so it works with JavaScript off too.
 */
export async function hrefs(links: Locator): Promise<(string | null)[]> {
  return Promise.all((await links.all()).map((link) => link.getAttribute('href')));
}

/** The SKU a product link points at (`/p/KIT-00001` gives `KIT-00001`). */
export function skuOfHref(href: string | null): string {
  const match = /^\/p\/([A-Z]{3}-\d{5})$/.exec(href ?? '');
  expect(match, `a product link, got ${JSON.stringify(href)}`).not.toBeNull();
  return match![1];
}

/** The API key `./rapport test` starts the server with. */
export const MERCHANT_KEY = 'demo-merchant-key';

/** Signs the browser in to the merchant pages as Tao, through the sign-in form `path` shows. */
export async function signInAsMerchant(page: Page, path = '/merchant/tiers?lang=en'): Promise<void> {
  await page.goto(path);
  const form = page.locator('.rapport-merchant-sign-in form');
  await form.locator('input[name="name"]').fill('Tao');
  await form.locator('input[name="key"]').fill(MERCHANT_KEY);
  await form.locator('button[type="submit"]').click();
  await expect(page.getByTestId('merchant-name')).toHaveText('Signed in as Tao');
}

/** The demo store's public signing secret (the server falls back to it in demo mode without a secret of its own). */
const DEMO_SECRET = 'rapport-demo-secret-anyone-can-read-this-000';

/**
 * A shopper token for `shopperId`, signed as the store's own login would sign it (see app/src/identity/token.rs):
 * `v1.s.<id, base64url>.<expiry, Unix seconds>.<HMAC-SHA256, hex>`.
 */
export function shopperToken(shopperId: string, hours = 1): string {
  const payload = `v1.s.${Buffer.from(shopperId).toString('base64url')}.${Math.floor(Date.now() / 1000) + hours * 3600}`;
  return `${payload}.${createHmac('sha256', DEMO_SECRET).update(payload).digest('hex')}`;
}

/** Signs the browser in as `shopperId` by keeping the store's token where the widgets read it. */
export async function signInWithToken(page: Page, shopperId: string): Promise<void> {
  await page.goto('/?lang=en');
  await page.evaluate((token) => localStorage.setItem('rapport.token', token), shopperToken(shopperId));
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A photo as a shopper's file picker hands it over: a real PNG of `width` × `height` in a gradient of `hue`. */
export function photoFile(name: string, width: number, height: number, hue: number): { name: string; mimeType: string; buffer: Buffer } {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      row[1 + x * 3] = (hue + x) % 256;
      row[2 + x * 3] = (y * 255) / height;
      row[3 + x * 3] = 255 - (hue % 256);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const buffer = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
  return { name, mimeType: 'image/png', buffer };
}

/** One shelf of the feed's cards seen and clicked, as the merchant API reports them. */
export type ShelfFigures = { shelf: string; impressions: number; clicks: number };

/** Every shelf's figures today, from the Rapport server at `origin` (the tests' base URL when empty). */
export async function shelvesToday(request: APIRequestContext, origin = ''): Promise<ShelfFigures[]> {
  const today = new Date().toISOString().slice(0, 10);
  const response = await request.get(`${origin}/api/v1/insights/widgets?from=${today}&to=${today}`, {
    headers: { Authorization: `Bearer ${MERCHANT_KEY}` },
  });
  expect(response.status(), await response.text()).toBe(200);
  return (await response.json()).figures.feed;
}

/** One shelf's figures today ([`shelvesToday`]). */
export async function shelfToday(request: APIRequestContext, shelf: string, origin = ''): Promise<ShelfFigures> {
  const row = (await shelvesToday(request, origin)).find((figures) => figures.shelf === shelf);
  expect(row, `the report has a ${shelf} shelf`).toBeTruthy();
  return row!;
}
