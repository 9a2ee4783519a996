-- "What came next" (app/src/feed/transitions.rs): per product, the likeliest successors, "id:chance:shoppers …",
-- likeliest first, which the feed and the product page read by key, and the moves shoppers made from it to the
-- products they touched within the next few steps, as "id:weight:shoppers …" (all of them: a refresh takes away
-- what a shopper counted before and adds what they count now). The successors come first: a best seller's moves
-- run to a megabyte, which SQLite would otherwise read through to reach them. Written only by the background
-- refresh; no foreign key, as products are never deleted.
CREATE TABLE product_transitions (
    product_id BIGINT PRIMARY KEY,
    successors TEXT   NOT NULL,
    moves      TEXT   NOT NULL
);

-- The rules (app/src/feed/transitions.rs) the stored transitions were counted by; '' until they are counted from
-- every event, and while a full build rewrites them. A refresh that finds other rules (a store that had events
-- before this migration, a release that changed them) builds them whole; otherwise it adds the new events' moves.
ALTER TABLE feed_refresh ADD COLUMN transitions_rules TEXT NOT NULL DEFAULT '';
