-- Orders the store reports as placed but not paid yet (PUT /api/v1/unpaid-orders/{order_id}). They are not
-- purchases: nothing that counts what shoppers bought reads them. A set time after placing one, its buyer is
-- reminded once (app/src/flows/unpaid_reminders.rs); the order leaves this table when it is paid (recorded through
-- POST /api/v1/orders under the same number) or cancelled, and a reminder still queued is withdrawn with it.
CREATE TABLE unpaid_orders (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_id TEXT    NOT NULL UNIQUE,
    shopper_id  BIGINT  NOT NULL REFERENCES shoppers(id),
    currency    TEXT    NOT NULL,
    total_minor BIGINT  NOT NULL CHECK (total_minor >= 0),
    -- The store's page where the buyer completes the payment: the reminder's button.
    payment_url TEXT    NOT NULL,
    placed_at   BIGINT  NOT NULL,
    -- When its reminder was considered: once, whether or not an email went (a buyer without an address).
    reminded_at BIGINT
);
CREATE INDEX unpaid_orders_due ON unpaid_orders (placed_at, id) WHERE reminded_at IS NULL;

CREATE TABLE unpaid_order_lines (
    unpaid_order_id  BIGINT  NOT NULL REFERENCES unpaid_orders(id) ON DELETE CASCADE,
    line_no          BIGINT  NOT NULL,
    product_id       BIGINT  NOT NULL REFERENCES products(id),
    quantity         BIGINT  NOT NULL CHECK (quantity > 0),
    unit_price_minor BIGINT  NOT NULL CHECK (unit_price_minor >= 0),
    PRIMARY KEY (unpaid_order_id, line_no)
);

-- Messages of a new kind: an unpaid order's reminder.
ALTER TABLE messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE messages ADD CONSTRAINT messages_kind_check
    CHECK (kind IN ('question_answered', 'review_request', 'unpaid_order'));
