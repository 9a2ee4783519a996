//! The personalised home feed: "Recommended for you", "Because you viewed X", "Customers who bought this also
//! bought". Its core is item-to-item collaborative filtering (Linden, Smith and York, 2003): products are similar
//! when the same shoppers want both, measured in the background ([`ssr::refresh`]), so that serving a shopper
//! merges the short neighbour lists of what they recently did instead of scanning everyone's history. Beside it,
//! [`transitions`] counts what shoppers went on to after each product, in the order they did: the feed blends both
//! ("Customers who viewed this went on to" is its product page's list).
//!
//! [`similarity`] and [`transitions`] hold the candidate rules, [`rules`] the serving rules (exclusions,
//! diversification, sections) and [`feedback`] what the feed learns from its cards being shown and clicked, all as
//! plain functions; [`evaluation`] measures the feed offline against popularity and chance on
//! held-out purchases. The widgets are [`HomeFeed`], [`AlsoBought`], [`AlsoViewed`] and [`WentOnTo`].

mod beacon;
pub mod evaluation;
pub mod feedback;
pub mod rules;
mod server;
pub mod similarity;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod transitions;
mod widget;

pub use server::*;
pub use widget::{AlsoBought, AlsoViewed, HomeFeed, RecentlyViewed, WentOnTo};

use crate::catalog::ProductCard;
use crate::kernel::money::Money;
use feedback::Shelf;
use serde::{Deserialize, Serialize};

/// What the shopper did with the product a recommendation comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Activity {
    Viewed,
    Saved,
    Carted,
    Bought,
}

/// Why a card is in the feed, shown under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reason {
    /// Similar to a product the shopper viewed, saved, carted or bought ("Because you viewed X").
    Because { action: Activity, title: String },
    /// The shopper looked at it.
    RecentlyViewed,
    /// Cheaper than when the shopper saved it or asked to hear about a drop.
    PriceDrop { was: Money },
    /// Among the most bought of the last 30 days.
    BestSeller,
    /// Bought, saved and viewed more this week than before.
    Trending,
    /// Among the best sellers of the shopper's favourite category.
    PopularIn { category: String },
}

/// A product card in the feed, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedCard {
    pub product: ProductCard,
    /// The slug of the product's category.
    pub category: String,
    pub reason: Reason,
}

/// Which section of the home feed, with what its title names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SectionKind {
    RecommendedForYou,
    /// One section per recent anchor product: "Because you viewed X".
    Because {
        action: Activity,
        sku: String,
        title: String,
    },
    RecentlyViewed,
    PriceDrops,
    PopularIn {
        category: String,
    },
    BestSellers,
    TrendingNow,
}

impl SectionKind {
    /// The shelf the section is, whose key names it for pages and tests to find it by.
    pub fn shelf(&self) -> Shelf {
        match self {
            SectionKind::RecommendedForYou => Shelf::Recommended,
            SectionKind::Because { .. } => Shelf::Because,
            SectionKind::RecentlyViewed => Shelf::RecentlyViewed,
            SectionKind::PriceDrops => Shelf::PriceDrops,
            SectionKind::PopularIn { .. } => Shelf::PopularIn,
            SectionKind::BestSellers => Shelf::BestSellers,
            SectionKind::TrendingNow => Shelf::Trending,
        }
    }
}

/// One section of the home feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedSection {
    pub kind: SectionKind,
    pub cards: Vec<FeedCard>,
}

/// The home feed of one shopper or guest, in the order the sections are shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feed {
    pub sections: Vec<FeedSection>,
}

/// Which neighbours a product page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RelatedBy {
    /// Customers who bought this also bought.
    Bought,
    /// Customers who viewed this also viewed.
    Viewed,
    /// Customers who viewed this went on to: what shoppers touched next, in the order they did.
    WentOnTo,
}

impl RelatedBy {
    /// The shelf the list is, whose key is also its test id.
    pub fn shelf(self) -> Shelf {
        match self {
            RelatedBy::Bought => Shelf::AlsoBought,
            RelatedBy::Viewed => Shelf::AlsoViewed,
            RelatedBy::WentOnTo => Shelf::WentOnTo,
        }
    }
}
