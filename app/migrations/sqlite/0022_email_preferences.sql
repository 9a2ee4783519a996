-- Each shopper's own choice for each kind of message (app/src/messages/mod.rs, MessageKind): made from the
-- preferences page an email links to, or in the preferences widget. No row means no choice yet: transactional
-- kinds go, marketing kinds follow the store's consent rule (--marketing-consent).
CREATE TABLE email_preferences (
    shopper_id INTEGER NOT NULL REFERENCES shoppers(id),
    kind       TEXT    NOT NULL,
    allowed    INTEGER NOT NULL CHECK (allowed IN (0, 1)),
    changed_at INTEGER  NOT NULL,
    PRIMARY KEY (shopper_id, kind)
);
