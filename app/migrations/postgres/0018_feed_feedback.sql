-- What the feed showed and what was clicked (app/src/feed/feedback.rs): the design card's `impressed` and
-- `clicked` events, with the shelf the card was on. They live beside shopper_events rather than in it: a visit
-- shows dozens of cards, so they outnumber every other event many times, and no reader of a shopper's history
-- wants them.
CREATE TABLE feed_card_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shopper_id  BIGINT  REFERENCES shoppers(id),
    guest_id    TEXT,
    product_id  BIGINT  NOT NULL REFERENCES products(id),
    shelf       TEXT    NOT NULL CHECK (shelf IN ('recommended', 'because', 'recently-viewed', 'price-drops',
                    'popular-in', 'best-sellers', 'trending', 'also-bought', 'also-viewed', 'went-on-to')),
    kind        TEXT    NOT NULL CHECK (kind IN ('impressed', 'clicked')),
    occurred_at BIGINT  NOT NULL,
    CHECK (shopper_id IS NOT NULL OR guest_id IS NOT NULL)
);
-- The merchant's report counts a period's events by shelf; signing in moves a guest's to the shopper.
CREATE INDEX feed_card_events_time ON feed_card_events (occurred_at);
CREATE INDEX feed_card_events_guest ON feed_card_events (guest_id) WHERE guest_id IS NOT NULL;

-- Each viewer's standing with each suggested product (app/src/feed/feedback.rs, `Fatigue`): how many times it
-- was shown since it was last clicked, counting showings an hour apart, so that the feed can leave out what a
-- shopper keeps passing over with one read by key. `viewer` is `s:<shopper row id>` or `g:<guest id>`.
CREATE TABLE feed_card_fatigue (
    viewer        TEXT    NOT NULL,
    product_id    BIGINT  NOT NULL,
    shown         BIGINT  NOT NULL,
    last_shown_at BIGINT  NOT NULL,
    PRIMARY KEY (viewer, product_id)
);
