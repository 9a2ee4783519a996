//! Product reviews with helpfulness votes: shoppers write one review per product, vote on others' reviews, and
//! read them ranked by a confidence score (see [`rules::wilson_lower_bound`]).

mod link;
mod mine;
mod moderation;
mod photo_picker;
mod photo_strip;
#[cfg(feature = "ssr")]
pub mod photos;
mod points;
pub mod rules;
pub mod seo;
mod server;
#[cfg(feature = "ssr")]
pub mod ssr;
mod widget;
pub use link::{
    ReviewLink, ReviewLinkPage, WriteReviewByLink, open_review_link, write_review_by_link,
};
pub use mine::MyReviews;
pub use moderation::ModerationDesk;
pub use points::MyReviewPoints;
pub use server::*;
pub use widget::{REVIEW_DELETED_EVENT, REVIEW_SUBMITTED_EVENT, Reviews};

use crate::kernel::time::Millis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The criteria of a category that names none.
pub const DEFAULT_CRITERIA: [&str; 3] = ["quality", "value", "delivery"];

/// Where a review stands in moderation.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewStatus {
    Pending,
    Published,
    Rejected,
}

impl ReviewStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Pending => "pending",
            ReviewStatus::Published => "published",
            ReviewStatus::Rejected => "rejected",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(ReviewStatus::Pending),
            "published" => Some(ReviewStatus::Published),
            "rejected" => Some(ReviewStatus::Rejected),
            _ => None,
        }
    }
}

/// Photos one review may hold.
pub const MAX_PHOTOS: usize = 5;
/// The largest photo file a shopper may upload.
pub const MAX_PHOTO_BYTES: usize = 10 * 1024 * 1024;
/// The most pixels a photo may have (a 40-megapixel camera's).
pub const MAX_PHOTO_PIXELS: u64 = 40_000_000;
/// The longest edge of a photo's size shown in the viewer.
pub const DISPLAY_EDGE: u32 = 1600;
/// The longest edge of a photo's thumbnail.
pub const THUMB_EDGE: u32 = 320;
/// The refusal of a photo over [`MAX_PHOTO_BYTES`], wherever it is found out: by its length, its stream or its bytes.
pub fn photo_too_large() -> crate::kernel::error::AppError {
    crate::kernel::error::AppError::new(
        crate::kernel::error::ErrorCode::TooLarge,
        crate::kernel::error::Translation::with(
            "error.rule.photo_too_large",
            &[("max", (MAX_PHOTO_BYTES / (1024 * 1024)).to_string())],
        ),
    )
    .on_field("photo")
}

/// The photo types shoppers may upload, as the file picker's `accept` names them.
pub const PHOTO_TYPES: &str = "image/jpeg,image/png,image/webp";

/// What a shopper writes: overall stars, title, body, stars per criterion of the product's category, and photos.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewInput {
    pub rating: i64,
    pub title: String,
    pub body: String,
    /// Stars per criterion, e.g. `quality` or `value`.
    #[serde(default)]
    pub criteria: BTreeMap<String, i64>,
    /// The photos the review holds, in order: ones it already had, and ones the shopper uploaded for it
    /// ([`upload_review_photo`]); a photo left out is taken off the review. Without the list (a client that knows
    /// no photos) the review keeps the photos it has.
    #[serde(default)]
    pub photos: Option<Vec<i64>>,
}

/// A photo of a review, in two sizes kept under names made from their content.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewPhoto {
    pub id: i64,
    /// The display size's path on the Rapport server, e.g. `/photos/3f…a1.jpg`.
    pub url: String,
    /// The thumbnail's path.
    pub thumb_url: String,
    /// The display size's width and height in pixels.
    pub width: u32,
    pub height: u32,
}

impl ReviewPhoto {
    /// The path a photo file is served at.
    pub fn path_of(key: &str) -> String {
        format!("/photos/{key}")
    }
}

/// A review as shoppers see it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub id: i64,
    pub rating: u8,
    pub title: String,
    pub body: String,
    pub author: String,
    /// Epoch milliseconds.
    #[cfg_attr(feature = "ssr", schema(value_type = i64))]
    pub created_at: Millis,
    pub verified: bool,
    pub edited: bool,
    pub status: ReviewStatus,
    pub rejection_reason: Option<String>,
    pub helpful: i64,
    pub not_helpful: i64,
    pub criteria: BTreeMap<String, u8>,
    /// The author's member tier, shown beside their name; none in the lowest tier.
    #[serde(default)]
    pub author_tier: Option<crate::tiers::Tier>,
    /// The shop's public reply, if it gave one.
    #[serde(default)]
    pub reply: Option<ShopReply>,
    /// The review's photos, in the author's order.
    #[serde(default)]
    pub photos: Vec<ReviewPhoto>,
}

/// The shop's public reply to a review, shown under it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopReply {
    pub body: String,
    /// When the reply was first given, epoch milliseconds.
    #[cfg_attr(feature = "ssr", schema(value_type = i64))]
    pub replied_at: Millis,
    /// Whether it was changed since.
    pub edited: bool,
}

/// One version of a shop's reply, as the moderation desk and the API list them: its text (none when the reply was
/// taken down), who wrote it and when.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyVersion {
    pub body: Option<String>,
    /// `merchant:<name>` (the merchant pages) or `api-key:<fingerprint>` (the merchant API).
    pub actor: String,
    /// Epoch milliseconds.
    #[cfg_attr(feature = "ssr", schema(value_type = i64))]
    pub at: Millis,
}

/// The orders "most helpful", "newest", "highest rating" and "lowest rating".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewSort {
    #[default]
    MostHelpful,
    Newest,
    HighestRating,
    LowestRating,
}

/// Which published reviews to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewFilter {
    /// Only reviews with this many stars.
    pub stars: Option<u8>,
    pub verified_only: bool,
    /// Only reviews with photos.
    pub with_photos: bool,
}

/// The rating summary of a product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewSummary {
    pub count: i64,
    /// Average stars, rounded to one decimal; `None` without ratings.
    pub average: Option<f64>,
    /// Number of reviews with 5, 4, 3, 2 and 1 stars, in that order.
    pub histogram: [i64; 5],
    /// Average stars per criterion, rounded to one decimal.
    pub criteria: BTreeMap<String, f64>,
    /// The criteria the product's category asks reviews to rate, in the category's order.
    pub criteria_asked: Vec<String>,
}

/// A product's stars in brief, for a badge beside its name in a list of products.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StarRating {
    pub sku: String,
    /// Published reviews.
    pub count: i64,
    /// Average stars, rounded to one decimal; `None` without reviews.
    pub average: Option<f64>,
}

/// The most products one request may ask the stars of.
pub const MAX_STAR_RATINGS: usize = 100;

/// A shopper's helpfulness vote: helpful, not helpful, or withdrawn (`None`).
pub type Vote = Option<bool>;

/// The counts of a review after a vote, and the voter's vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteTally {
    pub helpful: i64,
    pub not_helpful: i64,
    pub your_vote: Vote,
}

/// The lists a merchant works through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ModerationQueue {
    /// New or edited reviews waiting for a first decision, oldest first.
    #[default]
    Pending,
    /// Reviews shoppers reported, out of the public list until decided, oldest first.
    Reported,
    /// Rejected reviews, newest first, to restore a wrong decision.
    Rejected,
    /// Published reviews, newest first.
    Published,
}

impl ModerationQueue {
    pub const ALL: [ModerationQueue; 4] = [
        ModerationQueue::Pending,
        ModerationQueue::Reported,
        ModerationQueue::Rejected,
        ModerationQueue::Published,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ModerationQueue::Pending => "pending",
            ModerationQueue::Reported => "reported",
            ModerationQueue::Rejected => "rejected",
            ModerationQueue::Published => "published",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|queue| queue.as_str() == text)
    }
}

/// What a merchant decides about a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "lowercase")]
pub enum ModerationDecision {
    /// Publish a pending or reported review (the reports are dismissed).
    Approve,
    /// Take a review out of the public list, with a reason its author sees.
    Reject { reason: String },
    /// Publish again a review that was rejected.
    Restore,
}

/// A shopper's report of a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReviewReport {
    pub reason: String,
    /// Epoch milliseconds.
    #[cfg_attr(feature = "ssr", schema(value_type = i64))]
    pub reported_at: Millis,
}

/// A review as a merchant moderates it: the review, its product, and the reports not yet decided.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModerationItem {
    pub review: Review,
    pub sku: String,
    pub product_title: String,
    pub open_reports: Vec<ReviewReport>,
    /// Everything that happened to the review, oldest first.
    pub history: Vec<ModerationEntry>,
    /// Every version of the shop's reply, oldest first.
    #[serde(default)]
    pub reply_history: Vec<ReplyVersion>,
}

/// One entry of a review's moderation history: who did what, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ModerationEntry {
    /// `shopper:<id>`, `merchant:<name>` (the merchant pages) or `api-key:<fingerprint>` (the merchant API).
    pub actor: String,
    /// `written`, `edited`, `reported`, `approved`, `rejected` or `restored`.
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub reason: Option<String>,
    /// Epoch milliseconds.
    #[cfg_attr(feature = "ssr", schema(value_type = i64))]
    pub at: Millis,
}

/// A review as its author sees it among their own: with its product, whatever its status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnReview {
    pub sku: String,
    pub product_title: String,
    pub review: Review,
}

/// Points a shopper's review earned, as their account page shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewPointsAward {
    pub sku: String,
    pub product_title: String,
    pub points: i64,
    /// Fewer points than the rule gives, because the monthly cap was reached.
    pub capped: bool,
    /// `YYYY-MM`, the month the award counts in.
    pub month: String,
    /// The review left the public list, so the points no longer count.
    pub revoked: bool,
}

/// Reviews written on one UTC day with one rating, as they stand now, for the merchant's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewsOfDay {
    /// Days since 1970-01-01.
    pub day: i64,
    pub rating: u8,
    pub verified: bool,
    pub status: ReviewStatus,
    pub reviews: i64,
}

/// The helpfulness votes cast in a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VotesCast {
    pub helpful: i64,
    pub not_helpful: i64,
}
