//! The SQL of review photos: uploads waiting for their review, the photos a review holds, a merchant taking one
//! down, and forgetting files no row names any more.

use super::{ReviewPolicy, StatusChange, log_status, review_by_id, row_lock};
use crate::identity::ssr::{known_shopper, known_shopper_reading};
use crate::kernel::error::{AppError, Translation};
use crate::kernel::time::{DAY_MS, Millis};
use crate::reviews::{MAX_PHOTOS, Review, ReviewPhoto, ReviewStatus};
use crate::store::files::Files;
use crate::store::{Db, StoreError, Tx};
use sqlx::Row;
use std::sync::Arc;

/// What the photo server functions need beside the reviews' rules: where files are kept, and how many photos may
/// be decoded at once (a large photo takes over 100 MB while it is decoded).
#[derive(Clone)]
pub struct ReviewPhotos {
    pub files: Files,
    pub decoding: Arc<tokio::sync::Semaphore>,
}

impl ReviewPhotos {
    pub fn new(files: Files, at_once: usize) -> Self {
        Self {
            files,
            decoding: Arc::new(tokio::sync::Semaphore::new(at_once.max(1))),
        }
    }
}

/// A photo made ready and kept as files, to be recorded as the shopper's upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPhoto {
    pub display_key: String,
    pub thumb_key: String,
    pub width: u32,
    pub height: u32,
}

pub(super) fn photo_from_row(row: &sqlx::any::AnyRow) -> Result<ReviewPhoto, sqlx::Error> {
    Ok(ReviewPhoto {
        id: row.try_get("id")?,
        url: ReviewPhoto::path_of(&row.try_get::<String, _>("display_key")?),
        thumb_url: ReviewPhoto::path_of(&row.try_get::<String, _>("thumb_key")?),
        width: row.try_get::<i64, _>("width")? as u32,
        height: row.try_get::<i64, _>("height")? as u32,
    })
}

/// Refuses an upload the shopper has no room for, before the photo is read: at most `photos_per_day` uploads in
/// 24 hours, sent with a review or not.
pub async fn photo_allowance(
    db: &Db,
    shopper: &str,
    policy: &ReviewPolicy,
    now: Millis,
) -> Result<(), StoreError> {
    let shopper_id = known_shopper_reading(db, shopper).await?;
    within_allowance(db.reader(), shopper_id.0, policy, now).await
}

async fn within_allowance<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    shopper_id: i64,
    policy: &ReviewPolicy,
    now: Millis,
) -> Result<(), StoreError> {
    let (uploads, oldest): (i64, Option<Millis>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(uploaded_at) FROM review_photos WHERE shopper_id = $1 AND uploaded_at > $2",
    )
    .bind(shopper_id)
    .bind(now - DAY_MS)
    .fetch_one(executor)
    .await?;
    if uploads >= policy.photos_per_day {
        return Err(AppError::rate_limited(
            Translation::with(
                "error.photos_per_day",
                &[("max", policy.photos_per_day.to_string())],
            ),
            oldest.unwrap_or(now) + DAY_MS - now,
        )
        .into());
    }
    Ok(())
}

/// Records a photo the shopper uploaded, to be sent with their review within a day.
pub async fn add_upload(
    db: &Db,
    shopper: &str,
    photo: &NewPhoto,
    policy: &ReviewPolicy,
    now: Millis,
) -> Result<ReviewPhoto, StoreError> {
    let mut tx = db.write().await?;
    let shopper_id = known_shopper(&mut tx, shopper).await?;
    // Two uploads at once must not both fit in the last place of the day's allowance (PostgreSQL: a row lock).
    sqlx::query(&format!(
        "SELECT id FROM shoppers WHERE id = $1{}",
        row_lock(db)
    ))
    .bind(shopper_id)
    .fetch_one(&mut *tx)
    .await?;
    within_allowance(&mut *tx, shopper_id.0, policy, now).await?;
    let row = sqlx::query(
        "INSERT INTO review_photos (shopper_id, display_key, thumb_key, width, height, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, display_key, thumb_key, width, height",
    )
    .bind(shopper_id)
    .bind(&photo.display_key)
    .bind(&photo.thumb_key)
    .bind(i64::from(photo.width))
    .bind(i64::from(photo.height))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let photo = photo_from_row(&row)?;
    tx.commit().await?;
    Ok(photo)
}

/// Makes `photos` (ids, in order) the photos of the review: each must be the author's own upload, not yet sent or
/// already this review's. Photos the review held and the list leaves out become unsent uploads again: the author may
/// put them back within the day they were uploaded, they still count against the day's uploads, and [`sweep`]
/// forgets them after it.
pub(super) async fn hold_photos(
    tx: &mut Tx,
    shopper_id: i64,
    review_id: i64,
    photos: &[i64],
) -> Result<(), StoreError> {
    if photos.len() > MAX_PHOTOS {
        return Err(AppError::invalid(
            "photos",
            Translation::with(
                "error.rule.too_many_photos",
                &[("max", MAX_PHOTOS.to_string())],
            ),
        )
        .into());
    }
    for (n, id) in photos.iter().enumerate() {
        if photos[..n].contains(id) {
            return Err(AppError::invalid("photos", format!("photo {id} is listed twice")).into());
        }
        let placed = sqlx::query(
            "UPDATE review_photos SET review_id = $1, position = $2 \
             WHERE id = $3 AND shopper_id = $4 AND (review_id IS NULL OR review_id = $1)",
        )
        .bind(review_id)
        .bind(n as i64)
        .bind(*id)
        .bind(shopper_id)
        .execute(&mut **tx)
        .await?;
        if placed.rows_affected() == 0 {
            return Err(AppError::invalid(
                "photos",
                Translation::with("error.rule.photo_not_yours", &[("id", id.to_string())]),
            )
            .into());
        }
    }
    let kept = if photos.is_empty() {
        "0".to_owned()
    } else {
        crate::store::id_list(photos)
    };
    sqlx::query(&format!(
        "UPDATE review_photos SET review_id = NULL WHERE review_id = $1 AND id NOT IN ({kept})"
    ))
    .bind(review_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE reviews SET photo_count = $1 WHERE id = $2")
        .bind(photos.len() as i64)
        .bind(review_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Lets go of a review's photos before the review is deleted, for the next [`sweep`] to forget at once (marked as
/// uploaded at the epoch): the author asked for their review to go, photos and all. Deleted rather than let go, their
/// files would have no one left to forget them.
pub(super) async fn let_go_of_photos(tx: &mut Tx, review_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE review_photos SET review_id = NULL, uploaded_at = 0 WHERE review_id = $1")
        .bind(review_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Fills in the photos of `reviews`, in one query.
pub(super) async fn attach_photos<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    reviews: &mut [Review],
) -> Result<(), sqlx::Error> {
    let ids: Vec<i64> = reviews.iter().map(|r| r.id).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let rows = sqlx::query(&format!(
        "SELECT id, review_id, display_key, thumb_key, width, height FROM review_photos \
         WHERE review_id IN ({}) ORDER BY review_id, position",
        crate::store::id_list(&ids)
    ))
    .fetch_all(executor)
    .await?;
    for row in rows {
        let review_id: i64 = row.try_get("review_id")?;
        if let Some(review) = reviews.iter_mut().find(|r| r.id == review_id) {
            review.photos.push(photo_from_row(&row)?);
        }
    }
    Ok(())
}

/// A merchant takes one photo off a review and keeps the rest of it; the moderation log says who and when.
/// Answers the review as it now stands and the photo's files, for [`forget_unnamed`].
pub async fn remove_photo(
    db: &Db,
    review_id: i64,
    photo_id: i64,
    actor: &str,
    now: Millis,
) -> Result<(Review, Vec<String>), StoreError> {
    let mut tx = db.write().await?;
    let status: Option<String> = sqlx::query_scalar(&format!(
        "SELECT status FROM reviews WHERE id = $1{}",
        row_lock(db)
    ))
    .bind(review_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(status) = status.as_deref().and_then(ReviewStatus::parse) else {
        return Err(AppError::not_found(
            Some("review_id".into()),
            Translation::of("error.no_such_review"),
        )
        .into());
    };
    let removed = sqlx::query(
        "DELETE FROM review_photos WHERE id = $1 AND review_id = $2 RETURNING display_key, thumb_key",
    )
    .bind(photo_id)
    .bind(review_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(removed) = removed else {
        return Err(AppError::not_found(
            Some("photo_id".into()),
            Translation::of("error.no_such_photo"),
        )
        .into());
    };
    sqlx::query("UPDATE reviews SET photo_count = photo_count - 1 WHERE id = $1")
        .bind(review_id)
        .execute(&mut *tx)
        .await?;
    log_status(
        &mut tx,
        StatusChange {
            review_id,
            actor,
            action: "photo_removed",
            from: Some(status),
            to: status,
            reason: None,
            at: now,
        },
    )
    .await?;
    let review = review_by_id(&mut tx, review_id).await?;
    tx.commit().await?;
    Ok((
        review,
        vec![
            removed.try_get("display_key")?,
            removed.try_get("thumb_key")?,
        ],
    ))
}

/// Deletes uploads not on a review a day after they came (never sent, or taken off in an edit) and the photos of
/// deleted reviews, answering their files for [`forget_unnamed`].
pub async fn sweep(db: &Db, now: Millis) -> Result<Vec<String>, StoreError> {
    let mut tx = db.write().await?;
    let rows = sqlx::query(
        "DELETE FROM review_photos WHERE review_id IS NULL AND uploaded_at <= $1 RETURNING display_key, thumb_key",
    )
    .bind(now - DAY_MS)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut keys = Vec::with_capacity(rows.len() * 2);
    for row in rows {
        keys.push(row.try_get("display_key")?);
        keys.push(row.try_get("thumb_key")?);
    }
    Ok(keys)
}

/// Removes the files of `keys` that no photo names any more (the same picture may have been uploaded twice).
/// A file that cannot be removed is logged and left: it costs disk, not correctness.
pub async fn forget_unnamed(db: &Db, files: &Files, keys: &[String]) -> Result<(), StoreError> {
    for key in keys {
        let named: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM review_photos WHERE display_key = $1 OR thumb_key = $1",
        )
        .bind(key)
        .fetch_one(db.reader())
        .await?;
        if named == 0
            && let Err(error) = files.remove(key).await
        {
            tracing::warn!(%error, key, "a review photo's file could not be removed");
        }
    }
    Ok(())
}

/// [`sweep`], then [`forget_unnamed`]: for the server functions after a shopper uploaded, changed or deleted their
/// review, so that what was let go of does not stay on disk.
pub async fn tidy(db: &Db, photos: &ReviewPhotos, now: Millis) -> Result<(), StoreError> {
    let keys = sweep(db, now).await?;
    forget_unnamed(db, &photos.files, &keys).await
}
