-- Each category names the criteria its reviews rate (comma-separated names from the criteria vocabulary;
-- NULL means the default set), reports are tracked until decided, and published reviews of verified purchases earn their authors points.
ALTER TABLE categories ADD COLUMN review_criteria TEXT;

-- Reports no merchant has decided on yet: while there are any, the review stays out of the public list, even
-- when its author edits it. report_count keeps the total.
ALTER TABLE reviews ADD COLUMN open_reports INTEGER NOT NULL DEFAULT 0;
-- When the review last changed status, so that each moderation queue lists in the order things happened.
ALTER TABLE reviews ADD COLUMN status_changed_at INTEGER NOT NULL DEFAULT 0;
UPDATE reviews SET status_changed_at = updated_at;
CREATE INDEX reviews_moderation ON reviews (status, open_reports, status_changed_at);

CREATE TABLE review_points (
    review_id  INTEGER PRIMARY KEY REFERENCES reviews(id) ON DELETE CASCADE,
    shopper_id INTEGER NOT NULL REFERENCES shoppers(id),
    -- Points actually credited: fewer than the rule's amount (even 0, and then capped = 1) when the monthly cap
    -- was reached.
    points     INTEGER NOT NULL CHECK (points >= 0),
    capped     INTEGER NOT NULL CHECK (capped IN (0, 1)),
    -- The month (YYYY-MM, UTC) the cap is counted in.
    month      TEXT    NOT NULL,
    awarded_at INTEGER NOT NULL,
    -- Set when the review leaves the public list (rejected, reported); the points no longer count.
    revoked_at INTEGER
);
CREATE INDEX review_points_shopper ON review_points (shopper_id, month);
