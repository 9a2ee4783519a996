-- Member tiers. The rules are data: every save is a new version, and the newest is in force (none saved: the
-- built-in defaults, version 0).
CREATE TABLE tier_rules (
    version  BIGINT PRIMARY KEY,
    -- The rule set as JSON (app/src/tiers/mod.rs, TierRules), validated before it is saved.
    rules    TEXT    NOT NULL,
    saved_by TEXT    NOT NULL,
    saved_at BIGINT NOT NULL
);

-- The tier each member holds, kept up to date when an order, refund or review award arrives and at each review.
-- A shopper without a row holds the lowest tier.
CREATE TABLE member_tiers (
    shopper_id    BIGINT PRIMARY KEY REFERENCES shoppers(id),
    -- The tier's code, and its place in the rules it was computed under (for when a later version drops the code).
    tier          TEXT    NOT NULL,
    tier_rank     BIGINT NOT NULL CHECK (tier_rank >= 0),
    -- Growth value (settled), settled spend (growth without review points) and pending spend when last
    -- computed, in minor units of the rules' currency: an order's recomputation carries the spend forward.
    growth_minor  BIGINT NOT NULL,
    spend_minor   BIGINT NOT NULL,
    pending_minor BIGINT NOT NULL,
    rules_version BIGINT NOT NULL,
    -- When the member reached this tier.
    since         BIGINT NOT NULL,
    -- The review date last applied to this member.
    reviewed_at   BIGINT,
    computed_at   BIGINT NOT NULL
);
CREATE INDEX member_tiers_rank ON member_tiers (tier_rank, growth_minor);
CREATE INDEX member_tiers_review ON member_tiers (reviewed_at);

-- Every change of a member's tier, and why.
CREATE TABLE tier_changes (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shopper_id    BIGINT NOT NULL REFERENCES shoppers(id),
    from_tier     TEXT,
    to_tier       TEXT    NOT NULL,
    reason        TEXT    NOT NULL CHECK (reason IN ('growth', 'review')),
    rules_version BIGINT NOT NULL,
    changed_at    BIGINT NOT NULL
);
CREATE INDEX tier_changes_shopper ON tier_changes (shopper_id, changed_at);
