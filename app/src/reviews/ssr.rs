//! The reviews' SQL.

use super::rules::{
    AutoPublish, Counted, RatingTally, ReviewPoints, category_criteria, helpfulness_score,
    validate_rating, validate_reason, validate_reply, validate_text,
};
use super::{
    ModerationDecision, ModerationEntry, ModerationItem, ModerationQueue, OwnReview, ReplyVersion,
    Review, ReviewFilter, ReviewInput, ReviewPointsAward, ReviewReport, ReviewSort, ReviewStatus,
    ReviewSummary, ReviewsOfDay, ShopReply, StarRating, Vote, VoteTally, VotesCast,
};
use crate::catalog::CRITERIA_VOCABULARY;
use crate::catalog::ssr::active_product_id;
use crate::events::EventKind;
use crate::events::ssr::{NewEvent, record};
use crate::identity::ssr::known_shopper;
use crate::kernel::error::{AppError, ErrorCode, Translation};
use crate::kernel::ids::ShopperKey;
use crate::kernel::time::{DAY_MS, DaySpan, Millis, iso_date};
use crate::kernel::validate::key as validate_key;
use crate::store::{Db, StoreError, Then, Tx, is_unique_violation, take_turns};
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, HashMap};

mod photos;
pub use photos::{
    NewPhoto, ReviewPhotos, add_upload, forget_unnamed, photo_allowance, remove_photo, sweep, tidy,
};

/// The window `ReviewPolicy::votes_per_minute` counts votes in.
const VOTE_WINDOW_MS: Millis = Millis::minutes(1);

/// What the reviews' server functions need from the server: the store's rules, what follows a change to a
/// shopper's review points (member tier growth), and where authors' tier badges come from (the server wires these
/// two in from `flows`).
#[derive(Clone)]
pub struct Reviews {
    pub policy: ReviewPolicy,
    pub then: std::sync::Arc<dyn Then<PointsChange> + Send>,
    pub badges: std::sync::Arc<dyn AuthorBadges>,
}

/// Where a review author's member-tier badge comes from (the tiers, in `flows`): the badge of each of `shoppers`
/// (row ids) that has one.
pub trait AuthorBadges: Send + Sync {
    fn badges_of<'a>(
        &'a self,
        db: &'a Db,
        shoppers: &'a [i64],
    ) -> futures::future::BoxFuture<'a, Result<HashMap<i64, crate::tiers::Tier>, StoreError>>;
}

/// The rules a store sets for reviews.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReviewPolicy {
    pub auto_publish: AutoPublish,
    /// Weight of a verified purchase in the "most helpful" score.
    pub verified_weight: f64,
    /// Reviews one shopper may write (or edit) in 24 hours.
    pub reviews_per_day: i64,
    /// Helpfulness votes one shopper may cast in a minute.
    pub votes_per_minute: i64,
    /// Photos one shopper may upload in 24 hours.
    pub photos_per_day: i64,
    /// Points for published reviews of verified purchases.
    pub points: ReviewPoints,
}

impl Default for ReviewPolicy {
    fn default() -> Self {
        Self {
            auto_publish: AutoPublish::default(),
            verified_weight: 1.0,
            reviews_per_day: 10,
            votes_per_minute: 30,
            photos_per_day: 30,
            points: ReviewPoints::default(),
        }
    }
}

fn validate_review(input: &ReviewInput) -> Result<u8, AppError> {
    let rating = validate_rating("rating", input.rating)?;
    validate_text(&input.title, &input.body)?;
    for (criterion, stars) in &input.criteria {
        if !CRITERIA_VOCABULARY.contains(&criterion.as_str()) {
            return Err(AppError::invalid(
                format!("criteria.{criterion}"),
                "is not a review criterion",
            ));
        }
        validate_rating(&format!("criteria.{criterion}"), *stars)?;
    }
    Ok(rating)
}

/// One entry of the moderation log: who did what to a review, when, and the status it moved between.
struct StatusChange<'a> {
    review_id: i64,
    actor: &'a str,
    action: &'a str,
    from: Option<ReviewStatus>,
    to: ReviewStatus,
    reason: Option<&'a str>,
    at: Millis,
}

async fn log_status(tx: &mut Tx, change: StatusChange<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO review_moderation_log (review_id, actor, action, from_status, to_status, reason, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(change.review_id)
    .bind(change.actor)
    .bind(change.action)
    .bind(change.from.map(ReviewStatus::as_str))
    .bind(change.to.as_str())
    .bind(change.reason)
    .bind(change.at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Which of `pairs` (a shopper, a product) the shopper has reviewed, whatever the review's state: each pair is
/// looked up through the reviews' unique key, so a shopper's many other reviews are never read.
pub async fn reviewed(
    tx: &mut Tx,
    pairs: &[(ShopperKey, crate::kernel::ids::ProductKey)],
) -> Result<std::collections::HashSet<(ShopperKey, crate::kernel::ids::ProductKey)>, StoreError> {
    if pairs.is_empty() {
        return Ok(Default::default());
    }
    // CROSS JOIN: SQLite reads the pairs first and seeks each in the unique key (product, shopper).
    let sql = |asked: &str| {
        format!(
            "SELECT r.shopper_id, r.product_id FROM {asked} CROSS JOIN reviews r \
             WHERE r.product_id = p.product AND r.shopper_id = p.shopper"
        )
    };
    // The pairs as two arrays unnested side by side on PostgreSQL, as one JSON array of arrays on SQLite (two
    // JSON arrays joined by position would compare every element with every other).
    let rows: Vec<(ShopperKey, crate::kernel::ids::ProductKey)> = match crate::store::Backend::of(
        tx,
    ) {
        crate::store::Backend::Postgres => {
            let list = |ids: Vec<i64>| {
                let listed: Vec<String> = ids.iter().map(i64::to_string).collect();
                format!("{{{}}}", listed.join(","))
            };
            sqlx::query_as(&sql(
                "unnest(CAST($1 AS BIGINT[]), CAST($2 AS BIGINT[])) AS p (shopper, product)",
            ))
            .bind(list(pairs.iter().map(|(shopper, _)| shopper.0).collect()))
            .bind(list(pairs.iter().map(|(_, product)| product.0).collect()))
            .fetch_all(&mut **tx)
            .await?
        }
        crate::store::Backend::Sqlite => {
            let listed: Vec<String> = pairs
                .iter()
                .map(|(shopper, product)| format!("[{},{}]", shopper.0, product.0))
                .collect();
            sqlx::query_as(&sql(
                "(SELECT json_extract(value, '$[0]') AS shopper, json_extract(value, '$[1]') AS product \
                 FROM json_each($1)) AS p",
            ))
            .bind(format!("[{}]", listed.join(",")))
            .fetch_all(&mut **tx)
            .await?
        }
    };
    Ok(rows.into_iter().collect())
}

/// Writes the shopper's review of a product, or edits it if they wrote one before (keeping its votes and marking
/// it edited). Whether it goes live at once follows the policy's auto-publish rule.
pub async fn write_review(
    db: &Db,
    shopper: &str,
    sku: &str,
    input: &ReviewInput,
    policy: &ReviewPolicy,
    then: &dyn Then<PointsChange>,
    now: Millis,
) -> Result<Review, StoreError> {
    let rating = validate_review(input)?;
    validate_key("sku", sku)?;
    let mut tx = db.write().await?;
    let shopper_id = known_shopper(&mut tx, shopper).await?;
    let product_id = active_product_id(&mut tx, sku).await?;
    let asked = criteria_of_product(&mut tx, product_id.0).await?;
    if let Some(criterion) = input.criteria.keys().find(|c| !asked.contains(c)) {
        return Err(AppError::invalid(
            format!("criteria.{criterion}"),
            if asked.is_empty() {
                "reviews of this product rate only the overall stars".to_owned()
            } else {
                format!("reviews of this product rate {}", asked.join(", "))
            },
        )
        .into());
    }
    // Reviews written or edited in the window, and reviews deleted in it, so that deleting and writing again is no
    // way around the limit; the oldest says when a slot frees up, for the Retry-After the shopper gets.
    let (written_today, oldest): (i64, Option<Millis>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(at) FROM (SELECT updated_at AS at FROM reviews WHERE shopper_id = $1 AND updated_at > $2 \
         UNION ALL SELECT deleted_at FROM review_deletions WHERE shopper_id = $1 AND deleted_at > $2) written",
    )
    .bind(shopper_id)
    .bind(now - DAY_MS)
    .fetch_one(&mut *tx)
    .await?;
    if written_today >= policy.reviews_per_day {
        return Err(AppError::rate_limited(
            Translation::with(
                "error.reviews_per_day",
                &[("max", policy.reviews_per_day.to_string())],
            ),
            oldest.unwrap_or(now) + DAY_MS - now,
        )
        .into());
    }
    let verified: bool = sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM orders o JOIN order_lines l ON l.order_id = o.id \
         WHERE o.shopper_id = $1 AND l.product_id = $2 AND o.status = 'paid'",
    )
    .bind(shopper_id)
    .bind(product_id)
    .fetch_one(&mut *tx)
    .await?
        > 0;
    let existing = sqlx::query(&format!(
        "SELECT id, status, open_reports FROM reviews WHERE product_id = $1 AND shopper_id = $2{}",
        row_lock(db)
    ))
    .bind(product_id)
    .bind(shopper_id)
    .fetch_optional(&mut *tx)
    .await?;
    // Editing a reported review must not slip it past the merchant who has yet to decide on the reports.
    let reported = match &existing {
        Some(row) => row.try_get::<i64, _>("open_reports")? > 0,
        None => false,
    };
    let status = if !reported && policy.auto_publish.publishes(verified, rating) {
        ReviewStatus::Published
    } else {
        ReviewStatus::Pending
    };
    let was = match &existing {
        Some(row) => counted(&mut tx, row.try_get("id")?).await?,
        None => None,
    };
    let (review_id, before) = match existing {
        Some(row) => {
            let id: i64 = row.try_get("id")?;
            sqlx::query(
                "UPDATE reviews SET rating = $1, title = $2, body = $3, status = $4, rejection_reason = NULL, \
                 verified = $5, edited = 1, updated_at = $6, status_changed_at = $6 WHERE id = $7",
            )
            .bind(i64::from(rating))
            .bind(&input.title)
            .bind(&input.body)
            .bind(status.as_str())
            .bind(i64::from(verified))
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM review_ratings WHERE review_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            (
                id,
                ReviewStatus::parse(&row.try_get::<String, _>("status")?),
            )
        }
        None => {
            let inserted = sqlx::query_scalar(
                "INSERT INTO reviews (product_id, shopper_id, rating, title, body, status, verified, created_at, updated_at, \
                 status_changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8) RETURNING id",
            )
            .bind(product_id)
            .bind(shopper_id)
            .bind(i64::from(rating))
            .bind(&input.title)
            .bind(&input.body)
            .bind(status.as_str())
            .bind(i64::from(verified))
            .bind(now)
            .fetch_one(&mut *tx)
            .await;
            match inserted {
                Ok(id) => (id, None),
                Err(error) if is_unique_violation(&error) => {
                    return Err(
                        AppError::conflict(Translation::of("error.review_just_written")).into(),
                    );
                }
                Err(error) => return Err(error.into()),
            }
        }
    };
    for (criterion, stars) in &input.criteria {
        sqlx::query(
            "INSERT INTO review_ratings (review_id, criterion, rating) VALUES ($1, $2, $3)",
        )
        .bind(review_id)
        .bind(criterion)
        .bind(*stars)
        .execute(&mut *tx)
        .await?;
    }
    // A new review without photos has none to place or let go of.
    if let Some(photos) = input.photos.as_deref()
        && (before.is_some() || !photos.is_empty())
    {
        photos::hold_photos(&mut tx, shopper_id.0, review_id, photos).await?;
    }
    retally(&mut tx, review_id, was).await?;
    let action = if before.is_some() {
        "edited"
    } else {
        "written"
    };
    log_status(
        &mut tx,
        StatusChange {
            review_id,
            actor: &format!("shopper:{shopper}"),
            action,
            from: before,
            to: status,
            reason: None,
            at: now,
        },
    )
    .await?;
    record(
        &mut tx,
        &[NewEvent {
            shopper_id: Some(shopper_id),
            guest_id: None,
            product_id,
            kind: EventKind::Reviewed,
            at: now,
        }],
    )
    .await?;
    settle_points(&mut tx, review_id, &policy.points, then, now).await?;
    let review = review_by_id(&mut tx, review_id).await?;
    tx.commit().await?;
    Ok(review)
}

const REVIEW_COLUMNS: &str = "r.id, r.rating, r.title, r.body, s.display_name AS author, r.created_at, r.verified, \
     r.edited, r.status, r.rejection_reason, r.helpful_count, r.not_helpful_count, rp.body AS reply_body, \
     rp.created_at AS replied_at, rp.updated_at AS reply_updated_at";

/// The tables [`REVIEW_COLUMNS`] come from: the review, its author, and the shop's reply in the same read.
const REVIEW_TABLES: &str = "reviews r JOIN shoppers s ON s.id = r.shopper_id \
     LEFT JOIN review_replies rp ON rp.review_id = r.id";

fn review_from_row(row: &sqlx::any::AnyRow) -> Result<Review, sqlx::Error> {
    Ok(Review {
        id: row.try_get("id")?,
        rating: row.try_get::<i64, _>("rating")? as u8,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        author: row.try_get("author")?,
        created_at: row.try_get("created_at")?,
        verified: row.try_get::<i64, _>("verified")? != 0,
        edited: row.try_get::<i64, _>("edited")? != 0,
        status: ReviewStatus::parse(&row.try_get::<String, _>("status")?)
            .unwrap_or(ReviewStatus::Pending),
        rejection_reason: row.try_get("rejection_reason")?,
        helpful: row.try_get("helpful_count")?,
        not_helpful: row.try_get("not_helpful_count")?,
        criteria: BTreeMap::new(),
        author_tier: None,
        photos: Vec::new(),
        reply: match row.try_get::<Option<String>, _>("reply_body")? {
            Some(body) => {
                let replied_at: Millis = row.try_get("replied_at")?;
                Some(ShopReply {
                    body,
                    replied_at,
                    edited: row.try_get::<Millis, _>("reply_updated_at")? != replied_at,
                })
            }
            None => None,
        },
    })
}

/// The reviews' ids as an SQL list. They are integers, so formatting them into the SQL is safe.
fn id_list(reviews: &[Review]) -> String {
    reviews
        .iter()
        .map(|r| r.id.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Fills in the per-criterion stars of `reviews`, in one query.
async fn attach_criteria<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    reviews: &mut [Review],
) -> Result<(), sqlx::Error> {
    if reviews.is_empty() {
        return Ok(());
    }
    let ids = id_list(reviews);
    let ratings = sqlx::query(&format!(
        "SELECT review_id, criterion, rating FROM review_ratings WHERE review_id IN ({ids})"
    ))
    .fetch_all(executor)
    .await?;
    for rating in ratings {
        let review_id: i64 = rating.try_get("review_id")?;
        if let Some(review) = reviews.iter_mut().find(|r| r.id == review_id) {
            review.criteria.insert(
                rating.try_get("criterion")?,
                rating.try_get::<i64, _>("rating")? as u8,
            );
        }
    }
    Ok(())
}

async fn review_by_id(tx: &mut Tx, review_id: i64) -> Result<Review, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT {REVIEW_COLUMNS} FROM {REVIEW_TABLES} WHERE r.id = $1"
    ))
    .bind(review_id)
    .fetch_one(&mut **tx)
    .await?;
    let mut review = [review_from_row(&row)?];
    attach_criteria(&mut **tx, &mut review).await?;
    photos::attach_photos(&mut **tx, &mut review).await?;
    let [review] = review;
    Ok(review)
}

/// Casts, changes (`Some`) or withdraws (`None`) a shopper's helpfulness vote on a published review. The database
/// keeps one vote per shopper per review; the counts are recounted from the votes, so concurrent double-submits
/// leave exactly one vote and right counts.
pub async fn vote(
    db: &Db,
    shopper: &str,
    review_id: i64,
    helpful: Vote,
    policy: &ReviewPolicy,
    now: Millis,
) -> Result<VoteTally, StoreError> {
    let mut tx = db.write().await?;
    let shopper_id = known_shopper(&mut tx, shopper).await?;
    // Take the review's row lock first (a no-op update): concurrent votes on one review then queue here, and the
    // recount below sees every vote committed before, so no count is lost on PostgreSQL.
    sqlx::query("UPDATE reviews SET helpful_count = helpful_count WHERE id = $1")
        .bind(review_id)
        .execute(&mut *tx)
        .await?;
    let review = sqlx::query("SELECT shopper_id, status, verified FROM reviews WHERE id = $1")
        .bind(review_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| {
            AppError::not_found(
                Some("review_id".into()),
                Translation::of("error.no_such_review"),
            )
        })?;
    if review.try_get::<String, _>("status")? != ReviewStatus::Published.as_str() {
        return Err(AppError::not_found(
            Some("review_id".into()),
            Translation::of("error.review_not_published"),
        )
        .into());
    }
    if review.try_get::<ShopperKey, _>("shopper_id")? == shopper_id {
        return Err(
            AppError::new(ErrorCode::Forbidden, Translation::of("error.own_review")).into(),
        );
    }
    let (recent, oldest): (i64, Option<Millis>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(voted_at) FROM helpful_votes WHERE shopper_id = $1 AND voted_at > $2",
    )
    .bind(shopper_id)
    .bind(now - VOTE_WINDOW_MS)
    .fetch_one(&mut *tx)
    .await?;
    if recent >= policy.votes_per_minute {
        return Err(AppError::rate_limited(
            Translation::of("error.voting_fast"),
            oldest.unwrap_or(now) + VOTE_WINDOW_MS - now,
        )
        .into());
    }
    match helpful {
        Some(helpful) => {
            sqlx::query(
                "INSERT INTO helpful_votes (review_id, shopper_id, helpful, voted_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (review_id, shopper_id) DO UPDATE SET helpful = excluded.helpful, voted_at = excluded.voted_at",
            )
            .bind(review_id)
            .bind(shopper_id)
            .bind(i64::from(helpful))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM helpful_votes WHERE review_id = $1 AND shopper_id = $2")
                .bind(review_id)
                .bind(shopper_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    let counts = sqlx::query(
        "SELECT CAST(COALESCE(SUM(helpful), 0) AS BIGINT) AS helpful, COUNT(*) AS votes FROM helpful_votes WHERE review_id = $1",
    )
    .bind(review_id)
    .fetch_one(&mut *tx)
    .await?;
    let helpful_count: i64 = counts.try_get("helpful")?;
    let not_helpful_count = counts.try_get::<i64, _>("votes")? - helpful_count;
    let verified = review.try_get::<i64, _>("verified")? != 0;
    let score = helpfulness_score(
        helpful_count as u64,
        not_helpful_count as u64,
        verified,
        policy.verified_weight,
    );
    sqlx::query("UPDATE reviews SET helpful_count = $1, not_helpful_count = $2, helpful_score = $3 WHERE id = $4")
        .bind(helpful_count)
        .bind(not_helpful_count)
        .bind(score)
        .bind(review_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(VoteTally {
        helpful: helpful_count,
        not_helpful: not_helpful_count,
        your_vote: helpful,
    })
}

/// The stars of each of `skus` that is a product, in one query; unknown SKUs are left out.
pub async fn star_ratings(db: &Db, skus: &[String]) -> Result<Vec<StarRating>, StoreError> {
    if skus.is_empty() {
        return Ok(Vec::new());
    }
    let places: Vec<String> = (1..=skus.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT p.sku, {TALLY_COLUMNS} FROM products p LEFT JOIN product_ratings t ON t.product_id = p.id \
         WHERE p.sku IN ({}) ORDER BY p.sku",
        places.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for sku in skus {
        query = query.bind(sku);
    }
    query
        .fetch_all(db.reader())
        .await?
        .iter()
        .map(|row| {
            let tally = tally_of(row)?;
            Ok(StarRating {
                sku: row.try_get("sku").map_err(StoreError::from)?,
                count: tally.count(),
                average: tally.average(),
            })
        })
        .collect()
}

/// The rating summary of a product's published reviews: one row, its kept [`RatingTally`].
pub async fn summary(db: &Db, sku: &str) -> Result<ReviewSummary, StoreError> {
    // No row at all means no such product: a widget given a mistyped SKU says so instead of showing no reviews.
    let row = sqlx::query(&format!(
        "SELECT c.review_criteria, {TALLY_COLUMNS} FROM products p \
         LEFT JOIN categories c ON c.id = p.category_id \
         LEFT JOIN product_ratings t ON t.product_id = p.id WHERE p.sku = $1"
    ))
    .bind(sku)
    .fetch_optional(db.reader())
    .await?
    .ok_or_else(|| {
        AppError::not_found(Some("sku".into()), Translation::of("error.no_such_product"))
    })?;
    let tally = tally_of(&row)?;
    let column: Option<String> = row.try_get("review_criteria")?;
    Ok(ReviewSummary {
        count: tally.count(),
        average: tally.average(),
        histogram: tally.histogram,
        criteria: tally.criteria_averages(),
        criteria_asked: category_criteria(column.as_deref()),
    })
}

/// A product's tally as the columns of `product_ratings t` (all null when the product has no published review).
const TALLY_COLUMNS: &str = "t.stars_5, t.stars_4, t.stars_3, t.stars_2, t.stars_1, t.criteria";

fn tally_of(row: &sqlx::any::AnyRow) -> Result<RatingTally, StoreError> {
    let mut tally = RatingTally::default();
    for (slot, column) in ["stars_5", "stars_4", "stars_3", "stars_2", "stars_1"]
        .iter()
        .enumerate()
    {
        tally.histogram[slot] = row.try_get::<Option<i64>, _>(*column)?.unwrap_or_default();
    }
    if let Some(criteria) = row.try_get::<Option<String>, _>("criteria")? {
        tally.criteria = serde_json::from_str(&criteria).map_err(|error| {
            StoreError::from(sqlx::Error::Decode(
                format!("product_ratings.criteria: {error}").into(),
            ))
        })?;
    }
    Ok(tally)
}

/// Locks the review row read on PostgreSQL, so that two changes of one review take turns: each then sees the status
/// the other left, for its checks and for what the review counted for before it (SQLite has one writer at a time).
fn row_lock(db: &Db) -> &'static str {
    match db.backend() {
        crate::store::Backend::Postgres => " FOR UPDATE",
        crate::store::Backend::Sqlite => "",
    }
}

/// The review's status as a change to it starts, its row locked until `tx` ends (see [`row_lock`]); an unknown
/// review is a 404.
async fn status_for_change(db: &Db, tx: &mut Tx, review_id: i64) -> Result<String, StoreError> {
    let status: Option<String> = sqlx::query_scalar(&format!(
        "SELECT status FROM reviews WHERE id = $1{}",
        row_lock(db)
    ))
    .bind(review_id)
    .fetch_optional(&mut **tx)
    .await?;
    status.ok_or_else(|| {
        AppError::not_found(
            Some("review_id".into()),
            Translation::of("error.no_such_review"),
        )
        .into()
    })
}

/// What the review counts for in its product's tally as it stands in `tx`: its stars and criteria when
/// published, nothing otherwise.
async fn counted(tx: &mut Tx, review_id: i64) -> Result<Option<Counted>, sqlx::Error> {
    let rating: Option<i64> =
        sqlx::query_scalar("SELECT rating FROM reviews WHERE id = $1 AND status = 'published'")
            .bind(review_id)
            .fetch_optional(&mut **tx)
            .await?;
    let Some(rating) = rating else {
        return Ok(None);
    };
    let criteria = sqlx::query_as(
        "SELECT criterion, rating FROM review_ratings WHERE review_id = $1 ORDER BY criterion",
    )
    .bind(review_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(Some(Counted { rating, criteria }))
}

/// Moves the review's place in its product's tally from what it `was` (before this transaction changed it) to what
/// it counts for now, in the same transaction.
async fn retally(tx: &mut Tx, review_id: i64, was: Option<Counted>) -> Result<(), StoreError> {
    let now = counted(tx, review_id).await?;
    if now == was {
        return Ok(());
    }
    let product_id: i64 = sqlx::query_scalar("SELECT product_id FROM reviews WHERE id = $1")
        .bind(review_id)
        .fetch_one(&mut **tx)
        .await?;
    move_in_tally(tx, product_id, was, now).await
}

/// Moves one review in its product's tally from what it `was` to what it counts for `now`.
async fn move_in_tally(
    tx: &mut Tx,
    product_id: i64,
    was: Option<Counted>,
    now: Option<Counted>,
) -> Result<(), StoreError> {
    if now == was {
        return Ok(());
    }
    let conn: &mut AnyConnection = tx;
    // Two reviews of one product at once take turns on its tally (whose row may not exist yet).
    take_turns(conn, "products", &[product_id]).await?;
    let stored = sqlx::query(&format!(
        "SELECT {TALLY_COLUMNS} FROM product_ratings t WHERE t.product_id = $1"
    ))
    .bind(product_id)
    .fetch_optional(&mut *conn)
    .await?;
    let mut tally = match &stored {
        Some(row) => tally_of(row)?,
        None => RatingTally::default(),
    };
    if let Some(was) = &was {
        tally.remove(was);
    }
    if let Some(now) = &now {
        tally.add(now);
    }
    let criteria = serde_json::to_string(&tally.criteria)
        .map_err(|error| StoreError::from(sqlx::Error::Encode(error.into())))?;
    let [five, four, three, two, one] = tally.histogram;
    sqlx::query(
        "INSERT INTO product_ratings (product_id, stars_5, stars_4, stars_3, stars_2, stars_1, criteria) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (product_id) DO UPDATE SET stars_5 = excluded.stars_5, \
         stars_4 = excluded.stars_4, stars_3 = excluded.stars_3, stars_2 = excluded.stars_2, \
         stars_1 = excluded.stars_1, criteria = excluded.criteria",
    )
    .bind(product_id)
    .bind(five)
    .bind(four)
    .bind(three)
    .bind(two)
    .bind(one)
    .bind(criteria)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The criteria reviews of a product rate, from its category.
async fn criteria_of_product(tx: &mut Tx, product_id: i64) -> Result<Vec<String>, sqlx::Error> {
    let column: Option<String> = sqlx::query_scalar(
        "SELECT c.review_criteria FROM products p JOIN categories c ON c.id = p.category_id WHERE p.id = $1",
    )
    .bind(product_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(category_criteria(column.as_deref()))
}

/// Reports that a shopper's review points changed (an award given or taken back), inside the review's transaction,
/// to what follows it (member tier growth, in `flows`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PointsChange {
    pub shopper: i64,
    pub at: Millis,
}

/// Brings a review's points in line with its status: a published review of a verified purchase holds an award
/// (capped per month, counted in the month it is granted); any other review holds none, so an award is revoked
/// when its review leaves the public list and granted afresh if it comes back. The author's member tier follows.
async fn settle_points(
    tx: &mut Tx,
    review_id: i64,
    rule: &ReviewPoints,
    then: &dyn Then<PointsChange>,
    now: Millis,
) -> Result<(), StoreError> {
    let review = sqlx::query("SELECT shopper_id, status, verified FROM reviews WHERE id = $1")
        .bind(review_id)
        .fetch_one(&mut **tx)
        .await?;
    let shopper_id: i64 = review.try_get("shopper_id")?;
    let earns = review.try_get::<String, _>("status")? == ReviewStatus::Published.as_str()
        && review.try_get::<i64, _>("verified")? != 0;
    let held: Option<Option<i64>> =
        sqlx::query_scalar("SELECT revoked_at FROM review_points WHERE review_id = $1")
            .bind(review_id)
            .fetch_optional(&mut **tx)
            .await?;
    match (earns, held) {
        (true, Some(None)) | (false, None) | (false, Some(Some(_))) => return Ok(()),
        (false, Some(None)) => {
            sqlx::query("UPDATE review_points SET revoked_at = $1 WHERE review_id = $2")
                .bind(now)
                .bind(review_id)
                .execute(&mut **tx)
                .await?;
        }
        (true, None) if deleted_with_points(tx, shopper_id, review_id).await? => return Ok(()),
        (true, earlier) => {
            let month = iso_date(now)[..7].to_owned();
            let this_month: i64 = sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) FROM review_points \
                 WHERE shopper_id = $1 AND month = $2 AND revoked_at IS NULL",
            )
            .bind(shopper_id)
            .bind(&month)
            .fetch_one(&mut **tx)
            .await?;
            let points = rule.award(this_month);
            let statement = if earlier.is_some() {
                "UPDATE review_points SET shopper_id = $2, points = $3, capped = $4, month = $5, awarded_at = $6, \
                 revoked_at = NULL WHERE review_id = $1"
            } else {
                "INSERT INTO review_points (review_id, shopper_id, points, capped, month, awarded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)"
            };
            sqlx::query(statement)
                .bind(review_id)
                .bind(shopper_id)
                .bind(points)
                .bind(i64::from(points < rule.per_review))
                .bind(&month)
                .bind(now)
                .execute(&mut **tx)
                .await?;
        }
    }
    then.then(
        tx,
        PointsChange {
            shopper: shopper_id,
            at: now,
        },
    )
    .await
}

/// One page of a product's published reviews, sorted and filtered.
pub async fn list(
    db: &Db,
    sku: &str,
    sort: ReviewSort,
    filter: ReviewFilter,
    offset: i64,
    limit: i64,
    badges: &dyn AuthorBadges,
) -> Result<Vec<Review>, StoreError> {
    let order = match sort {
        ReviewSort::MostHelpful => "r.helpful_score DESC, r.created_at DESC, r.id DESC",
        ReviewSort::Newest => "r.created_at DESC, r.id DESC",
        ReviewSort::HighestRating => "r.rating DESC, r.created_at DESC, r.id DESC",
        ReviewSort::LowestRating => "r.rating ASC, r.created_at DESC, r.id DESC",
    };
    let rows = sqlx::query(&format!(
        "SELECT {REVIEW_COLUMNS} FROM {REVIEW_TABLES} \
         WHERE r.product_id = (SELECT id FROM products WHERE sku = $1) AND r.status = 'published' \
         AND ($2 = 0 OR r.rating = $2) AND ($3 = 0 OR r.verified = 1) AND ($6 = 0 OR r.photo_count > 0) \
         ORDER BY {order} LIMIT $4 OFFSET $5"
    ))
    .bind(sku)
    .bind(i64::from(filter.stars.unwrap_or(0)))
    .bind(i64::from(filter.verified_only))
    .bind(limit)
    .bind(offset)
    .bind(i64::from(filter.with_photos))
    .fetch_all(db.reader())
    .await?;
    let mut reviews = rows
        .iter()
        .map(review_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    attach_criteria(db.reader(), &mut reviews).await?;
    photos::attach_photos(db.reader(), &mut reviews).await?;
    attach_author_tiers(db, &mut reviews, badges).await?;
    Ok(reviews)
}

/// Each author's member tier above the lowest, as their badge shows it.
async fn attach_author_tiers(
    db: &Db,
    reviews: &mut [Review],
    badges: &dyn AuthorBadges,
) -> Result<(), StoreError> {
    if reviews.is_empty() {
        return Ok(());
    }
    let authors: HashMap<i64, i64> = sqlx::query_as(&format!(
        "SELECT id, shopper_id FROM reviews WHERE id IN ({})",
        id_list(reviews)
    ))
    .fetch_all(db.reader())
    .await?
    .into_iter()
    .collect();
    let shoppers: Vec<i64> = authors.values().copied().collect();
    let badges = badges.badges_of(db, &shoppers).await?;
    for review in reviews {
        review.author_tier = authors
            .get(&review.id)
            .and_then(|shopper| badges.get(shopper))
            .cloned();
    }
    Ok(())
}

/// A shopper's helpfulness votes on a product's reviews, by review id.
pub async fn votes_of(
    db: &Db,
    shopper: &str,
    sku: &str,
) -> Result<BTreeMap<i64, bool>, StoreError> {
    let rows = sqlx::query(
        "SELECT v.review_id, v.helpful FROM helpful_votes v JOIN reviews r ON r.id = v.review_id \
         JOIN products p ON p.id = r.product_id JOIN shoppers s ON s.id = v.shopper_id \
         WHERE p.sku = $1 AND s.external_id = $2",
    )
    .bind(sku)
    .bind(shopper)
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .iter()
        .map(|row| {
            Ok((
                row.try_get("review_id")?,
                row.try_get::<i64, _>("helpful")? != 0,
            ))
        })
        .collect::<Result<_, sqlx::Error>>()?)
}

/// A merchant's decision on a review, recorded in the moderation log with who (`actor`) and when. A decision
/// that does not fit the review's status (approving a published review, restoring one that was not rejected) is
/// refused as a conflict, so that two merchants deciding at once cannot overwrite each other unseen.
pub async fn decide(
    db: &Db,
    review_id: i64,
    decision: &ModerationDecision,
    actor: &str,
    policy: &ReviewPolicy,
    then: &dyn Then<PointsChange>,
    now: Millis,
) -> Result<Review, StoreError> {
    let (to, action, reason) = match decision {
        ModerationDecision::Approve => (ReviewStatus::Published, "approved", None),
        ModerationDecision::Restore => (ReviewStatus::Published, "restored", None),
        ModerationDecision::Reject { reason } => {
            let reason = reason.trim();
            validate_reason(reason)?;
            (ReviewStatus::Rejected, "rejected", Some(reason))
        }
    };
    let mut tx = db.write().await?;
    let status = status_for_change(db, &mut tx, review_id).await?;
    let before = ReviewStatus::parse(&status);
    let fits = match decision {
        ModerationDecision::Approve => before == Some(ReviewStatus::Pending),
        ModerationDecision::Restore => before == Some(ReviewStatus::Rejected),
        ModerationDecision::Reject { .. } => before != Some(ReviewStatus::Rejected),
    };
    if !fits {
        // Said from where the review stands now, in the merchant's words: the decision refused is the one they
        // just made.
        let key = match before {
            Some(ReviewStatus::Pending) => "error.review_moved_on.pending",
            Some(ReviewStatus::Published) => "error.review_moved_on.published",
            Some(ReviewStatus::Rejected) => "error.review_moved_on.rejected",
            None => "error.review_moved_on",
        };
        return Err(AppError::conflict(Translation::of(key)).into());
    }
    let was = counted(&mut tx, review_id).await?;
    sqlx::query(
        "UPDATE reviews SET status = $1, rejection_reason = $2, open_reports = 0, status_changed_at = $3 WHERE id = $4",
    )
    .bind(to.as_str())
    .bind(reason)
    .bind(now)
    .bind(review_id)
    .execute(&mut *tx)
    .await?;
    retally(&mut tx, review_id, was).await?;
    log_status(
        &mut tx,
        StatusChange {
            review_id,
            actor,
            action,
            from: before,
            to,
            reason,
            at: now,
        },
    )
    .await?;
    settle_points(&mut tx, review_id, &policy.points, then, now).await?;
    let review = review_by_id(&mut tx, review_id).await?;
    tx.commit().await?;
    Ok(review)
}

/// A shopper reports a review as inappropriate: it leaves the public list until a merchant decides.
pub async fn report(
    db: &Db,
    shopper: &str,
    review_id: i64,
    reason: &str,
    policy: &ReviewPolicy,
    then: &dyn Then<PointsChange>,
    now: Millis,
) -> Result<(), StoreError> {
    validate_reason(reason)?;
    let mut tx = db.write().await?;
    let shopper_id = known_shopper(&mut tx, shopper).await?;
    let status = status_for_change(db, &mut tx, review_id).await?;
    let inserted = sqlx::query("INSERT INTO review_reports (review_id, shopper_id, reason, reported_at) VALUES ($1, $2, $3, $4)")
        .bind(review_id)
        .bind(shopper_id)
        .bind(reason)
        .bind(now)
        .execute(&mut *tx)
        .await;
    match inserted {
        Ok(_) => {}
        Err(error) if is_unique_violation(&error) => {
            return Err(AppError::conflict(Translation::of("error.review_reported")).into());
        }
        Err(error) => return Err(error.into()),
    }
    let was = counted(&mut tx, review_id).await?;
    sqlx::query(
        "UPDATE reviews SET report_count = report_count + 1, open_reports = open_reports + 1, status = 'pending', \
         status_changed_at = $1 WHERE id = $2",
    )
    .bind(now)
    .bind(review_id)
    .execute(&mut *tx)
    .await?;
    retally(&mut tx, review_id, was).await?;
    log_status(
        &mut tx,
        StatusChange {
            review_id,
            actor: &format!("shopper:{shopper}"),
            action: "reported",
            from: ReviewStatus::parse(&status),
            to: ReviewStatus::Pending,
            reason: Some(reason),
            at: now,
        },
    )
    .await?;
    settle_points(&mut tx, review_id, &policy.points, then, now).await?;
    tx.commit().await?;
    Ok(())
}

/// A page of one moderation queue, with each review's product and open reports.
pub async fn moderation_queue(
    db: &Db,
    queue: ModerationQueue,
    offset: i64,
    limit: i64,
) -> Result<Vec<ModerationItem>, StoreError> {
    let (condition, order) = match queue {
        ModerationQueue::Pending => ("r.status = 'pending' AND r.open_reports = 0", "ASC"),
        ModerationQueue::Reported => ("r.status = 'pending' AND r.open_reports > 0", "ASC"),
        ModerationQueue::Rejected => ("r.status = 'rejected'", "DESC"),
        ModerationQueue::Published => ("r.status = 'published'", "DESC"),
    };
    let rows = sqlx::query(&format!(
        "SELECT {REVIEW_COLUMNS}, r.open_reports, p.sku, p.title AS product_title FROM {REVIEW_TABLES} \
         JOIN products p ON p.id = r.product_id \
         WHERE {condition} ORDER BY r.status_changed_at {order}, r.id {order} LIMIT $1 OFFSET $2"
    ))
    .bind(limit)
    .bind(offset)
    .fetch_all(db.reader())
    .await?;
    let mut reviews = rows
        .iter()
        .map(review_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    attach_criteria(db.reader(), &mut reviews).await?;
    photos::attach_photos(db.reader(), &mut reviews).await?;
    if reviews.is_empty() {
        return Ok(Vec::new());
    }
    // The page's reports and histories in one query each, not two per review.
    let ids = id_list(&reviews);
    let mut reports: HashMap<i64, Vec<ReviewReport>> = HashMap::new();
    for report in sqlx::query(&format!(
        "SELECT review_id, reason, reported_at FROM review_reports WHERE review_id IN ({ids}) \
         ORDER BY reported_at DESC, id DESC"
    ))
    .fetch_all(db.reader())
    .await?
    {
        reports
            .entry(report.try_get("review_id")?)
            .or_default()
            .push(ReviewReport {
                reason: report.try_get("reason")?,
                reported_at: report.try_get("reported_at")?,
            });
    }
    let mut histories = histories_of(db, &ids).await?;
    let mut reply_histories = reply_histories_of(db, &ids).await?;
    let mut items = Vec::with_capacity(reviews.len());
    for (review, row) in reviews.into_iter().zip(&rows) {
        // Open reports are the latest `open_reports` of the review's reports.
        let mut open_reports = reports.remove(&review.id).unwrap_or_default();
        open_reports.truncate(row.try_get::<i64, _>("open_reports")? as usize);
        let history = histories.remove(&review.id).unwrap_or_default();
        let reply_history = reply_histories.remove(&review.id).unwrap_or_default();
        items.push(ModerationItem {
            review,
            sku: row.try_get("sku")?,
            product_title: row.try_get("product_title")?,
            open_reports,
            history,
            reply_history,
        });
    }
    Ok(items)
}

/// Everything that happened to a review, oldest first.
pub async fn moderation_history(
    db: &Db,
    review_id: i64,
) -> Result<Vec<ModerationEntry>, StoreError> {
    let history = histories_of(db, &review_id.to_string())
        .await?
        .remove(&review_id)
        .unwrap_or_default();
    if history.is_empty() {
        return Err(AppError::not_found(
            Some("review_id".into()),
            Translation::of("error.no_such_review"),
        )
        .into());
    }
    Ok(history)
}

/// The moderation histories of the reviews in `ids` (a list made by [`id_list`]), each oldest first.
async fn histories_of(
    db: &Db,
    ids: &str,
) -> Result<HashMap<i64, Vec<ModerationEntry>>, sqlx::Error> {
    let mut histories: HashMap<i64, Vec<ModerationEntry>> = HashMap::new();
    for row in sqlx::query(&format!(
        "SELECT review_id, actor, action, from_status, to_status, reason, at FROM review_moderation_log \
         WHERE review_id IN ({ids}) ORDER BY at, id"
    ))
    .fetch_all(db.reader())
    .await?
    {
        histories
            .entry(row.try_get("review_id")?)
            .or_default()
            .push(ModerationEntry {
                actor: row.try_get("actor")?,
                action: row.try_get("action")?,
                from_status: row.try_get("from_status")?,
                to_status: row.try_get("to_status")?,
                reason: row.try_get("reason")?,
                at: row.try_get("at")?,
            });
    }
    Ok(histories)
}

/// The versions of the shop's replies to the reviews in `ids` (a list made by [`id_list`]), each oldest first.
async fn reply_histories_of(
    db: &Db,
    ids: &str,
) -> Result<HashMap<i64, Vec<ReplyVersion>>, sqlx::Error> {
    let mut histories: HashMap<i64, Vec<ReplyVersion>> = HashMap::new();
    for row in sqlx::query(&format!(
        "SELECT review_id, body, actor, at FROM review_reply_history WHERE review_id IN ({ids}) ORDER BY at, id"
    ))
    .fetch_all(db.reader())
    .await?
    {
        histories
            .entry(row.try_get("review_id")?)
            .or_default()
            .push(ReplyVersion {
                body: row.try_get("body")?,
                actor: row.try_get("actor")?,
                at: row.try_get("at")?,
            });
    }
    Ok(histories)
}

/// The shop replies to a review in public (`Some` text, which replaces an earlier reply) or takes its reply down
/// (`None`); every version is kept with who (`actor`) and when. Any review may have a reply, but shoppers see it only
/// under a published one. Answers the review as it now stands.
pub async fn reply(
    db: &Db,
    review_id: i64,
    body: Option<&str>,
    actor: &str,
    now: Millis,
) -> Result<Review, StoreError> {
    let body = body.map(str::trim);
    if let Some(body) = body {
        validate_reply(body)?;
    }
    let mut tx = db.write().await?;
    status_for_change(db, &mut tx, review_id).await?;
    let current: Option<String> =
        sqlx::query_scalar("SELECT body FROM review_replies WHERE review_id = $1")
            .bind(review_id)
            .fetch_optional(&mut *tx)
            .await?;
    if current.as_deref() == body {
        // The same text again (a resubmitted form) changes nothing and adds no version.
        let review = review_by_id(&mut tx, review_id).await?;
        tx.commit().await?;
        return Ok(review);
    }
    match body {
        Some(body) => {
            sqlx::query(
                "INSERT INTO review_replies (review_id, body, created_at, updated_at) VALUES ($1, $2, $3, $3) \
                 ON CONFLICT (review_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
            )
            .bind(review_id)
            .bind(body)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM review_replies WHERE review_id = $1")
                .bind(review_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    sqlx::query(
        "INSERT INTO review_reply_history (review_id, body, actor, at) VALUES ($1, $2, $3, $4)",
    )
    .bind(review_id)
    .bind(body)
    .bind(actor)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let review = review_by_id(&mut tx, review_id).await?;
    tx.commit().await?;
    Ok(review)
}

/// The reviews written from `from` until `to` (not included), per UTC day of writing, stars, verification and
/// status: read from the daily counts the database keeps (migration 0030), and from the reviews themselves for
/// what of the period is not a whole day.
pub async fn reviews_written(
    db: &Db,
    from: Millis,
    to: Millis,
) -> Result<Vec<ReviewsOfDay>, StoreError> {
    let span = DaySpan::of(from, to);
    let mut days = sqlx::query_as::<_, (i64, i64, i64, String, i64)>(
        "SELECT day, rating, verified, status, CAST(SUM(reviews) AS BIGINT) FROM reviews_per_day \
         WHERE day >= $1 AND day < $2 GROUP BY day, rating, verified, status HAVING SUM(reviews) > 0",
    )
    .bind(span.first)
    .bind(span.end)
    .fetch_all(db.reader())
    .await?;
    for (start, stop) in span.ends {
        days.extend(
            sqlx::query_as::<_, (i64, i64, i64, String, i64)>(
                "SELECT created_at / 86400000, rating, verified, status, COUNT(*) FROM reviews \
                 WHERE created_at >= $1 AND created_at < $2 GROUP BY created_at / 86400000, rating, verified, status",
            )
            .bind(start)
            .bind(stop)
            .fetch_all(db.reader())
            .await?,
        );
    }
    Ok(days
        .into_iter()
        .map(|(day, rating, verified, status, reviews)| {
            Ok(ReviewsOfDay {
                day,
                rating: u8::try_from(rating).map_err(|_| decode_error("rating", rating))?,
                verified: verified == 1,
                status: ReviewStatus::parse(&status)
                    .ok_or_else(|| decode_error("status", &status))?,
                reviews,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?)
}

/// The helpfulness votes cast from `from` until `to` (not included): from the daily counts, and from the votes
/// themselves for what of the period is not a whole day.
pub async fn votes_cast(db: &Db, from: Millis, to: Millis) -> Result<VotesCast, StoreError> {
    let span = DaySpan::of(from, to);
    let mut counted = sqlx::query_as::<_, (i64, i64)>(
        "SELECT helpful, CAST(SUM(votes) AS BIGINT) FROM votes_per_day WHERE day >= $1 AND day < $2 GROUP BY helpful",
    )
    .bind(span.first)
    .bind(span.end)
    .fetch_all(db.reader())
    .await?;
    for (start, stop) in span.ends {
        counted.extend(
            sqlx::query_as::<_, (i64, i64)>(
                "SELECT helpful, COUNT(*) FROM helpful_votes WHERE voted_at >= $1 AND voted_at < $2 GROUP BY helpful",
            )
            .bind(start)
            .bind(stop)
            .fetch_all(db.reader())
            .await?,
        );
    }
    let of_kind = |helpful: i64| -> i64 {
        counted
            .iter()
            .filter(|(kind, _)| *kind == helpful)
            .map(|(_, votes)| votes)
            .sum()
    };
    Ok(VotesCast {
        helpful: of_kind(1),
        not_helpful: of_kind(0),
    })
}

/// When each review now waiting for moderation started waiting, oldest first.
pub async fn waiting_since(db: &Db) -> Result<Vec<Millis>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT status_changed_at FROM reviews WHERE status = 'pending' ORDER BY status_changed_at",
    )
    .fetch_all(db.reader())
    .await?)
}

fn decode_error(column: &str, value: impl std::fmt::Debug) -> sqlx::Error {
    sqlx::Error::Decode(format!("a review's {column} read as {value:?}").into())
}

/// The shopper's own review of a product, whatever its status, with the merchant's reason when rejected.
pub async fn own_review(db: &Db, shopper: &str, sku: &str) -> Result<Option<Review>, StoreError> {
    validate_key("sku", sku)?;
    Ok(own_reviews_where(db, shopper, Some(sku))
        .await?
        .pop()
        .map(|own| own.review))
}

/// Every review the shopper wrote, newest first, whatever its status.
pub async fn own_reviews(db: &Db, shopper: &str) -> Result<Vec<OwnReview>, StoreError> {
    own_reviews_where(db, shopper, None).await
}

async fn own_reviews_where(
    db: &Db,
    shopper: &str,
    sku: Option<&str>,
) -> Result<Vec<OwnReview>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {REVIEW_COLUMNS}, p.sku, p.title AS product_title FROM {REVIEW_TABLES} \
         JOIN products p ON p.id = r.product_id \
         WHERE s.external_id = $1 AND ($2 = '' OR p.sku = $2) ORDER BY r.created_at DESC, r.id DESC"
    ))
    .bind(shopper)
    .bind(sku.unwrap_or_default())
    .fetch_all(db.reader())
    .await?;
    let mut reviews = rows
        .iter()
        .map(review_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    attach_criteria(db.reader(), &mut reviews).await?;
    photos::attach_photos(db.reader(), &mut reviews).await?;
    reviews
        .into_iter()
        .zip(&rows)
        .map(|(review, row)| {
            Ok(OwnReview {
                sku: row.try_get("sku")?,
                product_title: row.try_get("product_title")?,
                review,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(StoreError::from)
}

/// The shopper takes back their review of a product: it leaves the product's tally, and with it go its votes,
/// reports, history, the shop's reply and the points it earned (the author's member tier follows).
pub async fn delete_own_review(
    db: &Db,
    shopper: &str,
    sku: &str,
    then: &dyn Then<PointsChange>,
    now: Millis,
) -> Result<(), StoreError> {
    validate_key("sku", sku)?;
    let mut tx = db.write().await?;
    let shopper_id = known_shopper(&mut tx, shopper).await?;
    // Only the review's row is locked: orders and wish lists go on referring to the product meanwhile.
    let lock = match db.backend() {
        crate::store::Backend::Postgres => " FOR UPDATE OF r",
        crate::store::Backend::Sqlite => "",
    };
    let found = sqlx::query(&format!(
        "SELECT r.id, r.product_id FROM reviews r JOIN products p ON p.id = r.product_id \
         WHERE p.sku = $1 AND r.shopper_id = $2{lock}"
    ))
    .bind(sku)
    .bind(shopper_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(found) = found else {
        return Err(
            AppError::not_found(Some("sku".into()), Translation::of("error.no_review")).into(),
        );
    };
    let review_id: i64 = found.try_get("id")?;
    let product_id: i64 = found.try_get("product_id")?;
    let was = counted(&mut tx, review_id).await?;
    let earned: Option<i64> = sqlx::query_scalar(
        "SELECT points FROM review_points WHERE review_id = $1 AND revoked_at IS NULL",
    )
    .bind(review_id)
    .fetch_optional(&mut *tx)
    .await?;
    photos::let_go_of_photos(&mut tx, review_id).await?;
    sqlx::query("DELETE FROM reviews WHERE id = $1")
        .bind(review_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO review_deletions (shopper_id, product_id, deleted_at, had_points) VALUES ($1, $2, $3, $4)",
    )
    .bind(shopper_id)
    .bind(product_id)
    .bind(now)
    .bind(i64::from(earned.is_some()))
    .execute(&mut *tx)
    .await?;
    move_in_tally(&mut tx, product_id, was, None).await?;
    if earned.is_some() {
        then.then(
            &mut tx,
            PointsChange {
                shopper: shopper_id.0,
                at: now,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Whether the author of `review_id` deleted an earlier review of the same product that held points: a review
/// written again earns none afresh.
async fn deleted_with_points(
    tx: &mut Tx,
    shopper_id: i64,
    review_id: i64,
) -> Result<bool, sqlx::Error> {
    let deleted: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM review_deletions d JOIN reviews r ON r.product_id = d.product_id \
         WHERE r.id = $1 AND d.shopper_id = $2 AND d.had_points = 1",
    )
    .bind(review_id)
    .bind(shopper_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(deleted > 0)
}

/// The points a shopper's reviews earned, newest first.
pub async fn points_of(db: &Db, shopper: &str) -> Result<Vec<ReviewPointsAward>, StoreError> {
    let rows = sqlx::query(
        "SELECT p.sku, p.title, a.points, a.capped, a.month, a.revoked_at FROM review_points a \
         JOIN reviews r ON r.id = a.review_id JOIN products p ON p.id = r.product_id \
         JOIN shoppers s ON s.id = a.shopper_id WHERE s.external_id = $1 \
         ORDER BY a.awarded_at DESC, a.review_id DESC",
    )
    .bind(shopper)
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .iter()
        .map(|row| {
            Ok(ReviewPointsAward {
                sku: row.try_get("sku")?,
                product_title: row.try_get("title")?,
                points: row.try_get("points")?,
                capped: row.try_get::<i64, _>("capped")? != 0,
                month: row.try_get("month")?,
                revoked: row.try_get::<Option<i64>, _>("revoked_at")?.is_some(),
            })
        })
        .collect::<Result<_, sqlx::Error>>()?)
}

#[cfg(test)]
mod tests;
