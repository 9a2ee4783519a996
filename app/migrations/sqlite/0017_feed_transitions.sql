-- "What came next" (app/src/feed/transitions.rs): per product, the moves shoppers made from it to the products
-- they touched within the next few steps, as "id:weight:shoppers …" (all of them: a refresh takes away what a
-- shopper counted before and adds what they count now), and the likeliest successors drawn from them,
-- "id:chance:shoppers …", likeliest first, which the feed and the product page read by key. Written only by the
-- background refresh; no foreign key, as products are never deleted.
CREATE TABLE product_transitions (
    product_id BIGINT PRIMARY KEY,
    moves      TEXT   NOT NULL,
    successors TEXT   NOT NULL
);

-- Whether product_transitions was built from every event: until then a refresh builds it whole (a store that
-- had events before this migration), after that it adds the new events' moves.
ALTER TABLE feed_refresh ADD COLUMN transitions_built BIGINT NOT NULL DEFAULT 0
    CHECK (transitions_built IN (0, 1));
