-- More daily counts for "Widgets at work", kept by triggers on every insert, update and delete as 0030's are, so
-- that a period reads a few rows per day instead of every notice, alert and save in it (BENCHMARKS.md). A day is a
-- UTC day (`time / 86400000`).
--
-- Unlike 0030's, these counts are never updated by the writers: each statement, or updated row, adds rows of what it
-- moved (a ledger), and a reader sums them. The rows counted here are written by transactions that move several counts in
-- turn (a catalogue batch's fan-outs, a guest signing in, the outbox), and counts updated in place would lock
-- their rows until commit: every delivery of the day would wait for a fan-out, and two transactions taking two
-- counts in opposite orders would deadlock. The server folds the added rows into one row per key (`folded`) every
-- minute (`fold_daily_counts`), the only statement that changes or deletes a count's rows.
--
-- Notices per day of creation, kind (their change's), channel, status, and whether read and clicked.
CREATE TABLE notices_per_day (
    day     BIGINT NOT NULL,
    kind    TEXT   NOT NULL,
    channel TEXT   NOT NULL,
    status  TEXT   NOT NULL,
    seen    BIGINT NOT NULL,
    clicked BIGINT NOT NULL,
    notices BIGINT NOT NULL,
    folded  BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX notices_per_day_key ON notices_per_day (day, kind, channel, status, seen, clicked) WHERE folded;
CREATE INDEX notices_per_day_added ON notices_per_day (day) WHERE NOT folded;

-- Alerts per day of setting up, kind, and whether they count as confirmed: a guest's alert waiting for its double
-- opt-in does not, nor one a guest cancelled without ever confirming.
CREATE TABLE alerts_per_day (
    day       BIGINT NOT NULL,
    kind      TEXT   NOT NULL,
    confirmed BIGINT NOT NULL,
    alerts    BIGINT NOT NULL,
    folded    BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX alerts_per_day_key ON alerts_per_day (day, kind, confirmed) WHERE folded;
CREATE INDEX alerts_per_day_added ON alerts_per_day (day) WHERE NOT folded;

-- Products saved to a list per day, in 16 shards by list, as SQLite keeps them (where the shards spread a day's saves
-- over rows a reader sums anyway).
CREATE TABLE saves_per_day (
    day    BIGINT  NOT NULL,
    shard  BIGINT  NOT NULL,
    saves  BIGINT  NOT NULL,
    folded BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX saves_per_day_key ON saves_per_day (day, shard) WHERE folded;
CREATE INDEX saves_per_day_added ON saves_per_day (day) WHERE NOT folded;

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

-- A statement writing or deleting rows (a fan-out, a bulk load, a cascade) adds a row per key it moved, from the
-- statement's transition table (`came`, `gone`). An update adds two rows (the old key less one, the new key one
-- more) when what is counted changed: a row trigger, limited by its condition to those updates, so that the
-- statements changing nothing counted (the outbox's leases, the alerts a fan-out notified, the saves a price fall
-- marked) pay nothing and keep no transition tables.
CREATE FUNCTION count_notices() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO notices_per_day (day, kind, channel, status, seen, clicked, notices)
        SELECT n.created_at / 86400000, c.kind, n.channel, n.status, CASE WHEN n.read_at IS NULL THEN 0 ELSE 1 END,
               CASE WHEN n.clicked_at IS NULL THEN 0 ELSE 1 END, COUNT(*)
        FROM came n JOIN alert_changes c ON c.id = n.change_id GROUP BY 1, 2, 3, 4, 5, 6;
    ELSE
        INSERT INTO notices_per_day (day, kind, channel, status, seen, clicked, notices)
        SELECT n.created_at / 86400000, c.kind, n.channel, n.status, CASE WHEN n.read_at IS NULL THEN 0 ELSE 1 END,
               CASE WHEN n.clicked_at IS NULL THEN 0 ELSE 1 END, -COUNT(*)
        FROM gone n JOIN alert_changes c ON c.id = n.change_id GROUP BY 1, 2, 3, 4, 5, 6;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER notices_counted AFTER INSERT ON notices REFERENCING NEW TABLE AS came
    FOR EACH STATEMENT EXECUTE FUNCTION count_notices();
CREATE FUNCTION recount_notice() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO notices_per_day (day, kind, channel, status, seen, clicked, notices)
    SELECT OLD.created_at / 86400000, c.kind, OLD.channel, OLD.status, CASE WHEN OLD.read_at IS NULL THEN 0 ELSE 1 END,
           CASE WHEN OLD.clicked_at IS NULL THEN 0 ELSE 1 END, -1
    FROM alert_changes c WHERE c.id = OLD.change_id
    UNION ALL
    SELECT NEW.created_at / 86400000, c.kind, NEW.channel, NEW.status, CASE WHEN NEW.read_at IS NULL THEN 0 ELSE 1 END,
           CASE WHEN NEW.clicked_at IS NULL THEN 0 ELSE 1 END, 1
    FROM alert_changes c WHERE c.id = NEW.change_id;
    RETURN NULL;
END $$;
CREATE TRIGGER notices_recounted AFTER UPDATE ON notices FOR EACH ROW
    WHEN (OLD.created_at / 86400000 IS DISTINCT FROM NEW.created_at / 86400000 OR OLD.change_id IS DISTINCT FROM NEW.change_id
          OR OLD.channel IS DISTINCT FROM NEW.channel OR OLD.status IS DISTINCT FROM NEW.status
          OR (OLD.read_at IS NULL) <> (NEW.read_at IS NULL) OR (OLD.clicked_at IS NULL) <> (NEW.clicked_at IS NULL))
    EXECUTE FUNCTION recount_notice();
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
        FROM came GROUP BY 1, 2, 3;
    ELSE
        INSERT INTO alerts_per_day (day, kind, confirmed, alerts)
        SELECT created_at / 86400000, kind, alert_confirmed(status, email, confirmed_at), -COUNT(*)
        FROM gone GROUP BY 1, 2, 3;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER alerts_counted AFTER INSERT ON alerts REFERENCING NEW TABLE AS came
    FOR EACH STATEMENT EXECUTE FUNCTION count_alerts();
CREATE FUNCTION recount_alert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO alerts_per_day (day, kind, confirmed, alerts) VALUES
        (OLD.created_at / 86400000, OLD.kind, alert_confirmed(OLD.status, OLD.email, OLD.confirmed_at), -1),
        (NEW.created_at / 86400000, NEW.kind, alert_confirmed(NEW.status, NEW.email, NEW.confirmed_at), 1);
    RETURN NULL;
END $$;
CREATE TRIGGER alerts_recounted AFTER UPDATE ON alerts FOR EACH ROW
    WHEN (OLD.created_at / 86400000 IS DISTINCT FROM NEW.created_at / 86400000 OR OLD.kind IS DISTINCT FROM NEW.kind
          OR alert_confirmed(OLD.status, OLD.email, OLD.confirmed_at) <> alert_confirmed(NEW.status, NEW.email, NEW.confirmed_at))
    EXECUTE FUNCTION recount_alert();
CREATE TRIGGER alerts_uncounted AFTER DELETE ON alerts REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION count_alerts();

CREATE FUNCTION count_saves() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO saves_per_day (day, shard, saves)
        SELECT saved_at / 86400000, wishlist_id % 16, COUNT(*) FROM came GROUP BY 1, 2;
    ELSE
        INSERT INTO saves_per_day (day, shard, saves)
        SELECT saved_at / 86400000, wishlist_id % 16, -COUNT(*) FROM gone GROUP BY 1, 2;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER saves_counted AFTER INSERT ON wishlist_items REFERENCING NEW TABLE AS came
    FOR EACH STATEMENT EXECUTE FUNCTION count_saves();
CREATE FUNCTION recount_save() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO saves_per_day (day, shard, saves) VALUES
        (OLD.saved_at / 86400000, OLD.wishlist_id % 16, -1), (NEW.saved_at / 86400000, NEW.wishlist_id % 16, 1);
    RETURN NULL;
END $$;
CREATE TRIGGER saves_recounted AFTER UPDATE ON wishlist_items FOR EACH ROW
    WHEN (OLD.saved_at / 86400000 IS DISTINCT FROM NEW.saved_at / 86400000 OR OLD.wishlist_id % 16 IS DISTINCT FROM NEW.wishlist_id % 16)
    EXECUTE FUNCTION recount_save();
CREATE TRIGGER saves_uncounted AFTER DELETE ON wishlist_items REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION count_saves();

-- The rows already stored, counted.
INSERT INTO notices_per_day (day, kind, channel, status, seen, clicked, notices, folded)
SELECT n.created_at / 86400000, c.kind, n.channel, n.status, CASE WHEN n.read_at IS NULL THEN 0 ELSE 1 END,
       CASE WHEN n.clicked_at IS NULL THEN 0 ELSE 1 END, COUNT(*), TRUE
FROM notices n JOIN alert_changes c ON c.id = n.change_id GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO alerts_per_day (day, kind, confirmed, alerts, folded)
SELECT created_at / 86400000, kind, alert_confirmed(status, email, confirmed_at), COUNT(*), TRUE FROM alerts GROUP BY 1, 2, 3;
INSERT INTO saves_per_day (day, shard, saves, folded)
SELECT saved_at / 86400000, wishlist_id % 16, COUNT(*), TRUE FROM wishlist_items GROUP BY 1, 2;
