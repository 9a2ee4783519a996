//! Member tiers (JD's 铜牌/银牌/金牌/钻石): a growth value over a rolling window, from paid spend net of refunds
//! plus review points, places each member in a tier. Upgrades come as soon as the growth is there; downgrades
//! only at a review date and one tier at a time. The rules are data the merchant edits, validated and
//! versioned, and shown to members in full: nothing about how a tier is computed is hidden.

pub mod draft;
mod pages;
pub mod rules;
mod server;
#[cfg(feature = "ssr")]
pub mod ssr;
mod widget;

pub use pages::MerchantTiersPage;
pub use server::*;
pub use widget::{TierBadge, TierMark, TierProgress};

use crate::kernel::money::Money;
use crate::kernel::time::Millis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A tier's perk, as the widget lists it and the store's checkout reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Benefit {
    /// What checkout keys on, e.g. `free_shipping_over`, `review_points_percent`, `birthday_gift`.
    pub code: String,
    /// The benefit in words, per language (`en`, `zh-CN`).
    pub names: BTreeMap<String, String>,
    /// The benefit's amount when it has one (a threshold or coupon in minor units, a percentage).
    #[serde(default)]
    pub value: Option<i64>,
}

/// One tier of the programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// A stable key: lowercase letters, digits, `-` and `_`.
    pub code: String,
    /// The tier's name per language; every language the shop speaks needs one.
    pub names: BTreeMap<String, String>,
    /// `#rrggbb`.
    pub colour: String,
    /// One of `medal`, `star`, `crown`, `diamond`.
    pub icon: String,
    /// The growth value that reaches this tier, in minor units of the rules' currency. The first tier's is 0.
    pub threshold_minor: i64,
    #[serde(default)]
    pub benefits: Vec<Benefit>,
}

/// The programme's rules: how growth is counted and what each tier takes. Saved as a new version each time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TierRules {
    /// Growth is counted in this currency; orders in others do not count.
    pub currency: String,
    /// The rolling window growth is counted over, in days.
    pub window_days: i64,
    /// Whether shipping charges count as spend.
    pub count_shipping: bool,
    /// Whether tax counts as spend.
    pub count_tax: bool,
    /// Spend counts towards an upgrade only once this many days have passed since the order (its return
    /// window); until then it is shown as pending. 0 counts it at once.
    pub return_window_days: i64,
    /// Growth, in minor units, that one review point adds.
    pub points_value_minor: i64,
    /// The most review points that count in one calendar month.
    pub points_monthly_cap: i64,
    /// Tiers are reviewed (and lowered, by one at most) every this many months from 1 January: 1, 2, 3, 4, 6 or 12.
    pub review_every_months: i64,
    /// The store's time zone, in minutes east of UTC, for when a review date begins (480 for Beijing time).
    pub utc_offset_minutes: i64,
    /// Members are warned this many days before a review that would lower their tier.
    pub warn_days: i64,
    /// From the lowest tier to the highest.
    pub tiers: Vec<Tier>,
}

/// Where a member stands, with everything needed to explain it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MemberStanding {
    pub rules_version: i64,
    pub rules: TierRules,
    /// The tier held, as an index into `rules.tiers`.
    pub rank: usize,
    /// The tier today's growth reaches; below `rank` when a review may lower the tier.
    pub qualified_rank: usize,
    /// When the member reached the tier held; none for a member who never earned growth.
    #[cfg_attr(feature = "ssr", schema(value_type = Option<i64>))]
    pub since: Option<Millis>,
    /// The start of the rolling window.
    #[cfg_attr(feature = "ssr", schema(value_type = i64))]
    pub window_start: Millis,
    /// Spend that counts (past its return window), net of refunds and cancellations.
    pub spend: Money,
    /// Spend still inside its return window: counts once that ends.
    pub pending: Money,
    /// Review points that count (after the monthly cap).
    pub activity_points: i64,
    /// Those points as growth.
    pub activity: Money,
    /// The growth value: spend plus activity.
    pub growth: Money,
    /// What is still needed to reach the next tier; none at the top.
    pub to_next: Option<Money>,
    /// Progress from the held tier's threshold to the next one's, rounded down.
    pub progress_percent: u8,
    /// What keeps the held tier at the next review; none in the lowest tier.
    pub keep: Option<KeepTier>,
}

/// What keeps a member's tier at the next review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct KeepTier {
    /// When the review is.
    #[cfg_attr(feature = "ssr", schema(value_type = i64))]
    pub review_at: Millis,
    /// The last time an order can be placed and still count by then (its return window must end first).
    #[cfg_attr(feature = "ssr", schema(value_type = i64))]
    pub order_by: Millis,
    /// The growth that will still be in the window at the review, from what is known today.
    pub projected: Money,
    /// What is missing to keep the tier; zero when it is kept.
    pub needed: Money,
    /// The review is near and the tier is not yet kept.
    pub warn: bool,
}

/// Members per tier, for the merchant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TierCount {
    pub code: String,
    pub members: i64,
}

/// A member close to the next tier, for the merchant to reach out to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CloseMember {
    pub shopper_id: String,
    pub display_name: String,
    pub tier: String,
    pub next: String,
    pub growth: Money,
    pub to_next: Money,
}

/// The merchant's view of the programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TiersOverview {
    pub rules_version: i64,
    pub rules: TierRules,
    /// Every shopper, per tier held; shoppers without growth are in the lowest.
    pub distribution: Vec<TierCount>,
    /// Members within 20% of the next tier's threshold, closest first.
    pub close: Vec<CloseMember>,
}

/// What a proposed rule set would do to today's members, before it is saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TierPreview {
    pub members: i64,
    /// Members per tier of the proposed rules, as they stand now (held tiers mapped onto the proposed ones).
    pub before: Vec<TierCount>,
    /// Members per proposed tier after the proposed rules apply: upgrades at once, downgrades at the next
    /// review, by one tier at most.
    pub after: Vec<TierCount>,
    pub moving_up: i64,
    pub moving_down: i64,
}

/// Where the tier reviews stand: the last review date, and how many members still wait to be reviewed on it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReviewState {
    pub last_review_at: Millis,
    pub awaiting: i64,
}

/// What a tier review did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSummary {
    pub reviewed: i64,
    pub moved_up: i64,
    pub moved_down: i64,
}

/// Members who moved from one tier to another on one UTC day, and why, for the merchant's figures. `from` is
/// `None` for a member's first stored tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierMovesOfDay {
    /// Days since 1970-01-01.
    pub day: i64,
    pub from: Option<String>,
    pub to: String,
    /// At a periodic review (else by growth, when an order, refund or review award arrived).
    pub at_review: bool,
    pub members: i64,
}
