-- The review request, then its one reminder, still to consider for each delivered order (app/src/flows/
-- review_requests.rs), in a narrow table of their own. Taking a batch used to mark each order's row; on PostgreSQL
-- that rewrote the row with a new entry in every one of the orders' indexes, and left the table bloated for every
-- other reader of orders. An order gets its row when it is first reported delivered; taking the request turns the
-- row into the reminder, due from then; taking the reminder removes it. Considered once each, as before.
CREATE TABLE review_follow_ups (
    order_id INTEGER NOT NULL PRIMARY KEY REFERENCES orders(id) ON DELETE CASCADE,
    step     TEXT    NOT NULL CHECK (step IN ('request', 'reminder')),
    -- When the step is due from: the delivery for the request, the request's taking for the reminder.
    since    INTEGER NOT NULL
) WITHOUT ROWID;
-- The steps due, oldest first.
CREATE INDEX review_follow_ups_due ON review_follow_ups (step, since, order_id);

INSERT INTO review_follow_ups (order_id, step, since)
    SELECT id, 'request', delivered_at FROM orders WHERE review_requested_at IS NULL AND delivered_at IS NOT NULL;
INSERT INTO review_follow_ups (order_id, step, since)
    SELECT id, 'reminder', review_requested_at FROM orders
    WHERE review_reminded_at IS NULL AND review_requested_at IS NOT NULL;

DROP INDEX orders_review_due;
DROP INDEX orders_reminder_due;
ALTER TABLE orders DROP COLUMN review_requested_at;
ALTER TABLE orders DROP COLUMN review_reminded_at;
