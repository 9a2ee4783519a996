-- The shop's public reply to a review (one per review) and every version it had: editing or taking down a reply
-- keeps the earlier text, with who wrote it and when. Also what is left of a review its author deleted.
CREATE TABLE review_replies (
    review_id  INTEGER PRIMARY KEY REFERENCES reviews(id) ON DELETE CASCADE,
    body       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE review_reply_history (
    id        INTEGER PRIMARY KEY,
    review_id INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    -- NULL when the reply was taken down.
    body      TEXT,
    actor     TEXT    NOT NULL,
    at        INTEGER NOT NULL
);
CREATE INDEX review_reply_history_review ON review_reply_history (review_id, at);

-- A review its author deleted: when, and whether it held a points award. Writing the same product's review again
-- counts against the daily limit with the deletion, and earns no points afresh.
CREATE TABLE review_deletions (
    id         INTEGER PRIMARY KEY,
    shopper_id INTEGER NOT NULL REFERENCES shoppers(id),
    product_id INTEGER NOT NULL REFERENCES products(id),
    deleted_at INTEGER NOT NULL,
    had_points INTEGER NOT NULL CHECK (had_points IN (0, 1))
);
CREATE INDEX review_deletions_shopper ON review_deletions (shopper_id, deleted_at);
