//! What the feed learns from its own cards: which were shown ("impressed") and which were clicked, on which shelf.
//! The merchant sees impressions, clicks and click-through per shelf; a shopper stops being offered a suggestion
//! they keep passing over ([`Fatigue`]).
//!
//! ```
//! use app::feed::feedback::{CardStanding, Fatigue};
//! use app::kernel::time::Millis;
//!
//! let fatigue = Fatigue::default();
//! let hour = Millis::minutes(60);
//! let mut standing: Option<CardStanding> = None;
//! for visit in 0..5 {
//!     standing = Some(fatigue.shown(standing, visit * hour));
//! }
//! // Five showings an hour apart, never clicked: passed over.
//! assert!(fatigue.passes_over(standing, 5 * hour));
//! // A click starts the count again.
//! assert!(!fatigue.passes_over(fatigue.clicked(standing, 5 * hour), 5 * hour));
//! ```

use crate::kernel::time::Millis;
use serde::{Deserialize, Serialize};

/// Where a card was shown: a section of the home feed, or a product page's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Shelf {
    Recommended,
    Because,
    RecentlyViewed,
    PriceDrops,
    PopularIn,
    BestSellers,
    Trending,
    AlsoBought,
    AlsoViewed,
    WentOnTo,
}

impl Shelf {
    /// Every shelf, in the order the merchant's report lists them.
    pub const ALL: [Shelf; 10] = [
        Shelf::Recommended,
        Shelf::Because,
        Shelf::RecentlyViewed,
        Shelf::PriceDrops,
        Shelf::PopularIn,
        Shelf::BestSellers,
        Shelf::Trending,
        Shelf::AlsoBought,
        Shelf::AlsoViewed,
        Shelf::WentOnTo,
    ];

    /// The shelf's stable name, as stored, sent by the widgets and reported: the home feed's section keys and
    /// the product page lists' test ids.
    pub fn key(self) -> &'static str {
        match self {
            Shelf::Recommended => "recommended",
            Shelf::Because => "because",
            Shelf::RecentlyViewed => "recently-viewed",
            Shelf::PriceDrops => "price-drops",
            Shelf::PopularIn => "popular-in",
            Shelf::BestSellers => "best-sellers",
            Shelf::Trending => "trending",
            Shelf::AlsoBought => "also-bought",
            Shelf::AlsoViewed => "also-viewed",
            Shelf::WentOnTo => "went-on-to",
        }
    }

    /// The shelf a stored or sent name stands for.
    pub fn parse(key: &str) -> Option<Shelf> {
        Shelf::ALL.into_iter().find(|shelf| shelf.key() == key)
    }

    /// Whether the shelf suggests products the shopper has not chosen. "Recently viewed" is their own history and
    /// "Price drops" what they asked to hear about: passing over those says nothing against the product.
    pub fn suggests(self) -> bool {
        !matches!(self, Shelf::RecentlyViewed | Shelf::PriceDrops)
    }
}

/// One viewer's standing with one suggested product: how many times it was shown since they last clicked it,
/// counting showings at least [`Fatigue::apart`] apart, and when the last counted showing was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardStanding {
    pub shown: i64,
    pub last_shown_at: Millis,
}

/// When a suggestion the shopper keeps passing over stops coming back to them.
///
/// Showings count once per [`Fatigue::apart`] (a page reloaded ten times in a minute is one showing); after
/// [`Fatigue::after`] counted showings without a click, the product is left out of the shopper's suggestions
/// for [`Fatigue::rest`] after the last one, then may be shown again and counted afresh. A click starts the count
/// again from nothing: the shopper was interested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fatigue {
    pub after: i64,
    pub apart: Millis,
    pub rest: Millis,
}

impl Default for Fatigue {
    fn default() -> Self {
        Fatigue {
            after: 5,
            apart: Millis::minutes(60),
            rest: Millis::days(30),
        }
    }
}

impl Fatigue {
    /// The standing after the product was shown at `at` (showings may arrive a little out of order).
    pub fn shown(&self, standing: Option<CardStanding>, at: Millis) -> CardStanding {
        match standing {
            Some(standing) if at - standing.last_shown_at < self.apart => standing,
            Some(standing) if at - standing.last_shown_at < self.rest => CardStanding {
                shown: standing.shown + 1,
                last_shown_at: at,
            },
            _ => CardStanding {
                shown: 1,
                last_shown_at: at,
            },
        }
    }

    /// The standing after the product's card was clicked: nothing counts against it any more.
    pub fn clicked(&self, standing: Option<CardStanding>, at: Millis) -> Option<CardStanding> {
        standing.map(|standing| CardStanding {
            shown: 0,
            last_shown_at: standing.last_shown_at.max(at),
        })
    }

    /// Whether the shopper has passed over the product often enough, lately enough, to be spared it at `now`.
    pub fn passes_over(&self, standing: Option<CardStanding>, now: Millis) -> bool {
        standing.is_some_and(|standing| {
            standing.shown >= self.after && now - standing.last_shown_at < self.rest
        })
    }

    /// The earliest last showing that still spares a product at `now`: the stored standings worth reading.
    pub fn resting_since(&self, now: Millis) -> Millis {
        now - self.rest + Millis(1)
    }
}

/// Clicks per hundred impressions, to one decimal; `None` before anything was shown.
///
/// ```
/// use app::feed::feedback::click_through;
/// assert_eq!(click_through(200, 7), Some(3.5));
/// assert_eq!(click_through(3, 1), Some(33.3));
/// assert_eq!(click_through(0, 0), None);
/// ```
pub fn click_through(impressions: i64, clicks: i64) -> Option<f64> {
    (impressions > 0).then(|| (clicks as f64 * 1000.0 / impressions as f64).round() / 10.0)
}

/// One shelf's impressions and clicks over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ShelfFigures {
    pub shelf: Shelf,
    /// Cards shown (each card once per page it was seen on).
    pub impressions: i64,
    pub clicks: i64,
    /// Clicks per hundred impressions; absent when nothing was shown.
    pub click_through: Option<f64>,
}

#[cfg(test)]
mod tests;
