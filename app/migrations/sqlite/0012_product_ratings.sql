-- Each product's published reviews summed up, for its rating summary and star badges: changed by the review
-- functions in the same transaction as a review's status, stars or criteria, so that reading a summary is one row
-- instead of counting every review. `criteria` is a JSON object: criterion -> [sum of stars, ratings].
CREATE TABLE product_ratings (
    product_id BIGINT PRIMARY KEY REFERENCES products(id),
    stars_5    BIGINT NOT NULL,
    stars_4    BIGINT NOT NULL,
    stars_3    BIGINT NOT NULL,
    stars_2    BIGINT NOT NULL,
    stars_1    BIGINT NOT NULL,
    criteria   TEXT   NOT NULL
);
INSERT INTO product_ratings (product_id, stars_5, stars_4, stars_3, stars_2, stars_1, criteria)
SELECT r.product_id,
       SUM(CASE WHEN r.rating = 5 THEN 1 ELSE 0 END),
       SUM(CASE WHEN r.rating = 4 THEN 1 ELSE 0 END),
       SUM(CASE WHEN r.rating = 3 THEN 1 ELSE 0 END),
       SUM(CASE WHEN r.rating = 2 THEN 1 ELSE 0 END),
       SUM(CASE WHEN r.rating = 1 THEN 1 ELSE 0 END),
       COALESCE((SELECT json_group_object(c.criterion, json_array(c.total, c.ratings))
                 FROM (SELECT q.criterion, SUM(q.rating) AS total, COUNT(*) AS ratings
                       FROM review_ratings q JOIN reviews o ON o.id = q.review_id
                       WHERE o.product_id = r.product_id AND o.status = 'published'
                       GROUP BY q.criterion) c), '{}')
FROM reviews r
WHERE r.status = 'published'
GROUP BY r.product_id;
