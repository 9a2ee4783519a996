-- How a message goes: by email, or, for a shopper who stopped opening marketing email, to the merchant's webhook,
-- so that the store reaches them another way.
ALTER TABLE messages ADD COLUMN channel TEXT NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'webhook'));
