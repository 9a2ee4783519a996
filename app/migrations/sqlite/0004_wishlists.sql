-- Wish lists: each belongs to a shopper or to a guest (never both); one default list per owner; a list is public
-- while it has a share token, the unguessable secret of its link.
CREATE TABLE wishlists (
    id          INTEGER PRIMARY KEY,
    shopper_id  INTEGER REFERENCES shoppers(id),
    guest_id    TEXT,
    name        TEXT    NOT NULL,
    is_default  INTEGER NOT NULL CHECK (is_default IN (0, 1)),
    share_token TEXT    UNIQUE,
    created_at  INTEGER NOT NULL,
    CHECK ((shopper_id IS NULL) <> (guest_id IS NULL))
);
CREATE UNIQUE INDEX wishlists_one_default_per_shopper ON wishlists (shopper_id) WHERE is_default = 1;
CREATE UNIQUE INDEX wishlists_one_default_per_guest ON wishlists (guest_id) WHERE is_default = 1;
CREATE INDEX wishlists_shopper ON wishlists (shopper_id);
CREATE INDEX wishlists_guest ON wishlists (guest_id);

-- What a product cost and whether it was in stock when saved, to show what changed since.
CREATE TABLE wishlist_items (
    wishlist_id       INTEGER NOT NULL REFERENCES wishlists(id) ON DELETE CASCADE,
    product_id        INTEGER NOT NULL REFERENCES products(id),
    saved_at          INTEGER NOT NULL,
    saved_price_minor INTEGER NOT NULL,
    saved_currency    TEXT    NOT NULL,
    saved_in_stock    INTEGER NOT NULL CHECK (saved_in_stock IN (0, 1)),
    PRIMARY KEY (wishlist_id, product_id)
);
CREATE INDEX wishlist_items_product ON wishlist_items (product_id);
