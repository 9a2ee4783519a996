-- When a message's email was first opened (its tracking image was fetched; only where the store tracks opens,
-- --email-open-tracking) and its tracked link first followed: the merchant's figures per kind of message.
ALTER TABLE messages ADD COLUMN opened_at BIGINT;
ALTER TABLE messages ADD COLUMN clicked_at BIGINT;
-- Whether the email went with the image that counts opens (1): only those count when asking whether a shopper
-- stopped opening marketing email.
ALTER TABLE messages ADD COLUMN tracked BIGINT NOT NULL DEFAULT 0 CHECK (tracked IN (0, 1));
-- The messages of a period, by when they were queued.
CREATE INDEX messages_created ON messages (created_at);
