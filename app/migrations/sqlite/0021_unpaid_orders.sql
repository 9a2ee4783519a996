-- Orders the store reports as placed but not paid yet (PUT /api/v1/unpaid-orders/{order_id}). They are not
-- purchases: nothing that counts what shoppers bought reads them. A set time after placing one, its buyer is
-- reminded once (app/src/flows/unpaid_reminders.rs); the order leaves this table when it is paid (recorded through
-- POST /api/v1/orders under the same number) or cancelled, and a reminder still queued is withdrawn with it.
-- AUTOINCREMENT: a paid or cancelled order's row is deleted, and its reminder is keyed by the row's id, so an id
-- must never come back for a later order.
CREATE TABLE unpaid_orders (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    external_id TEXT    NOT NULL UNIQUE,
    shopper_id  INTEGER NOT NULL REFERENCES shoppers(id),
    currency    TEXT    NOT NULL,
    total_minor INTEGER NOT NULL CHECK (total_minor >= 0),
    -- The store's page where the buyer completes the payment: the reminder's button.
    payment_url TEXT    NOT NULL,
    placed_at   INTEGER NOT NULL,
    -- When its reminder was considered: once, whether or not an email went (a buyer without an address).
    reminded_at INTEGER
);
CREATE INDEX unpaid_orders_due ON unpaid_orders (placed_at, id) WHERE reminded_at IS NULL;

CREATE TABLE unpaid_order_lines (
    unpaid_order_id  INTEGER NOT NULL REFERENCES unpaid_orders(id) ON DELETE CASCADE,
    line_no          INTEGER NOT NULL,
    product_id       INTEGER NOT NULL REFERENCES products(id),
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_minor INTEGER NOT NULL CHECK (unit_price_minor >= 0),
    PRIMARY KEY (unpaid_order_id, line_no)
);

-- Messages of a new kind: an unpaid order's reminder. SQLite changes a CHECK only by copying the table; the copy
-- never reuses an id (AUTOINCREMENT), since a withdrawn message's row is deleted and an id names an email's
-- Message-ID and its tracked links.
CREATE TABLE messages_next (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT    NOT NULL CHECK (kind IN ('question_answered', 'review_request', 'unpaid_order')),
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
    UNIQUE (kind, dedupe_key)
);
INSERT INTO messages_next SELECT id, kind, dedupe_key, shopper_id, email, locale, body, status, attempts, claimed_by,
    next_attempt_at, last_error, created_at, sent_at FROM messages;
DROP TABLE messages;
ALTER TABLE messages_next RENAME TO messages;
CREATE INDEX messages_due ON messages (status, next_attempt_at);
