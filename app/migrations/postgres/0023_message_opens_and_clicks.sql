-- When a message's email was first opened (its tracking image was fetched; only where the store tracks opens,
-- --email-open-tracking) and its tracked link first followed: the merchant's figures per kind of message.
ALTER TABLE messages ADD COLUMN opened_at BIGINT;
ALTER TABLE messages ADD COLUMN clicked_at BIGINT;
-- The messages of a period, by when they were queued.
CREATE INDEX messages_created ON messages (created_at);
