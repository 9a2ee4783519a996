-- What the store reported of each order's way to the shopper (POST /api/v1/orders/{order_id}/fulfilment), and
-- when the order's review request was considered (app/src/flows/review_requests.rs): a set time after delivery,
-- once, whether or not it asked about anything (a shopper with no address, every product reviewed already).
ALTER TABLE orders ADD COLUMN shipped_at BIGINT;
ALTER TABLE orders ADD COLUMN delivered_at BIGINT;
ALTER TABLE orders ADD COLUMN review_requested_at BIGINT;
-- And when its one reminder was considered, a while after the request.
ALTER TABLE orders ADD COLUMN review_reminded_at BIGINT;
-- The delivered orders still waiting for their request, oldest delivery first.
CREATE INDEX orders_review_due ON orders (delivered_at, id) WHERE review_requested_at IS NULL AND delivered_at IS NOT NULL;
CREATE INDEX orders_reminder_due ON orders (review_requested_at, id)
    WHERE review_reminded_at IS NULL AND review_requested_at IS NOT NULL;

-- Messages of a new kind: a review request.
ALTER TABLE messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE messages ADD CONSTRAINT messages_kind_check CHECK (kind IN ('question_answered', 'review_request'));
