//! Product reviews with helpfulness votes: shoppers write one review per product, vote on others' reviews, and
//! read them ranked by a confidence score (see [`rules::wilson_lower_bound`]).

pub mod rules;
pub mod seo;
mod server;
#[cfg(feature = "ssr")]
pub mod ssr;
mod widget;
pub use server::*;
pub use widget::Reviews;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The criteria a review may rate besides its overall stars; their names are in the translation files
/// (`reviews.criterion.<name>`).
pub const CRITERIA: [&str; 4] = ["quality", "value", "fit", "delivery"];

/// Where a review stands in moderation.
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

/// What a shopper writes: overall stars, title, body, and stars per criterion of the product's category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewInput {
    pub rating: i64,
    pub title: String,
    pub body: String,
    /// Stars per criterion, e.g. `quality` or `value`.
    #[serde(default)]
    pub criteria: BTreeMap<String, i64>,
}

/// A review as shoppers see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub id: i64,
    pub rating: u8,
    pub title: String,
    pub body: String,
    pub author: String,
    pub created_at: i64,
    pub verified: bool,
    pub edited: bool,
    pub status: ReviewStatus,
    pub rejection_reason: Option<String>,
    pub helpful: i64,
    pub not_helpful: i64,
    pub criteria: BTreeMap<String, u8>,
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
}

/// A shopper's helpfulness vote: helpful, not helpful, or withdrawn (`None`).
pub type Vote = Option<bool>;

/// The counts of a review after a vote, and the voter's vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteTally {
    pub helpful: i64,
    pub not_helpful: i64,
    pub your_vote: Vote,
}
