-- More daily counts for "Widgets at work", kept by triggers as 0030's are, so that a period reads a few rows per
-- day instead of every notice, alert and save in it (BENCHMARKS.md). A day is a UTC day (`time / 86400000`).
--
-- Notices per day of creation, kind (their change's), channel, status, and whether read and clicked. The outbox
-- moves a notice between statuses, and a shopper reading their inbox marks many notices at once. No shards:
-- notices are written by the fan-out, one statement per change, and moved by short transactions of their own, and
-- a large store's day of notices is spread over this key's two dozen values already.
CREATE TABLE notices_per_day (
    day     BIGINT NOT NULL,
    kind    TEXT   NOT NULL,
    channel TEXT   NOT NULL,
    status  TEXT   NOT NULL,
    seen    BIGINT NOT NULL,
    clicked BIGINT NOT NULL,
    notices BIGINT NOT NULL,
    PRIMARY KEY (day, kind, channel, status, seen, clicked)
);

-- Alerts per day of setting up, kind, and whether they count as confirmed: a guest's alert waiting for its double
-- opt-in does not, nor one a guest cancelled without ever confirming.
CREATE TABLE alerts_per_day (
    day       BIGINT NOT NULL,
    kind      TEXT   NOT NULL,
    confirmed BIGINT NOT NULL,
    alerts    BIGINT NOT NULL,
    PRIMARY KEY (day, kind, confirmed)
);

-- Products saved to a list per day, in 16 shards by list: shoppers save one product at a time, each in a
-- transaction of their own, and without shards every save of a day would wait for the one before it to commit.
CREATE TABLE saves_per_day (
    day   BIGINT NOT NULL,
    shard BIGINT NOT NULL,
    saves BIGINT NOT NULL,
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

-- One statement trigger per table and operation: the rows a statement wrote (`came`) and removed (`gone`), an
-- update being both, are counted per key and only the keys whose count moved are written, in key order, so that
-- two transactions moving counts never wait on each other the wrong way round. A statement that changes nothing
-- counted (the outbox's leases, a notified alert's time) writes nothing.
CREATE FUNCTION count_notices() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO notices_per_day (day, kind, channel, status, seen, clicked, notices)
        SELECT n.created_at / 86400000, c.kind, n.channel, n.status, CASE WHEN n.read_at IS NULL THEN 0 ELSE 1 END,
               CASE WHEN n.clicked_at IS NULL THEN 0 ELSE 1 END, COUNT(*)
        FROM came n JOIN alert_changes c ON c.id = n.change_id GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (day, kind, channel, status, seen, clicked) DO UPDATE SET notices = notices_per_day.notices + EXCLUDED.notices;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO notices_per_day (day, kind, channel, status, seen, clicked, notices)
        SELECT n.created_at / 86400000, c.kind, n.channel, n.status, CASE WHEN n.read_at IS NULL THEN 0 ELSE 1 END,
               CASE WHEN n.clicked_at IS NULL THEN 0 ELSE 1 END, -COUNT(*)
        FROM gone n JOIN alert_changes c ON c.id = n.change_id GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (day, kind, channel, status, seen, clicked) DO UPDATE SET notices = notices_per_day.notices + EXCLUDED.notices;
    ELSE
        INSERT INTO notices_per_day (day, kind, channel, status, seen, clicked, notices)
        SELECT day, kind, channel, status, seen, clicked, SUM(moved) FROM (
            SELECT n.created_at / 86400000 AS day, c.kind, n.channel, n.status,
                   CASE WHEN n.read_at IS NULL THEN 0 ELSE 1 END AS seen,
                   CASE WHEN n.clicked_at IS NULL THEN 0 ELSE 1 END AS clicked, 1 AS moved
            FROM came n JOIN alert_changes c ON c.id = n.change_id
            UNION ALL
            SELECT n.created_at / 86400000, c.kind, n.channel, n.status, CASE WHEN n.read_at IS NULL THEN 0 ELSE 1 END,
                   CASE WHEN n.clicked_at IS NULL THEN 0 ELSE 1 END, -1
            FROM gone n JOIN alert_changes c ON c.id = n.change_id
        ) moves GROUP BY 1, 2, 3, 4, 5, 6 HAVING SUM(moved) <> 0 ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (day, kind, channel, status, seen, clicked) DO UPDATE SET notices = notices_per_day.notices + EXCLUDED.notices;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER notices_counted AFTER INSERT ON notices REFERENCING NEW TABLE AS came
    FOR EACH STATEMENT EXECUTE FUNCTION count_notices();
CREATE TRIGGER notices_recounted AFTER UPDATE ON notices REFERENCING OLD TABLE AS gone NEW TABLE AS came
    FOR EACH STATEMENT EXECUTE FUNCTION count_notices();
CREATE TRIGGER notices_uncounted AFTER DELETE ON notices REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION count_notices();

-- Whether an alert counts as confirmed, as `alerts_per_day` keeps it.
CREATE FUNCTION alert_confirmed(status TEXT, email TEXT, confirmed_at BIGINT) RETURNS BIGINT
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN status = 'unconfirmed' OR (status = 'cancelled' AND email IS NOT NULL AND confirmed_at IS NULL)
                THEN 0 ELSE 1 END
$$;
CREATE FUNCTION count_alerts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO alerts_per_day (day, kind, confirmed, alerts)
        SELECT created_at / 86400000, kind, alert_confirmed(status, email, confirmed_at), COUNT(*)
        FROM came GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (day, kind, confirmed) DO UPDATE SET alerts = alerts_per_day.alerts + EXCLUDED.alerts;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO alerts_per_day (day, kind, confirmed, alerts)
        SELECT created_at / 86400000, kind, alert_confirmed(status, email, confirmed_at), -COUNT(*)
        FROM gone GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (day, kind, confirmed) DO UPDATE SET alerts = alerts_per_day.alerts + EXCLUDED.alerts;
    ELSE
        INSERT INTO alerts_per_day (day, kind, confirmed, alerts)
        SELECT day, kind, confirmed, SUM(moved) FROM (
            SELECT created_at / 86400000 AS day, kind, alert_confirmed(status, email, confirmed_at) AS confirmed, 1 AS moved
            FROM came
            UNION ALL
            SELECT created_at / 86400000, kind, alert_confirmed(status, email, confirmed_at), -1 FROM gone
        ) moves GROUP BY 1, 2, 3 HAVING SUM(moved) <> 0 ORDER BY 1, 2, 3
        ON CONFLICT (day, kind, confirmed) DO UPDATE SET alerts = alerts_per_day.alerts + EXCLUDED.alerts;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER alerts_counted AFTER INSERT ON alerts REFERENCING NEW TABLE AS came
    FOR EACH STATEMENT EXECUTE FUNCTION count_alerts();
CREATE TRIGGER alerts_recounted AFTER UPDATE ON alerts REFERENCING OLD TABLE AS gone NEW TABLE AS came
    FOR EACH STATEMENT EXECUTE FUNCTION count_alerts();
CREATE TRIGGER alerts_uncounted AFTER DELETE ON alerts REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION count_alerts();

CREATE FUNCTION count_saves() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO saves_per_day (day, shard, saves)
        SELECT saved_at / 86400000, wishlist_id % 16, COUNT(*) FROM came GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (day, shard) DO UPDATE SET saves = saves_per_day.saves + EXCLUDED.saves;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO saves_per_day (day, shard, saves)
        SELECT saved_at / 86400000, wishlist_id % 16, -COUNT(*) FROM gone GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (day, shard) DO UPDATE SET saves = saves_per_day.saves + EXCLUDED.saves;
    ELSE
        INSERT INTO saves_per_day (day, shard, saves)
        SELECT day, shard, SUM(moved) FROM (
            SELECT saved_at / 86400000 AS day, wishlist_id % 16 AS shard, 1 AS moved FROM came
            UNION ALL
            SELECT saved_at / 86400000, wishlist_id % 16, -1 FROM gone
        ) moves GROUP BY 1, 2 HAVING SUM(moved) <> 0 ORDER BY 1, 2
        ON CONFLICT (day, shard) DO UPDATE SET saves = saves_per_day.saves + EXCLUDED.saves;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER saves_counted AFTER INSERT ON wishlist_items REFERENCING NEW TABLE AS came
    FOR EACH STATEMENT EXECUTE FUNCTION count_saves();
CREATE TRIGGER saves_recounted AFTER UPDATE ON wishlist_items REFERENCING OLD TABLE AS gone NEW TABLE AS came
    FOR EACH STATEMENT EXECUTE FUNCTION count_saves();
CREATE TRIGGER saves_uncounted AFTER DELETE ON wishlist_items REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION count_saves();

-- The rows already stored, counted.
INSERT INTO notices_per_day (day, kind, channel, status, seen, clicked, notices)
SELECT n.created_at / 86400000, c.kind, n.channel, n.status, CASE WHEN n.read_at IS NULL THEN 0 ELSE 1 END,
       CASE WHEN n.clicked_at IS NULL THEN 0 ELSE 1 END, COUNT(*)
FROM notices n JOIN alert_changes c ON c.id = n.change_id GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO alerts_per_day (day, kind, confirmed, alerts)
SELECT created_at / 86400000, kind, alert_confirmed(status, email, confirmed_at), COUNT(*) FROM alerts GROUP BY 1, 2, 3;
INSERT INTO saves_per_day (day, shard, saves)
SELECT saved_at / 86400000, wishlist_id % 16, COUNT(*) FROM wishlist_items GROUP BY 1, 2;
