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
    day     BIGINT NOT NULL,
    helpful BIGINT NOT NULL,
    shard   BIGINT NOT NULL,
    votes   BIGINT NOT NULL,
    PRIMARY KEY (day, helpful, shard)
);

-- Reviews per day of writing, stars, verification and status (a moderation moves a review between statuses).
CREATE TABLE reviews_per_day (
    day      BIGINT NOT NULL,
    rating   BIGINT NOT NULL,
    verified BIGINT NOT NULL,
    status   TEXT   NOT NULL,
    reviews  BIGINT NOT NULL,
    PRIMARY KEY (day, rating, verified, status)
);

-- Member tier moves per day, from (empty for a first tier) and to, and why.
CREATE TABLE tier_moves_per_day (
    day       BIGINT NOT NULL,
    from_tier TEXT   NOT NULL,
    to_tier   TEXT   NOT NULL,
    reason    TEXT   NOT NULL,
    members   BIGINT NOT NULL,
    PRIMARY KEY (day, from_tier, to_tier, reason)
);

-- A statement writing or deleting many rows (a bulk load, a cascade) updates each count once, from the statement's
-- transition table (`came`, `gone`). An update, which the store makes a row at a time, moves one count when what is
-- counted changed: a row trigger, since PostgreSQL gives no transition tables to a trigger limited to some columns,
-- and a review's helpfulness counts are updated with every vote. Every function takes the counts' row locks in key
-- order, so that two transactions moving counts the other way round never wait on each other.
CREATE FUNCTION count_votes_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM 1 FROM votes_per_day c JOIN (SELECT DISTINCT voted_at / 86400000 AS day, helpful, shopper_id % 16 AS shard FROM gone) g ON c.day = g.day AND c.helpful = g.helpful AND c.shard = g.shard
        ORDER BY c.day, c.helpful, c.shard FOR UPDATE OF c;
        UPDATE votes_per_day c SET votes = c.votes - g.votes
        FROM (SELECT voted_at / 86400000 AS day, helpful, shopper_id % 16 AS shard, COUNT(*) AS votes FROM gone GROUP BY 1, 2, 3) g
        WHERE c.day = g.day AND c.helpful = g.helpful AND c.shard = g.shard;
    ELSE
        INSERT INTO votes_per_day (day, helpful, shard, votes)
        SELECT voted_at / 86400000, helpful, shopper_id % 16, COUNT(*) FROM came GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (day, helpful, shard) DO UPDATE SET votes = votes_per_day.votes + EXCLUDED.votes;
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION count_votes_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF ROW(OLD.voted_at / 86400000, OLD.helpful, OLD.shopper_id % 16) < ROW(NEW.voted_at / 86400000, NEW.helpful, NEW.shopper_id % 16) THEN
        UPDATE votes_per_day SET votes = votes - 1 WHERE day = OLD.voted_at / 86400000 AND helpful = OLD.helpful AND shard = OLD.shopper_id % 16;
        INSERT INTO votes_per_day (day, helpful, shard, votes) VALUES (NEW.voted_at / 86400000, NEW.helpful, NEW.shopper_id % 16, 1)
            ON CONFLICT (day, helpful, shard) DO UPDATE SET votes = votes_per_day.votes + 1;
    ELSE
        INSERT INTO votes_per_day (day, helpful, shard, votes) VALUES (NEW.voted_at / 86400000, NEW.helpful, NEW.shopper_id % 16, 1)
            ON CONFLICT (day, helpful, shard) DO UPDATE SET votes = votes_per_day.votes + 1;
        UPDATE votes_per_day SET votes = votes - 1 WHERE day = OLD.voted_at / 86400000 AND helpful = OLD.helpful AND shard = OLD.shopper_id % 16;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER votes_counted AFTER INSERT ON helpful_votes REFERENCING NEW TABLE AS came
    FOR EACH STATEMENT EXECUTE FUNCTION count_votes_rows();
CREATE TRIGGER votes_uncounted AFTER DELETE ON helpful_votes REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION count_votes_rows();
CREATE TRIGGER votes_recounted AFTER UPDATE ON helpful_votes FOR EACH ROW
    WHEN (OLD.voted_at / 86400000 IS DISTINCT FROM NEW.voted_at / 86400000 OR OLD.helpful IS DISTINCT FROM NEW.helpful OR OLD.shopper_id % 16 IS DISTINCT FROM NEW.shopper_id % 16)
    EXECUTE FUNCTION count_votes_row();

CREATE FUNCTION count_reviews_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM 1 FROM reviews_per_day c JOIN (SELECT DISTINCT created_at / 86400000 AS day, rating, verified, status FROM gone) g ON c.day = g.day AND c.rating = g.rating AND c.verified = g.verified AND c.status = g.status
        ORDER BY c.day, c.rating, c.verified, c.status FOR UPDATE OF c;
        UPDATE reviews_per_day c SET reviews = c.reviews - g.reviews
        FROM (SELECT created_at / 86400000 AS day, rating, verified, status, COUNT(*) AS reviews FROM gone GROUP BY 1, 2, 3, 4) g
        WHERE c.day = g.day AND c.rating = g.rating AND c.verified = g.verified AND c.status = g.status;
    ELSE
        INSERT INTO reviews_per_day (day, rating, verified, status, reviews)
        SELECT created_at / 86400000, rating, verified, status, COUNT(*) FROM came GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (day, rating, verified, status) DO UPDATE SET reviews = reviews_per_day.reviews + EXCLUDED.reviews;
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION count_reviews_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF ROW(OLD.created_at / 86400000, OLD.rating, OLD.verified, OLD.status) < ROW(NEW.created_at / 86400000, NEW.rating, NEW.verified, NEW.status) THEN
        UPDATE reviews_per_day SET reviews = reviews - 1 WHERE day = OLD.created_at / 86400000 AND rating = OLD.rating AND verified = OLD.verified AND status = OLD.status;
        INSERT INTO reviews_per_day (day, rating, verified, status, reviews) VALUES (NEW.created_at / 86400000, NEW.rating, NEW.verified, NEW.status, 1)
            ON CONFLICT (day, rating, verified, status) DO UPDATE SET reviews = reviews_per_day.reviews + 1;
    ELSE
        INSERT INTO reviews_per_day (day, rating, verified, status, reviews) VALUES (NEW.created_at / 86400000, NEW.rating, NEW.verified, NEW.status, 1)
            ON CONFLICT (day, rating, verified, status) DO UPDATE SET reviews = reviews_per_day.reviews + 1;
        UPDATE reviews_per_day SET reviews = reviews - 1 WHERE day = OLD.created_at / 86400000 AND rating = OLD.rating AND verified = OLD.verified AND status = OLD.status;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER reviews_counted AFTER INSERT ON reviews REFERENCING NEW TABLE AS came
    FOR EACH STATEMENT EXECUTE FUNCTION count_reviews_rows();
CREATE TRIGGER reviews_uncounted AFTER DELETE ON reviews REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION count_reviews_rows();
CREATE TRIGGER reviews_recounted AFTER UPDATE ON reviews FOR EACH ROW
    WHEN (OLD.created_at / 86400000 IS DISTINCT FROM NEW.created_at / 86400000 OR OLD.rating IS DISTINCT FROM NEW.rating OR OLD.verified IS DISTINCT FROM NEW.verified OR OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION count_reviews_row();

CREATE FUNCTION count_tier_moves_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM 1 FROM tier_moves_per_day c JOIN (SELECT DISTINCT changed_at / 86400000 AS day, COALESCE(from_tier, '') AS from_tier, to_tier, reason FROM gone) g ON c.day = g.day AND c.from_tier = g.from_tier AND c.to_tier = g.to_tier AND c.reason = g.reason
        ORDER BY c.day, c.from_tier, c.to_tier, c.reason FOR UPDATE OF c;
        UPDATE tier_moves_per_day c SET members = c.members - g.members
        FROM (SELECT changed_at / 86400000 AS day, COALESCE(from_tier, '') AS from_tier, to_tier, reason, COUNT(*) AS members FROM gone GROUP BY 1, 2, 3, 4) g
        WHERE c.day = g.day AND c.from_tier = g.from_tier AND c.to_tier = g.to_tier AND c.reason = g.reason;
    ELSE
        INSERT INTO tier_moves_per_day (day, from_tier, to_tier, reason, members)
        SELECT changed_at / 86400000, COALESCE(from_tier, ''), to_tier, reason, COUNT(*) FROM came GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (day, from_tier, to_tier, reason) DO UPDATE SET members = tier_moves_per_day.members + EXCLUDED.members;
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION count_tier_moves_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF ROW(OLD.changed_at / 86400000, COALESCE(OLD.from_tier, ''), OLD.to_tier, OLD.reason) < ROW(NEW.changed_at / 86400000, COALESCE(NEW.from_tier, ''), NEW.to_tier, NEW.reason) THEN
        UPDATE tier_moves_per_day SET members = members - 1 WHERE day = OLD.changed_at / 86400000 AND from_tier = COALESCE(OLD.from_tier, '') AND to_tier = OLD.to_tier AND reason = OLD.reason;
        INSERT INTO tier_moves_per_day (day, from_tier, to_tier, reason, members) VALUES (NEW.changed_at / 86400000, COALESCE(NEW.from_tier, ''), NEW.to_tier, NEW.reason, 1)
            ON CONFLICT (day, from_tier, to_tier, reason) DO UPDATE SET members = tier_moves_per_day.members + 1;
    ELSE
        INSERT INTO tier_moves_per_day (day, from_tier, to_tier, reason, members) VALUES (NEW.changed_at / 86400000, COALESCE(NEW.from_tier, ''), NEW.to_tier, NEW.reason, 1)
            ON CONFLICT (day, from_tier, to_tier, reason) DO UPDATE SET members = tier_moves_per_day.members + 1;
        UPDATE tier_moves_per_day SET members = members - 1 WHERE day = OLD.changed_at / 86400000 AND from_tier = COALESCE(OLD.from_tier, '') AND to_tier = OLD.to_tier AND reason = OLD.reason;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER tier_moves_counted AFTER INSERT ON tier_changes REFERENCING NEW TABLE AS came
    FOR EACH STATEMENT EXECUTE FUNCTION count_tier_moves_rows();
CREATE TRIGGER tier_moves_uncounted AFTER DELETE ON tier_changes REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION count_tier_moves_rows();
CREATE TRIGGER tier_moves_recounted AFTER UPDATE ON tier_changes FOR EACH ROW
    WHEN (OLD.changed_at / 86400000 IS DISTINCT FROM NEW.changed_at / 86400000 OR COALESCE(OLD.from_tier, '') IS DISTINCT FROM COALESCE(NEW.from_tier, '') OR OLD.to_tier IS DISTINCT FROM NEW.to_tier OR OLD.reason IS DISTINCT FROM NEW.reason)
    EXECUTE FUNCTION count_tier_moves_row();

-- The rows already stored, counted.
INSERT INTO votes_per_day (day, helpful, shard, votes)
SELECT voted_at / 86400000, helpful, shopper_id % 16, COUNT(*) FROM helpful_votes GROUP BY 1, 2, 3;
INSERT INTO reviews_per_day (day, rating, verified, status, reviews)
SELECT created_at / 86400000, rating, verified, status, COUNT(*) FROM reviews GROUP BY 1, 2, 3, 4;
INSERT INTO tier_moves_per_day (day, from_tier, to_tier, reason, members)
SELECT changed_at / 86400000, COALESCE(from_tier, ''), to_tier, reason, COUNT(*) FROM tier_changes GROUP BY 1, 2, 3, 4;
