-- The tiers page's unsaved edits (app/src/tiers/draft.rs), kept so that previewing, and adding or removing a tier
-- or benefit, work as ordinary form posts without JavaScript and without putting the rules in the address.
-- Each post makes a new draft; drafts older than a week are removed when another is made.
CREATE TABLE tier_rule_drafts (
    id         TEXT    PRIMARY KEY,
    merchant   TEXT    NOT NULL,
    -- The draft as JSON (RulesDraft), every value as it was typed.
    fields     TEXT    NOT NULL,
    -- Whether the post asked for a preview (rather than adding or removing a part).
    preview    BIGINT NOT NULL CHECK (preview IN (0, 1)),
    created_at BIGINT NOT NULL
);
CREATE INDEX tier_rule_drafts_created ON tier_rule_drafts (created_at);
