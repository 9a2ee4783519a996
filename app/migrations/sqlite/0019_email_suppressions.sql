-- Addresses that will never take mail: the receiving server refused them for good (an SMTP 550, 551 or 553 reply
-- to the recipient). Nothing more is sent to them, notices and messages alike, until the merchant lifts the
-- suppression (the shopper fixed their address). Kept lower-case: addresses differ by case only in theory.
CREATE TABLE email_suppressions (
    email         TEXT    PRIMARY KEY,
    -- The receiving server's reply, as it gave it.
    reason        TEXT    NOT NULL,
    suppressed_at INTEGER NOT NULL
);
