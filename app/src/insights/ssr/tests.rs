use super::*;
use crate::flows::testing::{add_kitchen, add_products, add_shopper, product_input};
use crate::flows::tier_growth::TierGrowth;
use crate::insights::rules::report_periods;
use crate::orders::ssr::{cancel_order, record_order, record_refund};
use crate::orders::{OrderInput, OrderLineInput, RefundInput};
use crate::store::testing::all;

const NOW: &str = "2026-04-10T00:00:00Z";

fn now() -> Millis {
    crate::kernel::time::parse_rfc3339(NOW).unwrap()
}

/// An order of one teapot at `price`, with 100 shipping and 0 tax, paid at noon on `day`.
async fn buy(db: &Db, id: &str, shopper: &str, day: &str, price: i64, currency: &str) {
    let input = OrderInput {
        order_id: id.into(),
        shopper_id: shopper.into(),
        currency: currency.into(),
        lines: vec![OrderLineInput {
            sku: "A".into(),
            quantity: 1,
            unit_price_minor: price,
        }],
        shipping_minor: 100,
        tax_minor: 0,
        placed_at: Some(format!("{day}T12:00:00Z")),
    };
    record_order(db, &format!("key-{id}"), &input, &TierGrowth, now())
        .await
        .expect("record order");
}

/// The rules' hand-counted quarter (`rules/tests.rs`), through the orders' own store functions: each order's
/// value is its price plus 100 shipping, so prices are the rules' values less 100. Around it: a cancelled order,
/// an order refunded in full, one refunded in part, and one in another currency, to be left out or counted as the
/// rules say.
async fn quarter(db: &Db) {
    quarter_bought(db).await;
    quarter_revalued(db).await;
}

/// The quarter's orders, as they were bought.
async fn quarter_bought(db: &Db) {
    add_kitchen(db).await;
    add_products(db, &[product_input("A", 1_000, 100)]).await;
    for shopper in ["s1", "s2", "s3", "s4", "s5", "s6", "s7"] {
        add_shopper(db, shopper).await;
    }
    for (id, shopper, day, value) in [
        ("o1", "s1", "2025-11-10", 100),
        ("o2", "s1", "2026-01-05", 200),
        ("o3", "s1", "2026-03-20", 300),
        ("o4", "s2", "2026-02-10", 50),
        ("o5", "s2", "2026-04-05", 999),
        ("o6", "s3", "2025-12-01", 400),
        ("o7", "s4", "2026-01-15", 160),
        ("o8", "s4", "2026-01-25", 20),
        ("o9", "s5", "2026-03-30", 1000),
        ("o10", "s6", "2026-01-10", 60),
        ("o11", "s6", "2026-03-02", 70),
        ("x1", "s7", "2026-02-01", 5000),
        ("x2", "s7", "2026-02-02", 5000),
    ] {
        let price = (value - 100).max(0);
        buy(db, id, shopper, day, price, "CNY").await;
    }
}

/// The quarter's refunds and cancellation, and its order in another currency.
async fn quarter_revalued(db: &Db) {
    // 50, 20, 60 and 70 are under the shipping: those orders are refunded down to them.
    for (order, refund) in [("o4", 50), ("o8", 80), ("o10", 40), ("o11", 30)] {
        let input = RefundInput {
            amount_minor: refund,
            refunded_at: Some(format!("{}T12:00:00Z", "2026-03-31")),
        };
        record_refund(
            db,
            &format!("refund-{order}"),
            order,
            &input,
            &TierGrowth,
            now(),
        )
        .await
        .expect("refund");
    }
    // s4's first order, 160, is refunded in part to the rules' 80.
    let input = RefundInput {
        amount_minor: 80,
        refunded_at: None,
    };
    record_refund(db, "refund-o7", "o7", &input, &TierGrowth, now())
        .await
        .expect("refund in part");
    // s7's orders: one cancelled, one refunded in full; neither counts.
    cancel_order(db, "x1", &TierGrowth, now())
        .await
        .expect("cancel");
    let input = RefundInput {
        amount_minor: 5_000,
        refunded_at: None,
    };
    record_refund(db, "refund-x2", "x2", &input, &TierGrowth, now())
        .await
        .expect("refund in full");
    // An order in another currency, counted apart.
    buy(db, "u1", "s5", "2026-03-01", 900, "USD").await;
}

fn policy() -> InsightsPolicy {
    InsightsPolicy {
        currency: "CNY".into(),
    }
}

fn insights() -> Insights {
    Insights::new(
        policy(),
        std::sync::Arc::new(crate::flows::tier_values::TierValues),
        std::sync::Arc::new(crate::flows::order_values::OrdersValued),
    )
}

#[tokio::test]
async fn a_quarters_figures_read_from_the_orders_match_the_hand_count() {
    for store in all().await {
        let db = &store.db;
        quarter(db).await;
        let (period, comparison, previous) =
            report_periods(Some("2026-01-01"), Some("2026-03-31"), None, now()).unwrap();
        let report = customer_insights(db, &insights(), period, comparison, previous)
            .await
            .unwrap();
        assert_eq!(report.period.first_day, "2026-01-01");
        assert_eq!(report.previous.first_day, "2025-10-03");
        assert_eq!(report.other_currency_orders, 1);
        let segment = |segment| {
            let row = report
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
        assert_eq!(segment(Segment::NeedsAttention), (0, 0, 0, 0));
        assert_eq!(segment(Segment::AtRisk), (1, 0, 2, 100));
        assert_eq!(segment(Segment::Hibernating), (1, 0, 1, 50));
        assert_eq!(segment(Segment::Lost), (0, 1, 0, 0));
        assert_eq!(
            (
                report.repeat.customers,
                report.repeat.repeat_customers,
                report.repeat.orders,
                report.repeat.returning_orders,
                report.repeat.median_days_to_second
            ),
            (5, 3, 8, 4, Some(51.0))
        );
        let january = &report.months[0];
        assert_eq!(
            (
                january.new_customers,
                january.new_orders,
                january.new_value_minor
            ),
            (2, 3, 160)
        );
        assert_eq!(
            report
                .cohorts
                .iter()
                .map(|c| c.active.clone())
                .collect::<Vec<_>>(),
            [vec![2, 0, 1], vec![1, 0], vec![1]]
        );
    }
}

#[tokio::test]
async fn a_segments_customers_come_in_pages_highest_spender_first_with_their_contacts() {
    for store in all().await {
        let db = &store.db;
        quarter(db).await;
        let (period, _, _) =
            report_periods(Some("2026-01-01"), Some("2026-03-31"), None, now()).unwrap();
        let first = segment_members(db, &insights(), period, Segment::Loyal, 1, 1)
            .await
            .unwrap();
        assert_eq!(first.total, 2);
        let member = &first.members[0];
        assert_eq!(member.shopper_id, "s5");
        assert_eq!(member.email.as_deref(), Some("s5@example.com"));
        assert_eq!((member.orders, member.value_minor), (1, 1000));
        assert_eq!(member.last_order_at, "2026-03-30T12:00:00.000Z");
        assert_eq!(
            (
                member.rfm.recency,
                member.rfm.frequency,
                member.rfm.monetary
            ),
            (5, 1, 5)
        );
        let second = segment_members(db, &insights(), period, Segment::Loyal, 2, 1)
            .await
            .unwrap();
        assert_eq!(second.members[0].shopper_id, "s6");
        let beyond = segment_members(db, &insights(), period, Segment::Loyal, 3, 1)
            .await
            .unwrap();
        assert!(beyond.members.is_empty());
        assert_eq!(beyond.total, 2);
    }
}

#[tokio::test]
async fn a_servers_reports_follow_the_orders_as_they_change() {
    for store in all().await {
        let db = &store.db;
        let (period, comparison, previous) =
            report_periods(Some("2026-01-01"), Some("2026-03-31"), None, now()).unwrap();
        let server = insights();
        let report = || customer_insights(db, &server, period, comparison, previous);
        quarter_bought(db).await;
        let bought = report().await.unwrap();
        quarter_revalued(db).await;
        let revalued = report().await.unwrap();
        assert_ne!(bought, revalued);
        let fresh = customer_insights(db, &insights(), period, comparison, previous)
            .await
            .unwrap();
        assert_eq!(revalued, fresh);
        let members = |report: CustomerInsights| {
            report
                .segments
                .iter()
                .find(|row| row.segment == Segment::Loyal)
                .map(|row| row.customers)
        };
        let first = segment_members(db, &server, period, Segment::Loyal, 1, 1_000)
            .await
            .unwrap();
        assert_eq!(Some(first.total), members(revalued));
    }
}
