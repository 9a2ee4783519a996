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

use super::{
    Cohort, Comparison, DateSpan, MonthFigures, RepeatFigures, Rfm, Segment, SegmentFigures,
    SegmentMove,
};
use crate::kernel::error::AppError;
use crate::kernel::time::{DAY_MS, Millis, Month, iso_date, parse_iso_date};
use std::collections::{BTreeMap, HashMap, HashSet};

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
            Comparison::YearBefore => Period {
                from: a_year_before(self.from),
                to: a_year_before(self.to),
            },
        }
    }
}

/// The same date and time of day a year earlier; 29 February becomes the 28th.
fn a_year_before(at: Millis) -> Millis {
    let date = iso_date(at);
    let year: i64 = date[..4].parse().unwrap_or(1970);
    let mut earlier = format!("{:04}{}", year - 1, &date[4..]);
    if earlier.ends_with("-02-29") {
        earlier.replace_range(8..10, "28");
    }
    parse_iso_date(&earlier).unwrap_or(at) + at.rem_euclid(DAY_MS)
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
            "the first day comes after the last day",
        ));
    }
    let period = Period {
        from: first,
        to: last + DAY_MS,
    };
    if (period.to - period.from).div_euclid(DAY_MS) > MAX_DAYS {
        return Err(AppError::invalid(
            "from",
            format!("a report covers at most {MAX_DAYS} days"),
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

/// Every customer with an order in the period, scored among the period's customers, by shopper.
pub fn standings(facts: &[OrderFact], period: Period) -> Vec<Standing> {
    let mut customers: BTreeMap<i64, (Millis, i64, i64)> = BTreeMap::new();
    for fact in facts.iter().filter(|fact| period.holds(fact.placed_at)) {
        let entry = customers
            .entry(fact.shopper)
            .or_insert((fact.placed_at, 0, 0));
        entry.0 = entry.0.max(fact.placed_at);
        entry.1 += 1;
        entry.2 += fact.value_minor;
    }
    let column = |pick: fn(&(Millis, i64, i64)) -> i64| {
        quintile_scores(&customers.values().map(pick).collect::<Vec<_>>())
    };
    let (recency, frequency, monetary) = (column(|c| c.0.0), column(|c| c.1), column(|c| c.2));
    customers
        .into_iter()
        .enumerate()
        .map(
            |(index, (shopper, (last_order, orders, value_minor)))| Standing {
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

/// Each shopper's first paid order, and their second when there is one.
type FirstOrders = HashMap<i64, (Millis, Option<Millis>)>;

/// The figures of the customers' page but the period's names and currency.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub segments: Vec<SegmentFigures>,
    pub movement: Vec<SegmentMove>,
    pub repeat: RepeatFigures,
    pub months: Vec<MonthFigures>,
    pub cohorts: Vec<Cohort>,
}

/// Every figure of the customers' page, from the paid orders placed before the period's end (any order).
pub fn customer_figures(facts: &[OrderFact], period: Period, previous: Period) -> Figures {
    let mut by_shopper: HashMap<i64, Vec<Millis>> = HashMap::new();
    for fact in facts.iter().filter(|fact| fact.placed_at < period.to) {
        by_shopper
            .entry(fact.shopper)
            .or_default()
            .push(fact.placed_at);
    }
    let first_two: FirstOrders = by_shopper
        .into_iter()
        .map(|(shopper, mut times)| {
            times.sort_unstable();
            (shopper, (times[0], times.get(1).copied()))
        })
        .collect();
    let now = standings(facts, period);
    let before = standings(facts, previous);
    Figures {
        segments: segment_figures(&now, &before),
        movement: movement(&now, &before),
        repeat: repeat_figures(facts, period, &now, &first_two),
        months: month_figures(facts, period, &first_two),
        cohorts: cohorts(facts, period, &first_two),
    }
}

fn segment_figures(now: &[Standing], before: &[Standing]) -> Vec<SegmentFigures> {
    Segment::ALL
        .into_iter()
        .map(|segment| {
            let members = now.iter().filter(|c| c.rfm.segment() == segment);
            SegmentFigures {
                segment,
                customers: members.clone().count() as i64,
                previous_customers: before.iter().filter(|c| c.rfm.segment() == segment).count()
                    as i64,
                orders: members.clone().map(|c| c.orders).sum(),
                value_minor: members.map(|c| c.value_minor).sum(),
            }
        })
        .collect()
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

fn repeat_figures(
    facts: &[OrderFact],
    period: Period,
    now: &[Standing],
    first_two: &FirstOrders,
) -> RepeatFigures {
    let in_period = facts.iter().filter(|fact| period.holds(fact.placed_at));
    let firsts = |shopper: &i64| first_two.get(shopper).copied();
    let mut waits: Vec<Millis> = first_two
        .values()
        .filter_map(|(first, second)| second.filter(|at| period.holds(*at)).map(|at| at - *first))
        .collect();
    waits.sort_unstable();
    let median_days_to_second = (!waits.is_empty()).then(|| {
        let middle = waits.len() / 2;
        let median = if waits.len() % 2 == 1 {
            waits[middle].ratio(DAY_MS)
        } else {
            (waits[middle - 1].ratio(DAY_MS) + waits[middle].ratio(DAY_MS)) / 2.0
        };
        (median * 10.0).round() / 10.0
    });
    RepeatFigures {
        customers: now.len() as i64,
        repeat_customers: now
            .iter()
            .filter(|c| firsts(&c.shopper).is_some_and(|(_, second)| second.is_some()))
            .count() as i64,
        orders: in_period.clone().count() as i64,
        returning_orders: in_period
            .filter(|fact| firsts(&fact.shopper).is_some_and(|(first, _)| fact.placed_at > first))
            .count() as i64,
        second_orders: waits.len() as i64,
        median_days_to_second,
    }
}

/// The months a period touches, first to last.
fn months_of(period: Period) -> std::ops::RangeInclusive<i64> {
    Month::of(period.from).0..=Month::of(period.to - Millis(1)).0
}

fn month_figures(
    facts: &[OrderFact],
    period: Period,
    first_two: &FirstOrders,
) -> Vec<MonthFigures> {
    #[derive(Default)]
    struct Tally {
        new: (HashSet<i64>, i64, i64),
        returning: (HashSet<i64>, i64, i64),
    }
    let mut tallies: BTreeMap<i64, Tally> =
        months_of(period).map(|m| (m, Tally::default())).collect();
    for fact in facts.iter().filter(|fact| period.holds(fact.placed_at)) {
        let month = Month::of(fact.placed_at);
        let first = first_two
            .get(&fact.shopper)
            .map(|(first, _)| Month::of(*first));
        let tally = tallies.entry(month.0).or_default();
        let side = if first == Some(month) {
            &mut tally.new
        } else {
            &mut tally.returning
        };
        side.0.insert(fact.shopper);
        side.1 += 1;
        side.2 += fact.value_minor;
    }
    tallies
        .into_iter()
        .map(|(month, tally)| MonthFigures {
            month: Month(month).label(),
            new_customers: tally.new.0.len() as i64,
            new_orders: tally.new.1,
            new_value_minor: tally.new.2,
            returning_customers: tally.returning.0.len() as i64,
            returning_orders: tally.returning.1,
            returning_value_minor: tally.returning.2,
        })
        .collect()
}

fn cohorts(facts: &[OrderFact], period: Period, first_two: &FirstOrders) -> Vec<Cohort> {
    let months = months_of(period);
    let last = *months.end();
    let first_cohort = (*months.start()).max(last + 1 - COHORT_MONTHS as i64);
    // Per cohort month: its customers, and who of them ordered in each month after.
    type Tally = (HashSet<i64>, BTreeMap<i64, HashSet<i64>>);
    let mut active: BTreeMap<i64, Tally> = (first_cohort..=last)
        .map(|m| (m, Tally::default()))
        .collect();
    for fact in facts.iter().filter(|fact| period.holds(fact.placed_at)) {
        let Some((first, _)) = first_two.get(&fact.shopper) else {
            continue;
        };
        if !period.holds(*first) {
            continue;
        }
        let cohort = Month::of(*first).0;
        if let Some((customers, by_month)) = active.get_mut(&cohort) {
            customers.insert(fact.shopper);
            by_month
                .entry(Month::of(fact.placed_at).0 - cohort)
                .or_default()
                .insert(fact.shopper);
        }
    }
    active
        .into_iter()
        .map(|(month, (customers, by_month))| Cohort {
            month: Month(month).label(),
            customers: customers.len() as i64,
            active: (0..=last - month)
                .map(|offset| by_month.get(&offset).map_or(0, |who| who.len() as i64))
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests;
