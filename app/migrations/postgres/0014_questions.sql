-- Product questions and answers: shoppers ask about a product; the question waits for the shop to publish it
-- (answering it publishes it too); the shop and shoppers who bought the product answer; shoppers mark answers
-- helpful, one mark each.
CREATE TABLE questions (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id        BIGINT  NOT NULL REFERENCES products(id),
    shopper_id        BIGINT  NOT NULL REFERENCES shoppers(id),
    body              TEXT    NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('pending', 'published', 'rejected')),
    rejection_reason  TEXT,
    -- Kept equal to its published answers in the transaction of every change to them: the product's questions
    -- are ordered by their best answer's helpful votes, then answered before unanswered.
    answer_count      BIGINT  NOT NULL DEFAULT 0,
    top_helpful       BIGINT  NOT NULL DEFAULT 0,
    created_at        BIGINT  NOT NULL,
    status_changed_at BIGINT  NOT NULL
);
CREATE INDEX questions_product ON questions (product_id, status, created_at);
CREATE INDEX questions_shopper ON questions (shopper_id, created_at);
CREATE INDEX questions_status ON questions (status, created_at);

CREATE TABLE answers (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    question_id   BIGINT  NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    -- NULL for the shop's answer.
    shopper_id    BIGINT  REFERENCES shoppers(id),
    by_shop       BIGINT  NOT NULL CHECK (by_shop IN (0, 1)),
    body          TEXT    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('published', 'removed')),
    helpful_count BIGINT  NOT NULL DEFAULT 0,
    edited        BIGINT  NOT NULL DEFAULT 0 CHECK (edited IN (0, 1)),
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    CHECK ((by_shop = 1) = (shopper_id IS NULL)),
    -- One answer per shopper per question.
    UNIQUE (question_id, shopper_id)
);
-- One answer by the shop per question; it is edited in place.
CREATE UNIQUE INDEX answers_one_by_shop ON answers (question_id) WHERE by_shop = 1;
CREATE INDEX answers_shopper ON answers (shopper_id, created_at);

CREATE TABLE answer_votes (
    answer_id  BIGINT  NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
    shopper_id BIGINT  NOT NULL REFERENCES shoppers(id),
    -- 0 once the mark was taken back: the row keeps when, for the limit on marks a minute.
    helpful    BIGINT  NOT NULL CHECK (helpful IN (0, 1)),
    voted_at   BIGINT  NOT NULL,
    PRIMARY KEY (answer_id, shopper_id)
);
CREATE INDEX answer_votes_shopper ON answer_votes (shopper_id, voted_at);
