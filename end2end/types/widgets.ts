/**
 * Compiled, never run: `tsc` (in `./rapport test`) checks that the TypeScript declarations served beside the loader
 * (public/rapport-widgets.d.ts, generated from the widget registry) describe the elements, events and
 * `window.Rapport` as a store's own code uses them. Each `@ts-expect-error` is a mistake they must catch.
 */
import type { RapportEventDetails, RapportFeedElement } from '../../public/rapport-widgets';

export function storeCode(): void {
  const feed: RapportFeedElement | null = document.querySelector('rapport-feed');
  if (feed) {
    feed.perSection = 4;
    // @ts-expect-error: a count is a number
    feed.perSection = 'four';
  }
  const heart = document.querySelector('rapport-wishlist-button');
  if (heart) {
    heart.compact = true;
    const sku: string | null = heart.product;
    void sku;
    void heart.load();
  }
  const reviews = document.createElement('rapport-reviews');
  reviews.productName = 'Hilltop Kettle';
  // @ts-expect-error: the feed is about no one product
  void document.querySelector('rapport-feed')?.product;

  window.addEventListener('rapport:wishlist-change', (event) => {
    const saved: boolean = event.detail.saved;
    void saved;
  });
  document.body.addEventListener('rapport:review-submitted', (event) => {
    // @ts-expect-error: a review is pending or published
    const status: 'draft' = event.detail.status;
    void status;
  });
  const added: RapportEventDetails['rapport:add-to-cart'] = { sku: 'KIT-00001', quantity: 1 };
  void added;

  void window.Rapport.track('cart', { sku: 'KIT-00001', quantity: 2 });
  // @ts-expect-error: Rapport records views and cart additions only
  void window.Rapport.track('buy', { sku: 'KIT-00001' });
  void window.Rapport.guestId().then((guest) => guest?.startsWith('g'));
}
