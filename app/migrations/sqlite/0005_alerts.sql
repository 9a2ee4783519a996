-- Price-drop and back-in-stock alerts. An alert belongs to a shopper or to a guest's email address (never both);
-- a guest's alert waits for the double opt-in ('unconfirmed') before anything is sent. One live alert per owner,
-- product and kind. `reference_minor` is the price a further drop is measured against: the price when the shopper
-- subscribed, lowered to the new price each time the alert fires.
CREATE TABLE alerts (
    id               INTEGER PRIMARY KEY,
    product_id       INTEGER NOT NULL REFERENCES products(id),
    shopper_id       INTEGER REFERENCES shoppers(id),
    email            TEXT,
    -- The anonymous visitor who subscribed with `email`: their widget shows the alert, and it moves to their
    -- account when they sign in.
    guest_id         TEXT,
    kind             TEXT    NOT NULL CHECK (kind IN ('price_drop', 'back_in_stock')),
    rule             TEXT    NOT NULL CHECK (rule IN ('any', 'target', 'percent')),
    target_minor     INTEGER CHECK (target_minor >= 0),
    percent          INTEGER CHECK (percent BETWEEN 1 AND 99),
    reference_minor  INTEGER NOT NULL,
    currency         TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('unconfirmed', 'active', 'fired', 'cancelled')),
    confirm_token    TEXT    UNIQUE,
    -- The language the alert's emails are written in (a shopper's own setting wins).
    locale           TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    confirmed_at     INTEGER,
    last_notified_at INTEGER,
    ended_at         INTEGER,
    CHECK ((shopper_id IS NULL) <> (email IS NULL))
);
CREATE UNIQUE INDEX alerts_live_per_shopper ON alerts (shopper_id, product_id, kind)
    WHERE status IN ('unconfirmed', 'active') AND shopper_id IS NOT NULL;
CREATE UNIQUE INDEX alerts_live_per_email ON alerts (email, product_id, kind)
    WHERE status IN ('unconfirmed', 'active') AND email IS NOT NULL;
CREATE INDEX alerts_guest ON alerts (guest_id);
-- Firing reads a product's live alerts in subscription order.
CREATE INDEX alerts_product ON alerts (product_id, kind, status, id);

-- Shoppers who also want to hear when something in their wish list gets dearer.
CREATE TABLE alert_preferences (
    shopper_id        INTEGER PRIMARY KEY REFERENCES shoppers(id),
    notify_price_rise INTEGER NOT NULL CHECK (notify_price_rise IN (0, 1))
);

-- The outbox: one row per alert, price or stock change, and channel, written in the transaction of the change.
-- The unique key is what makes a notice impossible to send twice. In-widget ('inbox') notices are delivered when
-- written; workers deliver 'email' and 'webhook' ones, retrying until `max attempts` and then marking them failed.
CREATE TABLE notices (
    id               INTEGER PRIMARY KEY,
    alert_id         INTEGER REFERENCES alerts(id),
    change_key       TEXT    NOT NULL,
    channel          TEXT    NOT NULL CHECK (channel IN ('inbox', 'email', 'webhook')),
    kind             TEXT    NOT NULL CHECK (kind IN ('price_drop', 'back_in_stock', 'price_rise', 'confirm')),
    product_id       INTEGER NOT NULL REFERENCES products(id),
    shopper_id       INTEGER REFERENCES shoppers(id),
    email            TEXT,
    old_price_minor  INTEGER NOT NULL,
    new_price_minor  INTEGER NOT NULL,
    lowest_30d_minor INTEGER NOT NULL,
    currency         TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'withdrawn')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    -- The worker holding the notice's lease; it renews the lease before each send and skips a notice it lost.
    claimed_by       TEXT,
    next_attempt_at  INTEGER NOT NULL,
    last_error       TEXT,
    tracking_token   TEXT    NOT NULL UNIQUE,
    created_at       INTEGER NOT NULL,
    sent_at          INTEGER,
    read_at          INTEGER,
    clicked_at       INTEGER,
    UNIQUE (alert_id, change_key, channel)
);
-- Price-rise notices belong to no alert: one per shopper, change and channel.
CREATE UNIQUE INDEX notices_rise_once ON notices (shopper_id, change_key, channel) WHERE alert_id IS NULL;
CREATE INDEX notices_due ON notices (channel, status, next_attempt_at);
CREATE INDEX notices_inbox ON notices (shopper_id, channel, created_at);
CREATE INDEX notices_product ON notices (product_id, status);
