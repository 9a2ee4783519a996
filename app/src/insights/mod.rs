//! What the merchant learns about their customers from the orders they report: RFM scores and segments, the
//! repeat-purchase rate, new against returning customers month by month, and monthly cohorts' retention. The
//! figures are pure functions of the paid orders (`rules.rs`); the store reads the orders once per question
//! (`ssr.rs`); the merchant pages draw them, and the merchant API answers them as JSON and CSV.

#[cfg(feature = "ssr")]
pub mod csv;
mod pages;
pub mod rules;
mod server;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use pages::{
    CustomerInsightsPage, MerchantHome, ReportHead, day, month, month_column, percent,
    period_refused, table_box,
};
pub use server::*;

use serde::{Deserialize, Serialize};

/// A named group of customers by their recency and frequency–monetary scores (the rules in [`Rfm::segment`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    Champions,
    Loyal,
    Promising,
    NeedsAttention,
    AtRisk,
    Hibernating,
    Lost,
}

impl Segment {
    /// Every segment, best first: the order of the page's tables and charts.
    pub const ALL: [Segment; 7] = [
        Segment::Champions,
        Segment::Loyal,
        Segment::Promising,
        Segment::NeedsAttention,
        Segment::AtRisk,
        Segment::Hibernating,
        Segment::Lost,
    ];

    /// Its name in URLs, JSON and CSV, e.g. `needs_attention`.
    pub fn code(self) -> &'static str {
        match self {
            Segment::Champions => "champions",
            Segment::Loyal => "loyal",
            Segment::Promising => "promising",
            Segment::NeedsAttention => "needs_attention",
            Segment::AtRisk => "at_risk",
            Segment::Hibernating => "hibernating",
            Segment::Lost => "lost",
        }
    }

    pub fn from_code(code: &str) -> Option<Segment> {
        Segment::ALL
            .into_iter()
            .find(|segment| segment.code() == code)
    }
}

/// A customer's scores, each 1 (lowest fifth of the period's customers) to 5 (highest fifth).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Rfm {
    /// The score of how recently they last ordered: 5 for the most recent fifth.
    pub recency: u8,
    /// The score of how many orders they placed in the period.
    pub frequency: u8,
    /// The score of how much they spent in the period.
    pub monetary: u8,
}

/// The days a figure covers, both ends included, as `2026-01-01`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DateSpan {
    pub first_day: String,
    pub last_day: String,
}

/// What the previous period is, to compare with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// The same number of days just before.
    #[default]
    Previous,
    /// The same dates a year earlier.
    YearBefore,
}

impl Comparison {
    pub fn code(self) -> &'static str {
        match self {
            Comparison::Previous => "previous",
            Comparison::YearBefore => "year_before",
        }
    }
}

/// A segment's size now and in the comparison period, and what its customers ordered now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SegmentFigures {
    pub segment: Segment,
    pub customers: i64,
    pub previous_customers: i64,
    pub orders: i64,
    /// Net of refunds, in minor units of the report's currency.
    pub value_minor: i64,
}

/// How many customers went from one segment in the comparison period to another in this one. `None` on the
/// left is a customer who did not order in the comparison period; on the right, one who has not ordered in this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SegmentMove {
    pub from: Option<Segment>,
    pub to: Option<Segment>,
    pub customers: i64,
}

/// How many customers come back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RepeatFigures {
    /// Customers with a paid order in the period.
    pub customers: i64,
    /// Of those, the ones with two or more paid orders by the period's end.
    pub repeat_customers: i64,
    /// Paid orders in the period.
    pub orders: i64,
    /// Of those, the ones that were not their customer's first.
    pub returning_orders: i64,
    /// Customers whose second order fell in the period.
    pub second_orders: i64,
    /// The median days from their first order to their second, to a tenth; none without a second order.
    pub median_days_to_second: Option<f64>,
}

/// One calendar month (UTC): customers whose first order fell in it, and everyone else who ordered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MonthFigures {
    /// `2026-11`.
    pub month: String,
    pub new_customers: i64,
    pub new_orders: i64,
    pub new_value_minor: i64,
    pub returning_customers: i64,
    pub returning_orders: i64,
    pub returning_value_minor: i64,
}

/// The customers whose first order fell in one month, and how many of them ordered in each month from then on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Cohort {
    /// `2026-11`.
    pub month: String,
    pub customers: i64,
    /// Customers who ordered in the cohort's month (all of them), the month after, and so on to the period's end.
    pub active: Vec<i64>,
}

/// A member tier's members, and what those of them who ordered in the period ordered: members as they stand
/// today, not as they stood when they ordered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TierFigures {
    pub code: String,
    /// The tier's name per language.
    pub names: std::collections::BTreeMap<String, String>,
    pub members: i64,
    pub customers: i64,
    pub orders: i64,
    pub value_minor: i64,
}

/// Everything the customers' page and `GET /api/v1/insights/customers` show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CustomerInsights {
    pub period: DateSpan,
    pub comparison: Comparison,
    pub previous: DateSpan,
    /// The currency every value is in: the store's. Orders in other currencies are left out, and counted.
    pub currency: String,
    pub other_currency_orders: i64,
    pub segments: Vec<SegmentFigures>,
    pub movement: Vec<SegmentMove>,
    pub repeat: RepeatFigures,
    pub months: Vec<MonthFigures>,
    pub cohorts: Vec<Cohort>,
    /// Each member tier, lowest first.
    pub tiers: Vec<TierFigures>,
}

impl CustomerInsights {
    /// The months the oldest cohort is followed for: the retention table's width.
    pub fn cohort_width(&self) -> usize {
        self.cohorts
            .iter()
            .map(|cohort| cohort.active.len())
            .max()
            .unwrap_or(0)
    }
}

/// One customer of a segment, for the store's own email tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SegmentMember {
    /// The store's shopper id.
    pub shopper_id: String,
    pub email: Option<String>,
    pub display_name: String,
    /// RFC 3339.
    pub last_order_at: String,
    pub orders: i64,
    pub value_minor: i64,
    pub rfm: Rfm,
}

/// A page of a segment's customers, highest spenders first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SegmentMembers {
    pub segment: Segment,
    pub period: DateSpan,
    pub currency: String,
    /// Every customer in the segment, on all pages.
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub members: Vec<SegmentMember>,
}
