//! The reviews' server functions, called by the `Reviews` widget.

use super::{
    ModerationItem, ModerationQueue, OwnReview, Review, ReviewInput, ReviewPhoto,
    ReviewPointsAward, ReviewSort, ReviewSummary, StarRating, Vote, VoteTally,
};
use crate::identity::client::RapportClient;
use crate::kernel::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::{MultipartData, MultipartFormData};
use std::collections::BTreeMap;
#[cfg(feature = "ssr")]
use {
    super::ModerationDecision,
    super::ReviewFilter,
    super::ssr,
    crate::identity::merchant::request_merchant,
    crate::identity::ssr::request_shopper,
    crate::kernel::error::{Translation, respond_with},
    crate::store::store_error,
};

/// Where builds whose star badges were drawn by the widgets' WASM asked for the stars.
#[cfg(feature = "ssr")]
pub const HASHED_STAR_RATINGS_PATH: &str = crate::kernel::hashed_server_fn_path!("star_ratings");

/// The stars of many products at once (at most 100 SKUs; unknown ones are left out), for the star badges of a
/// category page or search results: one request for the whole grid. At a path of its own, without server_fn's
/// hash: the embed loader, which draws the badges, asks by that path. (A store's server that wants a cacheable
/// read uses the public `GET /api/v1/products/{sku}/rating`.)
#[server(endpoint = "star_ratings")]
pub async fn star_ratings(skus: Vec<String>) -> Result<Vec<StarRating>, AppError> {
    let skus = super::rules::star_rating_request(skus).map_err(respond_with)?;
    let db = crate::store::db()?;
    ssr::star_ratings(&db, &skus).await.map_err(store_error)
}

/// Reviews shown per "load more".
pub const PAGE: i64 = 10;

/// What the widget shows: the summary and the first `shown` reviews of the chosen order and filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewsPage {
    pub summary: ReviewSummary,
    pub reviews: Vec<Review>,
    /// Whether "load more" has more to load.
    pub more: bool,
    /// The shop's name, shown with its replies.
    pub shop_name: String,
}

/// A product's rating summary and its published reviews, sorted and filtered. Public: no sign-in needed.
#[server]
pub async fn product_reviews(
    sku: String,
    sort: ReviewSort,
    stars: Option<u8>,
    verified_only: bool,
    with_photos: bool,
    shown: i64,
) -> Result<ReviewsPage, AppError> {
    let context: ssr::Reviews = crate::kernel::context::server_context()?;
    let crate::kernel::context::ShopName(shop_name) = crate::kernel::context::server_context()?;
    let db = crate::store::db()?;
    if stars.is_some_and(|s| !(1..=5).contains(&s)) {
        return Err(respond_with(AppError::invalid(
            "stars",
            Translation::of("error.rule.stars"),
        )));
    }
    let limit = shown.clamp(PAGE, 500);
    let filter = ReviewFilter {
        stars,
        verified_only,
        with_photos,
    };
    let summary = ssr::summary(&db, &sku).await.map_err(store_error)?;
    let mut reviews = ssr::list(&db, &sku, sort, filter, 0, limit + 1, &*context.badges)
        .await
        .map_err(store_error)?;
    let more = reviews.len() as i64 > limit;
    reviews.truncate(limit as usize);
    Ok(ReviewsPage {
        summary,
        reviews,
        more,
        shop_name,
    })
}

/// The signed-in shopper's helpfulness votes on a product's reviews, by review id.
#[server(client = RapportClient)]
pub async fn my_review_votes(sku: String) -> Result<BTreeMap<i64, bool>, AppError> {
    let db = crate::store::db()?;
    let shopper = request_shopper().await?;
    ssr::votes_of(&db, &shopper, &sku)
        .await
        .map_err(store_error)
}

/// Writes (or edits) the signed-in shopper's review of a product.
#[server(client = RapportClient, input = server_fn::codec::Json)]
pub async fn write_product_review(sku: String, review: ReviewInput) -> Result<Review, AppError> {
    let db = crate::store::db()?;
    let reviews: ssr::Reviews = crate::kernel::context::server_context()?;
    let shopper = request_shopper().await?;
    // Photos an edit takes off stay the author's for their day: the hourly sweep and uploads forget them.
    ssr::write_review(
        &db,
        &shopper,
        &sku,
        &review,
        &reviews.policy,
        &*reviews.then,
        crate::kernel::time::now(),
    )
    .await
    .map_err(store_error)
}

/// Forgets the files of photos let go of (a deleted review's, day-old unsent uploads); a failure is logged, not the
/// shopper's problem.
#[cfg(feature = "ssr")]
async fn tidy_photos(db: &crate::store::Db, now: crate::kernel::time::Millis) {
    let tidied = match crate::kernel::context::server_context::<ssr::ReviewPhotos>() {
        Ok(photos) => ssr::tidy(db, &photos, now).await,
        Err(_) => return,
    };
    if let Err(error) = tidied {
        tracing::warn!(?error, "review photos let go of could not be tidied");
    }
}

/// Takes one photo (the form's `photo` field: JPEG, PNG or WebP, at most 10 MB and 40 megapixels) from the
/// signed-in shopper, for the review they are writing: it answers the photo's id, which the review then lists in
/// [`ReviewInput::photos`]. The photo is kept without its metadata, in a display size and a thumbnail; one not sent
/// with a review within a day is dropped.
#[server(client = RapportClient, input = MultipartFormData)]
pub async fn upload_review_photo(data: MultipartData) -> Result<ReviewPhoto, AppError> {
    let db = crate::store::db()?;
    let reviews: ssr::Reviews = crate::kernel::context::server_context()?;
    let photos: ssr::ReviewPhotos = crate::kernel::context::server_context()?;
    let shopper = request_shopper().await?;
    let now = crate::kernel::time::now();
    // Refused before the upload is read, so that a shopper out of allowance costs no decoding.
    ssr::photo_allowance(&db, &shopper, &reviews.policy, now)
        .await
        .map_err(store_error)?;
    let bytes = photo_field(data).await.map_err(respond_with)?;
    // The turn goes into the blocking task: a shopper who hangs up mid-decode must not free it while the decoding
    // still runs, or hanging up again and again would decode without limit.
    let turn = photos
        .decoding
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| AppError::internal())?;
    let prepared = tokio::task::spawn_blocking(move || {
        let _turn = turn;
        super::photos::prepare(&bytes)
    })
    .await
    .map_err(|error| {
        // A decoder that panics on a crafted file has met a file it cannot read: the shopper's to fix, logged for us.
        tracing::error!(%error, "preparing a review photo failed");
        if error.is_panic() {
            AppError::invalid("photo", Translation::of("error.rule.photo_damaged"))
        } else {
            AppError::internal()
        }
    })
    .and_then(|prepared| prepared)
    .map_err(respond_with)?;
    let kept = |error: std::io::Error| {
        tracing::error!(%error, "a review photo could not be kept");
        AppError::internal()
    };
    let photo = ssr::NewPhoto {
        display_key: photos
            .files
            .put(&prepared.display, "jpg")
            .await
            .map_err(kept)?,
        thumb_key: photos
            .files
            .put(&prepared.thumb, "jpg")
            .await
            .map_err(kept)?,
        width: prepared.width,
        height: prepared.height,
    };
    match ssr::add_upload(&db, &shopper, &photo, &reviews.policy, now).await {
        Ok(added) => {
            tidy_photos(&db, now).await;
            Ok(added)
        }
        Err(error) => {
            let keys = [photo.display_key, photo.thumb_key];
            let _ = ssr::forget_unnamed(&db, &photos.files, &keys).await;
            Err(store_error(error))
        }
    }
}

/// The bytes of the form's `photo` field, read no further than the size limit.
#[cfg(feature = "ssr")]
async fn photo_field(data: MultipartData) -> Result<Vec<u8>, AppError> {
    use crate::kernel::error::ErrorCode;
    fn unreadable(error: impl std::error::Error) -> AppError {
        // The whole chain: multer says only "failed to read stream" and keeps why in its source.
        let mut said = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            said.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        // The server cuts a body off past one photo and its form (`uploads_are_multipart`).
        if said.contains("length limit exceeded") {
            return super::photo_too_large();
        }
        AppError::new(
            ErrorCode::BadRequest,
            format!("the upload could not be read: {said}"),
        )
    }
    let mut form = data.into_inner().ok_or_else(|| {
        AppError::new(
            ErrorCode::BadRequest,
            "send the photo as multipart/form-data",
        )
    })?;
    while let Some(mut field) = form.next_field().await.map_err(unreadable)? {
        if field.name() != Some("photo") {
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            if bytes.len() + chunk.len() > super::MAX_PHOTO_BYTES {
                return Err(super::photo_too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok(bytes);
    }
    Err(AppError::invalid(
        "photo",
        Translation::of("error.rule.photo_missing"),
    ))
}

/// The signed-in shopper's own review of a product, whatever its status (with the merchant's reason when it was
/// rejected); none if they have not written one.
#[server(client = RapportClient)]
pub async fn my_product_review(sku: String) -> Result<Option<Review>, AppError> {
    let db = crate::store::db()?;
    let shopper = request_shopper().await?;
    ssr::own_review(&db, &shopper, &sku)
        .await
        .map_err(store_error)
}

/// Every review the signed-in shopper wrote, newest first, whatever its status.
#[server(client = RapportClient)]
pub async fn my_reviews() -> Result<Vec<OwnReview>, AppError> {
    let db = crate::store::db()?;
    let shopper = request_shopper().await?;
    ssr::own_reviews(&db, &shopper).await.map_err(store_error)
}

/// Deletes the signed-in shopper's review of a product, with everything that came of it (votes, the shop's reply,
/// the points it earned).
#[server(client = RapportClient)]
pub async fn delete_my_review(sku: String) -> Result<(), AppError> {
    let db = crate::store::db()?;
    let reviews: ssr::Reviews = crate::kernel::context::server_context()?;
    let shopper = request_shopper().await?;
    let now = crate::kernel::time::now();
    ssr::delete_own_review(&db, &shopper, &sku, &*reviews.then, now)
        .await
        .map_err(store_error)?;
    tidy_photos(&db, now).await;
    Ok(())
}

/// Casts, changes or withdraws (`helpful: None`) the signed-in shopper's helpfulness vote.
#[server(client = RapportClient)]
pub async fn vote_on_review(review_id: i64, helpful: Vote) -> Result<VoteTally, AppError> {
    let db = crate::store::db()?;
    let reviews: ssr::Reviews = crate::kernel::context::server_context()?;
    let shopper = request_shopper().await?;
    ssr::vote(
        &db,
        &shopper,
        review_id,
        helpful,
        &reviews.policy,
        crate::kernel::time::now(),
    )
    .await
    .map_err(store_error)
}

/// Reports a review as inappropriate; it leaves the public list until a merchant decides.
#[server(client = RapportClient)]
pub async fn report_review(review_id: i64, reason: String) -> Result<(), AppError> {
    let db = crate::store::db()?;
    let reviews: ssr::Reviews = crate::kernel::context::server_context()?;
    let shopper = request_shopper().await?;
    ssr::report(
        &db,
        &shopper,
        review_id,
        &reason,
        &reviews.policy,
        &*reviews.then,
        crate::kernel::time::now(),
    )
    .await
    .map_err(store_error)
}

/// The points the signed-in shopper's reviews earned, newest first.
#[server(client = RapportClient)]
pub async fn my_review_points() -> Result<Vec<ReviewPointsAward>, AppError> {
    let db = crate::store::db()?;
    let shopper = request_shopper().await?;
    ssr::points_of(&db, &shopper).await.map_err(store_error)
}

/// Reviews the moderation page lists at a time.
pub const MODERATION_PAGE: i64 = 20;

/// One moderation queue as the merchant page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModerationListing {
    /// Who is signed in, as the moderation log records them.
    pub merchant: String,
    pub items: Vec<ModerationItem>,
    pub more: bool,
}

/// The first `shown` reviews of a moderation queue. Merchants only.
#[server]
pub async fn moderation_page(
    queue: ModerationQueue,
    shown: i64,
) -> Result<ModerationListing, AppError> {
    let merchant = request_merchant()?;
    let db = crate::store::db()?;
    let limit = shown.clamp(MODERATION_PAGE, 500);
    let mut items = ssr::moderation_queue(&db, queue, 0, limit + 1)
        .await
        .map_err(store_error)?;
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    Ok(ModerationListing {
        merchant,
        items,
        more,
    })
}

/// The shop's public reply to a review, written on the moderation page; it replaces an earlier reply, which stays in
/// the reply's history. Merchants only.
#[server]
pub async fn reply_to_review(review_id: i64, body: String) -> Result<Review, AppError> {
    let merchant = request_merchant()?;
    let db = crate::store::db()?;
    ssr::reply(
        &db,
        review_id,
        Some(&body),
        &format!("merchant:{merchant}"),
        crate::kernel::time::now(),
    )
    .await
    .map_err(store_error)
}

/// Takes one photo off a review and keeps the rest of it. Merchants only.
#[server]
pub async fn remove_review_photo(review_id: i64, photo_id: i64) -> Result<Review, AppError> {
    let merchant = request_merchant()?;
    let db = crate::store::db()?;
    let photos: ssr::ReviewPhotos = crate::kernel::context::server_context()?;
    let (review, keys) = ssr::remove_photo(
        &db,
        review_id,
        photo_id,
        &format!("merchant:{merchant}"),
        crate::kernel::time::now(),
    )
    .await
    .map_err(store_error)?;
    // The photo is off the review either way: a file left behind costs disk, not the merchant's decision.
    if let Err(error) = ssr::forget_unnamed(&db, &photos.files, &keys).await {
        tracing::warn!(
            ?error,
            "a removed review photo's files could not be forgotten"
        );
    }
    Ok(review)
}

/// Takes the shop's reply to a review down (it stays in the reply's history). Merchants only.
#[server]
pub async fn take_down_reply(review_id: i64) -> Result<Review, AppError> {
    let merchant = request_merchant()?;
    let db = crate::store::db()?;
    ssr::reply(
        &db,
        review_id,
        None,
        &format!("merchant:{merchant}"),
        crate::kernel::time::now(),
    )
    .await
    .map_err(store_error)
}

/// A merchant's decision on a review from the moderation page: `approve`, `reject` (with `reason`) or
/// `restore`. Recorded in the moderation log under the signed-in merchant's name.
#[server]
pub async fn moderate_review(
    review_id: i64,
    decision: String,
    reason: Option<String>,
) -> Result<Review, AppError> {
    let merchant = request_merchant()?;
    let db = crate::store::db()?;
    let reviews: ssr::Reviews = crate::kernel::context::server_context()?;
    let decision = match decision.as_str() {
        "approve" => ModerationDecision::Approve,
        "restore" => ModerationDecision::Restore,
        "reject" => ModerationDecision::Reject {
            reason: reason.unwrap_or_default(),
        },
        _ => {
            return Err(respond_with(AppError::invalid(
                "decision",
                "must be approve, reject or restore",
            )));
        }
    };
    ssr::decide(
        &db,
        review_id,
        &decision,
        &format!("merchant:{merchant}"),
        &reviews.policy,
        &*reviews.then,
        crate::kernel::time::now(),
    )
    .await
    .map_err(store_error)
}
