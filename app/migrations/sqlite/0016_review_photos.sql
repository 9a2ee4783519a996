-- Review photos. A shopper uploads a photo before sending the review it goes with: until then it belongs to the
-- shopper alone (review_id NULL) and is dropped after a day if never sent. The files are kept outside the database
-- under names made from their content; a row names its two sizes.
CREATE TABLE review_photos (
    id          INTEGER PRIMARY KEY,
    shopper_id  INTEGER NOT NULL REFERENCES shoppers(id),
    review_id   INTEGER REFERENCES reviews(id) ON DELETE CASCADE,
    -- The photo's place in its review, from 0.
    position    INTEGER NOT NULL DEFAULT 0,
    display_key TEXT    NOT NULL,
    thumb_key   TEXT    NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    uploaded_at INTEGER NOT NULL
);
CREATE INDEX review_photos_review ON review_photos (review_id, position);
CREATE INDEX review_photos_shopper ON review_photos (shopper_id, uploaded_at);
CREATE INDEX review_photos_display ON review_photos (display_key);
CREATE INDEX review_photos_thumb ON review_photos (thumb_key);

-- Kept with each change to the review's photos, so that "with photos" needs no join.
ALTER TABLE reviews ADD COLUMN photo_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX reviews_with_photos ON reviews (product_id, status, photo_count);
