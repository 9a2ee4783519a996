-- Which change last touched what an order is worth to the store's figures (its buyer, status, currency, amounts
-- or time), so that a reader keeping the orders' values in memory (the insights' order book) reads only the orders
-- changed since it last read. SQLite writes one transaction at a time, so the changes are numbered in the order
-- they commit: each is one more than the latest. Orders written before this migration: 0.
ALTER TABLE orders ADD COLUMN changed_in INTEGER NOT NULL DEFAULT 0;
CREATE INDEX orders_changed ON orders (changed_in);

CREATE TRIGGER orders_changed_by_insert AFTER INSERT ON orders
BEGIN
    UPDATE orders SET changed_in = (SELECT MAX(changed_in) FROM orders) + 1 WHERE id = NEW.id;
END;

-- Shipping and delivery times are not the figures' concern and change nothing here.
CREATE TRIGGER orders_changed_by_update
    AFTER UPDATE OF shopper_id, status, currency, subtotal_minor, shipping_minor, tax_minor, refunded_minor, placed_at
    ON orders
BEGIN
    UPDATE orders SET changed_in = (SELECT MAX(changed_in) FROM orders) + 1 WHERE id = NEW.id;
END;
