import AxeBuilder from '@axe-core/playwright';
import type { APIRequestContext, Locator, Page } from '@playwright/test';
import { FIRST_PRODUCT_SKU, MERCHANT_KEY, expect, photoFile, shelfToday, shopperToken, test } from './support';
import { decodeWords, emailsTo, nthEmailTo } from './mailbox';
import { publishedIn } from './published';
import { startStore, type Store } from './store';

/**
 * Rapport's widgets in an existing store's page: a static page on another origin (another port) holding the
 * loader's script tag and the widgets' elements, as a merchant pastes them. The Rapport server allows the first
 * store origin (RAPPORT_ALLOWED_ORIGINS in ./rapport) and not the second.
 */
const RAPPORT = process.env.RAPPORT_BASE_URL ?? 'http://127.0.0.1:3000';
const STORE_PORT = Number(process.env.RAPPORT_STORE_PORT ?? 3301);

const WIDGETS = [
  'rapport-tier-badge',
  'rapport-alert-inbox',
  'rapport-wishlist-button',
  'rapport-price-alert',
  'rapport-reviews',
  'rapport-also-bought',
  'rapport-also-viewed',
  'rapport-went-on-to',
  'rapport-tier-progress',
  'rapport-wishlist',
  'rapport-feed',
  'rapport-stars',
  'rapport-my-alerts',
  'rapport-review-points',
  'rapport-product-view',
  'rapport-recently-viewed',
  'rapport-questions',
  'rapport-email-preferences',
];

const EVENTS = [
  'rapport:add-to-cart',
  'rapport:wishlist-change',
  'rapport:review-submitted',
  'rapport:review-deleted',
  'rapport:question-asked',
  'rapport:alert-subscribed',
  'rapport:ready',
];

type HeardEvent = { type: string; detail: Record<string, unknown>; target: string };

declare global {
  interface Window {
    __heard?: HeardEvent[];
  }
}

let store: Store;
let stranger: Store;

test.beforeAll(async () => {
  store = await startStore(STORE_PORT, RAPPORT);
  stranger = await startStore(STORE_PORT + 1, RAPPORT);
});

test.afterAll(async () => {
  await store.close();
  await stranger.close();
});

/** Records every Rapport event that reaches the store page's `window`, as the store's own script would hear it. */
async function listenAsTheStore(page: Page, events: string[]): Promise<void> {
  await page.addInitScript((names: string[]) => {
    const heard: HeardEvent[] = [];
    window.__heard = heard;
    for (const name of names) {
      window.addEventListener(name, (event) => {
        const target = event.target instanceof Element ? event.target.localName : String(event.target);
        heard.push({ type: event.type, detail: (event as CustomEvent).detail ?? {}, target });
      });
    }
  }, events);
}

async function heard(page: Page, type: string): Promise<HeardEvent[]> {
  return (await page.evaluate(() => window.__heard ?? [])).filter((event) => event.type === type);
}

/** A shopper the store has just registered through the merchant API, and their signed token. */
async function newShopper(request: APIRequestContext, name: string): Promise<string> {
  const shopperId = `embed-${name}-${Date.now()}`;
  const response = await request.put(`${RAPPORT}/api/v1/shoppers`, {
    headers: { Authorization: `Bearer ${MERCHANT_KEY}` },
    data: { shoppers: [{ shopper_id: shopperId, display_name: `Embed ${name}` }] },
  });
  expect(response.status(), await response.text()).toBe(200);
  return shopperToken(shopperId);
}

/** The SKUs the storefront's kitchen category lists, in its order: the products a store's category page would show. */
async function kitchenSkus(page: Page): Promise<string[]> {
  await page.goto(`${RAPPORT}/c/kitchen?lang=en`);
  return page.locator('ul.shop-grid > li.shop-tile a.shop-tile__link').evaluateAll((links) =>
    links.map((link) => decodeURIComponent(new URL((link as HTMLAnchorElement).href).pathname.split('/').pop() ?? '')),
  );
}

/** Brings the widget near the viewport (it loads there) and waits until it shows its content. */
async function readyWidget(page: Page, tag: string): Promise<Locator> {
  const widget = page.locator(tag).first();
  // <rapport-product-view> shows nothing, so there is nothing to scroll to.
  if (tag !== 'rapport-product-view') await widget.scrollIntoViewIfNeeded();
  await expect(widget).toHaveAttribute('data-rapport', 'ready');
  return widget;
}

test('shopper finds every widget working in an existing store page, untouched by its styles', { tag: '@js-only' }, async ({ page }) => {
  // Every widget the server offers (its snippet page lists the registry) is on the store page and checked here.
  await page.goto(`${RAPPORT}/embed?sku=${FIRST_PRODUCT_SKU}&lang=en`);
  const offered = await page.locator('pre[data-widget]').evaluateAll((snippets) => snippets.map((pre) => pre.getAttribute('data-widget')));
  expect([...offered].sort()).toEqual([...WIDGETS].sort());
  const token = await newShopper(page.request, 'every');
  await page.goto(`${store.origin}/products/${FIRST_PRODUCT_SKU}?token=${token}`);
  const placed = await page.locator('main, header').evaluateAll((parts) =>
    parts.flatMap((part) => [...part.querySelectorAll('*')].map((element) => element.localName).filter((name) => name.startsWith('rapport-'))),
  );
  expect([...new Set(placed)].sort()).toEqual([...WIDGETS].sort());
  for (const tag of WIDGETS) {
    const widget = await readyWidget(page, tag);
    await expect(widget.locator('.rapport-error')).toHaveCount(0);
  }

  // Each renders in its own shadow root, so the store's rough rules (red, 30px, uppercase) do not reach it, nor
  // does what its `*` rules with !important put on the widget's element.
  const vote = page.locator('rapport-reviews button[data-vote="helpful"]').first();
  const style = await vote.evaluate((button) => {
    const computed = getComputedStyle(button);
    return { color: computed.color, size: computed.fontSize, transform: computed.textTransform };
  });
  expect(style).not.toEqual(expect.objectContaining({ color: 'rgb(221, 0, 0)' }));
  expect(style.size).not.toBe('30px');
  expect(style.transform).toBe('none');
  for (const tag of WIDGETS.filter((tag) => tag !== 'rapport-product-view')) {
    const text = await page.locator(tag).first().evaluate((element) => {
      const computed = getComputedStyle(element.shadowRoot!.querySelector('[part="widget"]')!);
      return [computed.letterSpacing, computed.fontStyle, computed.textTransform, computed.textIndent, computed.textAlign, computed.textShadow];
    });
    expect(text, tag).toEqual(['normal', 'normal', 'none', '0px', 'start', 'none']);
  }
  expect(await page.locator('rapport-reviews').evaluate((element) => element.shadowRoot?.mode)).toBe('open');

  // Links lead to the store's own product pages (the loader's data-product-url); images come from Rapport.
  const tile = page.locator('rapport-also-bought a.shop-tile__link').first();
  expect(await tile.getAttribute('href')).toMatch(/^\/products\/[A-Z]{3}-\d{5}$/);
  expect(await page.locator('rapport-also-bought img').first().getAttribute('src')).toMatch(new RegExp(`^${RAPPORT}/`));
  await expect(page.locator('rapport-tier-badge [data-testid="tier-badge"]')).toBeVisible();
});

test('every widget fits the column the store gives it, from a narrow sidebar to a wide main column', { tag: '@js-only' }, async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const token = await newShopper(page.request, 'columns');
  await page.goto(`${store.origin}/products/${FIRST_PRODUCT_SKU}?token=${token}`);
  for (const tag of WIDGETS) await readyWidget(page, tag);
  const reviewColumns = () =>
    page.locator('rapport-reviews').evaluate((element) =>
      getComputedStyle(element.shadowRoot!.querySelector('.rapport-reviews')!).gridTemplateColumns.split(' ').length,
    );
  for (const width of [300, 500, 1000, 1200]) {
    // Each block widget in a column this wide, as a store's sidebar or main column would hold it; the inline ones
    // (heart, badge, inbox) keep their own width. Nothing inside may reach past the element's edge.
    const overflowing = await page.evaluate(
      ({ tags, width }) =>
        tags.flatMap((tag) =>
          [...document.querySelectorAll<HTMLElement>(tag)].flatMap((element) => {
            if (getComputedStyle(element).display === 'block') element.style.width = `${width}px`;
            const box = element.shadowRoot!.querySelector<HTMLElement>('[part="widget"]')!;
            const edge = element.getBoundingClientRect().right;
            // What a shelf scrolls or a card clips stays inside them; popovers float above the page on purpose.
            const clipped = (inner: Element) => {
              for (let up = inner.parentElement; up && up !== box; up = up.parentElement) {
                if (getComputedStyle(up).overflowX !== 'visible') return true;
              }
              return false;
            };
            const past = [...box.querySelectorAll<HTMLElement>('*')]
              .filter((inner) => inner.getClientRects().length > 0 && getComputedStyle(inner).position !== 'absolute' && !clipped(inner))
              .map((inner) => inner.getBoundingClientRect().right - edge)
              .filter((by) => by > 1);
            return box.scrollWidth > box.clientWidth + 1 || past.length > 0
              ? [`${tag} at ${width}px: ${Math.max(box.scrollWidth - box.clientWidth, ...past)}px too wide`]
              : [];
          }),
        ),
      { tags: WIDGETS, width },
    );
    expect(overflowing).toEqual([]);
    // The reviews put their summary beside the list only where their own column has room for both.
    expect(await reviewColumns(), `reviews at ${width}px`).toBe(width >= 1024 ? 2 : 1);
  }
});

test("a guest browses the store's own product pages and the feed there follows what they viewed", { tag: '@js-only' }, async ({ page }) => {
  // Products of one category, as the store's category page would list them.
  await page.goto(`${RAPPORT}/c/outdoor?lang=en`);
  const [first, second, third, fourth] = (
    await page.locator('ul.shop-grid > li.shop-tile a.shop-tile__link').evaluateAll((links) =>
      links.map((link) => decodeURIComponent(new URL((link as HTMLAnchorElement).href).pathname.split('/').pop() ?? '')),
    )
  ).slice(0, 4);
  // However many widgets ask at once on the first page, the visitor becomes one guest.
  let guestSessions = 0;
  page.on('request', (request) => {
    if (request.url().includes('/api/start_guest_session')) guestSessions += 1;
  });
  for (const sku of [first, second, third]) {
    await page.goto(`${store.origin}/products/${sku}`);
    await expect(page.locator('rapport-product-view')).toHaveAttribute('data-rapport', 'ready');
  }
  for (const tag of WIDGETS) await readyWidget(page, tag);
  expect(guestSessions).toBe(1);
  await expect(page.locator('rapport-product-view [data-recorded]')).toHaveAttribute('data-recorded', 'true');
  await expect(page.locator('rapport-product-view')).toBeHidden();

  // The page's cart tells Rapport too; what is wrong is said, and nothing is recorded for it.
  await page.evaluate((sku) => (window as any).Rapport.track('cart', { sku, quantity: 2 }), second);
  const refusal = (call: string) => page.evaluate((call) => new Function(`return ${call}`)().then(() => 'recorded', (error: Error) => error.message), call);
  expect(await refusal(`Rapport.track('buy', { sku: '${second}' })`)).toContain('"buy" is not something Rapport records');
  expect(await refusal(`Rapport.track('cart', { sku: '${second}', quantity: 500 })`)).toContain('between 1 and 99');
  expect(await refusal(`Rapport.track('cart', { sku: '${second}', quantity: 2.5 })`)).toContain('not a whole number');
  expect(await refusal(`Rapport.track('view', { sku: 'NO-SUCH-PRODUCT' })`)).toMatch(/product/i);

  const feed = await readyWidget(page, 'rapport-feed');
  await expect(feed.locator('.rapport-feed__section[data-section="because"]').first()).toHaveAttribute(
    'data-anchor',
    new RegExp(`^(${first}|${second}|${third})$`),
  );
  const recent = feed.locator('.rapport-feed__section[data-section="recently-viewed"] .rapport-feed__card');
  await expect(recent).toHaveCount(3);
  expect(await recent.evaluateAll((cards) => cards.map((card) => card.getAttribute('data-sku')))).toEqual([third, second, first]);
  // The same history on its own, as a store's account page or page foot shows it, leading to the store's pages.
  const history = await readyWidget(page, 'rapport-recently-viewed');
  await expect(history.getByRole('heading', { name: 'Recently viewed' })).toBeVisible();
  expect(await history.locator('a.shop-tile__link').evaluateAll((links) => links.map((link) => link.getAttribute('href')))).toEqual(
    [third, second, first].map((sku) => `/products/${sku}`),
  );

  // The store's server sends what it knows about this guest through the merchant API, by the id the page gives it.
  const guestId = await page.evaluate(() => (window as any).Rapport.guestId());
  expect(guestId).toMatch(/^g[0-9a-f]{32}$/);
  const sent = await page.request.post(`${RAPPORT}/api/v1/events`, {
    headers: { Authorization: `Bearer ${MERCHANT_KEY}` },
    data: { events: [{ guest_id: guestId, sku: fourth, kind: 'viewed' }] },
  });
  expect(sent.status(), await sent.text()).toBe(200);
  await page.goto(`${store.origin}/`);
  const feedAgain = await readyWidget(page, 'rapport-feed');
  await expect(feedAgain.locator('.rapport-feed__section[data-section="recently-viewed"] .rapport-feed__card').first()).toHaveAttribute('data-sku', fourth);

  // The guest clears their history: it empties at once, and stays empty in the feed and on the next page.
  const historyAgain = await readyWidget(page, 'rapport-recently-viewed');
  await expect(historyAgain.locator('li.shop-tile')).toHaveCount(4);
  await historyAgain.getByRole('button', { name: 'Clear' }).click();
  await expect(historyAgain.locator('.rapport-recently-viewed__empty')).toHaveText('Products you view appear here.');
  await page.reload();
  await expect((await readyWidget(page, 'rapport-recently-viewed')).locator('li.shop-tile')).toHaveCount(0);
  await expect((await readyWidget(page, 'rapport-feed')).locator('.rapport-feed__section[data-section="recently-viewed"]')).toHaveCount(0);
});

test("shopper opens a card of a store page's \"also bought\" list, and the merchant counts the card seen and clicked", { tag: '@js-only' }, async ({ page }) => {
  const token = await newShopper(page.request, 'clicks');
  const before = await shelfToday(page.request, 'also-bought', RAPPORT);
  await page.goto(`${store.origin}/products/${FIRST_PRODUCT_SKU}?token=${token}`);
  const list = await readyWidget(page, 'rapport-also-bought');
  const card = list.locator('li.shop-tile').first();
  await card.scrollIntoViewIfNeeded();
  await expect.poll(async () => (await shelfToday(page.request, 'also-bought', RAPPORT)).impressions).toBeGreaterThan(before.impressions);
  const sku = await card.getAttribute('data-sku');
  // The link leaves the page for the store's own product page: the click still arrives, by beacon.
  await card.locator('a.shop-tile__link').click();
  await expect(page).toHaveURL(new RegExp(`/products/${sku}`));
  await expect.poll(async () => (await shelfToday(page.request, 'also-bought', RAPPORT)).clicks).toBeGreaterThan(before.clicks);
});

test("a store's elements take their settings as attributes and as properties", { tag: '@js-only' }, async ({ page }) => {
  await page.goto(`${store.origin}/products/${FIRST_PRODUCT_SKU}`);
  const feed = await readyWidget(page, 'rapport-feed');
  expect(await feed.evaluate((element: any) => element.perSection)).toBe(8);
  const largest = () =>
    feed.locator('.rapport-feed__section').evaluateAll((sections) => Math.max(...sections.map((section) => section.querySelectorAll('.rapport-feed__card').length)));
  expect(await largest()).toBeGreaterThan(3);
  // Setting the property sets the attribute, and the widget follows.
  await feed.evaluate((element: any) => (element.perSection = 3));
  await expect(feed).toHaveAttribute('per-section', '3');
  await readyWidget(page, 'rapport-feed');
  await expect.poll(largest).toBe(3);

  const shelf = await readyWidget(page, 'rapport-also-viewed');
  await shelf.evaluate((element) => element.setAttribute('limit', '2'));
  await readyWidget(page, 'rapport-also-viewed');
  await expect(shelf.locator('li.shop-tile')).toHaveCount(2);
  // A setting out of its range is refused with what it should be, in the element and its console.
  await shelf.evaluate((element) => element.setAttribute('limit', '40'));
  await expect(shelf).toHaveAttribute('data-rapport', 'error');
  await expect(shelf.getByRole('alert')).toHaveText('<rapport-also-viewed limit="40">: limit takes a whole number from 1 to 24');
  await shelf.evaluate((element: any) => (element.limit = 4));
  await readyWidget(page, 'rapport-also-viewed');
  await expect(shelf.locator('li.shop-tile')).toHaveCount(4);

  // A widget the page loads by hand comes back by itself after a change of its settings.
  await page.locator('#later').evaluate((later, sku) => {
    const manual = document.createElement('rapport-also-bought');
    manual.setAttribute('product', sku);
    manual.setAttribute('loading', 'manual');
    later.append(manual);
    void (manual as unknown as { load: () => Promise<void> }).load();
  }, FIRST_PRODUCT_SKU);
  const manual = page.locator('#later rapport-also-bought');
  await expect(manual).toHaveAttribute('data-rapport', 'ready');
  await manual.evaluate((element) => element.setAttribute('limit', '2'));
  await expect(manual).toHaveAttribute('data-rapport', 'ready');
  await expect(manual.locator('li.shop-tile')).toHaveCount(2);
  // A property reads a setting's default while its attribute is not a count.
  await manual.evaluate((element) => element.setAttribute('limit', 'many'));
  expect(await manual.evaluate((element: any) => element.limit)).toBe(8);

  const heart = await readyWidget(page, 'rapport-wishlist-button');
  await expect(heart.locator('.rapport-wishlist-button--compact')).toHaveCount(0);
  await heart.evaluate((element: any) => (element.compact = true));
  await expect(heart).toHaveAttribute('compact', '');
  await readyWidget(page, 'rapport-wishlist-button');
  await expect(heart.locator('.rapport-wishlist-button--compact')).toHaveCount(1);
  expect(await heart.evaluate((element: any) => [element.compact, element.product])).toEqual([true, FIRST_PRODUCT_SKU]);
});

test("a widget whose code cannot be fetched says so in the shopper's language, and loads on the next try", { tag: '@js-only' }, async ({ page }) => {
  const productChunk = /\/split_product\.wasm$/;
  await page.route(productChunk, (route) => route.abort('connectionreset'));
  await page.goto(`${store.origin}/products/${FIRST_PRODUCT_SKU}?lang=zh-CN`);
  const reviews = page.locator('rapport-reviews');
  await reviews.scrollIntoViewIfNeeded();
  await expect(reviews).toHaveAttribute('data-rapport', 'error');
  await expect(reviews.locator('.rapport-error')).toHaveText('此部分内容未能加载。');
  // The badges' chunk came: the star badge works beside it.
  await expect(page.locator('rapport-stars').first()).toHaveAttribute('data-rapport', 'ready');

  await page.unroute(productChunk);
  await reviews.evaluate((element) => element.setAttribute('lang', 'en'));
  await expect(reviews).toHaveAttribute('data-rapport', 'ready');
  await expect(reviews.locator('.rapport-error')).toHaveCount(0);
  await expect(reviews.getByRole('heading', { name: 'Customer reviews' })).toBeVisible();
});

test("a widget whose stylesheet cannot be fetched still works, unstyled", { tag: '@js-only' }, async ({ page }) => {
  const stylesheet = /\/rapport-widgets\.css$/;
  let refused = 0;
  await page.route(stylesheet, (route) => {
    refused += 1;
    return route.abort('connectionreset');
  });
  await page.goto(`${store.origin}/products/${FIRST_PRODUCT_SKU}?lang=en`);
  await readyWidget(page, 'rapport-wishlist-button');
  const heart = page.locator('rapport-wishlist-button button.rapport-wishlist-button__heart');
  expect(refused).toBeGreaterThan(0);
  expect(await heart.evaluate((button) => getComputedStyle(button).cursor)).toBe('default');
  await heart.click();
  await expect(heart).toHaveAttribute('aria-pressed', 'true');
});

test("a category page of star badges and compact hearts fetches no WASM, a full heart only the badges' code, every file compressed and kept a year", { tag: '@js-only' }, async ({ page }) => {
  const skus = await kitchenSkus(page);
  expect(skus.length).toBeGreaterThanOrEqual(12);
  const fetched: { url: string; encoding?: string; caching?: string }[] = [];
  page.on('response', (response) => {
    if (response.url().startsWith(RAPPORT) && /\.(wasm|js|css)$/.test(new URL(response.url()).pathname)) {
      fetched.push({ url: response.url(), encoding: response.headers()['content-encoding'], caching: response.headers()['cache-control'] });
    }
  });
  const paths = () => fetched.map((file) => new URL(file.url).pathname.split('/').pop()).sort();

  // The loader draws star badges and compact hearts itself: the page fetches the loader, the theme and the widgets'
  // styles, with the hearts as without them.
  for (const hearts of ['0', '1']) {
    await page.goto(`${store.origin}/category?skus=${encodeURIComponent(skus.join(','))}&hearts=${hearts}`);
    const last = skus[skus.length - 1];
    for (const tag of hearts === '1' ? ['rapport-stars', 'rapport-wishlist-button'] : ['rapport-stars']) {
      await readyWidget(page, tag);
      await page.locator(`${tag}[product="${last}"]`).scrollIntoViewIfNeeded();
      await expect(page.locator(`${tag}[product="${last}"]`)).toHaveAttribute('data-rapport', 'ready');
    }
    await page.waitForLoadState('networkidle');
    expect(paths(), `hearts=${hearts}`).toEqual(['embed.js', 'rapport-theme.css', 'rapport-widgets.css']);
    await page.goto('about:blank');
    fetched.length = 0;
  }

  // A full heart (its count and list chooser are the WASM's) fetches the main module and the badges' chunk alone.
  await page.goto(`${store.origin}/category?skus=${encodeURIComponent(skus.join(','))}`);
  await page.evaluate((sku) => {
    const full = document.createElement('rapport-wishlist-button');
    full.setAttribute('product', sku);
    full.id = 'full';
    document.querySelector('main h1')!.after(full);
  }, skus[0]);
  await readyWidget(page, '#full');
  await expect(page.locator('#full .rapport-wishlist-button--compact')).toHaveCount(0);

  const badges = publishedIn(await (await page.request.get(`${RAPPORT}/embed.js`)).text()).chunks.badges;
  const wasm = fetched.filter((file) => file.url.endsWith('.wasm')).map((file) => file.url.split('/').pop()!);
  expect(wasm.sort()).toEqual(['rapport-widgets_bg.wasm', ...badges.map((stem) => `${stem}.wasm`)].sort());
  for (const file of fetched) {
    expect(file.encoding, file.url).toBe('br');
    const pasted = /\/(embed\.js|rapport-theme\.css)$/.test(file.url);
    expect(file.caching, file.url).toBe(pasted ? 'public, max-age=300' : 'public, max-age=31536000, immutable');
  }
});

test("a first visit asks for its guest session beside the widgets' code, and a category page makes none until a heart is pressed", { tag: '@js-only' }, async ({ page }) => {
  const skus = (await kitchenSkus(page)).slice(0, 6);
  const sessions: string[] = [];
  const asked: string[] = [];
  page.on('request', (request) => {
    // The store's pages' alone: the storefront's page above may still be starting a session of its own.
    if (!request.frame().url().startsWith(store.origin)) return;
    const path = new URL(request.url()).pathname;
    if (path === '/api/start_guest_session') sessions.push(request.url());
    if (path.startsWith('/api/wishlist_states')) asked.push(request.url());
  });
  const listed = encodeURIComponent(skus.join(','));
  const kept = () => page.evaluate(() => localStorage.getItem('rapport.token'));

  // Star badges show no one's own data, and a browser without a token has saved nothing: no guest is made for the
  // badges, nor for the compact hearts until one is pressed, which ask for nothing meanwhile.
  for (const hearts of ['0', '1']) {
    await page.goto(`${store.origin}/category?skus=${listed}&hearts=${hearts}`);
    await readyWidget(page, 'rapport-stars');
    if (hearts === '1') {
      for (const sku of skus) {
        const heart = page.locator(`rapport-wishlist-button[product="${sku}"]`);
        await expect(heart).toHaveAttribute('data-rapport', 'ready');
        await expect(heart.locator('button.rapport-wishlist-button__heart')).toHaveAttribute('aria-pressed', 'false');
      }
    }
    await page.waitForLoadState('networkidle');
  }
  expect([sessions, asked]).toEqual([[], []]);
  expect(await kept()).toBeNull();

  // A product page's widgets show the shopper's own: the session is asked for while the widgets' code is still on
  // its way (held here until it has been), and the widgets then use it rather than ask for another.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/rapport-widgets_bg\.wasm$/, async (route) => {
    await held;
    await route.continue();
  });
  const issued = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/start_guest_session');
  const states = page.waitForRequest((request) => request.url().includes('/api/wishlist_states'));
  await page.goto(`${store.origin}/products/${skus[0]}`);
  await expect.poll(() => sessions.length).toBe(1);
  const { token } = await (await issued).json();
  release();
  // The heart asks for its state with that session's token, and the widgets ask for no other.
  expect((await states).headers()['x-rapport-token']).toBe(token);
  for (const tag of ['rapport-wishlist-button', 'rapport-price-alert', 'rapport-reviews']) await readyWidget(page, tag);
  await page.waitForLoadState('networkidle');
  expect(sessions).toHaveLength(1);
  expect(await kept()).toBe(token);
});

test("a category page shows many products' stars from one request, each as the API reports it", { tag: '@js-only' }, async ({ page }) => {
  const skus = (await kitchenSkus(page)).slice(0, 12);
  expect(skus.length).toBe(12);
  await page.goto(`${store.origin}/products/${FIRST_PRODUCT_SKU}`);
  await readyWidget(page, 'rapport-stars');
  await readyWidget(page, 'rapport-reviews');

  // A grid of cards comes into view at once, as a category page's would, each with a badge and a compact heart:
  // one request brings every badge's stars, and one every heart's state.
  const asked: string[] = [];
  const hearts: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('star_ratings')) asked.push(request.url());
    if (request.url().includes('wishlist_states')) hearts.push(request.url());
  });
  await page.locator('#later').scrollIntoViewIfNeeded();
  await page.evaluate((skus) => {
    // A grid's rows, all within reach of the viewport together.
    const grid = document.createElement('ul');
    grid.style.display = 'flex';
    grid.style.flexWrap = 'wrap';
    for (const sku of skus) {
      const item = document.createElement('li');
      const badge = document.createElement('rapport-stars');
      badge.setAttribute('product', sku);
      const heart = document.createElement('rapport-wishlist-button');
      heart.setAttribute('product', sku);
      heart.toggleAttribute('compact', true);
      item.append(badge, heart);
      grid.append(item);
    }
    // A badge whose product cannot be a SKU shows nothing, and blanks none of the others.
    const mistyped = document.createElement('rapport-stars');
    mistyped.setAttribute('product', 'KIT 00001!');
    grid.append(mistyped);
    document.getElementById('later')!.append(grid);
  }, skus);
  for (const sku of skus) {
    const badge = page.locator(`#later rapport-stars[product="${sku}"]`);
    await expect(badge).toHaveAttribute('data-rapport', 'ready');
    const rating = await (await page.request.get(`${RAPPORT}/api/v1/products/${sku}/rating`)).json();
    if (rating.count > 0) {
      await expect(badge.locator('.rapport-stars__average')).toHaveText(rating.average.toFixed(1));
      await expect(badge.locator('.rapport-stars__count')).toHaveText(`(${rating.count})`);
      const reviews = rating.count === 1 ? '1 review' : `${rating.count} reviews`;
      await expect(badge.locator('a.rapport-stars')).toHaveAttribute('aria-label', `Rated ${rating.average.toFixed(1)} out of 5 from ${reviews}`);
      // No reviews of it on this page: the badge leads to the store's own product page.
      await expect(badge.locator('a.rapport-stars')).toHaveAttribute('href', `/products/${sku}#reviews`);
    } else {
      await expect(badge.locator('.rapport-stars--none')).toHaveCount(1);
    }
  }
  const mistyped = page.locator('#later rapport-stars[product="KIT 00001!"]');
  await expect(mistyped).toHaveAttribute('data-rapport', 'ready');
  await expect(mistyped.locator('.rapport-stars--none')).toHaveCount(1);
  expect(asked).toHaveLength(1);
  for (const sku of skus) {
    const heart = page.locator(`#later rapport-wishlist-button[product="${sku}"]`);
    await expect(heart).toHaveAttribute('data-rapport', 'ready');
    await expect(heart.locator('button.rapport-wishlist-button__heart')).toHaveAttribute('aria-pressed', 'false');
  }
  expect(hearts).toHaveLength(1);

  // Asked for, the reviews put the product's JSON-LD into the page's head, where crawlers read it.
  await page.locator('rapport-reviews').evaluate((element) => element.setAttribute('product-name', 'Hilltop Kettle'));
  await readyWidget(page, 'rapport-reviews');
  const markup = page.locator(`head script[type="application/ld+json"][data-rapport-json-ld="${FIRST_PRODUCT_SKU}"]`);
  await expect(markup).toHaveCount(1);
  const product = JSON.parse((await markup.textContent()) ?? '{}');
  const rated = await (await page.request.get(`${RAPPORT}/api/v1/products/${FIRST_PRODUCT_SKU}/rating`)).json();
  expect(product).toMatchObject({ '@type': 'Product', name: 'Hilltop Kettle', sku: FIRST_PRODUCT_SKU });
  expect(product.aggregateRating).toMatchObject({ ratingValue: rated.average, reviewCount: rated.count });

  // The page's own product badge leads to the reviews further down the same page.
  const own = page.locator('main > rapport-stars a.rapport-stars');
  const reviewsId = await page.locator('rapport-reviews').getAttribute('id');
  await expect(own).toHaveAttribute('href', `#${reviewsId}`);
  // The badge speaks the page's language, and follows a change of it.
  const counted = rated.count === 1 ? '1 review' : `${rated.count} reviews`;
  await expect(own).toHaveAttribute('aria-label', `Rated ${rated.average.toFixed(1)} out of 5 from ${counted}`);
  await page.locator('main > rapport-stars').evaluate((element) => element.setAttribute('lang', 'zh'));
  await expect(own).toHaveAttribute('aria-label', `评分 ${rated.average.toFixed(1)}（满分 5 分），共 ${rated.count} 条评价`);
  await expect(page.locator('main > rapport-stars .rapport-embed')).toHaveAttribute('lang', 'zh-CN');
});

test("a guest saves products from a category page's compact hearts, drawn without the WASM, and the store's page hears each", { tag: '@js-only' }, async ({ page }) => {
  await listenAsTheStore(page, ['rapport:wishlist-change']);
  const skus = (await kitchenSkus(page)).slice(0, 4);
  const wasm: string[] = [];
  const calls: string[] = [];
  page.on('request', (request) => {
    // The store's pages' alone: the storefront's page above may still be asking for its own hearts.
    if (!request.frame().url().startsWith(store.origin)) return;
    if (request.url().endsWith('.wasm')) wasm.push(request.url());
    const path = new URL(request.url()).pathname;
    if (request.url().startsWith(RAPPORT) && request.method() === 'POST' && path.startsWith('/api/')) calls.push(path);
  });
  const category = `${store.origin}/category?skus=${encodeURIComponent(skus.join(','))}&lang=zh-CN`;
  const heartOf = (sku: string) => page.locator(`rapport-wishlist-button[product="${sku}"] button.rapport-wishlist-button__heart`);
  const kept = () => page.evaluate(() => localStorage.getItem('rapport.token'));

  // Pressed on a first visit, the heart starts the guest's session and saves into their list: two requests.
  await page.goto(category);
  await readyWidget(page, 'rapport-wishlist-button');
  await expect(heartOf(skus[0])).toHaveAttribute('aria-label', '加入心愿单');
  await heartOf(skus[0]).click();
  await expect(heartOf(skus[0])).toHaveAttribute('aria-pressed', 'true');
  await expect(heartOf(skus[0])).toHaveAttribute('aria-label', '已收藏');
  await expect(heartOf(skus[0]).locator('.rapport-wishlist-button__label')).toHaveText('已收藏');
  await expect(heartOf(skus[1])).toHaveAttribute('aria-pressed', 'false');
  expect(calls.filter((path) => path !== '/api/star_ratings')).toEqual(['/api/start_guest_session', '/api/change_wishlist']);
  expect(await kept()).toMatch(/^v1\.g\./);
  await expect.poll(async () => (await heard(page, 'rapport:wishlist-change')).map((event) => [event.detail, event.target])).toEqual([
    [{ sku: skus[0], saved: true }, 'rapport-wishlist-button'],
  ]);
  // The heart follows a change of the page's language in place.
  await page.locator(`rapport-wishlist-button[product="${skus[0]}"]`).evaluate((element) => element.setAttribute('lang', 'en'));
  await expect(heartOf(skus[0])).toHaveAttribute('aria-label', 'Saved');

  // The product's own page, whose full heart is the WASM's, shows it saved; back on the category page, the hearts ask
  // for their states in one request, and the saved one takes it out of the list.
  await page.goto(`${store.origin}/products/${skus[0]}`);
  await expect((await readyWidget(page, 'rapport-wishlist-button')).locator('button.rapport-wishlist-button__heart')).toHaveAttribute('aria-pressed', 'true');
  calls.length = 0;
  wasm.length = 0;
  const tokens = new Map<string, string | undefined>();
  page.on('request', (request) => {
    if (request.frame().url().startsWith(store.origin)) tokens.set(new URL(request.url()).pathname, request.headers()['x-rapport-token']);
  });
  await page.goto(category);
  await expect(heartOf(skus[0])).toHaveAttribute('aria-pressed', 'true');
  for (const sku of skus.slice(1)) await expect(heartOf(sku)).toHaveAttribute('aria-pressed', 'false');
  expect(calls.filter((path) => path !== '/api/star_ratings')).toEqual(['/api/wishlist_states']);
  // The hearts' request goes with the guest's token; the stars', public, without (and without a CORS preflight).
  expect(tokens.get('/api/wishlist_states')).toBe(await kept());
  expect(tokens.has('/api/star_ratings')).toBe(true);
  expect(tokens.get('/api/star_ratings')).toBeUndefined();
  await heartOf(skus[0]).click();
  await expect(heartOf(skus[0])).toHaveAttribute('aria-pressed', 'false');
  await expect.poll(async () => (await heard(page, 'rapport:wishlist-change')).map((event) => event.detail)).toEqual([
    { sku: skus[0], saved: false },
  ]);
  await page.reload();
  await readyWidget(page, 'rapport-wishlist-button');
  await expect(heartOf(skus[0])).toHaveAttribute('aria-pressed', 'false');
  await page.waitForLoadState('networkidle');
  expect(wasm).toEqual([]);
});

test("a compact heart that cannot save says why, in the page's language, and saves nothing", { tag: '@js-only' }, async ({ page }) => {
  const skus = (await kitchenSkus(page)).slice(0, 1);
  // A product the store never sent Rapport: the server refuses it.
  await page.goto(`${store.origin}/category?skus=${skus[0]},NO-SUCH-1&lang=zh-CN`);
  const unknown = page.locator('rapport-wishlist-button[product="NO-SUCH-1"]');
  await unknown.scrollIntoViewIfNeeded();
  await expect(unknown).toHaveAttribute('data-rapport', 'ready');
  await unknown.locator('button').click();
  await expect(unknown.getByRole('alert')).toHaveText('这件商品已下架。');
  await expect(unknown.locator('button')).toHaveAttribute('aria-pressed', 'false');
  await expect(unknown.locator('button')).toBeEnabled();
  await unknown.evaluate((element) => element.setAttribute('lang', 'en'));
  await expect(unknown.getByRole('alert')).toHaveText('This product is not available.');

  // The network fails: the heart says so, and the next press, once it is back, saves.
  const known = page.locator(`rapport-wishlist-button[product="${skus[0]}"]`);
  await page.route(/\/api\/change_wishlist$/, (route) => route.abort('connectionreset'));
  await known.locator('button').click();
  await expect(known.getByRole('alert')).toHaveText('无法连接到商店，请检查网络后重试。');
  await expect(known.locator('button')).toHaveAttribute('aria-pressed', 'false');
  await page.unroute(/\/api\/change_wishlist$/);
  await known.locator('button').click();
  await expect(known.locator('button')).toHaveAttribute('aria-pressed', 'true');
  await expect(known.getByRole('alert')).toHaveCount(0);

  // A shopper the store signed in but never sent Rapport: their list cannot be kept yet, and the heart says why.
  const unshared = shopperToken(`embed-unshared-${Date.now()}`);
  await page.goto(`${store.origin}/category?skus=${skus[0]}&lang=zh-CN&token=${unshared}`);
  const theirs = await readyWidget(page, 'rapport-wishlist-button');
  await theirs.locator('button').click();
  await expect(theirs.getByRole('alert')).toHaveText('商店还没有把你的资料同步给我们。');
  await expect(theirs.locator('button')).toHaveAttribute('aria-pressed', 'false');

  // A heart whose state could not be read says so, and pressed, asks again rather than stay stuck. (The browser
  // forgets the guest above first: its save would move to this shopper.)
  await page.evaluate(() => localStorage.clear());
  const token = await newShopper(page.request, 'unread');
  await page.route(/\/api\/wishlist_states$/, (route) => route.abort('connectionreset'));
  await page.goto(`${store.origin}/category?skus=${skus[0]}&token=${token}`);
  const unread = page.locator('rapport-wishlist-button');
  await unread.scrollIntoViewIfNeeded();
  await expect(unread.getByRole('alert')).toHaveText('Could not reach the store; check your connection and try again.');
  await page.unroute(/\/api\/wishlist_states$/);
  await unread.locator('button').click();
  await expect(unread.getByRole('alert')).toHaveCount(0);
  await expect(unread.locator('button')).toHaveAttribute('aria-pressed', 'false');
  await unread.locator('button').click();
  await expect(unread.locator('button')).toHaveAttribute('aria-pressed', 'true');
});

test("a page's compact hearts and the WASM's widgets share one guest session", { tag: '@js-only' }, async ({ page }) => {
  const skus = (await kitchenSkus(page)).slice(0, 2);
  const sessions: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/start_guest_session' && request.frame().url().startsWith(store.origin)) {
      sessions.push(request.url());
    }
  });
  await page.goto(`${store.origin}/category?skus=${skus[0]}`);
  await readyWidget(page, 'rapport-wishlist-button');
  // The WASM starts for a widget that wants no guest (the tier badge shows guests nothing).
  await page.evaluate(() => {
    const badge = document.createElement('rapport-tier-badge');
    badge.setAttribute('loading', 'eager');
    document.querySelector('main h1')!.after(badge);
  });
  await expect(page.locator('rapport-tier-badge')).toHaveAttribute('data-rapport', 'ready');
  expect(sessions).toEqual([]);

  // A compact heart pressed asks for the session (held here), and a full heart mounting meanwhile waits for it.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/api\/start_guest_session$/, async (route) => {
    await held;
    await route.continue();
  });
  const compact = page.locator(`rapport-wishlist-button[product="${skus[0]}"] button`);
  await compact.click();
  await expect.poll(() => sessions.length).toBe(1);
  await page.evaluate((sku) => {
    const full = document.createElement('rapport-wishlist-button');
    full.setAttribute('product', sku);
    full.setAttribute('loading', 'eager');
    full.id = 'full';
    document.querySelector('main h1')!.after(full);
  }, skus[1]);
  // Mounted, the full heart asks for the viewer before its state: give it the time to.
  await expect(page.locator('#full .rapport-wishlist-button')).toHaveCount(1);
  await page.waitForTimeout(300);
  release();
  await expect(compact).toHaveAttribute('aria-pressed', 'true');
  const full = await readyWidget(page, '#full');
  await expect(full.locator('button.rapport-wishlist-button__heart')).toHaveAttribute('aria-pressed', 'false');
  expect(sessions).toHaveLength(1);
  expect(await page.evaluate(() => localStorage.getItem('rapport.token'))).toMatch(/^v1\.g\./);
});

test("a category page's compact hearts follow the store signing its shopper in and out, with what the guest saved", { tag: '@js-only' }, async ({ page }) => {
  const skus = (await kitchenSkus(page)).slice(0, 3);
  const listed = encodeURIComponent(skus.join(','));
  const heartOf = (sku: string) => page.locator(`rapport-wishlist-button[product="${sku}"] button.rapport-wishlist-button__heart`);
  const token = await newShopper(page.request, 'hearts');

  // The shopper saved one product on an earlier visit, signed in.
  await page.goto(`${store.origin}/category?skus=${listed}&token=${token}`);
  await readyWidget(page, 'rapport-wishlist-button');
  await heartOf(skus[1]).click();
  await expect(heartOf(skus[1])).toHaveAttribute('aria-pressed', 'true');

  // Signed out, as a guest, they save another.
  await page.goto(`${store.origin}/category?skus=${listed}`);
  await readyWidget(page, 'rapport-wishlist-button');
  await expect(heartOf(skus[1])).toHaveAttribute('aria-pressed', 'false');
  await heartOf(skus[0]).click();
  await expect(heartOf(skus[0])).toHaveAttribute('aria-pressed', 'true');

  // The store signs them in without a page load: the guest's save moves to the shopper, and the hearts show both.
  await page.evaluate((token) => (window as any).Rapport.identify(token), token);
  await expect.poll(() => page.evaluate(() => localStorage.getItem('rapport.token'))).toBeNull();
  for (const [sku, saved] of [[skus[0], 'true'], [skus[1], 'true'], [skus[2], 'false']]) {
    await expect(heartOf(sku)).toHaveAttribute('aria-pressed', saved);
  }

  // Signed out, the browser has nothing saved, and the hearts say so without asking.
  const asked: string[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/api/wishlist_states')) asked.push(request.url());
  });
  await page.evaluate(() => (window as any).Rapport.signOut());
  for (const sku of skus) await expect(heartOf(sku)).toHaveAttribute('aria-pressed', 'false');
  expect(asked).toEqual([]);
});

test('shopper saves to wish list, votes, subscribes and reviews in a store page, and the page hears each', { tag: '@js-only' }, async ({ page }) => {
  test.setTimeout(120_000);
  await listenAsTheStore(page, EVENTS);
  const token = await newShopper(page.request, 'acts');
  await page.goto(`${store.origin}/?token=${token}`);

  const button = await readyWidget(page, 'rapport-wishlist-button');
  const heart = button.locator('button.rapport-wishlist-button__heart');
  await expect(heart).toHaveAttribute('aria-pressed', 'false');
  // By keyboard: the heart takes the focus, shows it, and Enter presses it.
  await heart.focus();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  await expect(heart).toBeFocused();
  expect(await heart.evaluate((element) => getComputedStyle(element).outlineStyle)).not.toBe('none');
  await page.keyboard.press('Enter');
  await expect(heart).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => heard(page, 'rapport:wishlist-change')).toEqual([
    { type: 'rapport:wishlist-change', detail: { sku: FIRST_PRODUCT_SKU, saved: true }, target: 'rapport-wishlist-button' },
  ]);

  const alert = await readyWidget(page, 'rapport-price-alert');
  await alert.getByRole('button', { name: 'Notify me when the price drops' }).click();
  await expect(alert.getByTestId('current-alert')).toContainText('You will be told of any price drop');
  await expect.poll(async () => (await heard(page, 'rapport:alert-subscribed')).map((event) => event.detail)).toEqual([
    { sku: FIRST_PRODUCT_SKU, kind: 'price_drop' },
  ]);

  const reviews = await readyWidget(page, 'rapport-reviews');
  const helpful = reviews.locator('button[data-vote="helpful"]').first();
  await expect(helpful).toHaveAttribute('aria-pressed', 'false');
  await helpful.click();
  await expect(helpful).toHaveAttribute('aria-pressed', 'true');

  // Sorting happens inside the widget: the store's address stays as it was.
  const address = page.url();
  await reviews.locator('select[name="sort"]').selectOption('newest');
  await expect(reviews.locator('select[name="sort"]')).toHaveValue('newest');
  expect(page.url()).toBe(address);

  const form = reviews.locator('form.rapport-review-form');
  await form.locator('label:has(input[value="4"])').click();
  await form.locator('input[name="title"]').fill('Sturdy, and it came quickly');
  await form.locator('textarea[name="body"]').fill('Written from the store page itself, through the embedded widget.');
  // The photo goes to Rapport from the store's origin, and comes back from there into the store's page.
  await form.locator('input[type="file"]').setInputFiles(photoFile('unboxing.png', 1000, 750, 200));
  await expect(form.locator('.rapport-review-form__chosen li')).toHaveCount(1);
  await form.locator('button[type="submit"]').click();
  await expect(reviews.locator('.rapport-review-mine__thanks')).toHaveText(/Thank you!/);
  const thumbnail = reviews.getByTestId('my-review').getByTestId('review-photo').locator('img');
  await expect(thumbnail).toHaveAttribute('src', new RegExp(`^${RAPPORT}/photos/[0-9a-f]{64}\\.jpg$`));
  expect(await thumbnail.evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth))).toBe(320);
  await expect.poll(async () => (await heard(page, 'rapport:review-submitted')).map((event) => event.detail)).toEqual([
    { sku: FIRST_PRODUCT_SKU, rating: 4, status: 'published' },
  ]);
  // The shopper takes it back from the same widget.
  await expect(reviews.getByTestId('my-review').locator('.rapport-review-mine__status')).toHaveText('Published.');
  await reviews.getByTestId('delete-my-review').click();
  await reviews.getByTestId('confirm-delete-my-review').click();
  await expect(form).toBeVisible();
  await expect.poll(async () => (await heard(page, 'rapport:review-deleted')).map((event) => event.detail)).toEqual([
    { sku: FIRST_PRODUCT_SKU },
  ]);

  // A question asked from the store page waits for the shop, and the page hears it was asked.
  const questions = await readyWidget(page, 'rapport-questions');
  const ask = questions.locator('form.rapport-questions__form');
  await ask.locator('textarea[name="body"]').fill('Asked from the store page: does it come gift-wrapped?');
  await ask.locator('button[type="submit"]').click();
  await expect(questions.getByTestId('my-question').filter({ hasText: 'does it come gift-wrapped?' })).toContainText(
    'Your question is waiting for the shop.',
  );
  await expect.poll(async () => (await heard(page, 'rapport:question-asked')).map((event) => event.detail)).toEqual([
    { sku: FIRST_PRODUCT_SKU },
  ]);

  // An in-stock product saved from the also-bought tiles shows in the wish list on the same page, which asks the
  // store's cart to add it.
  const related = await readyWidget(page, 'rapport-also-bought');
  const tile = related.locator('li.shop-tile', { has: page.locator('.rapport-stock--in') }).first();
  const sku = /\/products\/(.+)$/.exec((await tile.locator('a.shop-tile__link').getAttribute('href'))!)![1];
  await tile.locator('button.rapport-wishlist-button__heart').click();
  await expect(tile.locator('button.rapport-wishlist-button__heart')).toHaveAttribute('aria-pressed', 'true');
  await page.reload();
  const wishlist = await readyWidget(page, 'rapport-wishlist');
  await expect(wishlist.locator(`li.rapport-wishlist__item[data-sku="${FIRST_PRODUCT_SKU}"]`)).toBeVisible();
  const item = wishlist.locator(`li.rapport-wishlist__item[data-sku="${sku}"]`);
  await item.getByRole('button', { name: 'Add to cart' }).click();
  await expect.poll(async () => (await heard(page, 'rapport:add-to-cart')).map((event) => [event.detail, event.target])).toEqual([
    [{ sku, quantity: 1 }, 'rapport-wishlist'],
  ]);
});

test('widgets added after the page loaded come to life, and follow a change of language', { tag: '@js-only' }, async ({ page }) => {
  await page.goto(`${store.origin}/`);
  await readyWidget(page, 'rapport-reviews');
  await page.evaluate(() => {
    const later = document.getElementById('later')!;
    later.insertAdjacentHTML('beforeend', '<rapport-wishlist-button product="KIT-00002" id="added"></rapport-wishlist-button>');
  });
  const added = await readyWidget(page, '#added');
  await expect(added.locator('.rapport-wishlist-button__label')).toHaveText('Save to wish list');

  await added.evaluate((element) => element.setAttribute('lang', 'zh-CN'));
  await expect(added.locator('.rapport-wishlist-button__label')).toHaveText('加入心愿单');
  await page.locator('rapport-reviews').evaluate((element) => element.setAttribute('lang', 'zh'));
  await expect(page.locator('rapport-reviews h2').first()).toHaveText('顾客评价');
  // Prices follow the language too: English writes the renminbi CN¥, Chinese the yen sign alone.
  const alert = await readyWidget(page, 'rapport-price-alert');
  const legend = alert.locator('.rapport-price-alert__rules legend');
  await expect(legend).toContainText(/CN¥\d/);
  await alert.evaluate((element) => element.setAttribute('lang', 'zh-CN'));
  await expect(legend).toContainText(/^[^C]*¥\d/);

  // Moved within the page (a single-page store re-rendering), it is the same live widget, not a new one.
  const kept = await added.evaluate((element) => {
    const mark = element.shadowRoot!.querySelector('.rapport-embed') as HTMLElement;
    mark.dataset.mark = 'before the move';
    const parent = element.parentElement!;
    element.remove();
    parent.prepend(element);
    return new Promise((resolve) => setTimeout(() => resolve(mark.isConnected && mark.dataset.mark), 50));
  });
  expect(kept).toBe('before the move');
  await expect(added.locator('.rapport-wishlist-button__label')).toHaveText('加入心愿单');
});

/** A guest saves the store page's product with its heart; gives back how to read the token the browser keeps. */
async function guestSavesTheProduct(page: Page): Promise<() => Promise<string | null>> {
  await page.goto(`${store.origin}/`);
  const heart = (await readyWidget(page, 'rapport-wishlist-button')).locator('button.rapport-wishlist-button__heart');
  await heart.click();
  await expect(heart).toHaveAttribute('aria-pressed', 'true');
  const kept = () => page.evaluate(() => localStorage.getItem('rapport.token'));
  expect(await kept()).toMatch(/^v1\.g\./);
  return kept;
}

test('a guest who saved a product keeps it when the store signs them in without a page load', { tag: '@js-only' }, async ({ page }) => {
  const kept = await guestSavesTheProduct(page);

  // A single-page store's sign-in: the shopper's signed token arrives in the head, and the page stays.
  const token = await newShopper(page.request, 'adopted');
  await page.evaluate((content) => {
    const meta = document.createElement('meta');
    meta.name = 'rapport-shopper-token';
    meta.content = content;
    document.head.append(meta);
  }, token);
  // The guest's saves moved to the shopper, so the browser forgets the guest.
  await expect.poll(kept).toBeNull();

  // Seen later as that shopper alone, the product is on their list.
  await page.goto(`${store.origin}/?token=${token}`);
  const again = (await readyWidget(page, 'rapport-wishlist-button')).locator('button.rapport-wishlist-button__heart');
  await expect(again).toHaveAttribute('aria-pressed', 'true');
});

test("a guest who saved a product and signs in on a page of star badges alone keeps it", { tag: '@js-only' }, async ({ page }) => {
  const kept = await guestSavesTheProduct(page);
  const token = await newShopper(page.request, 'starred');
  const wasm: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('.wasm')) wasm.push(request.url());
  });
  // The star badges need no WASM, but the guest's saves still move to the shopper the page names, once.
  await page.goto(`${store.origin}/category?skus=${FIRST_PRODUCT_SKU}&hearts=0&token=${token}`);
  await readyWidget(page, 'rapport-stars');
  await expect.poll(kept).toBeNull();
  expect(wasm.length).toBeGreaterThan(0);

  // Once moved, the same page fetches no WASM again.
  wasm.length = 0;
  await page.reload();
  await readyWidget(page, 'rapport-stars');
  await page.waitForLoadState('networkidle');
  expect(wasm).toEqual([]);
  await page.goto(`${store.origin}/?token=${token}`);
  const heart = (await readyWidget(page, 'rapport-wishlist-button')).locator('button.rapport-wishlist-button__heart');
  await expect(heart).toHaveAttribute('aria-pressed', 'true');
});

test('a cached store page names its shopper from script, and the guest\'s saves follow as with the meta tag', { tag: '@js-only' }, async ({ page }) => {
  const kept = await guestSavesTheProduct(page);
  const token = await newShopper(page.request, 'identified');
  const refused = await page.evaluate(() => {
    try {
      (window as any).Rapport.identify('v1.g.not-a-shopper');
      return null;
    } catch (error) {
      return `${(error as Error).name}: ${(error as Error).message}`;
    }
  });
  expect(refused).toMatch(/^TypeError: Rapport.identify takes the shopper's token/);

  const changes = page.evaluate(
    () => new Promise((resolve) => window.addEventListener('rapport:identity-change', (event) => resolve((event as CustomEvent).detail), { once: true })),
  );
  await page.evaluate((token) => (window as any).Rapport.identify(token), token);
  expect(await changes).toEqual({ signed_in: true });
  await expect.poll(kept).toBeNull();
  const heart = page.locator('rapport-wishlist-button button.rapport-wishlist-button__heart');
  await expect(heart).toHaveAttribute('aria-pressed', 'true');

  // Signing out leaves this browser a fresh guest, with nothing saved.
  await page.evaluate(() => (window as any).Rapport.signOut());
  await expect(page.locator('meta[name="rapport-shopper-token"]')).toHaveCount(0);
  await expect(heart).toHaveAttribute('aria-pressed', 'false');
});

test("shopper manages their alerts and sees their review points in the store's own account page", { tag: '@js-only' }, async ({ page }) => {
  const token = await newShopper(page.request, 'account');
  await page.goto(`${store.origin}/products/${FIRST_PRODUCT_SKU}?token=${token}`);
  const alert = await readyWidget(page, 'rapport-price-alert');
  await alert.getByRole('button', { name: 'Notify me when the price drops' }).click();
  await expect(alert.getByTestId('current-alert')).toContainText('You will be told of any price drop');

  await page.goto(`${store.origin}/?token=${token}`);
  const mine = await readyWidget(page, 'rapport-my-alerts');
  const listed = mine.locator(`li[data-sku="${FIRST_PRODUCT_SKU}"]`);
  await expect(listed.locator('a')).toHaveAttribute('href', `/products/${FIRST_PRODUCT_SKU}`);
  const rises = mine.getByRole('checkbox');
  await rises.check();
  await expect(mine.locator('[role="alert"]')).toHaveCount(0);
  await listed.getByRole('button', { name: 'Cancel alert' }).click();
  await expect(listed).toHaveCount(0);
  const points = await readyWidget(page, 'rapport-review-points');
  await expect(points.getByRole('heading', { name: 'Review points' })).toBeVisible();
  await expect(points.locator('.rapport-review-points__sign-in')).toHaveCount(0);

  // The choice and the cancellation hold on the next page; a guest is asked to sign in for points.
  await page.reload();
  const again = await readyWidget(page, 'rapport-my-alerts');
  await expect(again.getByRole('checkbox')).toBeChecked();
  await expect(again.locator(`li[data-sku="${FIRST_PRODUCT_SKU}"]`)).toHaveCount(0);
  await page.goto(`${store.origin}/`);
  const guest = await readyWidget(page, 'rapport-review-points');
  await expect(guest.locator('.rapport-review-points__sign-in a')).toHaveAttribute('href', '/login');
});

test("shopper turns review requests off in the store's own account page, and the choice holds", { tag: '@js-only' }, async ({ page }) => {
  const token = await newShopper(page.request, 'preferences');
  await page.goto(`${store.origin}/?token=${token}`);
  const preferences = await readyWidget(page, 'rapport-email-preferences');
  const requests = preferences.getByRole('switch', { name: 'Requests to review what you bought' });
  const reminders = preferences.getByRole('switch', { name: 'Reminders of orders you have not paid' });
  await expect(requests).toBeChecked();
  await expect(reminders).toBeChecked();
  await requests.uncheck();
  await expect(requests).not.toBeChecked();
  await expect(requests).toBeEnabled();
  await expect(preferences.locator('[role="alert"]')).toHaveCount(0);

  await page.reload();
  const again = await readyWidget(page, 'rapport-email-preferences');
  await expect(again.getByRole('switch', { name: 'Requests to review what you bought' })).not.toBeChecked();
  await expect(again.getByRole('switch', { name: 'Reminders of orders you have not paid' })).toBeChecked();
  await page.goto(`${store.origin}/`);
  const guest = await readyWidget(page, 'rapport-email-preferences');
  await expect(guest.getByRole('link', { name: 'Sign in to choose which emails you get.' })).toHaveAttribute('href', '/login');
});

test('a guest who saved a product keeps it on the next page, which names them signed in', { tag: '@js-only' }, async ({ page }) => {
  const kept = await guestSavesTheProduct(page);

  // The shopper signs in on the store's own page; its next page names them. The move starts with the WASM,
  // before any widget is mounted.
  const token = await newShopper(page.request, 'next-page');
  await page.goto(`${store.origin}/?token=${token}`);
  await expect.poll(kept).toBeNull();
  const again = (await readyWidget(page, 'rapport-wishlist-button')).locator('button.rapport-wishlist-button__heart');
  await expect(again).toHaveAttribute('aria-pressed', 'true');
});

test("the page's theme reaches inside the widgets", { tag: '@js-only' }, async ({ page }) => {
  await page.goto(`${store.origin}/?theme=dark`);
  const widget = await readyWidget(page, 'rapport-reviews');
  const section = widget.locator('section.rapport-reviews');
  const textColour = () => section.evaluate((element) => getComputedStyle(element).color);
  // Rapport's example dark theme, put on the page's <html>, sets --rapport-color-text to #e6edf3.
  await expect.poll(textColour).toBe('rgb(230, 237, 243)');

  // A store's own value for a token, set on its page, wins over the theme and Rapport's defaults.
  await page.evaluate(() => document.documentElement.style.setProperty('--rapport-color-text', 'rgb(1, 2, 3)'));
  await expect.poll(textColour).toBe('rgb(1, 2, 3)');
});

test('a page of an origin the merchant did not allow is refused', { tag: '@js-only' }, async ({ page }) => {
  // From the allowed store's page, its own script may call a widget's server function with the shopper's token.
  const token = await newShopper(page.request, 'origins');
  const asked = page.waitForRequest((request) => new URL(request.url()).pathname.startsWith('/api/wishlist_states'));
  await page.goto(`${store.origin}/?token=${token}`);
  const request = await asked;
  const [call, body] = [request.url(), request.postData() ?? ''];
  const callFromPage = () =>
    page.evaluate(
      async ([url, token, body]) => {
        try {
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'x-rapport-token': token, 'content-type': 'application/x-www-form-urlencoded' },
            body,
          });
          return `answered ${response.status}`;
        } catch {
          return 'refused';
        }
      },
      [call, token, body],
    );
  expect(await callFromPage()).toBe('answered 200');

  // A page of another origin gets no widgets, and its script cannot make the same call.
  await page.goto(`${stranger.origin}/`);
  const widget = page.locator('rapport-reviews');
  await widget.scrollIntoViewIfNeeded();
  await expect(widget).toHaveAttribute('data-rapport', 'error');
  await expect(widget.getByRole('alert')).toHaveText('This part of the page could not load.');
  expect(await callFromPage()).toBe('refused');
});

test('widgets work in a page with a strict Content Security Policy', { tag: '@js-only' }, async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  const token = await newShopper(page.request, 'csp');
  const storePage = `${store.origin}/?csp=1&token=${token}`;
  expect((await page.request.get(storePage)).headers()['content-security-policy']).toContain("script-src " + RAPPORT + " 'wasm-unsafe-eval'");
  await page.goto(storePage);
  for (const tag of ['rapport-wishlist-button', 'rapport-reviews', 'rapport-feed', 'rapport-stars']) {
    await readyWidget(page, tag);
  }
  // The star badge's fill is set through the CSSOM, which the policy allows where it refuses style attributes.
  const glyphs = page.locator('main > rapport-stars .rapport-stars__glyphs');
  expect(await glyphs.evaluate((stars) => getComputedStyle(stars).getPropertyValue('--rapport-stars-fill'))).toMatch(/^\d+%$/);
  const heart = page.locator('rapport-wishlist-button button.rapport-wishlist-button__heart');
  // Styled by the widgets' stylesheet, which the shadow roots adopt (fetched as data, so `style-src` has no say).
  expect(await heart.evaluate((button) => getComputedStyle(button).cursor)).toBe('pointer');
  await heart.click();
  await expect(heart).toHaveAttribute('aria-pressed', 'true');
  expect(violations).toEqual([]);
});

test('embedded widgets pass an accessibility check in English and Chinese, signed in and as a guest', { tag: '@js-only' }, async ({ page }) => {
  test.setTimeout(120_000);
  const token = await newShopper(page.request, 'axe');
  for (const lang of ['en', 'zh-CN']) {
    for (const who of [`&token=${token}`, '']) {
      await page.goto(`${store.origin}/products/${FIRST_PRODUCT_SKU}?lang=${lang}${who}`);
      for (const tag of WIDGETS) {
        await readyWidget(page, tag);
      }
      await expect(page.locator('rapport-reviews .rapport-embed')).toHaveAttribute('lang', lang);
      const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
      const serious = results.violations
        .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
        .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
      expect(serious, `${lang}, ${who ? 'signed in' : 'guest'}`).toEqual([]);
    }
  }
});

test('merchant copies the snippets for a product, and a front-end developer browses the gallery', { tag: '@js-only' }, async ({ page }) => {
  await page.goto(`${RAPPORT}/embed?sku=${FIRST_PRODUCT_SKU}&lang=en`);
  await expect(page.locator('pre[data-widget="rapport-reviews"]')).toHaveText(
    `<rapport-reviews product="${FIRST_PRODUCT_SKU}"></rapport-reviews>`,
  );
  await expect(page.locator('pre').first()).toHaveText(
    `<script src="${RAPPORT}/embed.js" async></script>\n<link rel="stylesheet" href="${RAPPORT}/rapport-theme.css">`,
  );
  // Each widget's settings beside its snippet, with a count's default and range.
  await expect(page.locator('[data-settings="rapport-feed"] code')).toHaveText('per-section="8" (3–24)');
  await expect(page.locator('[data-settings="rapport-wishlist-button"] code')).toHaveText('compact');
  await expect(page.locator('[data-settings="rapport-tier-badge"]')).toHaveCount(0);
  await page.goto(`${RAPPORT}/embed?sku=NO-SUCH-SKU&lang=en`);
  await expect(page.getByRole('alert')).toContainText('There is no such product.');
  await expect(page.locator('pre[data-widget]')).toHaveCount(0);

  await page.goto(`${RAPPORT}/gallery?lang=en`);
  const looks = page.locator('section[data-widget="rapport-reviews"] [data-theme]');
  await expect(looks).toHaveCount(4);
  for (const look of await looks.all()) {
    const widget = look.locator('rapport-reviews');
    await widget.scrollIntoViewIfNeeded();
    await expect(widget).toHaveAttribute('data-rapport', 'ready');
  }
  await expect(page.locator('[data-theme="dark"] rapport-reviews h2').first()).toHaveText('顾客评价');
  // The narrow column stacks the reviews; the full-width one (on this 1,280 px window) puts the summary beside them.
  const columns = (width: string) =>
    page.locator(`section[data-widget="rapport-reviews"] [data-width="${width}"] rapport-reviews`).evaluate((element) =>
      getComputedStyle(element.shadowRoot!.querySelector('.rapport-reviews')!).gridTemplateColumns.split(' ').length,
    );
  expect(await columns('narrow')).toBe(1);
  expect(await columns('wide')).toBe(2);
  const states = page.locator('section[data-widget="states"]');
  await states.scrollIntoViewIfNeeded();
  await expect(states.locator('[data-state="loading"] rapport-reviews')).toHaveAttribute('data-rapport', 'loading');
  await expect(states.locator('[data-state="error"] rapport-also-bought')).toHaveAttribute('data-rapport', 'error');
  await expect(states.locator('[data-state="error"] rapport-also-bought .rapport-error')).toContainText('unknown product "NO-SUCH-SKU"');
  await expect(states.locator('[data-state="missing-product"] rapport-wishlist-button')).toHaveAttribute('data-rapport', 'error');
  await expect(states.locator('[data-state="missing-product"] [role="alert"]')).toContainText('needs a product attribute');
  await states.locator('[data-state="loading"] rapport-reviews').evaluate((element) => (element as HTMLElement & { load(): Promise<void> }).load());
  await expect(states.locator('[data-state="loading"] rapport-reviews')).toHaveAttribute('data-rapport', 'ready');
});

test('a returning shopper\'s browser keeps the widgets\' files, checks only the loader again, and gets all compressed', async ({ request }) => {
  // The loader and the theme keep their URLs (stores paste them): kept five minutes, then checked again with a tag.
  for (const file of ['/embed.js', '/rapport-theme.css']) {
    const pasted = await request.get(`${RAPPORT}${file}`, { headers: { 'Accept-Encoding': 'br' } });
    expect(pasted.status(), file).toBe(200);
    expect(pasted.headers()['content-encoding'], file).toBe('br');
    expect(pasted.headers()['cache-control'], file).toBe('public, max-age=300');
    const tag = pasted.headers()['etag'];
    expect(tag, file).toMatch(/^W\/"[0-9a-f]{16}"$/);
    const unchanged = await request.get(`${RAPPORT}${file}`, { headers: { 'If-None-Match': tag } });
    expect(unchanged.status(), file).toBe(304);
    expect(unchanged.headers()['etag'], file).toBe(tag);
    const other = await request.get(`${RAPPORT}${file}`, { headers: { 'If-None-Match': 'W/"0000000000000000"' } });
    expect(other.status(), file).toBe(200);
  }

  // It names the widgets' files by their content (a build's folder): kept a year, as a
  // release brings new names, and sent compressed as they were made at build time. Each chunk of the widgets' code
  // is named with the files it needs.
  const { glue, wasm, style, chunks, chunkOf } = publishedIn(await (await request.get(`${RAPPORT}/embed.js`)).text());
  expect(glue).toMatch(/^\/widgets\/[0-9a-f]{16}\/rapport-widgets\.js$/);
  expect(wasm).toMatch(/^\/widgets\/[0-9a-f]{16}\/rapport-widgets_bg\.wasm$/);
  expect(style).toMatch(/^\/widgets\/[0-9a-f]{16}\/rapport-widgets\.css$/);
  expect(chunkOf['rapport-reviews']).toBe('product');
  const build = glue.slice(0, glue.lastIndexOf('/') + 1);
  const chunkFiles = [...new Set(Object.values(chunks).flat().map((stem) => `${build}${stem}.wasm`))];
  expect(chunkFiles.length).toBeGreaterThanOrEqual(4);
  for (const file of [glue, wasm, style, `${build}rapport-chunks.js`, ...chunkFiles]) {
    for (const encoding of ['br', 'gzip']) {
      const sent = await request.get(`${RAPPORT}${file}`, { headers: { 'Accept-Encoding': encoding } });
      expect(sent.status(), file).toBe(200);
      expect(sent.headers()['content-encoding'], file).toBe(encoding);
      expect(sent.headers()['cache-control'], file).toBe('public, max-age=31536000, immutable');
    }
  }
  // The storefront's pages name its bundle in a folder named by its content too, kept a year and sent compressed.
  const home = await (await request.get(`${RAPPORT}/?lang=en`)).text();
  const bundle = [...home.matchAll(/href="([^"]*\/pkg\/[^"]+)"/g)].map((found) => found[1]);
  const storefront = [...new Set(bundle.map((url) => new URL(url, RAPPORT).pathname))];
  expect(storefront).toEqual(
    expect.arrayContaining([expect.stringMatching(/^\/pkg\/[0-9a-f]{16}\/rapport\.css$/), expect.stringMatching(/^\/pkg\/[0-9a-f]{16}\/rapport\.js$/), expect.stringMatching(/^\/pkg\/[0-9a-f]{16}\/rapport_bg\.wasm$/)]),
  );
  for (const file of storefront) {
    const sent = await request.get(`${RAPPORT}${file}`, { headers: { 'Accept-Encoding': 'br' } });
    expect(sent.status(), file).toBe(200);
    expect(sent.headers()['content-encoding'], file).toBe('br');
    expect(sent.headers()['cache-control'], file).toBe('public, max-age=31536000, immutable');
  }
  // A store page's calls with the shopper's token are preflighted once, then the answer is reused.
  const preflight = await request.fetch(`${RAPPORT}/api/wishlist_states`, {
    method: 'OPTIONS',
    headers: { Origin: store.origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-rapport-token' },
  });
  expect(preflight.headers()['access-control-max-age']).toBe('7200');
  // The elements' manifest and TypeScript declarations, for a front-end developer's editor and build.
  const manifest = await request.get(`${RAPPORT}/custom-elements.json`);
  expect(manifest.headers()['content-type']).toContain('application/json');
  const tags = (await manifest.json()).modules[0].declarations.map((element: { tagName: string }) => element.tagName);
  expect(tags).toEqual(expect.arrayContaining(['rapport-reviews', 'rapport-recently-viewed']));
  const declarations = await request.get(`${RAPPORT}/rapport-widgets.d.ts`);
  expect(declarations.headers()['content-type']).toBe('text/plain; charset=utf-8');
  expect(declarations.headers()['cache-control']).toBe('no-cache');
  expect(await declarations.text()).toContain("'rapport-recently-viewed': RapportRecentlyViewedElement;");
});

test("a guest's cart on a store page follows them at sign-in, and only what stayed in it is told of a price drop", { tag: '@js-only' }, async ({ page }) => {
  const stamp = Date.now();
  const [kettle, mug] = [`EMB-CART-${stamp}-K`, `EMB-CART-${stamp}-M`];
  const auth = { Authorization: `Bearer ${MERCHANT_KEY}` };
  // In a category of their own, so that the demo's category pages other tests read stay as they were.
  const category = await page.request.put(`${RAPPORT}/api/v1/categories`, {
    headers: auth,
    data: { categories: [{ slug: 'carts-e2e', name: 'Carts (tests)', position: 91 }] },
  });
  expect(category.status(), await category.text()).toBe(200);
  const products = await page.request.put(`${RAPPORT}/api/v1/products`, {
    headers: auth,
    data: {
      products: [
        { sku: kettle, category: 'carts-e2e', title: 'Enamel kettle', price_minor: 30_000, currency: 'CNY', stock: 5 },
        { sku: mug, category: 'carts-e2e', title: 'Stoneware mug', price_minor: 8_000, currency: 'CNY', stock: 5 },
      ],
    },
  });
  expect(products.status(), await products.text()).toBe(200);
  const shopperId = `embed-cart-${stamp}`;
  const address = `${shopperId}@example.com`;
  const shoppers = await page.request.put(`${RAPPORT}/api/v1/shoppers`, {
    headers: auth,
    data: { shoppers: [{ shopper_id: shopperId, display_name: 'Embed cart', email: address }] },
  });
  expect(shoppers.status(), await shoppers.text()).toBe(200);

  // As a guest, the store's cart takes both and gives the mug back.
  await page.goto(`${store.origin}/products/${kettle}`);
  await expect(page.locator('rapport-product-view')).toHaveAttribute('data-rapport', 'ready');
  const track = (kind: string, sku: string) => page.evaluate(([kind, sku]) => (window as any).Rapport.track(kind, { sku }), [kind, sku]);
  await track('cart', kettle);
  await track('cart', mug);
  await track('uncart', mug);
  const refused = await page.evaluate(() => (window as any).Rapport.track('uncart', { sku: 'NO-SUCH-PRODUCT' }).then(() => 'recorded', (error: Error) => error.message));
  expect(refused).toContain('unknown product');

  await page.evaluate((token) => (window as any).Rapport.identify(token), shopperToken(shopperId));
  const cart = async () => (await (await page.request.get(`${RAPPORT}/api/v1/carts/${shopperId}`, { headers: auth })).json()).lines.map((line: { sku: string }) => line.sku);
  await expect.poll(cart).toEqual([kettle]);

  for (const [sku, price] of [[mug, 6_000], [kettle, 24_000]] as const) {
    const drop = await page.request.post(`${RAPPORT}/api/v1/prices`, { headers: auth, data: { prices: [{ sku, price_minor: price, currency: 'CNY' }] } });
    expect(drop.status(), await drop.text()).toBe(200);
  }
  const email = await nthEmailTo(address, 1);
  expect(decodeWords(email.headers.get('subject') ?? '')).toBe('Cheaper now in your cart: Enamel kettle is CN¥240.00');
  expect(emailsTo(address)).toHaveLength(1);
});
