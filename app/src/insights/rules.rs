//! The customer figures' rules, as plain functions of a shop's paid orders. Each is stated on the page in words;
//! these are the words' one definition.
//!
//! - **Which orders count:** paid orders in the store's currency (not cancelled, not refunded in full), each worth
//!   its total (items, shipping and tax) less what was refunded of it.
//! - **RFM:** every customer with an order in the period is scored 1 to 5 on recency (their last order),
//!   frequency (their orders in the period) and monetary value (their spend in the period), by their rank among
//!   the period's customers: 1 + ⌊5 × (customers with a lower value) ÷ (customers − 1)⌋, at most 5. The lowest
//!   scores 1 and the highest 5, each fifth of the ranks a score, and equal values share one.
//! - **Segments:** by recency (R) and the rounded-up mean of frequency and monetary value (FM); see
//!   [`Rfm::segment`].
//! - **New and returning:** a customer is new in the month of their first paid order ever, and returning in every
//!   later month they order in.
//! - **Cohorts:** the customers whose first order fell in a month, and which of them ordered in each month after.
//! - **Member tiers:** each tier's members as they stand today, and what those of them who ordered in the period
//!   ordered.

use super::{
    Cohort, Comparison, DateSpan, MonthFigures, RepeatFigures, Rfm, Segment, SegmentFigures,
    SegmentMove, TierFigures,
};
use crate::kernel::error::{AppError, Translation};
use crate::kernel::time::{DAY_MS, Millis, Month, a_year_before, iso_date, parse_iso_date};
use std::collections::{BTreeMap, HashMap};

/// The longest period a report covers: three years and a day.
pub const MAX_DAYS: i64 = 1_096;
/// The period when none is asked for: the year to today.
pub const DEFAULT_DAYS: i64 = 365;
/// How many cohorts the retention table shows: the period's last twelve months.
pub const COHORT_MONTHS: usize = 12;

/// A paid order as the figures count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderFact {
    /// The shopper's row id.
    pub shopper: i64,
    pub placed_at: Millis,
    /// Its total less refunds, in minor units of the store's currency.
    pub value_minor: i64,
}

/// A stretch of time, its start included and its end not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Millis,
    pub to: Millis,
}

impl Period {
    pub fn holds(self, at: Millis) -> bool {
        self.from <= at && at < self.to
    }

    /// Its days, both ends included, for people and machines.
    pub fn span(self) -> DateSpan {
        DateSpan {
            first_day: iso_date(self.from),
            last_day: iso_date(self.to - Millis(1)),
        }
    }

    /// The period to compare with.
    pub fn compared(self, comparison: Comparison) -> Period {
        match comparison {
            Comparison::Previous => Period {
                from: self.from - (self.to - self.from),
                to: self.from,
            },
            // By its last day, not its end: a period to 28 February 2024 ends at the 29th's midnight.
            Comparison::YearBefore => Period {
                from: a_year_before(self.from),
                to: a_year_before(self.to - DAY_MS) + DAY_MS,
            },
        }
    }
}

/// A field as a form sends it: blank is absent.
fn given(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|text| !text.is_empty())
}

/// A report's periods, read from what the merchant asked: `from` and `to` as `2026-01-31` (both included; the year
/// to `today` when absent), and `compare` as `previous` (the same number of days before, the default) or
/// `year_before`.
pub fn report_periods(
    from: Option<&str>,
    to: Option<&str>,
    compare: Option<&str>,
    today: Millis,
) -> Result<(Period, Comparison, Period), AppError> {
    let day =
        |field: &str, text: &str| parse_iso_date(text).map_err(|e| AppError::invalid(field, e));
    let last = match given(to) {
        Some(text) => day("to", text)?,
        None => today - today.rem_euclid(DAY_MS),
    };
    let first = match given(from) {
        Some(text) => day("from", text)?,
        None => last - Millis::days(DEFAULT_DAYS - 1),
    };
    if first > last {
        return Err(AppError::invalid(
            "from",
            Translation::of("error.rule.after_last_day"),
        ));
    }
    let period = Period {
        from: first,
        to: last + DAY_MS,
    };
    if (period.to - period.from).div_euclid(DAY_MS) > MAX_DAYS {
        return Err(AppError::invalid(
            "from",
            Translation::with("error.rule.report_days", &[("max", MAX_DAYS.to_string())]),
        ));
    }
    let comparison = match given(compare) {
        None | Some("previous") => Comparison::Previous,
        Some("year_before") => Comparison::YearBefore,
        Some(other) => {
            return Err(AppError::invalid(
                "compare",
                format!("\"{other}\" is neither previous nor year_before"),
            ));
        }
    };
    Ok((period, comparison, period.compared(comparison)))
}

/// Scores each value 1 to 5 by its rank: 1 + ⌊5 × (values lower than it) ÷ (values − 1)⌋, at most 5; a lone
/// value scores 1, as a value with none lower does.
pub fn quintile_scores(values: &[i64]) -> Vec<u8> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let others = values.len().saturating_sub(1).max(1);
    values
        .iter()
        .map(|value| {
            let lower = sorted.partition_point(|lower| lower < value);
            (1 + 5 * lower / others).min(5) as u8
        })
        .collect()
}

impl Rfm {
    /// The rounded-up mean of the frequency and monetary scores.
    pub fn frequency_monetary(self) -> u8 {
        (self.frequency + self.monetary).div_ceil(2)
    }

    /// The segment, by recency R and frequency–monetary FM:
    ///
    /// | | FM 1–2 | FM 3 | FM 4–5 |
    /// |---|---|---|---|
    /// | R 4–5 | promising | loyal | champions |
    /// | R 3 | needs attention | loyal | loyal |
    /// | R 2 | hibernating | at risk | at risk |
    /// | R 1 | lost | at risk | at risk |
    pub fn segment(self) -> Segment {
        match (self.recency, self.frequency_monetary()) {
            (4.., 4..) => Segment::Champions,
            (3.., 3..) => Segment::Loyal,
            (4.., _) => Segment::Promising,
            (3, _) => Segment::NeedsAttention,
            (_, 3..) => Segment::AtRisk,
            (2, _) => Segment::Hibernating,
            _ => Segment::Lost,
        }
    }
}

/// A customer with an order in a period, scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub shopper: i64,
    pub last_order: Millis,
    pub orders: i64,
    pub value_minor: i64,
    pub rfm: Rfm,
}

/// The orders by shopper, then time.
fn by_shopper(facts: &[OrderFact], until: Millis) -> Vec<OrderFact> {
    let mut sorted: Vec<OrderFact> = facts
        .iter()
        .filter(|fact| fact.placed_at < until)
        .copied()
        .collect();
    sorted.sort_unstable_by_key(|fact| (fact.shopper, fact.placed_at));
    sorted
}

/// Each shopper's orders in `sorted` (by shopper, then time), one slice each.
fn runs(sorted: &[OrderFact]) -> impl Iterator<Item = &[OrderFact]> {
    sorted.chunk_by(|one, next| one.shopper == next.shopper)
}

/// Every customer with an order in the period, scored among the period's customers, by shopper.
pub fn standings(facts: &[OrderFact], period: Period) -> Vec<Standing> {
    scored(&by_shopper(facts, period.to), period)
}

/// [`standings`] of orders already by shopper and time.
fn scored(sorted: &[OrderFact], period: Period) -> Vec<Standing> {
    let customers: Vec<(i64, Millis, i64, i64)> = runs(sorted)
        .filter_map(|run| {
            let inside = run.iter().filter(|fact| period.holds(fact.placed_at));
            let last = inside.clone().map(|fact| fact.placed_at).max()?;
            let value = inside.clone().map(|fact| fact.value_minor).sum();
            Some((run[0].shopper, last, inside.count() as i64, value))
        })
        .collect();
    let column = |pick: fn(&(i64, Millis, i64, i64)) -> i64| {
        quintile_scores(&customers.iter().map(pick).collect::<Vec<_>>())
    };
    let (recency, frequency, monetary) = (column(|c| c.1.0), column(|c| c.2), column(|c| c.3));
    customers
        .into_iter()
        .enumerate()
        .map(
            |(index, (shopper, last_order, orders, value_minor))| Standing {
                shopper,
                last_order,
                orders,
                value_minor,
                rfm: Rfm {
                    recency: recency[index],
                    frequency: frequency[index],
                    monetary: monetary[index],
                },
            },
        )
        .collect()
}

/// A member tier and who holds it now (shopper row ids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierMembers {
    pub code: String,
    pub names: BTreeMap<String, String>,
    pub shoppers: Vec<i64>,
}

/// The figures of the customers' page but the period's names and currency.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub segments: Vec<SegmentFigures>,
    pub movement: Vec<SegmentMove>,
    pub repeat: RepeatFigures,
    pub months: Vec<MonthFigures>,
    pub cohorts: Vec<Cohort>,
    pub tiers: Vec<TierFigures>,
}

/// Every figure of the customers' page, from the paid orders (any, in any order; those from the period's end on
/// are not read) and who holds each member tier.
pub fn customer_figures(
    facts: &[OrderFact],
    period: Period,
    previous: Period,
    tiers: &[TierMembers],
) -> Figures {
    let sorted = by_shopper(facts, period.to.max(previous.to));
    let now = scored(&sorted, period);
    let before = scored(&sorted, previous);
    // What follows counts every order before the period's end, for each customer's first and second.
    let until_end: Vec<OrderFact> = sorted
        .into_iter()
        .filter(|fact| fact.placed_at < period.to)
        .collect();
    Figures {
        segments: segment_figures(&now, &before),
        movement: movement(&now, &before),
        repeat: repeat_figures(&until_end, period),
        months: month_figures(&until_end, period),
        cohorts: cohorts(&until_end, period),
        tiers: tier_figures(&now, tiers),
    }
}

/// Each tier's members and what those of them who ordered in the period ordered, from the period's customers (by
/// shopper).
fn tier_figures(now: &[Standing], tiers: &[TierMembers]) -> Vec<TierFigures> {
    tiers
        .iter()
        .map(|tier| {
            let mut figures = TierFigures {
                code: tier.code.clone(),
                names: tier.names.clone(),
                members: tier.shoppers.len() as i64,
                customers: 0,
                orders: 0,
                value_minor: 0,
            };
            for shopper in &tier.shoppers {
                if let Ok(at) = now.binary_search_by_key(shopper, |customer| customer.shopper) {
                    figures.customers += 1;
                    figures.orders += now[at].orders;
                    figures.value_minor += now[at].value_minor;
                }
            }
            figures
        })
        .collect()
}

fn segment_figures(now: &[Standing], before: &[Standing]) -> Vec<SegmentFigures> {
    let mut rows: Vec<SegmentFigures> = Segment::ALL
        .into_iter()
        .map(|segment| SegmentFigures {
            segment,
            customers: 0,
            previous_customers: 0,
            orders: 0,
            value_minor: 0,
        })
        .collect();
    let row = |segment: Segment| Segment::ALL.iter().position(|s| *s == segment).unwrap_or(0);
    for customer in now {
        let row = &mut rows[row(customer.rfm.segment())];
        row.customers += 1;
        row.orders += customer.orders;
        row.value_minor += customer.value_minor;
    }
    for customer in before {
        rows[row(customer.rfm.segment())].previous_customers += 1;
    }
    rows
}

fn movement(now: &[Standing], before: &[Standing]) -> Vec<SegmentMove> {
    let mut pairs: HashMap<i64, (Option<Segment>, Option<Segment>)> = HashMap::new();
    for customer in before {
        pairs.entry(customer.shopper).or_default().0 = Some(customer.rfm.segment());
    }
    for customer in now {
        pairs.entry(customer.shopper).or_default().1 = Some(customer.rfm.segment());
    }
    let mut counts: BTreeMap<(Option<Segment>, Option<Segment>), i64> = BTreeMap::new();
    for pair in pairs.into_values() {
        *counts.entry(pair).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|((from, to), customers)| SegmentMove {
            from,
            to,
            customers,
        })
        .collect()
}

/// Repeat purchase, from the orders before the period's end by shopper and time.
fn repeat_figures(sorted: &[OrderFact], period: Period) -> RepeatFigures {
    let mut figures = RepeatFigures {
        customers: 0,
        repeat_customers: 0,
        orders: 0,
        returning_orders: 0,
        second_orders: 0,
        median_days_to_second: None,
    };
    let mut waits: Vec<Millis> = Vec::new();
    for run in runs(sorted) {
        let inside = run
            .iter()
            .filter(|fact| period.holds(fact.placed_at))
            .count() as i64;
        if inside > 0 {
            figures.customers += 1;
            figures.repeat_customers += i64::from(run.len() > 1);
            figures.orders += inside;
            // The orders of the period but the customer's first ever.
            figures.returning_orders += inside - i64::from(period.holds(run[0].placed_at));
        }
        if let Some(second) = run.get(1).filter(|second| period.holds(second.placed_at)) {
            waits.push(second.placed_at - run[0].placed_at);
        }
    }
    waits.sort_unstable();
    figures.second_orders = waits.len() as i64;
    figures.median_days_to_second = (!waits.is_empty()).then(|| {
        let middle = waits.len() / 2;
        let median = if waits.len() % 2 == 1 {
            waits[middle].ratio(DAY_MS)
        } else {
            (waits[middle - 1].ratio(DAY_MS) + waits[middle].ratio(DAY_MS)) / 2.0
        };
        (median * 10.0).round() / 10.0
    });
    figures
}

/// The months a period touches, first to last.
fn months_of(period: Period) -> std::ops::RangeInclusive<i64> {
    Month::of(period.from).0..=Month::of(period.to - Millis(1)).0
}

/// New and returning customers per month, from the orders before the period's end by shopper and time.
fn month_figures(sorted: &[OrderFact], period: Period) -> Vec<MonthFigures> {
    let months = months_of(period);
    let first = *months.start();
    let mut rows: Vec<MonthFigures> = months
        .map(|month| MonthFigures {
            month: Month(month).label(),
            new_customers: 0,
            new_orders: 0,
            new_value_minor: 0,
            returning_customers: 0,
            returning_orders: 0,
            returning_value_minor: 0,
        })
        .collect();
    for run in runs(sorted) {
        let joined = Month::of(run[0].placed_at);
        // A run is in time order, so a customer's orders of one month are together: count them once.
        let mut counted = None;
        for fact in run.iter().filter(|fact| period.holds(fact.placed_at)) {
            let month = Month::of(fact.placed_at);
            let row = &mut rows[(month.0 - first) as usize];
            let new_customer = counted != Some(month);
            counted = Some(month);
            if month == joined {
                row.new_customers += i64::from(new_customer);
                row.new_orders += 1;
                row.new_value_minor += fact.value_minor;
            } else {
                row.returning_customers += i64::from(new_customer);
                row.returning_orders += 1;
                row.returning_value_minor += fact.value_minor;
            }
        }
    }
    rows
}

/// The period's last [`COHORT_MONTHS`] cohorts, from the orders before the period's end by shopper and time.
fn cohorts(sorted: &[OrderFact], period: Period) -> Vec<Cohort> {
    let months = months_of(period);
    let last = *months.end();
    let first_cohort = (*months.start()).max(last + 1 - COHORT_MONTHS as i64);
    let mut cohorts: Vec<Cohort> = (first_cohort..=last)
        .map(|month| Cohort {
            month: Month(month).label(),
            customers: 0,
            active: vec![0; (last - month + 1) as usize],
        })
        .collect();
    for run in runs(sorted) {
        let cohort = Month::of(run[0].placed_at).0;
        if !period.holds(run[0].placed_at) || cohort < first_cohort {
            continue;
        }
        let row = &mut cohorts[(cohort - first_cohort) as usize];
        row.customers += 1;
        let mut counted = None;
        for fact in run {
            let month = Month::of(fact.placed_at).0;
            if counted != Some(month) {
                row.active[(month - cohort) as usize] += 1;
                counted = Some(month);
            }
        }
    }
    cohorts
}

#[cfg(test)]
mod tests;
