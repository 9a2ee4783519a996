use super::*;
use crate::kernel::error::ErrorCode;
use crate::kernel::time::parse_rfc3339;

fn at(text: &str) -> Millis {
    parse_rfc3339(text).unwrap()
}

fn order(shopper: i64, day: &str, value_minor: i64) -> OrderFact {
    OrderFact {
        shopper,
        placed_at: at(&format!("{day}T12:00:00Z")),
        value_minor,
    }
}

#[test]
fn quintiles_give_the_lowest_one_the_highest_five_and_equal_values_one_score() {
    assert_eq!(quintile_scores(&[30, 10, 50, 20, 40]), [3, 1, 5, 2, 4]);
    assert_eq!(quintile_scores(&[1, 1, 1, 1, 2]), [1, 1, 1, 1, 5]);
    assert_eq!(quintile_scores(&[7]), [1]);
    assert_eq!(quintile_scores(&[9, 4]), [5, 1]);
    assert!(quintile_scores(&[]).is_empty());
    // Ten customers: two per score.
    let ten: Vec<i64> = (1..=10).collect();
    assert_eq!(quintile_scores(&ten), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
}

#[test]
fn segments_follow_the_grid_on_the_page() {
    let segment = |recency, frequency, monetary| {
        Rfm {
            recency,
            frequency,
            monetary,
        }
        .segment()
    };
    assert_eq!(segment(5, 5, 5), Segment::Champions);
    assert_eq!(segment(4, 4, 3), Segment::Champions); // FM rounds 3.5 up
    assert_eq!(segment(4, 3, 3), Segment::Loyal);
    assert_eq!(segment(3, 5, 5), Segment::Loyal);
    assert_eq!(segment(5, 1, 2), Segment::Promising);
    assert_eq!(segment(3, 2, 2), Segment::NeedsAttention);
    assert_eq!(segment(2, 5, 5), Segment::AtRisk);
    assert_eq!(segment(1, 2, 3), Segment::AtRisk);
    assert_eq!(segment(2, 1, 3), Segment::Hibernating);
    assert_eq!(segment(1, 1, 1), Segment::Lost);
    // Every score has exactly one segment, and every segment is reached.
    let mut reached = std::collections::BTreeSet::new();
    for r in 1..=5 {
        for f in 1..=5 {
            for m in 1..=5 {
                reached.insert(segment(r, f, m));
            }
        }
    }
    assert_eq!(reached.len(), Segment::ALL.len());
    for code in Segment::ALL.map(Segment::code) {
        assert_eq!(Segment::from_code(code).map(Segment::code), Some(code));
    }
}

#[test]
fn periods_default_to_the_year_to_today_and_refuse_what_is_wrong() {
    let today = at("2026-12-04T15:00:00Z");
    let (period, comparison, previous) = report_periods(None, None, None, today).unwrap();
    assert_eq!(period.span().first_day, "2025-12-05");
    assert_eq!(period.span().last_day, "2026-12-04");
    assert_eq!(comparison, Comparison::Previous);
    assert_eq!(previous.span().last_day, "2025-12-04");
    assert_eq!(previous.to - previous.from, Millis::days(365));

    let (period, _, previous) = report_periods(
        Some("2024-02-01"),
        Some("2024-02-29"),
        Some("year_before"),
        today,
    )
    .unwrap();
    assert_eq!(period.to - period.from, Millis::days(29));
    assert_eq!(previous.span().first_day, "2023-02-01");
    assert_eq!(previous.span().last_day, "2023-02-28");
    // A period to the 28th of a leap February: the year before ends on its 28th too, not the 27th.
    let (_, _, previous) = report_periods(
        Some("2024-02-28"),
        Some("2024-02-28"),
        Some("year_before"),
        today,
    )
    .unwrap();
    assert_eq!(
        (
            previous.span().first_day.as_str(),
            previous.span().last_day.as_str()
        ),
        ("2023-02-28", "2023-02-28")
    );
    // The calendar's far ends compare without wrapping around.
    let (_, _, previous) = report_periods(
        Some("9999-12-01"),
        Some("9999-12-31"),
        Some("year_before"),
        today,
    )
    .unwrap();
    assert_eq!(previous.span().last_day, "9998-12-31");

    let field = |from, to, compare| {
        let error = report_periods(from, to, compare, today).unwrap_err();
        assert_eq!(error.code, ErrorCode::Invalid);
        error.field.unwrap()
    };
    assert_eq!(field(Some("2026-12-05"), Some("2026-12-04"), None), "from");
    assert_eq!(field(Some("2020-01-01"), Some("2026-12-04"), None), "from");
    assert_eq!(field(None, Some("4 Dec"), None), "to");
    assert_eq!(field(Some("2026-02-30"), None, None), "from");
    assert_eq!(field(None, None, Some("last_week")), "compare");
    // Blank fields, as an empty form sends them, are the defaults.
    assert_eq!(
        report_periods(Some(" "), Some(""), Some(""), today).unwrap(),
        report_periods(None, None, None, today).unwrap()
    );
}

/// Six customers around a quarter (January to March 2026), worked by hand in the comments.
fn quarter() -> (Vec<OrderFact>, Period, Period) {
    let facts = vec![
        order(1, "2025-11-10", 100),
        order(1, "2026-01-05", 200),
        order(1, "2026-03-20", 300),
        order(2, "2026-02-10", 50),
        order(2, "2026-04-05", 999), // after the period: counts nowhere
        order(3, "2025-12-01", 400),
        order(4, "2026-01-15", 80),
        order(4, "2026-01-25", 20),
        order(5, "2026-03-30", 1000),
        order(6, "2026-01-10", 60),
        order(6, "2026-03-02", 70),
    ];
    let (period, _, previous) = report_periods(
        Some("2026-01-01"),
        Some("2026-03-31"),
        None,
        at("2026-04-10T00:00:00Z"),
    )
    .unwrap();
    (facts, period, previous)
}

/// Two tiers: shoppers 1, 3 and 6 in the lower, 5 and 9 (who never ordered) in the upper.
fn tiers() -> Vec<TierMembers> {
    let tier = |code: &str, shoppers: Vec<i64>| TierMembers {
        code: code.into(),
        names: [("en".to_owned(), code.to_uppercase())].into(),
        shoppers,
    };
    vec![tier("silver", vec![1, 3, 6]), tier("gold", vec![5, 9])]
}

#[test]
fn customers_are_scored_among_the_periods_customers() {
    let (facts, period, previous) = quarter();
    let scored: Vec<(i64, [u8; 3], Segment)> = standings(&facts, period)
        .into_iter()
        .map(|c| {
            let Rfm {
                recency,
                frequency,
                monetary,
            } = c.rfm;
            (c.shopper, [recency, frequency, monetary], c.rfm.segment())
        })
        .collect();
    // Last orders 1: 20 Mar, 2: 10 Feb, 4: 25 Jan, 5: 30 Mar, 6: 2 Mar; orders 2, 1, 2, 1, 2; spend 500, 50, 100,
    // 1000, 130.
    assert_eq!(
        scored,
        [
            (1, [4, 3, 4], Segment::Champions),
            (2, [2, 1, 1], Segment::Hibernating),
            (4, [1, 3, 2], Segment::AtRisk),
            (5, [5, 1, 5], Segment::Loyal),
            (6, [3, 3, 3], Segment::Loyal),
        ]
    );
    // The previous 90 days (3 October to 31 December 2025): shopper 1 (10 November, 100) and 3 (1 December, 400):
    // of two, the later and larger scores 5.
    let before: Vec<(i64, [u8; 3], Segment)> = standings(&facts, previous)
        .into_iter()
        .map(|c| {
            (
                c.shopper,
                [c.rfm.recency, c.rfm.frequency, c.rfm.monetary],
                c.rfm.segment(),
            )
        })
        .collect();
    assert_eq!(
        before,
        [
            (1, [1, 1, 1], Segment::Lost),
            (3, [5, 1, 5], Segment::Loyal)
        ]
    );
}

#[test]
fn a_quarters_figures_match_the_hand_count() {
    let (facts, period, previous) = quarter();
    let figures = customer_figures(&facts, period, previous, &tiers());
    let segment = |segment| {
        let row = figures
            .segments
            .iter()
            .find(|row| row.segment == segment)
            .unwrap();
        (
            row.customers,
            row.previous_customers,
            row.orders,
            row.value_minor,
        )
    };
    assert_eq!(segment(Segment::Champions), (1, 0, 2, 500));
    assert_eq!(segment(Segment::Loyal), (2, 1, 3, 1130));
    assert_eq!(segment(Segment::Promising), (0, 0, 0, 0));
    assert_eq!(segment(Segment::NeedsAttention), (0, 0, 0, 0));
    assert_eq!(segment(Segment::AtRisk), (1, 0, 2, 100));
    assert_eq!(segment(Segment::Hibernating), (1, 0, 1, 50));
    assert_eq!(segment(Segment::Lost), (0, 1, 0, 0));

    let moves: Vec<_> = figures
        .movement
        .iter()
        .map(|m| (m.from, m.to, m.customers))
        .collect();
    assert_eq!(
        moves,
        [
            (None, Some(Segment::Loyal), 2),
            (None, Some(Segment::AtRisk), 1),
            (None, Some(Segment::Hibernating), 1),
            (Some(Segment::Loyal), None, 1),
            (Some(Segment::Lost), Some(Segment::Champions), 1),
        ]
    );

    // Shoppers 1, 4 and 6 have a second order by the end of March (2's came in April); 1's January and March
    // orders, 4's second and 6's second are returning; seconds came after 56, 10 and 51 days.
    assert_eq!(
        figures.repeat,
        RepeatFigures {
            customers: 5,
            repeat_customers: 3,
            orders: 8,
            returning_orders: 4,
            second_orders: 3,
            median_days_to_second: Some(51.0),
        }
    );

    let months: Vec<_> = figures
        .months
        .iter()
        .map(|m| {
            (
                m.month.as_str(),
                [m.new_customers, m.new_orders, m.new_value_minor],
                [
                    m.returning_customers,
                    m.returning_orders,
                    m.returning_value_minor,
                ],
            )
        })
        .collect();
    assert_eq!(
        months,
        [
            ("2026-01", [2, 3, 160], [1, 1, 200]),
            ("2026-02", [1, 1, 50], [0, 0, 0]),
            ("2026-03", [1, 1, 1000], [2, 2, 370]),
        ]
    );

    // Silver: 1 (2 orders, 500) and 6 (2, 130) ordered in the quarter, 3 did not; gold: 5 (1, 1000), 9 never.
    let tiers: Vec<_> = figures
        .tiers
        .iter()
        .map(|t| {
            (
                t.code.as_str(),
                [t.members, t.customers, t.orders, t.value_minor],
            )
        })
        .collect();
    assert_eq!(
        tiers,
        [("silver", [3, 2, 4, 630]), ("gold", [2, 1, 1, 1000])]
    );

    let cohorts: Vec<_> = figures
        .cohorts
        .iter()
        .map(|c| (c.month.as_str(), c.customers, c.active.clone()))
        .collect();
    assert_eq!(
        cohorts,
        [
            ("2026-01", 2, vec![2, 0, 1]),
            ("2026-02", 1, vec![1, 0]),
            ("2026-03", 1, vec![1]),
        ]
    );
}

#[test]
fn no_orders_give_empty_figures_not_a_failure() {
    let (_, period, previous) = quarter();
    let figures = customer_figures(&[], period, previous, &[]);
    assert!(figures.segments.iter().all(|row| row.customers == 0));
    assert!(figures.movement.is_empty());
    assert_eq!(figures.repeat.median_days_to_second, None);
    assert_eq!(figures.months.len(), 3);
    assert!(figures.cohorts.iter().all(|c| c.customers == 0));
}

#[test]
fn cohorts_are_the_periods_last_twelve_months() {
    let (period, _, previous) = report_periods(
        Some("2024-01-01"),
        Some("2025-12-31"),
        None,
        at("2026-01-01T00:00:00Z"),
    )
    .unwrap();
    let figures = customer_figures(&[order(1, "2024-03-01", 10)], period, previous, &[]);
    assert_eq!(figures.months.len(), 24);
    assert_eq!(figures.cohorts.len(), COHORT_MONTHS);
    assert_eq!(figures.cohorts[0].month, "2025-01");
    assert_eq!(figures.cohorts[0].active.len(), 12);
    assert_eq!(figures.cohorts[11].active.len(), 1);
}
