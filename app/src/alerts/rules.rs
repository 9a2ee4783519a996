//! The alerts' pure rules: when a price change fires a price alert (and what it then measures against), how many
//! back-in-stock subscribers a restock reaches, retry timing, validation of what a shopper asks for, and which
//! notice an order follows.

use super::{NoticeGiven, PriceRule};
use crate::kernel::error::{AppError, Translation};
use crate::kernel::time::{DAY_MS, Millis};

/// The rules a store sets on alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertPolicy {
    /// A drop smaller than this percentage of the reference price is hover, not news.
    pub min_drop_percent: i64,
    /// A drop smaller than this many minor units is hover, not news.
    pub min_drop_minor: i64,
    /// At most one notice per alert (so per shopper and product) in this span.
    pub cooldown: Millis,
    /// A restock of N units notifies at most N × this many back-in-stock subscribers.
    pub restock_multiple: i64,
    /// Deliveries tried before a notice is marked failed.
    pub max_attempts: i64,
    /// The wait before the first retry of a failed delivery; each further retry waits twice as long.
    pub first_retry: Millis,
    /// Whether notices go out by email (an SMTP server is configured).
    pub email: bool,
    /// Whether notices also go to the merchant's webhook.
    pub webhook: bool,
}

impl Default for AlertPolicy {
    fn default() -> Self {
        Self {
            min_drop_percent: 2,
            min_drop_minor: 100,
            cooldown: DAY_MS,
            restock_multiple: 3,
            // 30 s doubling to 6 hours: sixteen attempts span about 38 hours, so a receiver down for a day still
            // gets its notices.
            max_attempts: 16,
            first_retry: Millis(30_000),
            email: false,
            webhook: false,
        }
    }
}

/// What a live price alert knows when a price changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceWatch {
    pub rule: PriceRule,
    /// The price a drop is measured against: the price at subscription, then the price of the last notice.
    pub reference_minor: i64,
    pub last_notified_at: Option<Millis>,
}

/// Whether a change to `new_minor` fires the alert. A drop must clear the rule, both minimum-drop thresholds
/// (so a price hovering around one value stays quiet) and the cooldown. A suppressed drop leaves the reference
/// where it was, so the next change after the cooldown still counts it.
pub fn price_drop_fires(
    watch: &PriceWatch,
    new_minor: i64,
    policy: &AlertPolicy,
    now: Millis,
) -> bool {
    let reference = watch.reference_minor;
    let drop = reference - new_minor;
    if drop <= 0 {
        return false;
    }
    let clears_rule = match watch.rule {
        PriceRule::AnyDrop => true,
        PriceRule::Below { target_minor } => new_minor <= target_minor,
        // At least `percent` of the reference, in integer arithmetic: drop / reference >= percent / 100.
        PriceRule::ByPercent { percent } => drop * 100 >= reference * percent,
    };
    let clears_hover =
        drop >= policy.min_drop_minor && drop * 100 >= reference * policy.min_drop_percent;
    clears_rule && clears_hover && cooled_down(watch.last_notified_at, policy, now)
}

/// The frequency cap: whether a shopper last told of a product at `last_notified_at` may be told of it again now.
/// Drops count per alert; rises of a wish-list item count per shopper and product.
pub fn cooled_down(last_notified_at: Option<Millis>, policy: &AlertPolicy, now: Millis) -> bool {
    last_notified_at.is_none_or(|last| now - last >= policy.cooldown)
}

/// How many back-in-stock subscribers a restock from zero to `units` notifies, in subscription order.
pub fn restock_reach(units: i64, subscribers: usize, policy: &AlertPolicy) -> usize {
    let reach = units.max(0).saturating_mul(policy.restock_multiple.max(1));
    subscribers.min(usize::try_from(reach).unwrap_or(usize::MAX))
}

/// When to try a failed delivery again after `attempts` retries: exponential backoff from the policy's first
/// retry (30 s by default), capped at 6 hours, with ±20% jitter (`jitter` in [-1, 1]) so that many notices
/// failing together do not retry together.
pub fn retry_delay(attempts: i64, jitter: f64, policy: &AlertPolicy) -> Millis {
    let base = Millis(
        policy
            .first_retry
            .0
            .max(1)
            .saturating_mul(1i64 << attempts.clamp(0, 20)),
    );
    let capped = base.min(Millis::hours(6));
    capped + Millis((capped.0 as f64 * 0.2 * jitter.clamp(-1.0, 1.0)) as i64)
}

/// Checks a price rule against the current price: a target must be above zero and below it, a percentage from 1
/// to 99.
pub fn validate_price_rule(rule: &PriceRule, current_minor: i64) -> Result<(), AppError> {
    match *rule {
        PriceRule::AnyDrop => Ok(()),
        // A price of zero is no price: a target of 0 would wait for a giveaway that never comes.
        PriceRule::Below { target_minor } if target_minor <= 0 => Err(AppError::invalid(
            "target",
            Translation::of("error.target_above_zero"),
        )),
        PriceRule::Below { target_minor } if target_minor >= current_minor => Err(
            AppError::invalid("target", Translation::of("error.target_below_price")),
        ),
        PriceRule::ByPercent { percent } if !(1..=99).contains(&percent) => Err(AppError::invalid(
            "percent",
            Translation::of("error.percent"),
        )),
        _ => Ok(()),
    }
}

/// How long after a notice an order of its product counts as following it.
pub const NOTICE_WINDOW: Millis = Millis::days(7);

/// The notice an order of a product placed at `bought_at` follows, of `notices` (those given to its buyer about
/// that product): the latest strictly before the order and at most [`NOTICE_WINDOW`] before it, whatever its kind
/// (a restock that also cut the price tells a shopper twice, and the order follows the later notice); of two at
/// the same time, the one written last. `None` when none is that recent.
pub fn followed_notice<'a>(
    notices: impl IntoIterator<Item = &'a NoticeGiven>,
    bought_at: Millis,
) -> Option<&'a NoticeGiven> {
    notices
        .into_iter()
        .filter(|notice| notice.at < bought_at && bought_at - notice.at <= NOTICE_WINDOW)
        .max_by_key(|notice| (notice.at, notice.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::NoticeKind;

    const NOW: Millis = Millis(1_800_000_000_000);

    fn watch(rule: PriceRule, reference_minor: i64) -> PriceWatch {
        PriceWatch {
            rule,
            reference_minor,
            last_notified_at: None,
        }
    }

    #[test]
    fn any_drop_fires_on_a_real_drop_and_not_on_hover() {
        let policy = AlertPolicy::default();
        let any = watch(PriceRule::AnyDrop, 10_000);
        assert!(price_drop_fires(&any, 9_000, &policy, NOW));
        assert!(!price_drop_fires(&any, 10_000, &policy, NOW), "same price");
        assert!(!price_drop_fires(&any, 11_000, &policy, NOW), "a rise");
        // ¥100.00 → ¥99.50: under both the 2% and the ¥1 minimum.
        assert!(!price_drop_fires(&any, 9_950, &policy, NOW));
        // ¥100.00 → ¥98.00 is exactly 2% and ¥2: fires.
        assert!(price_drop_fires(&any, 9_800, &policy, NOW));
        // A cheap item: ¥5.00 → ¥4.50 is 10% but only ¥0.50, under the absolute minimum.
        assert!(!price_drop_fires(
            &watch(PriceRule::AnyDrop, 500),
            450,
            &policy,
            NOW
        ));
    }

    #[test]
    fn a_target_fires_at_or_below_it_and_a_percentage_at_or_beyond_it() {
        let policy = AlertPolicy::default();
        let target = watch(
            PriceRule::Below {
                target_minor: 8_000,
            },
            10_000,
        );
        assert!(!price_drop_fires(&target, 8_010, &policy, NOW));
        assert!(price_drop_fires(&target, 8_000, &policy, NOW));
        assert!(price_drop_fires(&target, 5_000, &policy, NOW));
        let percent = watch(PriceRule::ByPercent { percent: 15 }, 10_000);
        assert!(!price_drop_fires(&percent, 8_510, &policy, NOW));
        assert!(price_drop_fires(&percent, 8_500, &policy, NOW));
    }

    #[test]
    fn the_cooldown_holds_back_a_second_notice_but_not_the_drop() {
        let policy = AlertPolicy::default();
        let mut fired = watch(PriceRule::AnyDrop, 9_000);
        fired.last_notified_at = Some(NOW);
        assert!(!price_drop_fires(
            &fired,
            8_000,
            &policy,
            NOW + DAY_MS - Millis(1)
        ));
        // After the cooldown the same reference still counts the drop that was held back.
        assert!(price_drop_fires(&fired, 8_000, &policy, NOW + DAY_MS));
    }

    #[test]
    fn the_frequency_cap_opens_exactly_when_the_cooldown_ends() {
        let policy = AlertPolicy::default();
        assert!(cooled_down(None, &policy, NOW), "never told");
        assert!(!cooled_down(Some(NOW), &policy, NOW + DAY_MS - Millis(1)));
        assert!(cooled_down(Some(NOW), &policy, NOW + DAY_MS));
        let no_cap = AlertPolicy {
            cooldown: Millis(0),
            ..AlertPolicy::default()
        };
        assert!(cooled_down(Some(NOW), &no_cap, NOW));
    }

    #[test]
    fn after_firing_only_a_further_drop_fires() {
        let policy = AlertPolicy {
            cooldown: Millis(0),
            ..AlertPolicy::default()
        };
        // The store lowers the reference to the price it notified of.
        let lowered = watch(PriceRule::AnyDrop, 9_000);
        assert!(
            !price_drop_fires(&lowered, 9_000, &policy, NOW),
            "back to the notified price"
        );
        assert!(!price_drop_fires(&lowered, 9_500, &policy, NOW), "up again");
        assert!(
            price_drop_fires(&lowered, 8_500, &policy, NOW),
            "a further drop"
        );
    }

    #[test]
    fn a_restock_reaches_a_multiple_of_its_units() {
        let policy = AlertPolicy::default();
        assert_eq!(restock_reach(2, 100, &policy), 6);
        assert_eq!(restock_reach(50, 100, &policy), 100);
        assert_eq!(restock_reach(0, 100, &policy), 0);
        assert_eq!(restock_reach(i64::MAX, 7, &policy), 7);
    }

    #[test]
    fn retries_back_off_exponentially_with_jitter_and_a_cap() {
        let policy = AlertPolicy::default();
        assert_eq!(retry_delay(0, 0.0, &policy), Millis(30_000));
        // The retries after each of the first `max_attempts - 1` attempts, as `delivery_failed` schedules them.
        let span = (1..policy.max_attempts)
            .map(|attempt| retry_delay(attempt - 1, 0.0, &policy))
            .fold(Millis::ZERO, |sum, delay| sum + delay);
        assert!(
            span > DAY_MS,
            "the default schedule gives up after {span:?}"
        );
        assert_eq!(retry_delay(1, 0.0, &policy), Millis(60_000));
        assert_eq!(retry_delay(3, 0.0, &policy), Millis(240_000));
        assert_eq!(retry_delay(30, 0.0, &policy), Millis::hours(6));
        assert_eq!(retry_delay(0, 1.0, &policy), Millis(36_000));
        assert_eq!(retry_delay(0, -1.0, &policy), Millis(24_000));
        let quick = AlertPolicy {
            first_retry: Millis(1_000),
            ..AlertPolicy::default()
        };
        assert_eq!(retry_delay(2, 0.0, &quick), Millis(4_000));
    }

    #[test]
    fn rules_and_emails_are_checked() {
        assert!(
            validate_price_rule(
                &PriceRule::Below {
                    target_minor: 10_000
                },
                10_000
            )
            .is_err()
        );
        assert!(validate_price_rule(&PriceRule::Below { target_minor: -1 }, 10_000).is_err());
        assert!(validate_price_rule(&PriceRule::Below { target_minor: 0 }, 10_000).is_err());
        assert!(validate_price_rule(&PriceRule::Below { target_minor: 1 }, 10_000).is_ok());
        assert!(
            validate_price_rule(
                &PriceRule::Below {
                    target_minor: 9_999
                },
                10_000
            )
            .is_ok()
        );
        assert!(validate_price_rule(&PriceRule::ByPercent { percent: 0 }, 10_000).is_err());
        assert!(validate_price_rule(&PriceRule::ByPercent { percent: 100 }, 10_000).is_err());
        assert!(validate_price_rule(&PriceRule::ByPercent { percent: 99 }, 10_000).is_ok());
    }

    fn told(id: i64, kind: NoticeKind, at: Millis) -> NoticeGiven {
        NoticeGiven {
            id,
            kind,
            shopper: 1,
            product: 10,
            at,
        }
    }

    #[test]
    fn an_order_follows_the_latest_notice_of_the_week_before_it() {
        let day = Millis::days(1);
        let notices = [
            told(1, NoticeKind::PriceDrop, NOW - day * 6),
            told(2, NoticeKind::BackInStock, NOW - day * 2),
            told(3, NoticeKind::PriceDrop, NOW + day),
        ];
        // The later of the two before it; the one after it is no cause.
        assert_eq!(followed_notice(&notices, NOW).map(|n| n.id), Some(2));
        // Exactly seven days after a notice still follows it; a millisecond later does not.
        let week_old = [told(1, NoticeKind::PriceDrop, NOW - NOTICE_WINDOW)];
        assert_eq!(followed_notice(&week_old, NOW).map(|n| n.id), Some(1));
        assert_eq!(followed_notice(&week_old, NOW + Millis(1)), None);
        // An order at the very time of a notice was not told by it.
        assert_eq!(followed_notice(&notices[1..2], NOW - day * 2), None);
        assert_eq!(followed_notice(&[], NOW), None);
    }

    #[test]
    fn a_purchase_after_two_kinds_of_notice_follows_the_later_or_the_last_written() {
        // A restock that also cut the price: the shopper heard both, a minute apart, and bought once.
        let notices = [
            told(7, NoticeKind::BackInStock, NOW - Millis::minutes(2)),
            told(5, NoticeKind::PriceDrop, NOW - Millis::minutes(1)),
        ];
        assert_eq!(
            followed_notice(&notices, NOW).map(|n| n.kind),
            Some(NoticeKind::PriceDrop)
        );
        // The same minute: the notice written last.
        let together = [
            told(7, NoticeKind::BackInStock, NOW - Millis::minutes(1)),
            told(8, NoticeKind::PriceDrop, NOW - Millis::minutes(1)),
        ];
        assert_eq!(followed_notice(&together, NOW).map(|n| n.id), Some(8));
    }
}
