-- What each shopper (or guest) has in the store's cart, as Rapport hears of it: from the pages' cart events
-- (app/src/carts/server.rs) and from the store's server (PUT /api/v1/carts/{shopper_id}). The cart itself is
-- the store's; these lines are kept to tell a shopper when something in their cart gets cheaper
-- (app/src/flows/cart_price_drops.rs). A line leaves when the shopper removes or buys the product.
CREATE TABLE cart_lines (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shopper_id       BIGINT  REFERENCES shoppers(id),
    guest_id         TEXT,
    product_id       BIGINT  NOT NULL REFERENCES products(id),
    quantity         BIGINT  NOT NULL CHECK (quantity > 0),
    -- The price a drop is measured against: the price when the product was put in the cart, then the price of
    -- the last notice, so that only a further drop tells the shopper again.
    reference_minor  BIGINT  NOT NULL,
    currency         TEXT    NOT NULL,
    carted_at        BIGINT  NOT NULL,
    -- When the store last showed the line still in the cart (an addition, a snapshot): older carts are
    -- abandoned and told nothing.
    seen_at          BIGINT  NOT NULL,
    last_notified_at BIGINT,
    CHECK ((shopper_id IS NULL) <> (guest_id IS NULL))
);
CREATE UNIQUE INDEX cart_lines_shopper ON cart_lines (shopper_id, product_id) WHERE shopper_id IS NOT NULL;
CREATE UNIQUE INDEX cart_lines_guest ON cart_lines (guest_id, product_id) WHERE guest_id IS NOT NULL;
CREATE INDEX cart_lines_product ON cart_lines (product_id);

-- Messages of a new kind: a price drop of something in the shopper's cart.
ALTER TABLE messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE messages ADD CONSTRAINT messages_kind_check
    CHECK (kind IN ('question_answered', 'review_request', 'unpaid_order', 'cart_price_drop'));
