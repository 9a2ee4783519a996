-- The shopper's time zone (IANA name, as the store shares it): marketing email waits out their local night.
ALTER TABLE shoppers ADD COLUMN time_zone TEXT;
-- A shopper's messages by time: how many marketing emails went to them in the last week (the weekly cap).
CREATE INDEX messages_shopper ON messages (shopper_id, created_at);
