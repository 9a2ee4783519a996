-- Which transaction last changed what an order is worth to the store's figures (its buyer, status, currency,
-- amounts or time), so that a reader keeping the orders' values in memory (the insights' order book) reads only
-- the orders changed since it last read. PostgreSQL numbers a transaction at its first write, not when it
-- commits: a reader remembers the oldest transaction still running when it read (`pg_snapshot_xmin`, over every
-- database of the server) and next reads every order changed by that one or a later one, so a change committed
-- after the read is never missed. Orders written before this migration were all committed: 0.
ALTER TABLE orders ADD COLUMN changed_in BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ALTER COLUMN changed_in SET DEFAULT CAST(CAST(pg_current_xact_id() AS TEXT) AS BIGINT);
CREATE INDEX orders_changed ON orders (changed_in);

CREATE FUNCTION orders_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.changed_in := CAST(CAST(pg_current_xact_id() AS TEXT) AS BIGINT);
    RETURN NEW;
END
$$;

-- Shipping and delivery times are not the figures' concern and change nothing here.
CREATE TRIGGER orders_changed
    BEFORE UPDATE OF shopper_id, status, currency, subtotal_minor, shipping_minor, tax_minor, refunded_minor, placed_at
    ON orders FOR EACH ROW EXECUTE FUNCTION orders_note_change();
