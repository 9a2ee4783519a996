-- What followed each wish-list save, recorded as it happens, so that "Widgets at work" counts a period's rows
-- instead of reading every save of the period and every order of the saved products (BENCHMARKS.md):
-- * `fell_at`: the first fall of the product's price below the saved price (in the saved currency) within the 30
--   days after saving, set by app/src/flows/save_purchases.rs as the price changes;
-- * `save_purchases`: a product a shopper ordered within 30 days of saving it (`follows` = 'save') or within 7 days
--   of its price's fall (`follows` = 'fall'), one row per order, product and kind, for the latest save or fall
--   before the order; recorded by the same flow when the order comes in. An order cancelled or refunded in full
--   loses its rows; so does a save taken off its list (the key to the item). Its time and value are copied so that
--   a period's figures read this table alone.
ALTER TABLE wishlist_items ADD COLUMN fell_at INTEGER;
CREATE INDEX wishlist_items_saved ON wishlist_items (saved_at);

CREATE TABLE save_purchases (
    order_id    BIGINT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    product_id  BIGINT NOT NULL,
    follows     TEXT   NOT NULL CHECK (follows IN ('save', 'fall')),
    wishlist_id BIGINT NOT NULL,
    saved_at    BIGINT NOT NULL,
    -- The order's lines of the product: their quantity times unit price, in the order's currency.
    value_minor BIGINT NOT NULL,
    currency    TEXT   NOT NULL,
    PRIMARY KEY (order_id, product_id, follows),
    FOREIGN KEY (wishlist_id, product_id) REFERENCES wishlist_items (wishlist_id, product_id)
        ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX save_purchases_saved ON save_purchases (saved_at);
CREATE INDEX save_purchases_item ON save_purchases (wishlist_id, product_id);

-- The saves and orders already recorded, followed as the flow would have followed them.
UPDATE wishlist_items SET fell_at = (
    SELECT MIN(h.changed_at) FROM price_history h
    WHERE h.product_id = wishlist_items.product_id AND h.currency = wishlist_items.saved_currency
      AND h.price_minor < wishlist_items.saved_price_minor
      AND h.changed_at > wishlist_items.saved_at AND h.changed_at <= wishlist_items.saved_at + 2592000000
);

INSERT INTO save_purchases (order_id, product_id, follows, wishlist_id, saved_at, value_minor, currency)
SELECT b.order_id, b.product_id, 'save', i.wishlist_id, i.saved_at, b.value_minor, b.currency
FROM (
    SELECT o.id AS order_id, o.shopper_id, o.placed_at, o.currency, l.product_id,
           CAST(SUM(l.quantity * l.unit_price_minor) AS BIGINT) AS value_minor
    FROM orders o JOIN order_lines l ON l.order_id = o.id
    WHERE o.status = 'paid'
    GROUP BY o.id, o.shopper_id, o.placed_at, o.currency, l.product_id
) b
JOIN wishlist_items i ON i.product_id = b.product_id AND i.wishlist_id = (
    SELECT g.wishlist_id FROM wishlist_items g JOIN wishlists w ON w.id = g.wishlist_id
    WHERE w.shopper_id = b.shopper_id AND g.product_id = b.product_id AND g.saved_currency = b.currency
      AND g.saved_at < b.placed_at AND g.saved_at >= b.placed_at - 2592000000
    ORDER BY g.saved_at DESC, g.wishlist_id DESC LIMIT 1
);

INSERT INTO save_purchases (order_id, product_id, follows, wishlist_id, saved_at, value_minor, currency)
SELECT b.order_id, b.product_id, 'fall', i.wishlist_id, i.saved_at, b.value_minor, b.currency
FROM (
    SELECT o.id AS order_id, o.shopper_id, o.placed_at, o.currency, l.product_id,
           CAST(SUM(l.quantity * l.unit_price_minor) AS BIGINT) AS value_minor
    FROM orders o JOIN order_lines l ON l.order_id = o.id
    WHERE o.status = 'paid'
    GROUP BY o.id, o.shopper_id, o.placed_at, o.currency, l.product_id
) b
JOIN wishlist_items i ON i.product_id = b.product_id AND i.wishlist_id = (
    SELECT g.wishlist_id FROM wishlist_items g JOIN wishlists w ON w.id = g.wishlist_id
    WHERE w.shopper_id = b.shopper_id AND g.product_id = b.product_id AND g.saved_currency = b.currency
      AND g.fell_at < b.placed_at AND g.fell_at >= b.placed_at - 604800000
    ORDER BY g.fell_at DESC, g.wishlist_id DESC LIMIT 1
);
