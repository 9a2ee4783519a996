-- Emails to one shopper about something that happened to them (their question was answered; later: review
-- requests, reminders), delivered by the same workers as the alerts' notices: claimed under a lease, retried with
-- backoff, each sent at most once per `dedupe_key` of its kind.
CREATE TABLE messages (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('question_answered')),
    -- What the message is about, once per kind: a second report of the same thing queues nothing.
    dedupe_key      TEXT    NOT NULL,
    shopper_id      BIGINT  NOT NULL REFERENCES shoppers(id),
    email           TEXT    NOT NULL,
    locale          TEXT    NOT NULL,
    -- The message's own fields (JSON), as they were when it was queued.
    body            TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    attempts        BIGINT  NOT NULL DEFAULT 0,
    claimed_by      TEXT,
    next_attempt_at BIGINT  NOT NULL,
    last_error      TEXT,
    created_at      BIGINT  NOT NULL,
    sent_at         BIGINT ,
    UNIQUE (kind, dedupe_key)
);
CREATE INDEX messages_due ON messages (status, next_attempt_at);
