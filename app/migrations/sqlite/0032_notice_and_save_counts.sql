-- More daily counts for "Widgets at work", kept by triggers as 0030's are, so that a period reads a few rows per
-- day instead of every notice, alert and save in it (BENCHMARKS.md). A day is a UTC day (`time / 86400000`).
--
-- Notices per day of creation, kind (their change's), channel, status, and whether read and clicked. The outbox
-- moves a notice between statuses, and a shopper reading their inbox marks many notices at once.
CREATE TABLE notices_per_day (
    day     INTEGER NOT NULL,
    kind    TEXT    NOT NULL,
    channel TEXT    NOT NULL,
    status  TEXT    NOT NULL,
    seen    INTEGER NOT NULL,
    clicked INTEGER NOT NULL,
    notices INTEGER NOT NULL,
    PRIMARY KEY (day, kind, channel, status, seen, clicked)
);

-- Alerts per day of setting up, kind, and whether they count as confirmed: a guest's alert waiting for its double
-- opt-in does not, nor one a guest cancelled without ever confirming.
CREATE TABLE alerts_per_day (
    day       INTEGER NOT NULL,
    kind      TEXT    NOT NULL,
    confirmed INTEGER NOT NULL,
    alerts    INTEGER NOT NULL,
    PRIMARY KEY (day, kind, confirmed)
);

-- Products saved to a list per day, in 16 shards by list as on PostgreSQL (where they keep concurrent saves from
-- waiting on each other), so that both databases read the same rows.
CREATE TABLE saves_per_day (
    day   INTEGER NOT NULL,
    shard INTEGER NOT NULL,
    saves INTEGER NOT NULL,
    PRIMARY KEY (day, shard)
);

-- What followed the notices is summed over the purchases in a period, read from their period's index alone, less
-- those following a notice that is not sent (yet, or ever), found from the few notices not sent.
DROP INDEX notice_purchases_period;
CREATE INDEX notice_purchases_period ON notice_purchases (noticed_at, currency, kind, purchases, value_minor);
CREATE INDEX notices_unsent ON notices (id) WHERE status <> 'sent';
CREATE INDEX notice_purchases_notice ON notice_purchases (notice_id);

-- A period's saves per product and their owners' lists, read from the saves' period index alone; the saves whose
-- price fell, a few in a hundred, from an index of their own.
DROP INDEX wishlist_items_saved;
CREATE INDEX wishlist_items_saved ON wishlist_items (saved_at, product_id, wishlist_id);
CREATE INDEX wishlist_items_fell ON wishlist_items (saved_at, product_id, wishlist_id) WHERE fell_at IS NOT NULL;

-- Row triggers (SQLite has no other kind): each row written, changed or deleted moves its count.
CREATE TRIGGER notices_counted AFTER INSERT ON notices BEGIN
    INSERT INTO notices_per_day (day, kind, channel, status, seen, clicked, notices)
    SELECT NEW.created_at / 86400000, c.kind, NEW.channel, NEW.status, NEW.read_at IS NOT NULL, NEW.clicked_at IS NOT NULL, 1
    FROM alert_changes c WHERE c.id = NEW.change_id
    ON CONFLICT (day, kind, channel, status, seen, clicked) DO UPDATE SET notices = notices + 1;
END;
CREATE TRIGGER notices_uncounted AFTER DELETE ON notices BEGIN
    UPDATE notices_per_day SET notices = notices - 1
    WHERE day = OLD.created_at / 86400000 AND kind = (SELECT kind FROM alert_changes WHERE id = OLD.change_id)
      AND channel = OLD.channel AND status = OLD.status AND seen = (OLD.read_at IS NOT NULL) AND clicked = (OLD.clicked_at IS NOT NULL);
END;
CREATE TRIGGER notices_recounted AFTER UPDATE ON notices
WHEN OLD.created_at / 86400000 IS NOT NEW.created_at / 86400000 OR OLD.change_id IS NOT NEW.change_id
  OR OLD.channel IS NOT NEW.channel OR OLD.status IS NOT NEW.status
  OR (OLD.read_at IS NULL) IS NOT (NEW.read_at IS NULL) OR (OLD.clicked_at IS NULL) IS NOT (NEW.clicked_at IS NULL)
BEGIN
    UPDATE notices_per_day SET notices = notices - 1
    WHERE day = OLD.created_at / 86400000 AND kind = (SELECT kind FROM alert_changes WHERE id = OLD.change_id)
      AND channel = OLD.channel AND status = OLD.status AND seen = (OLD.read_at IS NOT NULL) AND clicked = (OLD.clicked_at IS NOT NULL);
    INSERT INTO notices_per_day (day, kind, channel, status, seen, clicked, notices)
    SELECT NEW.created_at / 86400000, c.kind, NEW.channel, NEW.status, NEW.read_at IS NOT NULL, NEW.clicked_at IS NOT NULL, 1
    FROM alert_changes c WHERE c.id = NEW.change_id
    ON CONFLICT (day, kind, channel, status, seen, clicked) DO UPDATE SET notices = notices + 1;
END;

-- An alert counts as confirmed unless it waits for its opt-in or a guest cancelled it unconfirmed.
CREATE TRIGGER alerts_counted AFTER INSERT ON alerts BEGIN
    INSERT INTO alerts_per_day (day, kind, confirmed, alerts)
    VALUES (NEW.created_at / 86400000, NEW.kind,
            NOT (NEW.status = 'unconfirmed' OR (NEW.status = 'cancelled' AND NEW.email IS NOT NULL AND NEW.confirmed_at IS NULL)), 1)
    ON CONFLICT (day, kind, confirmed) DO UPDATE SET alerts = alerts + 1;
END;
CREATE TRIGGER alerts_uncounted AFTER DELETE ON alerts BEGIN
    UPDATE alerts_per_day SET alerts = alerts - 1
    WHERE day = OLD.created_at / 86400000 AND kind = OLD.kind
      AND confirmed = NOT (OLD.status = 'unconfirmed' OR (OLD.status = 'cancelled' AND OLD.email IS NOT NULL AND OLD.confirmed_at IS NULL));
END;
CREATE TRIGGER alerts_recounted AFTER UPDATE ON alerts
WHEN OLD.created_at / 86400000 IS NOT NEW.created_at / 86400000 OR OLD.kind IS NOT NEW.kind
  OR (OLD.status = 'unconfirmed' OR (OLD.status = 'cancelled' AND OLD.email IS NOT NULL AND OLD.confirmed_at IS NULL))
     <> (NEW.status = 'unconfirmed' OR (NEW.status = 'cancelled' AND NEW.email IS NOT NULL AND NEW.confirmed_at IS NULL))
BEGIN
    UPDATE alerts_per_day SET alerts = alerts - 1
    WHERE day = OLD.created_at / 86400000 AND kind = OLD.kind
      AND confirmed = NOT (OLD.status = 'unconfirmed' OR (OLD.status = 'cancelled' AND OLD.email IS NOT NULL AND OLD.confirmed_at IS NULL));
    INSERT INTO alerts_per_day (day, kind, confirmed, alerts)
    VALUES (NEW.created_at / 86400000, NEW.kind,
            NOT (NEW.status = 'unconfirmed' OR (NEW.status = 'cancelled' AND NEW.email IS NOT NULL AND NEW.confirmed_at IS NULL)), 1)
    ON CONFLICT (day, kind, confirmed) DO UPDATE SET alerts = alerts + 1;
END;

CREATE TRIGGER saves_counted AFTER INSERT ON wishlist_items BEGIN
    INSERT INTO saves_per_day (day, shard, saves) VALUES (NEW.saved_at / 86400000, NEW.wishlist_id % 16, 1)
    ON CONFLICT (day, shard) DO UPDATE SET saves = saves + 1;
END;
CREATE TRIGGER saves_uncounted AFTER DELETE ON wishlist_items BEGIN
    UPDATE saves_per_day SET saves = saves - 1 WHERE day = OLD.saved_at / 86400000 AND shard = OLD.wishlist_id % 16;
END;
CREATE TRIGGER saves_recounted AFTER UPDATE ON wishlist_items
WHEN OLD.saved_at / 86400000 IS NOT NEW.saved_at / 86400000 OR OLD.wishlist_id % 16 IS NOT NEW.wishlist_id % 16
BEGIN
    UPDATE saves_per_day SET saves = saves - 1 WHERE day = OLD.saved_at / 86400000 AND shard = OLD.wishlist_id % 16;
    INSERT INTO saves_per_day (day, shard, saves) VALUES (NEW.saved_at / 86400000, NEW.wishlist_id % 16, 1)
    ON CONFLICT (day, shard) DO UPDATE SET saves = saves + 1;
END;

-- The rows already stored, counted.
INSERT INTO notices_per_day (day, kind, channel, status, seen, clicked, notices)
SELECT n.created_at / 86400000, c.kind, n.channel, n.status, n.read_at IS NOT NULL, n.clicked_at IS NOT NULL, COUNT(*)
FROM notices n JOIN alert_changes c ON c.id = n.change_id GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO alerts_per_day (day, kind, confirmed, alerts)
SELECT created_at / 86400000, kind,
       NOT (status = 'unconfirmed' OR (status = 'cancelled' AND email IS NOT NULL AND confirmed_at IS NULL)), COUNT(*)
FROM alerts GROUP BY 1, 2, 3;
INSERT INTO saves_per_day (day, shard, saves)
SELECT saved_at / 86400000, wishlist_id % 16, COUNT(*) FROM wishlist_items GROUP BY 1, 2;
