use super::*;
use crate::kernel::time::parse_rfc3339;

fn at(text: &str) -> Millis {
    parse_rfc3339(text).unwrap()
}

fn order(placed_at: &str, subtotal: i64) -> OrderFacts {
    OrderFacts {
        placed_at: at(placed_at),
        currency: "CNY".into(),
        subtotal_minor: subtotal,
        shipping_minor: 1_000,
        tax_minor: 500,
        refunded_minor: 0,
        cancelled: false,
    }
}

fn points(awarded_at: &str, points: i64) -> PointsFacts {
    PointsFacts {
        awarded_at: at(awarded_at),
        month: awarded_at[..7].to_owned(),
        points,
    }
}

/// `standing` with the growth of `orders` and `points` counted by the rules, today and at the next review.
fn standing(
    rules: &TierRules,
    version: i64,
    held: Option<(usize, Millis)>,
    orders: &[OrderFacts],
    points: &[PointsFacts],
    now: Millis,
) -> MemberStanding {
    let (_, review_at) = rules.reviews_around(now);
    super::standing(
        rules,
        version,
        held,
        rules.growth(orders, points, now),
        rules.growth(orders, points, review_at),
        now,
    )
}

fn rules() -> TierRules {
    TierRules {
        return_window_days: 0,
        ..TierRules::default()
    }
}

#[test]
fn the_default_rules_are_valid() {
    TierRules::default().validate().unwrap();
}

#[test]
fn the_window_counts_the_last_365_days_and_not_the_day_before() {
    let rules = rules();
    let now = at("2026-11-22T12:00:00Z");
    let orders = [
        order("2025-11-22T12:00:00Z", 100_000), // exactly 365 days ago: outside
        order("2025-11-22T12:00:00.001Z", 20_000),
        order("2026-11-22T12:00:00Z", 3_000),
        order("2026-11-22T12:00:00.001Z", 50_000), // in the future: not yet
    ];
    assert_eq!(rules.growth(&orders, &[], now).spend_minor, 23_000);
}

#[test]
fn refunds_take_back_what_they_brought_and_cancelled_orders_count_nothing() {
    let rules = rules();
    let now = at("2026-11-22T12:00:00Z");
    let mut refunded = order("2026-10-01T00:00:00Z", 40_000);
    refunded.refunded_minor = 15_000;
    let mut fully = order("2026-10-02T00:00:00Z", 40_000);
    // A full refund includes shipping and tax, which did not count: the order adds nothing, not less.
    fully.refunded_minor = 41_500;
    let mut cancelled = order("2026-10-03T00:00:00Z", 40_000);
    cancelled.cancelled = true;
    let mut dollars = order("2026-10-04T00:00:00Z", 40_000);
    dollars.currency = "USD".into();
    assert_eq!(
        rules
            .growth(&[refunded, fully, cancelled, dollars], &[], now)
            .spend_minor,
        25_000
    );
}

#[test]
fn shipping_and_tax_count_only_when_the_rules_say_so() {
    let orders = [order("2026-10-01T00:00:00Z", 10_000)];
    let now = at("2026-11-22T00:00:00Z");
    let mut rules = rules();
    assert_eq!(rules.growth(&orders, &[], now).spend_minor, 10_000);
    rules.count_shipping = true;
    assert_eq!(rules.growth(&orders, &[], now).spend_minor, 11_000);
    rules.count_tax = true;
    assert_eq!(rules.growth(&orders, &[], now).spend_minor, 11_500);
}

#[test]
fn spend_inside_its_return_window_is_pending() {
    let rules = TierRules {
        return_window_days: 7,
        ..TierRules::default()
    };
    let now = at("2026-11-22T12:00:00Z");
    let orders = [
        order("2026-11-15T12:00:00Z", 30_000), // exactly 7 days: settled
        order("2026-11-15T12:00:00.001Z", 5_000),
        order("2026-11-22T11:00:00Z", 2_000),
    ];
    let growth = rules.growth(&orders, &[], now);
    assert_eq!((growth.spend_minor, growth.pending_minor), (30_000, 7_000));
    assert_eq!(growth.value(), 30_000, "pending spend does not upgrade");
}

#[test]
fn review_points_count_up_to_the_monthly_cap_at_their_value() {
    let rules = rules();
    let now = at("2026-11-22T00:00:00Z");
    let awards = [
        points("2026-10-03T00:00:00Z", 30),
        points("2026-10-20T00:00:00Z", 30),
        points("2026-11-01T00:00:00Z", 10),
        points("2025-11-01T00:00:00Z", 10), // outside the window
    ];
    let growth = rules.growth(&[], &awards, now);
    assert_eq!(growth.activity_points, 60);
    assert_eq!(growth.activity_minor, 6_000);
}

#[test]
fn the_tier_reached_is_the_highest_threshold_at_or_below_the_growth() {
    let rules = rules();
    assert_eq!(rules.qualified(0), 0);
    assert_eq!(rules.qualified(99_999), 0);
    assert_eq!(rules.qualified(100_000), 1);
    assert_eq!(rules.qualified(499_999), 1);
    assert_eq!(rules.qualified(2_000_000), 3);
    assert_eq!(rules.qualified(i64::MAX), 3);
}

#[test]
fn upgrades_come_at_once_and_downgrades_one_step_at_a_review() {
    assert_eq!(after_growth(1, 3), 3);
    assert_eq!(after_growth(3, 0), 3, "no downgrade between reviews");
    assert_eq!(after_review(3, 0), 2, "one tier at most per review");
    assert_eq!(after_review(2, 1), 1);
    assert_eq!(after_review(1, 2), 2);
    assert_eq!(after_review(0, 0), 0);
}

#[test]
fn progress_rounds_down_and_is_full_only_when_reached() {
    assert_eq!(progress_percent(0, 0, 100_000), 0);
    assert_eq!(progress_percent(99_999, 0, 100_000), 99);
    assert_eq!(progress_percent(33_333, 0, 100_000), 33);
    assert_eq!(progress_percent(100_000, 0, 100_000), 100);
    assert_eq!(progress_percent(300_000, 100_000, 500_000), 50);
}

#[test]
fn standing_says_what_is_needed_next_and_what_keeps_the_tier() {
    let rules = rules();
    let now = at("2026-11-22T12:00:00Z");
    // Gold was reached in January 2026 and Silver-level spend since: the tier needs ¥200 more by the review.
    let orders = [
        order("2026-01-10T00:00:00Z", 450_000),
        order("2026-11-01T00:00:00Z", 30_000),
    ];
    let gold = standing(
        &rules,
        3,
        Some((2, at("2026-01-10T00:00:00Z"))),
        &orders,
        &[],
        now,
    );
    assert_eq!(gold.rank, 2);
    assert_eq!(gold.qualified_rank, 1, "480,000 reaches Silver only");
    assert_eq!(gold.growth.amount_minor, 480_000);
    assert_eq!(gold.to_next.unwrap().amount_minor, 1_520_000);
    let keep = gold.keep.unwrap();
    // The next quarterly review in Beijing time: 1 January 2027, 00:00 +08:00.
    assert_eq!(keep.review_at, at("2026-12-31T16:00:00Z"));
    assert_eq!(keep.projected.amount_minor, 480_000);
    assert_eq!(keep.needed.amount_minor, 20_000);
    assert!(
        !keep.warn,
        "39 days before the review, outside the 30-day warning"
    );
    let closer = standing(
        &rules,
        3,
        Some((2, Millis(0))),
        &orders,
        &[],
        at("2026-12-15T00:00:00Z"),
    );
    assert!(closer.keep.unwrap().warn);
}

#[test]
fn spend_that_leaves_the_window_before_the_review_does_not_keep_the_tier() {
    let rules = rules();
    let now = at("2026-11-22T12:00:00Z");
    let orders = [order("2025-12-01T00:00:00Z", 600_000)];
    let standing = standing(&rules, 1, Some((2, Millis(0))), &orders, &[], now);
    assert_eq!(standing.qualified_rank, 2, "today the spend still counts");
    let keep = standing.keep.unwrap();
    assert_eq!(
        keep.projected.amount_minor, 0,
        "by 1 January it is older than 365 days"
    );
    assert_eq!(keep.needed.amount_minor, 500_000);
}

#[test]
fn a_new_member_is_placed_by_growth_and_the_top_tier_has_nothing_next() {
    let rules = rules();
    let now = at("2026-11-22T12:00:00Z");
    let fresh = standing(&rules, 0, None, &[], &[], now);
    assert_eq!((fresh.rank, fresh.since, fresh.keep), (0, None, None));
    assert_eq!(fresh.progress_percent, 0);
    let big = standing(
        &rules,
        0,
        None,
        &[order("2026-11-01T00:00:00Z", 2_500_000)],
        &[],
        now,
    );
    assert_eq!((big.rank, big.since), (3, Some(now)));
    assert_eq!((big.to_next, big.progress_percent), (None, 100));
}

#[test]
fn a_threshold_not_above_the_last_says_the_last_one_as_the_form_holds_it_in_either_language() {
    let mut rules = TierRules::default();
    rules.tiers[2].threshold_minor = rules.tiers[1].threshold_minor;
    let error = rules.validate().unwrap_err();
    let last = format!(
        "{} CNY",
        Money::new(rules.tiers[1].threshold_minor, "CNY").plain()
    );
    assert_eq!(
        error.message_in("en"),
        format!("must be greater than the threshold of the tier before it ({last})")
    );
    assert_eq!(
        error.message_in("zh-CN"),
        format!("必须高于上一个等级的门槛（{last}）")
    );
}

#[test]
fn bad_rule_sets_are_refused_naming_the_field() {
    let refused = |change: fn(&mut TierRules)| {
        let mut rules = TierRules::default();
        change(&mut rules);
        rules.validate().unwrap_err().field.unwrap()
    };
    assert_eq!(
        refused(|r| r.tiers[2].threshold_minor = 100_000),
        "tiers[2].threshold_minor"
    );
    assert_eq!(
        refused(|r| r.tiers[0].threshold_minor = 500),
        "tiers[0].threshold_minor"
    );
    assert_eq!(
        refused(|r| r.tiers[1].threshold_minor = -5),
        "tiers[1].threshold_minor"
    );
    assert_eq!(
        refused(|r| {
            r.tiers[1].names.remove("zh-CN");
        }),
        "tiers[1].names.zh-CN"
    );
    assert_eq!(
        refused(|r| {
            r.tiers[1].names.insert("en".into(), " ".into());
        }),
        "tiers[1].names.en"
    );
    assert_eq!(
        refused(|r| r.tiers[3].code = "gold".into()),
        "tiers[3].code"
    );
    assert_eq!(
        refused(|r| r.tiers[0].colour = "red".into()),
        "tiers[0].colour"
    );
    assert_eq!(
        refused(|r| r.tiers[0].icon = "skull".into()),
        "tiers[0].icon"
    );
    assert_eq!(
        refused(|r| r.tiers[2].benefits[0].value = Some(-1)),
        "tiers[2].benefits[0].value"
    );
    assert_eq!(refused(|r| r.tiers.clear()), "tiers");
    assert_eq!(
        refused(|r| r.review_every_months = 5),
        "review_every_months"
    );
    assert_eq!(refused(|r| r.points_value_minor = -1), "points_value_minor");
    assert_eq!(
        refused(|r| r.return_window_days = 400),
        "return_window_days"
    );
    assert_eq!(refused(|r| r.currency = "XX".into()), "currency");
}
