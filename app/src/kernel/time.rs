//! Time is UTC, carried as epoch milliseconds; windows such as "last 30 days" are computed here and nowhere else.

use serde::{Deserialize, Serialize};
use std::ops::{Add, AddAssign, Mul, Neg, Sub, SubAssign};

/// A time in milliseconds: a moment (counted from the Unix epoch, UTC) or a length of time. A type of its own, so
/// that seconds (tokens, `Retry-After`) and milliseconds cannot be mixed up: every conversion is spelled out. It is
/// a plain integer in JSON and in the database.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
pub struct Millis(pub i64);

impl Millis {
    pub const ZERO: Millis = Millis(0);

    pub const fn seconds(seconds: i64) -> Millis {
        Millis(seconds * 1000)
    }

    pub const fn minutes(minutes: i64) -> Millis {
        Millis(minutes * 60_000)
    }

    pub const fn hours(hours: i64) -> Millis {
        Millis(hours * 3_600_000)
    }

    pub const fn days(days: i64) -> Millis {
        Millis(days * 86_400_000)
    }

    /// Whole seconds, rounded down (also before 1970).
    pub const fn as_seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// How many whole `unit`s fit, rounded down: days since the epoch with `Millis::days(1)`.
    pub const fn div_euclid(self, unit: Millis) -> i64 {
        self.0.div_euclid(unit.0)
    }

    /// What is left over after the whole `unit`s: the time of day with `Millis::days(1)`.
    pub const fn rem_euclid(self, unit: Millis) -> Millis {
        Millis(self.0.rem_euclid(unit.0))
    }

    /// This length of time in `unit`s, with fractions: for decay curves and rates.
    pub fn ratio(self, unit: Millis) -> f64 {
        self.0 as f64 / unit.0 as f64
    }

    pub fn saturating_add(self, other: Millis) -> Millis {
        Millis(self.0.saturating_add(other.0))
    }

    pub fn saturating_sub(self, other: Millis) -> Millis {
        Millis(self.0.saturating_sub(other.0))
    }
}

impl Add for Millis {
    type Output = Millis;
    fn add(self, other: Millis) -> Millis {
        Millis(self.0 + other.0)
    }
}

impl Sub for Millis {
    type Output = Millis;
    fn sub(self, other: Millis) -> Millis {
        Millis(self.0 - other.0)
    }
}

impl AddAssign for Millis {
    fn add_assign(&mut self, other: Millis) {
        self.0 += other.0;
    }
}

impl SubAssign for Millis {
    fn sub_assign(&mut self, other: Millis) {
        self.0 -= other.0;
    }
}

impl Neg for Millis {
    type Output = Millis;
    fn neg(self) -> Millis {
        Millis(-self.0)
    }
}

impl Mul<i64> for Millis {
    type Output = Millis;
    fn mul(self, times: i64) -> Millis {
        Millis(self.0 * times)
    }
}

impl Mul<Millis> for i64 {
    type Output = Millis;
    fn mul(self, length: Millis) -> Millis {
        Millis(self * length.0)
    }
}

pub const DAY_MS: Millis = Millis::days(1);

/// A stretch of time `from..to` as daily counts read it: the whole UTC days inside it, as day numbers
/// `first..end` (`time / DAY_MS`), and what is left at its ends, to be read from the rows themselves (a merchant's
/// periods start and end at midnight UTC, so those are empty but for other callers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaySpan {
    pub first: i64,
    pub end: i64,
    /// At most one piece before the days and one after them; none empty.
    pub ends: Vec<(Millis, Millis)>,
}

impl DaySpan {
    pub fn of(from: Millis, to: Millis) -> DaySpan {
        if to <= from {
            return DaySpan {
                first: 0,
                end: 0,
                ends: Vec::new(),
            };
        }
        let first = from.0.div_euclid(DAY_MS.0) + i64::from(from.0.rem_euclid(DAY_MS.0) != 0);
        let end = to.0.div_euclid(DAY_MS.0);
        if first >= end {
            return DaySpan {
                first: 0,
                end: 0,
                ends: vec![(from, to)],
            };
        }
        let (start, stop) = (Millis::days(first), Millis::days(end));
        DaySpan {
            first,
            end,
            ends: [(from, start), (stop, to)]
                .into_iter()
                .filter(|(a, b)| a < b)
                .collect(),
        }
    }
}

/// The start of the window of `days` days that ends at `now`: "last 30 days" is `window_start(now, 30)..=now`.
pub fn window_start(now: Millis, days: i64) -> Millis {
    now - Millis::days(days)
}

/// The periods a store reviews something on: `every_months` months (a divisor of 12), starting on the first of
/// January, at midnight in the store's time zone (`utc_offset_minutes` east of UTC). Returns the start of the
/// period holding `at` and the start of the next one.
pub fn period_bounds(at: Millis, every_months: u32, utc_offset_minutes: i64) -> (Millis, Millis) {
    let offset = Millis::minutes(utc_offset_minutes);
    let (year, month, _) = civil_from_days((at + offset).div_euclid(DAY_MS));
    let first = (month - 1) / every_months * every_months + 1;
    let (next_year, next_month) = if first + every_months > 12 {
        (year + 1, first + every_months - 12)
    } else {
        (year, first + every_months)
    };
    (
        Millis::days(days_from_civil(year, first, 1)) - offset,
        Millis::days(days_from_civil(next_year, next_month, 1)) - offset,
    )
}

/// The current time. Only the server's clock counts.
#[cfg(feature = "ssr")]
pub fn now() -> Millis {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| Millis(elapsed.as_millis() as i64))
        .unwrap_or(Millis::ZERO)
}

/// Days since 1970-01-01 to a civil (year, month, day), after Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The UTC calendar date of a timestamp: year, month (1–12), day.
pub fn civil_date(at: Millis) -> (i64, u32, u32) {
    civil_from_days(at.div_euclid(DAY_MS))
}

/// Formats a timestamp's UTC date as `2026-11-22`: for machines (`<time datetime>`, JSON-LD, keys); people read
/// [`crate::kernel::locale::format_date`].
pub fn iso_date(at: Millis) -> String {
    let (year, month, day) = civil_date(at);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Parses a calendar date such as `2026-11-22` to the start of that day, UTC: what a date picker sends.
pub fn parse_iso_date(text: &str) -> Result<Millis, String> {
    parse_rfc3339(&format!("{}T00:00:00Z", text.trim()))
        .ok()
        .filter(|_| text.trim().len() == 10)
        .ok_or_else(|| format!("\"{text}\" is not a date such as 2026-11-22"))
}

/// The same date and time of day a year earlier, UTC; 29 February becomes the 28th.
pub fn a_year_before(at: Millis) -> Millis {
    let (year, month, day) = civil_date(at);
    let day = if month == 2 && day == 29 { 28 } else { day };
    Millis::days(days_from_civil(year - 1, month, day)) + at.rem_euclid(DAY_MS)
}

/// A calendar month, UTC, counted from January of year 0 (`year * 12 + month - 1`), so that months add and subtract
/// as integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month(pub i64);

impl Month {
    /// The month holding a moment.
    pub fn of(at: Millis) -> Month {
        let (year, month, _) = civil_date(at);
        Month(year * 12 + i64::from(month) - 1)
    }

    /// `2026-11`: for machines (keys, CSV, JSON); people read [`crate::kernel::locale::format_month`].
    pub fn label(self) -> String {
        let (year, month) = self.year_month();
        format!("{year:04}-{month:02}")
    }

    /// The month a [`Month::label`] names.
    pub fn from_label(label: &str) -> Option<Month> {
        let (year, month) = label.split_once('-')?;
        let (year, month): (i64, i64) = (year.parse().ok()?, month.parse().ok()?);
        (label.len() == 7 && (1..=12).contains(&month)).then_some(Month(year * 12 + month - 1))
    }

    /// The year and the month (1–12).
    pub fn year_month(self) -> (i64, u32) {
        (self.0.div_euclid(12), self.0.rem_euclid(12) as u32 + 1)
    }

    pub fn next(self) -> Month {
        Month(self.0 + 1)
    }

    /// Its first moment: midnight UTC of its first day.
    pub fn start(self) -> Millis {
        let (year, month) = self.year_month();
        Millis::days(days_from_civil(year, month, 1))
    }

    /// How many months after `earlier` it is; `usize::MAX`, past any list's end, for a month before it.
    pub fn months_since(self, earlier: Month) -> usize {
        usize::try_from(self.0 - earlier.0).unwrap_or(usize::MAX)
    }
}

/// Formats a timestamp as RFC 3339 UTC with milliseconds, e.g. `2026-11-22T09:30:00.000Z`.
pub fn to_rfc3339(at: Millis) -> String {
    let millis_of_day = at.rem_euclid(DAY_MS).0;
    let seconds = millis_of_day / 1000;
    format!(
        "{}T{:02}:{:02}:{:02}.{:03}Z",
        iso_date(at),
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60,
        millis_of_day % 1000
    )
}

/// Parses an RFC 3339 UTC timestamp such as `2026-11-22T09:30:00Z` or `2026-11-22T09:30:00.250+08:00`.
pub fn parse_rfc3339(text: &str) -> Result<Millis, String> {
    let bad = || format!("\"{text}\" is not an RFC 3339 timestamp such as 2026-11-22T09:30:00Z");
    let bytes = text.as_bytes();
    if bytes.len() < 20
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || !matches!(bytes[10], b'T' | b't' | b' ')
    {
        return Err(bad());
    }
    let number = |range: std::ops::Range<usize>| -> Result<i64, String> {
        text.get(range)
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse().ok())
            .ok_or_else(bad)
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    if bytes[13] != b':' || bytes[16] != b':' {
        return Err(bad());
    }
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let mut rest = &text[19..];
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(bad());
        }
        let first3: String = fraction[..digits]
            .chars()
            .chain("000".chars())
            .take(3)
            .collect();
        millis = first3.parse::<i64>().map_err(|_| bad())?;
        rest = &fraction[digits..];
    }
    let offset_minutes = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 && rest.as_bytes()[3] == b':' => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return Err(bad()),
            };
            let hours: i64 = rest[1..3].parse().map_err(|_| bad())?;
            let minutes: i64 = rest[4..6].parse().map_err(|_| bad())?;
            sign * (hours * 60 + minutes)
        }
        _ => return Err(bad()),
    };
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if day < 1 || day > days_in_month || hour > 23 || minute > 59 || second > 60 {
        return Err(bad());
    }
    let days = days_from_civil(year, month as u32, day as u32);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset_minutes * 60;
    Ok(Millis(seconds * 1000 + millis))
}

fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_span_holds_the_whole_days_and_leaves_the_ragged_ends_to_the_rows() {
        let day = |n: i64| Millis::days(n);
        // Midnight to midnight: days only.
        assert_eq!(
            DaySpan::of(day(10), day(13)),
            DaySpan {
                first: 10,
                end: 13,
                ends: vec![]
            }
        );
        // From noon to the midnight after the next day: that noon's afternoon, then one whole day.
        let noon = day(10) + Millis::hours(12);
        assert_eq!(
            DaySpan::of(noon, day(12)),
            DaySpan {
                first: 11,
                end: 12,
                ends: vec![(noon, day(11))]
            }
        );
        // Within one day, or across one midnight without a whole day: rows only.
        let evening = day(11) + Millis::hours(20);
        assert_eq!(DaySpan::of(noon, evening).ends, vec![(noon, evening)]);
        assert_eq!(
            DaySpan::of(noon, evening).first,
            DaySpan::of(noon, evening).end
        );
        // Ragged at both ends.
        let span = DaySpan::of(noon, day(14) + Millis(1));
        assert_eq!((span.first, span.end), (11, 14));
        assert_eq!(
            span.ends,
            vec![(noon, day(11)), (day(14), day(14) + Millis(1))]
        );
        // Nothing, and backwards.
        assert_eq!(DaySpan::of(noon, noon).ends, vec![]);
        assert_eq!(DaySpan::of(evening, noon).ends, vec![]);
    }

    #[test]
    fn parses_utc_and_offsets_to_the_same_instant() {
        let utc = parse_rfc3339("2026-11-22T01:30:00Z").unwrap();
        assert_eq!(parse_rfc3339("2026-11-22T09:30:00+08:00").unwrap(), utc);
        assert_eq!(utc, Millis(1_795_311_000_000));
        assert_eq!(
            parse_rfc3339("2026-11-22T01:30:00.25Z").unwrap(),
            utc + Millis(250)
        );
    }

    #[test]
    fn rejects_impossible_dates_and_other_formats() {
        for text in [
            "2026-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-22",
            "yesterday",
            "2026-11-22T25:00:00Z",
        ] {
            assert!(parse_rfc3339(text).is_err(), "{text} should be refused");
        }
        assert!(parse_rfc3339("2024-02-29T00:00:00Z").is_ok());
    }

    #[test]
    fn calendar_dates_parse_to_their_midnight_and_nothing_else_parses() {
        assert_eq!(
            parse_iso_date("2026-11-22"),
            Ok(parse_rfc3339("2026-11-22T00:00:00Z").unwrap())
        );
        for text in [
            "2026-02-29",
            "2026-11-22T00:00:00Z",
            "22/11/2026",
            "2026-1-2",
            "",
        ] {
            assert!(parse_iso_date(text).is_err(), "{text} should be refused");
        }
    }

    #[test]
    fn a_year_before_is_the_same_date_and_a_leap_day_the_28th() {
        let at = |text| parse_rfc3339(text).unwrap();
        assert_eq!(
            a_year_before(at("2026-03-01T08:30:00Z")),
            at("2025-03-01T08:30:00Z")
        );
        assert_eq!(
            a_year_before(at("2024-02-29T23:00:00Z")),
            at("2023-02-28T23:00:00Z")
        );
        assert_eq!(
            iso_date(a_year_before(at("0001-01-01T00:00:00Z"))),
            "0000-01-01"
        );
        assert_eq!(
            iso_date(a_year_before(at("9999-12-31T00:00:00Z"))),
            "9998-12-31"
        );
    }

    #[test]
    fn months_count_across_years() {
        let at = |text| parse_rfc3339(text).unwrap();
        let december = Month::of(at("2026-12-31T23:59:59Z"));
        assert_eq!(december.label(), "2026-12");
        assert_eq!(december.next().label(), "2027-01");
        assert_eq!(december.next().start(), at("2027-01-01T00:00:00Z"));
        assert_eq!(december.start(), at("2026-12-01T00:00:00Z"));
        assert_eq!(
            december
                .next()
                .months_since(Month::of(at("2026-01-15T00:00:00Z"))),
            12
        );
        assert_eq!(december.months_since(december.next()), usize::MAX);
        assert_eq!(Month::of(at("2024-02-29T12:00:00Z")).label(), "2024-02");
        assert_eq!(Month::of(Millis(-1)).label(), "1969-12");
        assert_eq!(Month::from_label("2027-01"), Some(Month(december.0 + 1)));
        for wrong in ["2027-13", "2027-1", "27-01", "2027/01"] {
            assert_eq!(Month::from_label(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn dates_round_trip_through_days() {
        assert_eq!(iso_date(Millis::ZERO), "1970-01-01");
        assert_eq!(
            iso_date(parse_rfc3339("2024-02-29T23:59:59Z").unwrap()),
            "2024-02-29"
        );
        assert_eq!(iso_date(Millis(-1)), "1969-12-31");
    }

    #[test]
    fn formatting_and_parsing_round_trip() {
        for at in [0, 1_795_311_000_250, -86_400_001, 951_782_400_000].map(Millis) {
            assert_eq!(parse_rfc3339(&to_rfc3339(at)), Ok(at), "{}", to_rfc3339(at));
        }
        assert_eq!(
            to_rfc3339(Millis(1_795_311_000_250)),
            "2026-11-22T01:30:00.250Z"
        );
        assert_eq!(Millis::seconds(90).as_seconds(), 90);
        assert_eq!(Millis(-1).as_seconds(), -1);
    }

    #[test]
    fn periods_start_at_local_midnight_on_the_first_of_their_month() {
        let at = |text| parse_rfc3339(text).unwrap();
        // Quarterly in UTC.
        assert_eq!(
            period_bounds(at("2026-11-22T09:30:00Z"), 3, 0),
            (at("2026-10-01T00:00:00Z"), at("2027-01-01T00:00:00Z"))
        );
        // In Beijing (UTC+8) the new year begins at 16:00 UTC on 31 December.
        assert_eq!(
            period_bounds(at("2026-12-31T16:00:00Z"), 3, 480),
            (at("2026-12-31T16:00:00Z"), at("2027-03-31T16:00:00Z"))
        );
        assert_eq!(
            period_bounds(at("2026-12-31T15:59:59.999Z"), 3, 480).0,
            at("2026-09-30T16:00:00Z")
        );
        // West of UTC, and yearly.
        assert_eq!(
            period_bounds(at("2027-01-01T03:00:00Z"), 12, -300),
            (at("2026-01-01T05:00:00Z"), at("2027-01-01T05:00:00Z"))
        );
        assert_eq!(
            period_bounds(at("2026-06-15T00:00:00Z"), 1, 0),
            (at("2026-06-01T00:00:00Z"), at("2026-07-01T00:00:00Z"))
        );
    }

    #[test]
    fn a_window_ends_now_and_reaches_back_whole_days() {
        assert_eq!(window_start(31 * DAY_MS, 30), DAY_MS);
    }
}
