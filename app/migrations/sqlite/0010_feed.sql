-- The personalised feed. Products of a repeatable category (coffee, groceries) stay recommendable after a
-- shopper bought them; others are not recommended again.
ALTER TABLE categories ADD COLUMN repeatable INTEGER NOT NULL DEFAULT 0 CHECK (repeatable IN (0, 1));

-- The feed asks whether the viewer bought or dismissed each of its candidate products, however long ago: these
-- indexes hold those events only (a small share), so a shopper with a long history costs no more than another.
CREATE INDEX shopper_events_kept ON shopper_events (shopper_id, product_id, kind)
    WHERE kind IN ('purchased', 'dismissed');
CREATE INDEX shopper_events_kept_by_guest ON shopper_events (guest_id, product_id, kind)
    WHERE kind IN ('purchased', 'dismissed');

-- Each product's most similar products, per list: 'interest' (every kind of event, for the home feed), 'bought'
-- (purchases only: "customers who bought this also bought") and 'viewed' (views only). One row holds a whole
-- list as "id:score id:score …", most similar first, so that a feed reads a few rows by key and a rebuild writes
-- one row per product instead of forty. `norm` is the length of the product's interest vector over shoppers: a
-- partial refresh scores the products it recomputes against the stored norms of those it does not reload.
-- Written only by the background refresh (app/src/feed/ssr.rs); no foreign key, as products are never deleted.
CREATE TABLE product_neighbours (
    list        TEXT    NOT NULL CHECK (list IN ('interest', 'bought', 'viewed')),
    product_id  INTEGER NOT NULL,
    norm        REAL    NOT NULL,
    neighbours  TEXT    NOT NULL,
    PRIMARY KEY (list, product_id)
);

-- What sells and what is rising, for cold-start sections and "Popular in <category>": the best of each category,
-- recomputed by the refresh. `sold` counts purchases in the last 30 days; `trending` weighs the last 7 days'
-- events against the 28 days before.
CREATE TABLE product_popularity (
    product_id  INTEGER PRIMARY KEY,
    category_id INTEGER NOT NULL,
    sold        INTEGER NOT NULL,
    trending    REAL    NOT NULL
);
CREATE INDEX product_popularity_sold ON product_popularity (category_id, sold);

-- How far the refresh has read: every event with an id up to `through_event_id` is in product_neighbours.
CREATE TABLE feed_refresh (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    through_event_id INTEGER NOT NULL,
    full_build_at    INTEGER,
    popularity_at    INTEGER
);
INSERT INTO feed_refresh (id, through_event_id) VALUES (1, 0);

-- When a shopper or guest last cleared their "Recently viewed"; views before it are not shown. (Signing out
-- needs no row: the browser then holds a new guest token, whose list starts empty.) `viewer` is 's:<shopper row id>' or 'g:<guest id>'.
CREATE TABLE recently_viewed_cleared (
    viewer     TEXT    PRIMARY KEY,
    cleared_at INTEGER NOT NULL
);
