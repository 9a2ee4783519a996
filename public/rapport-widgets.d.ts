// Rapport's embedded widgets for TypeScript: the elements the loader (embed.js) defines, the DOM events they
// send and `window.Rapport`. Generated from the widget registry (app/src/embed/mod.rs) by its tests.

/** What every Rapport element has. */
export interface RapportWidgetElement extends HTMLElement {
  /** Loads the widget now (for `loading="manual"`). */
  load(): Promise<void>;
}

/** `<rapport-reviews>`: The product's reviews: stars, sorting and filters, helpfulness votes, and the form to write one. */
export interface RapportReviewsElement extends RapportWidgetElement {
  /** The product's SKU, as in the store's catalogue. */
  product: string | null;
  /** The product's name: the reviews then add its schema.org JSON-LD to the page's head. Mirrors the `product-name` attribute. */
  productName: string | null;
}

/** `<rapport-wishlist-button>`: A heart that saves the product to the shopper's wish list. */
export interface RapportWishlistButtonElement extends RapportWidgetElement {
  /** The product's SKU, as in the store's catalogue. */
  product: string | null;
  /** The card form: the heart alone, no count and no list chooser. Mirrors the `compact` attribute. */
  compact: boolean;
}

/** `<rapport-wishlist>`: The shopper's wish lists, with prices, sharing and adding to the cart. */
export interface RapportWishlistElement extends RapportWidgetElement {
}

/** `<rapport-price-alert>`: Sign-up for an email when the product's price drops or it is back in stock. */
export interface RapportPriceAlertElement extends RapportWidgetElement {
  /** The product's SKU, as in the store's catalogue. */
  product: string | null;
}

/** `<rapport-alert-inbox>`: A bell with the signed-in shopper's unread alerts. */
export interface RapportAlertInboxElement extends RapportWidgetElement {
}

/** `<rapport-tier-badge>`: The signed-in shopper's member tier. */
export interface RapportTierBadgeElement extends RapportWidgetElement {
}

/** `<rapport-tier-progress>`: How far the shopper is from the next member tier, and its benefits. */
export interface RapportTierProgressElement extends RapportWidgetElement {
}

/** `<rapport-feed>`: The shopper's personalised home feed, in sections. */
export interface RapportFeedElement extends RapportWidgetElement {
  /** Cards per section at most. From 3 to 24; 8 when unset. Mirrors the `per-section` attribute. */
  perSection: number;
}

/** `<rapport-also-bought>`: Customers who bought this product also bought. */
export interface RapportAlsoBoughtElement extends RapportWidgetElement {
  /** The product's SKU, as in the store's catalogue. */
  product: string | null;
  /** Products shown at most. From 1 to 24; 8 when unset. Mirrors the `limit` attribute. */
  limit: number;
}

/** `<rapport-also-viewed>`: Customers who viewed this product also viewed. */
export interface RapportAlsoViewedElement extends RapportWidgetElement {
  /** The product's SKU, as in the store's catalogue. */
  product: string | null;
  /** Products shown at most. From 1 to 24; 8 when unset. Mirrors the `limit` attribute. */
  limit: number;
}

/** `<rapport-went-on-to>`: Customers who viewed this product went on to: what shoppers touched next, in the order they did. */
export interface RapportWentOnToElement extends RapportWidgetElement {
  /** The product's SKU, as in the store's catalogue. */
  product: string | null;
  /** Products shown at most. From 1 to 24; 8 when unset. Mirrors the `limit` attribute. */
  limit: number;
}

/** `<rapport-my-alerts>`: The shopper's alerts, to cancel or to widen to price rises. */
export interface RapportMyAlertsElement extends RapportWidgetElement {
}

/** `<rapport-review-points>`: The review points the signed-in shopper has earned. */
export interface RapportReviewPointsElement extends RapportWidgetElement {
}

/** `<rapport-stars>`: The product's average stars and review count, for category pages and search results. */
export interface RapportStarsElement extends RapportWidgetElement {
  /** The product's SKU, as in the store's catalogue. */
  product: string | null;
}

/** `<rapport-product-view>`: Shows nothing: records that the shopper viewed the product. */
export interface RapportProductViewElement extends RapportWidgetElement {
  /** The product's SKU, as in the store's catalogue. */
  product: string | null;
}

/** `<rapport-recently-viewed>`: The products the shopper viewed lately, newest first, with a button to clear them. */
export interface RapportRecentlyViewedElement extends RapportWidgetElement {
  /** Products shown at most. From 1 to 24; 12 when unset. Mirrors the `limit` attribute. */
  limit: number;
}

/** `<rapport-questions>`: Shoppers' questions about the product with the shop's and buyers' answers, helpful votes, and the form to ask. */
export interface RapportQuestionsElement extends RapportWidgetElement {
  /** The product's SKU, as in the store's catalogue. */
  product: string | null;
}

/** `<rapport-email-preferences>`: The signed-in shopper's email preferences: each kind of email the store sends them, on or off. */
export interface RapportEmailPreferencesElement extends RapportWidgetElement {
}

/** Each DOM event's `detail` (EMBEDDING.md, "DOM events"). Every one bubbles and is composed. */
export interface RapportEventDetails {
  /** The shopper asks to add a product to the cart; the store's page adds it. */
  'rapport:add-to-cart': { sku: string; quantity: number };
  /** A heart saved the product (true) or took it out of every list (false). */
  'rapport:wishlist-change': { sku: string; saved: boolean };
  /** The shopper's review was saved; pending reviews await moderation. */
  'rapport:review-submitted': { sku: string; rating: number; status: 'pending' | 'published' };
  /** The shopper deleted their review of the product. */
  'rapport:review-deleted': { sku: string };
  /** The shopper asked about the product; the question shows once the shop publishes it. */
  'rapport:question-asked': { sku: string };
  /** An alert was set up. */
  'rapport:alert-subscribed': { sku: string; kind: 'price_drop' | 'back_in_stock' };
  /** The widget shows its content (sent by the loader). */
  'rapport:ready': null;
  /** On window: the page's shopper signed in or out. */
  'rapport:identity-change': { signed_in: boolean };
}

/** `window.Rapport`, set by the loader (EMBEDDING.md). */
export interface RapportApi {
  /** The Rapport server's origin. */
  readonly server: string;
  /** Records a product view, a cart addition or a cart removal for the page's shopper or guest. */
  track(kind: 'view' | 'cart' | 'uncart', event: { sku: string; quantity?: number }): Promise<void>;
  /** This browser's guest id, for the store's server to send the guest's events; null for a shopper. */
  guestId(): Promise<string | null>;
  /** Names the signed-in shopper with the token the store's server signed (v1.s.…). */
  identify(token: string): void;
  /** Forgets the signed-in shopper. */
  signOut(): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'rapport-reviews': RapportReviewsElement;
    'rapport-wishlist-button': RapportWishlistButtonElement;
    'rapport-wishlist': RapportWishlistElement;
    'rapport-price-alert': RapportPriceAlertElement;
    'rapport-alert-inbox': RapportAlertInboxElement;
    'rapport-tier-badge': RapportTierBadgeElement;
    'rapport-tier-progress': RapportTierProgressElement;
    'rapport-feed': RapportFeedElement;
    'rapport-also-bought': RapportAlsoBoughtElement;
    'rapport-also-viewed': RapportAlsoViewedElement;
    'rapport-went-on-to': RapportWentOnToElement;
    'rapport-my-alerts': RapportMyAlertsElement;
    'rapport-review-points': RapportReviewPointsElement;
    'rapport-stars': RapportStarsElement;
    'rapport-product-view': RapportProductViewElement;
    'rapport-recently-viewed': RapportRecentlyViewedElement;
    'rapport-questions': RapportQuestionsElement;
    'rapport-email-preferences': RapportEmailPreferencesElement;
  }
  /** Each DOM event as a listener receives it. */
  interface RapportEventMap {
    'rapport:add-to-cart': CustomEvent<RapportEventDetails['rapport:add-to-cart']>;
    'rapport:wishlist-change': CustomEvent<RapportEventDetails['rapport:wishlist-change']>;
    'rapport:review-submitted': CustomEvent<RapportEventDetails['rapport:review-submitted']>;
    'rapport:review-deleted': CustomEvent<RapportEventDetails['rapport:review-deleted']>;
    'rapport:question-asked': CustomEvent<RapportEventDetails['rapport:question-asked']>;
    'rapport:alert-subscribed': CustomEvent<RapportEventDetails['rapport:alert-subscribed']>;
    'rapport:ready': CustomEvent<RapportEventDetails['rapport:ready']>;
    'rapport:identity-change': CustomEvent<RapportEventDetails['rapport:identity-change']>;
  }
  interface HTMLElementEventMap extends RapportEventMap {}
  interface WindowEventMap extends RapportEventMap {}
  interface Window {
    Rapport: RapportApi;
  }
}
