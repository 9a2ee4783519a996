-- Daily counts of what "Widgets at work" charts, kept by triggers as rows are written, changed and deleted (by any
-- path: the server's store functions, a cascade, a tool's bulk load), so that a period reads a few rows per day
-- and kind instead of every vote, review and tier move in it (BENCHMARKS.md). A day is a UTC day
-- (`time / 86400000`), as the merchant's periods are. Counts that fall to zero stay as rows.
--
-- Helpfulness votes per day and kind, in 16 shards by voter: on PostgreSQL a count's row stays locked until the
-- transaction that moved it commits, and without shards every vote of a day in the store would wait for the one
-- before it. Reviews and tier moves are written far less often and keep one row per day and kind: shards would
-- leave the sparse days of a large store about a row per review or move, and nothing to read faster.
CREATE TABLE votes_per_day (
    day     INTEGER NOT NULL,
    helpful INTEGER NOT NULL,
    shard   INTEGER NOT NULL,
    votes   INTEGER NOT NULL,
    PRIMARY KEY (day, helpful, shard)
);

-- Reviews per day of writing, stars, verification and status (a moderation moves a review between statuses).
CREATE TABLE reviews_per_day (
    day      INTEGER NOT NULL,
    rating   INTEGER NOT NULL,
    verified INTEGER NOT NULL,
    status   TEXT   NOT NULL,
    reviews  INTEGER NOT NULL,
    PRIMARY KEY (day, rating, verified, status)
);

-- Member tier moves per day, from (empty for a first tier) and to, and why.
CREATE TABLE tier_moves_per_day (
    day       INTEGER NOT NULL,
    from_tier TEXT   NOT NULL,
    to_tier   TEXT   NOT NULL,
    reason    TEXT   NOT NULL,
    members   INTEGER NOT NULL,
    PRIMARY KEY (day, from_tier, to_tier, reason)
);

-- Row triggers (SQLite has no other kind): each row written, changed or deleted moves its count.
CREATE TRIGGER votes_counted AFTER INSERT ON helpful_votes BEGIN
    INSERT INTO votes_per_day (day, helpful, shard, votes) VALUES (NEW.voted_at / 86400000, NEW.helpful, NEW.shopper_id % 16, 1)
    ON CONFLICT (day, helpful, shard) DO UPDATE SET votes = votes + 1;
END;
CREATE TRIGGER votes_uncounted AFTER DELETE ON helpful_votes BEGIN
    UPDATE votes_per_day SET votes = votes - 1 WHERE day = OLD.voted_at / 86400000 AND helpful = OLD.helpful AND shard = OLD.shopper_id % 16;
END;
CREATE TRIGGER votes_recounted AFTER UPDATE ON helpful_votes WHEN OLD.voted_at / 86400000 IS NOT NEW.voted_at / 86400000 OR OLD.helpful IS NOT NEW.helpful OR OLD.shopper_id % 16 IS NOT NEW.shopper_id % 16 BEGIN
    UPDATE votes_per_day SET votes = votes - 1 WHERE day = OLD.voted_at / 86400000 AND helpful = OLD.helpful AND shard = OLD.shopper_id % 16;
    INSERT INTO votes_per_day (day, helpful, shard, votes) VALUES (NEW.voted_at / 86400000, NEW.helpful, NEW.shopper_id % 16, 1)
    ON CONFLICT (day, helpful, shard) DO UPDATE SET votes = votes + 1;
END;

CREATE TRIGGER reviews_counted AFTER INSERT ON reviews BEGIN
    INSERT INTO reviews_per_day (day, rating, verified, status, reviews) VALUES (NEW.created_at / 86400000, NEW.rating, NEW.verified, NEW.status, 1)
    ON CONFLICT (day, rating, verified, status) DO UPDATE SET reviews = reviews + 1;
END;
CREATE TRIGGER reviews_uncounted AFTER DELETE ON reviews BEGIN
    UPDATE reviews_per_day SET reviews = reviews - 1 WHERE day = OLD.created_at / 86400000 AND rating = OLD.rating AND verified = OLD.verified AND status = OLD.status;
END;
CREATE TRIGGER reviews_recounted AFTER UPDATE ON reviews WHEN OLD.created_at / 86400000 IS NOT NEW.created_at / 86400000 OR OLD.rating IS NOT NEW.rating OR OLD.verified IS NOT NEW.verified OR OLD.status IS NOT NEW.status BEGIN
    UPDATE reviews_per_day SET reviews = reviews - 1 WHERE day = OLD.created_at / 86400000 AND rating = OLD.rating AND verified = OLD.verified AND status = OLD.status;
    INSERT INTO reviews_per_day (day, rating, verified, status, reviews) VALUES (NEW.created_at / 86400000, NEW.rating, NEW.verified, NEW.status, 1)
    ON CONFLICT (day, rating, verified, status) DO UPDATE SET reviews = reviews + 1;
END;

CREATE TRIGGER tier_moves_counted AFTER INSERT ON tier_changes BEGIN
    INSERT INTO tier_moves_per_day (day, from_tier, to_tier, reason, members) VALUES (NEW.changed_at / 86400000, COALESCE(NEW.from_tier, ''), NEW.to_tier, NEW.reason, 1)
    ON CONFLICT (day, from_tier, to_tier, reason) DO UPDATE SET members = members + 1;
END;
CREATE TRIGGER tier_moves_uncounted AFTER DELETE ON tier_changes BEGIN
    UPDATE tier_moves_per_day SET members = members - 1 WHERE day = OLD.changed_at / 86400000 AND from_tier = COALESCE(OLD.from_tier, '') AND to_tier = OLD.to_tier AND reason = OLD.reason;
END;
CREATE TRIGGER tier_moves_recounted AFTER UPDATE ON tier_changes WHEN OLD.changed_at / 86400000 IS NOT NEW.changed_at / 86400000 OR COALESCE(OLD.from_tier, '') IS NOT COALESCE(NEW.from_tier, '') OR OLD.to_tier IS NOT NEW.to_tier OR OLD.reason IS NOT NEW.reason BEGIN
    UPDATE tier_moves_per_day SET members = members - 1 WHERE day = OLD.changed_at / 86400000 AND from_tier = COALESCE(OLD.from_tier, '') AND to_tier = OLD.to_tier AND reason = OLD.reason;
    INSERT INTO tier_moves_per_day (day, from_tier, to_tier, reason, members) VALUES (NEW.changed_at / 86400000, COALESCE(NEW.from_tier, ''), NEW.to_tier, NEW.reason, 1)
    ON CONFLICT (day, from_tier, to_tier, reason) DO UPDATE SET members = members + 1;
END;

-- The rows already stored, counted.
INSERT INTO votes_per_day (day, helpful, shard, votes)
SELECT voted_at / 86400000, helpful, shopper_id % 16, COUNT(*) FROM helpful_votes GROUP BY 1, 2, 3;
INSERT INTO reviews_per_day (day, rating, verified, status, reviews)
SELECT created_at / 86400000, rating, verified, status, COUNT(*) FROM reviews GROUP BY 1, 2, 3, 4;
INSERT INTO tier_moves_per_day (day, from_tier, to_tier, reason, members)
SELECT changed_at / 86400000, COALESCE(from_tier, ''), to_tier, reason, COUNT(*) FROM tier_changes GROUP BY 1, 2, 3, 4;
