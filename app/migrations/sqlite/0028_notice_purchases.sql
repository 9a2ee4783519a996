-- What followed each notice: a product its shopper ordered within the 7 days after it, recorded by
-- app/src/flows/notice_purchases.rs when the order comes in, so that "Widgets at work" sums a period's rows instead
-- of joining every order of the period with every notice (CPU-bound on PostgreSQL: BENCHMARKS.md). One row per
-- order and product: the latest notice of that product given to the buyer before the order. An order cancelled or
-- refunded in full loses its rows. The kind, time and value are copied so that a period's figures read this table
-- alone (and the notice's status, by its key).
CREATE TABLE notice_purchases (
    order_id    BIGINT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    product_id  BIGINT NOT NULL,
    notice_id   BIGINT NOT NULL,
    kind        TEXT   NOT NULL,
    noticed_at  BIGINT NOT NULL,
    -- The order's lines of the product, and their quantity times unit price, in the order's currency.
    purchases   BIGINT NOT NULL,
    value_minor BIGINT NOT NULL,
    currency    TEXT   NOT NULL,
    PRIMARY KEY (order_id, product_id)
);
CREATE INDEX notice_purchases_period ON notice_purchases (noticed_at);

-- The orders already recorded, followed as the flow would have followed them.
INSERT INTO notice_purchases (order_id, product_id, notice_id, kind, noticed_at, purchases, value_minor, currency)
SELECT b.order_id, b.product_id, n.id, c.kind, n.created_at, b.purchases, b.value_minor, b.currency
FROM (
    SELECT o.id AS order_id, o.shopper_id, o.placed_at, o.currency, l.product_id, COUNT(*) AS purchases,
           CAST(SUM(l.quantity * l.unit_price_minor) AS BIGINT) AS value_minor
    FROM orders o JOIN order_lines l ON l.order_id = o.id
    WHERE o.status = 'paid'
    GROUP BY o.id, o.shopper_id, o.placed_at, o.currency, l.product_id
) b
JOIN notices n ON n.id = (
    SELECT g.id FROM notices g JOIN alert_changes gc ON gc.id = g.change_id
    WHERE g.shopper_id = b.shopper_id AND gc.product_id = b.product_id AND g.channel <> 'webhook'
      AND g.status IN ('queued', 'sent') AND gc.kind <> 'confirm'
      AND g.created_at < b.placed_at AND g.created_at >= b.placed_at - 604800000
    ORDER BY g.created_at DESC, g.id DESC LIMIT 1
)
JOIN alert_changes c ON c.id = n.change_id;
