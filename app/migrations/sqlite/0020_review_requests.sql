-- What the store reported of each order's way to the shopper (POST /api/v1/orders/{order_id}/fulfilment), and
-- when the order's review request was considered (app/src/flows/review_requests.rs): a set time after delivery,
-- once, whether or not it asked about anything (a shopper with no address, every product reviewed already).
ALTER TABLE orders ADD COLUMN shipped_at INTEGER;
ALTER TABLE orders ADD COLUMN delivered_at INTEGER;
ALTER TABLE orders ADD COLUMN review_requested_at INTEGER;
-- And when its one reminder was considered, a while after the request.
ALTER TABLE orders ADD COLUMN review_reminded_at INTEGER;
-- The delivered orders still waiting for their request, oldest delivery first.
CREATE INDEX orders_review_due ON orders (delivered_at, id) WHERE review_requested_at IS NULL AND delivered_at IS NOT NULL;
CREATE INDEX orders_reminder_due ON orders (review_requested_at, id)
    WHERE review_reminded_at IS NULL AND review_requested_at IS NOT NULL;

-- Messages of a new kind: a review request. SQLite changes a CHECK only by copying the table.
CREATE TABLE messages_next (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('question_answered', 'review_request')),
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
