-- Product reviews, their helpfulness votes, reports, moderation history and the points they earn.
CREATE TABLE reviews (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id        BIGINT  NOT NULL REFERENCES products(id),
    shopper_id        BIGINT  NOT NULL REFERENCES shoppers(id),
    rating            BIGINT  NOT NULL CHECK (rating BETWEEN 1 AND 5),
    title             TEXT    NOT NULL,
    body              TEXT    NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('pending', 'published', 'rejected')),
    rejection_reason  TEXT,
    verified          BIGINT  NOT NULL CHECK (verified IN (0, 1)),
    edited            BIGINT  NOT NULL DEFAULT 0 CHECK (edited IN (0, 1)),
    helpful_count     BIGINT  NOT NULL DEFAULT 0,
    not_helpful_count BIGINT  NOT NULL DEFAULT 0,
    report_count      BIGINT  NOT NULL DEFAULT 0,
    -- The Wilson lower bound, kept up to date with every vote so that "most helpful" is an index scan.
    helpful_score     DOUBLE PRECISION NOT NULL DEFAULT 0,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL,
    UNIQUE (product_id, shopper_id)
);
CREATE INDEX reviews_most_helpful ON reviews (product_id, status, helpful_score DESC, created_at DESC);
CREATE INDEX reviews_newest ON reviews (product_id, status, created_at DESC);
CREATE INDEX reviews_by_rating ON reviews (product_id, status, rating, created_at DESC);
CREATE INDEX reviews_shopper ON reviews (shopper_id, created_at);

CREATE TABLE review_ratings (
    review_id BIGINT  NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    criterion TEXT    NOT NULL,
    rating    BIGINT  NOT NULL CHECK (rating BETWEEN 1 AND 5),
    PRIMARY KEY (review_id, criterion)
);

CREATE TABLE helpful_votes (
    review_id  BIGINT  NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    shopper_id BIGINT  NOT NULL REFERENCES shoppers(id),
    helpful    BIGINT  NOT NULL CHECK (helpful IN (0, 1)),
    voted_at   BIGINT  NOT NULL,
    PRIMARY KEY (review_id, shopper_id)
);
CREATE INDEX helpful_votes_shopper ON helpful_votes (shopper_id, voted_at);

CREATE TABLE review_reports (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    review_id   BIGINT  NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    shopper_id  BIGINT  NOT NULL REFERENCES shoppers(id),
    reason      TEXT    NOT NULL,
    reported_at BIGINT  NOT NULL,
    UNIQUE (review_id, shopper_id)
);

CREATE TABLE review_moderation_log (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    review_id   BIGINT  NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    from_status TEXT,
    to_status   TEXT    NOT NULL,
    reason      TEXT,
    at          BIGINT  NOT NULL
);
CREATE INDEX review_moderation_log_review ON review_moderation_log (review_id, at);
