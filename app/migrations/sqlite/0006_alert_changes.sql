-- A change's facts (product, kind, old and new price, lowest of 30 days) move out of its notices into one
-- `alert_changes` row that all its notices share, and the stored random tracking token goes (tracked links are
-- signed with the store secret instead). A price change with 100,000 subscribers then writes 100,000 narrow notice
-- rows instead of copying the prices, the address and a random token into each, and the outbox's indexes cover
-- only the rows they serve.
CREATE TABLE alert_changes (
    id               INTEGER PRIMARY KEY,
    product_id       INTEGER NOT NULL REFERENCES products(id),
    kind             TEXT    NOT NULL CHECK (kind IN ('price_drop', 'back_in_stock', 'price_rise', 'confirm')),
    -- What caused it, once: 'price:<price_history id>', 'stock:<stock change id>' or 'confirm:<alert id>'.
    source           TEXT    NOT NULL UNIQUE,
    old_price_minor  INTEGER NOT NULL,
    new_price_minor  INTEGER NOT NULL,
    lowest_30d_minor INTEGER NOT NULL,
    currency         TEXT    NOT NULL,
    created_at       INTEGER NOT NULL
);
CREATE INDEX alert_changes_product ON alert_changes (product_id, kind);

INSERT INTO alert_changes (product_id, kind, source, old_price_minor, new_price_minor, lowest_30d_minor, currency,
                           created_at)
SELECT product_id, kind, CASE WHEN kind = 'confirm' THEN 'confirm:' || alert_id ELSE change_key END,
       MIN(old_price_minor), MIN(new_price_minor), MIN(lowest_30d_minor), MIN(currency), MIN(created_at)
FROM notices GROUP BY product_id, kind, CASE WHEN kind = 'confirm' THEN 'confirm:' || alert_id ELSE change_key END;

-- The outbox: one row per alert (or, for price rises, shopper), change and channel, written in the change's
-- transaction. The unique keys make a notice impossible to send twice. The address is read when sending, so a
-- shopper who changed it is written to at the new one.
CREATE TABLE alert_notices (
    id               INTEGER PRIMARY KEY,
    change_id        INTEGER NOT NULL REFERENCES alert_changes(id),
    -- No foreign keys on these two: each row is copied from its alert or shopper by the transaction that
    -- writes it, and neither is ever deleted; on PostgreSQL their per-row checks cost more than the insert.
    alert_id         INTEGER,
    shopper_id       INTEGER,
    channel          TEXT    NOT NULL CHECK (channel IN ('inbox', 'email', 'webhook')),
    status           TEXT    NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'withdrawn')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    -- The worker holding the notice's lease; it renews the lease before each send and skips a notice it lost.
    claimed_by       TEXT,
    next_attempt_at  INTEGER NOT NULL,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    sent_at          INTEGER,
    read_at          INTEGER,
    clicked_at       INTEGER,
    UNIQUE (alert_id, change_id, channel)
);

INSERT INTO alert_notices (id, change_id, alert_id, shopper_id, channel, status, attempts, claimed_by, next_attempt_at,
                           last_error, created_at, sent_at, read_at, clicked_at)
SELECT n.id, c.id, n.alert_id, n.shopper_id, n.channel, n.status, n.attempts, n.claimed_by, n.next_attempt_at,
       n.last_error, n.created_at, n.sent_at, n.read_at, n.clicked_at
FROM notices n JOIN alert_changes c
  ON c.source = CASE WHEN n.kind = 'confirm' THEN 'confirm:' || n.alert_id ELSE n.change_key END;

DROP TABLE notices;
ALTER TABLE alert_notices RENAME TO notices;

-- Price-rise notices belong to no alert: one per shopper, change and channel.
CREATE UNIQUE INDEX notices_rise_once ON notices (shopper_id, change_id, channel) WHERE alert_id IS NULL;
-- Workers look only at what is still to send; inbox notices are delivered when written and never enter it.
CREATE INDEX notices_due ON notices (channel, next_attempt_at) WHERE status = 'queued';
CREATE INDEX notices_inbox ON notices (shopper_id, created_at) WHERE channel = 'inbox';
-- The merchant's counts per change (and so per product).
CREATE INDEX notices_change ON notices (change_id, status);
CREATE INDEX notices_failed ON notices (id) WHERE status = 'failed';
