//! The store's limits on marketing email, as plain rules: the shopper's night, in which none is sent.

use serde::{Deserialize, Serialize};

/// A stretch of each day, in the shopper's local time, in which no marketing email goes: from `start` until `end`
/// (minutes after midnight), across midnight when `start` is after `end` (22:00 to 08:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    pub start: u16,
    pub end: u16,
}

/// Where a local time falls against the quiet hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quiet {
    /// Outside them: the email may go now.
    No,
    /// Inside them, which end later the same day.
    UntilToday,
    /// Inside them, which end the next day (the evening before midnight).
    UntilTomorrow,
}

impl QuietHours {
    /// 22:00 to 08:00.
    pub const NIGHT: QuietHours = QuietHours {
        start: 22 * 60,
        end: 8 * 60,
    };

    /// Reads `HH:MM-HH:MM` or `HH-HH` (`22-8`, `21:30-07:45`); the two ends must differ.
    pub fn parse(text: &str) -> Result<QuietHours, String> {
        let minutes = |part: &str| -> Option<u16> {
            let (hours, minutes) = part.trim().split_once(':').unwrap_or((part.trim(), "0"));
            let (hours, minutes): (u16, u16) = (hours.parse().ok()?, minutes.parse().ok()?);
            (hours < 24 && minutes < 60).then_some(hours * 60 + minutes)
        };
        let quiet = text
            .split_once('-')
            .and_then(|(start, end)| Some((minutes(start)?, minutes(end)?)))
            .map(|(start, end)| QuietHours { start, end })
            .ok_or_else(|| format!("\"{text}\" is not HH:MM-HH:MM, such as 22:00-08:00"))?;
        if quiet.start == quiet.end {
            return Err(format!("\"{text}\" starts and ends at the same time"));
        }
        Ok(quiet)
    }

    /// Where `minute` (after local midnight) falls.
    pub fn at(self, minute: u16) -> Quiet {
        if self.start < self.end {
            if (self.start..self.end).contains(&minute) {
                Quiet::UntilToday
            } else {
                Quiet::No
            }
        } else if minute >= self.start {
            Quiet::UntilTomorrow
        } else if minute < self.end {
            Quiet::UntilToday
        } else {
            Quiet::No
        }
    }

    /// The end, as (hour, minute).
    pub fn end_time(self) -> (i8, i8) {
        ((self.end / 60) as i8, (self.end % 60) as i8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_night_runs_across_midnight_and_ends_in_the_morning() {
        let night = QuietHours::NIGHT;
        assert_eq!(night.at(21 * 60 + 59), Quiet::No);
        assert_eq!(night.at(22 * 60), Quiet::UntilTomorrow);
        assert_eq!(night.at(23 * 60 + 59), Quiet::UntilTomorrow);
        assert_eq!(night.at(0), Quiet::UntilToday);
        assert_eq!(night.at(7 * 60 + 59), Quiet::UntilToday);
        assert_eq!(night.at(8 * 60), Quiet::No);
        assert_eq!(night.end_time(), (8, 0));
    }

    #[test]
    fn quiet_hours_within_one_day_end_the_same_day() {
        let early = QuietHours::parse("00:30-06:15").unwrap();
        assert_eq!(
            early,
            QuietHours {
                start: 30,
                end: 375
            }
        );
        assert_eq!(early.at(29), Quiet::No);
        assert_eq!(early.at(30), Quiet::UntilToday);
        assert_eq!(early.at(375), Quiet::No);
    }

    #[test]
    fn quiet_hours_are_read_from_the_stores_setting_and_nonsense_is_refused() {
        assert_eq!(QuietHours::parse("22-8"), Ok(QuietHours::NIGHT));
        assert_eq!(QuietHours::parse(" 22:00 - 08:00 "), Ok(QuietHours::NIGHT));
        for bad in ["", "22", "24-8", "22:60-8", "8-8", "night", "-1-8"] {
            assert!(QuietHours::parse(bad).is_err(), "{bad}");
        }
    }
}
