-- The store's own data, pushed by the merchant API. Times are UTC epoch milliseconds (see README.md).
CREATE TABLE categories (
    id          INTEGER PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    position    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE category_translations (
    category_id INTEGER NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
    locale      TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    PRIMARY KEY (category_id, locale)
);

CREATE TABLE products (
    id           INTEGER PRIMARY KEY,
    sku          TEXT    NOT NULL UNIQUE,
    category_id  INTEGER NOT NULL REFERENCES categories(id),
    title        TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    image_url    TEXT    NOT NULL DEFAULT '',
    page_url     TEXT    NOT NULL DEFAULT '',
    price_minor  INTEGER NOT NULL CHECK (price_minor >= 0),
    currency     TEXT    NOT NULL CHECK (length(currency) = 3),
    stock        INTEGER NOT NULL CHECK (stock >= 0),
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX products_category ON products (category_id, active, created_at);
CREATE INDEX products_created ON products (active, created_at);

CREATE TABLE product_translations (
    product_id  INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    locale      TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (product_id, locale)
);

CREATE TABLE price_history (
    id          INTEGER PRIMARY KEY,
    product_id  INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
    currency    TEXT    NOT NULL,
    changed_at  INTEGER NOT NULL
);
CREATE INDEX price_history_product ON price_history (product_id, changed_at);

CREATE TABLE stock_history (
    id          INTEGER PRIMARY KEY,
    product_id  INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    stock       INTEGER NOT NULL CHECK (stock >= 0),
    changed_at  INTEGER NOT NULL
);
CREATE INDEX stock_history_product ON stock_history (product_id, changed_at);

CREATE TABLE shoppers (
    id           INTEGER PRIMARY KEY,
    external_id  TEXT    NOT NULL UNIQUE,
    email        TEXT,
    display_name TEXT    NOT NULL,
    locale       TEXT    NOT NULL DEFAULT 'en',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

CREATE TABLE orders (
    id              INTEGER PRIMARY KEY,
    external_id     TEXT    NOT NULL UNIQUE,
    shopper_id      INTEGER NOT NULL REFERENCES shoppers(id),
    status          TEXT    NOT NULL CHECK (status IN ('paid', 'refunded', 'cancelled')),
    currency        TEXT    NOT NULL,
    subtotal_minor  INTEGER NOT NULL CHECK (subtotal_minor >= 0),
    shipping_minor  INTEGER NOT NULL DEFAULT 0 CHECK (shipping_minor >= 0),
    tax_minor       INTEGER NOT NULL DEFAULT 0 CHECK (tax_minor >= 0),
    refunded_minor  INTEGER NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0),
    placed_at       INTEGER NOT NULL,
    idempotency_key TEXT    NOT NULL UNIQUE,
    request_hash    TEXT    NOT NULL
);
CREATE INDEX orders_shopper ON orders (shopper_id, placed_at);

CREATE TABLE order_lines (
    order_id         INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    line_no          INTEGER NOT NULL,
    product_id       INTEGER NOT NULL REFERENCES products(id),
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_minor INTEGER NOT NULL CHECK (unit_price_minor >= 0),
    PRIMARY KEY (order_id, line_no)
);
CREATE INDEX order_lines_product ON order_lines (product_id);

CREATE TABLE refunds (
    id              INTEGER PRIMARY KEY,
    order_id        INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    amount_minor    INTEGER NOT NULL CHECK (amount_minor > 0),
    refunded_at     INTEGER NOT NULL,
    idempotency_key TEXT    NOT NULL UNIQUE,
    request_hash    TEXT    NOT NULL
);

CREATE TABLE shopper_events (
    id          INTEGER PRIMARY KEY,
    shopper_id  INTEGER REFERENCES shoppers(id),
    guest_id    TEXT,
    product_id  INTEGER NOT NULL REFERENCES products(id),
    kind        TEXT    NOT NULL CHECK (kind IN ('viewed', 'wishlisted', 'unwishlisted', 'carted', 'purchased', 'reviewed', 'dismissed')),
    occurred_at INTEGER NOT NULL,
    CHECK (shopper_id IS NOT NULL OR guest_id IS NOT NULL)
);
CREATE INDEX shopper_events_shopper ON shopper_events (shopper_id, occurred_at);
CREATE INDEX shopper_events_guest ON shopper_events (guest_id, occurred_at);
CREATE INDEX shopper_events_product ON shopper_events (product_id, kind, occurred_at);
