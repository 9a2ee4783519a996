-- Which change last touched what an order is worth to the store's figures (its buyer, status, currency, amounts
-- or time), so that a reader keeping the orders' values in memory (the insights' order book) reads only the orders
-- changed since it last read. SQLite writes one transaction at a time, so the changes are numbered in the order
-- they commit, by a counter of its own: an order deleted by hand cannot lower it, as it would lower the highest
-- number among the orders. Orders written before this migration: 0.
ALTER TABLE orders ADD COLUMN changed_in INTEGER NOT NULL DEFAULT 0;
CREATE INDEX orders_changed ON orders (changed_in);

CREATE TABLE order_changes_counted (changes INTEGER NOT NULL);
INSERT INTO order_changes_counted (changes) VALUES (0);

CREATE TRIGGER orders_changed_by_insert AFTER INSERT ON orders
BEGIN
    UPDATE order_changes_counted SET changes = changes + 1;
    UPDATE orders SET changed_in = (SELECT changes FROM order_changes_counted) WHERE id = NEW.id;
END;

-- Shipping and delivery times are not the figures' concern and change nothing here.
CREATE TRIGGER orders_changed_by_update
    AFTER UPDATE OF shopper_id, status, currency, subtotal_minor, shipping_minor, tax_minor, refunded_minor, placed_at
    ON orders
BEGIN
    UPDATE order_changes_counted SET changes = changes + 1;
    UPDATE orders SET changed_in = (SELECT changes FROM order_changes_counted) WHERE id = NEW.id;
END;
