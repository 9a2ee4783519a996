-- What each shopper (or guest) has in the store's cart, as Rapport hears of it: from the pages' cart events
-- (app/src/carts/server.rs) and from the store's server (PUT /api/v1/carts/{shopper_id}). The cart itself is
-- the store's; these lines are kept to tell a shopper when something in their cart gets cheaper
-- (app/src/flows/cart_price_drops.rs). A line leaves when the shopper removes or buys the product.
CREATE TABLE cart_lines (
    id               INTEGER PRIMARY KEY,
    shopper_id       INTEGER REFERENCES shoppers(id),
    guest_id         TEXT,
    product_id       INTEGER NOT NULL REFERENCES products(id),
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    -- The price a drop is measured against: the price when the product was put in the cart, then the price of
    -- the last notice, so that only a further drop tells the shopper again.
    reference_minor  INTEGER NOT NULL,
    currency         TEXT    NOT NULL,
    carted_at        INTEGER NOT NULL,
    -- When the store last showed the line still in the cart (an addition, a snapshot): older carts are
    -- abandoned and told nothing.
    seen_at          INTEGER NOT NULL,
    last_notified_at INTEGER,
    CHECK ((shopper_id IS NULL) <> (guest_id IS NULL))
);
CREATE UNIQUE INDEX cart_lines_shopper ON cart_lines (shopper_id, product_id) WHERE shopper_id IS NOT NULL;
CREATE UNIQUE INDEX cart_lines_guest ON cart_lines (guest_id, product_id) WHERE guest_id IS NOT NULL;
CREATE INDEX cart_lines_product ON cart_lines (product_id);

-- Messages of a new kind: a price drop of something in the shopper's cart. SQLite changes a CHECK only by copying
-- the table, which keeps every id (AUTOINCREMENT, as in 0021) and every column added since.
CREATE TABLE messages_next (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT    NOT NULL CHECK (kind IN ('question_answered', 'review_request', 'unpaid_order',
                                                     'cart_price_drop')),
    dedupe_key      TEXT    NOT NULL,
    shopper_id      INTEGER NOT NULL REFERENCES shoppers(id),
    email           TEXT    NOT NULL,
    locale          TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    claimed_by      TEXT,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    opened_at       INTEGER,
    clicked_at      INTEGER,
    tracked         INTEGER NOT NULL DEFAULT 0 CHECK (tracked IN (0, 1)),
    channel         TEXT    NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'webhook')),
    UNIQUE (kind, dedupe_key)
);
INSERT INTO messages_next SELECT id, kind, dedupe_key, shopper_id, email, locale, body, status, attempts, claimed_by,
    next_attempt_at, last_error, created_at, sent_at, opened_at, clicked_at, tracked, channel FROM messages;
-- The copy carries on the counter too: a withdrawn message's id, gone from the rows, must not come back.
UPDATE sqlite_sequence SET seq = MAX(seq, (SELECT seq FROM sqlite_sequence WHERE name = 'messages'))
    WHERE name = 'messages_next';
INSERT INTO sqlite_sequence (name, seq) SELECT 'messages_next', seq FROM sqlite_sequence
    WHERE name = 'messages' AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'messages_next');
DROP TABLE messages;
ALTER TABLE messages_next RENAME TO messages;
CREATE INDEX messages_due ON messages (status, next_attempt_at);
CREATE INDEX messages_created ON messages (created_at);
CREATE INDEX messages_shopper ON messages (shopper_id, created_at);
