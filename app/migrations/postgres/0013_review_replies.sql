-- The shop's public reply to a review (one per review) and every version it had: editing or taking down a reply
-- keeps the earlier text, with who wrote it and when.
CREATE TABLE review_replies (
    review_id  BIGINT PRIMARY KEY REFERENCES reviews(id) ON DELETE CASCADE,
    body       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE review_reply_history (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    -- NULL when the reply was taken down.
    body      TEXT,
    actor     TEXT   NOT NULL,
    at        BIGINT NOT NULL
);
CREATE INDEX review_reply_history_review ON review_reply_history (review_id, at);
