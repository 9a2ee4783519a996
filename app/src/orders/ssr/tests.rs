use super::*;
use crate::flows::testing::{add_kitchen, add_products, add_shopper, product_input};
use crate::flows::tier_growth::TierGrowth;
use crate::kernel::error::ErrorCode;
use crate::orders::OrderLineInput;
use crate::store::testing::{all, count};

/// `ms` milliseconds into a day after every order of these tests was placed: orders are not dated ahead.
fn after(ms: i64) -> Millis {
    Millis(1_800_000_000_000 + ms)
}

fn order(order_id: &str, shopper: &str) -> OrderInput {
    OrderInput {
        order_id: order_id.into(),
        shopper_id: shopper.into(),
        currency: "CNY".into(),
        lines: vec![
            OrderLineInput {
                sku: "A".into(),
                quantity: 2,
                unit_price_minor: 1_000,
            },
            OrderLineInput {
                sku: "B".into(),
                quantity: 1,
                unit_price_minor: 500,
            },
        ],
        shipping_minor: 300,
        tax_minor: 0,
        placed_at: Some("2026-11-01T10:00:00Z".into()),
    }
}

async fn shop(db: &Db) {
    add_kitchen(db).await;
    add_products(
        db,
        &[product_input("A", 1_000, 5), product_input("B", 500, 5)],
    )
    .await;
    add_shopper(db, "alice").await;
    add_shopper(db, "bob").await;
}

#[test]
fn an_order_whose_total_exceeds_the_bound_is_refused_though_each_line_is_valid() {
    let mut big = order("O-big", "alice");
    for line in &mut big.lines {
        line.quantity = 100_000;
        line.unit_price_minor = 10_000_000_000_000;
    }
    assert!(validate_order(&big).is_err_and(|error| error.field.as_deref() == Some("lines")));
    let mut at_bound = order("O-edge", "alice");
    at_bound.lines.truncate(1);
    at_bound.lines[0].quantity = 1;
    at_bound.lines[0].unit_price_minor = MAX_ORDER_TOTAL_MINOR - 300;
    assert_eq!(validate_order(&at_bound), Ok(()));
    at_bound.tax_minor = 1;
    assert!(validate_order(&at_bound).is_err());
}

#[tokio::test]
async fn fifty_identical_orders_at_once_record_one_and_replay_it_to_the_rest() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let same = order("O-1", "alice");
        let attempts = (0..50).map(|_| record_order(db, "key-1", &same, &TierGrowth, after(9)));
        let outcomes: Vec<_> = futures::future::join_all(attempts)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(
            outcomes.iter().filter(|outcome| !outcome.replayed).count(),
            1
        );
        assert!(outcomes.iter().all(|outcome| outcome.total_minor == 2_800));
        assert_eq!(count(db, "orders").await, 1);
        let refund = RefundInput {
            amount_minor: 100,
            refunded_at: None,
        };
        let refunds =
            (0..20).map(|_| record_refund(db, "refund-1", "O-1", &refund, &TierGrowth, after(10)));
        for outcome in futures::future::join_all(refunds).await {
            assert_eq!(outcome.unwrap().refunded_minor, 100);
        }
        assert_eq!(count(db, "refunds").await, 1);
    }
}

#[tokio::test]
async fn two_different_orders_under_one_key_at_once_record_one_and_refuse_the_other() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let first = order("O-1", "alice");
        let second = order("O-2", "alice");
        let (a, b) = futures::future::join(
            record_order(db, "key-1", &first, &TierGrowth, after(9)),
            record_order(db, "key-1", &second, &TierGrowth, after(9)),
        )
        .await;
        let (recorded, refused) = match (a, b) {
            (Ok(outcome), Err(error)) | (Err(error), Ok(outcome)) => (outcome, error),
            other => panic!("one should be recorded and one refused: {other:?}"),
        };
        assert!(!recorded.replayed);
        let StoreError::Rejected(error) = refused else {
            panic!("{refused:?}")
        };
        assert_eq!(error.code, ErrorCode::Conflict);
        assert!(
            error.message.contains("different request"),
            "{}",
            error.message
        );
        assert_eq!(count(db, "orders").await, 1);
    }
}

#[tokio::test]
async fn a_retried_order_is_recorded_once() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let first = record_order(db, "key-1", &order("O-1", "alice"), &TierGrowth, after(9))
            .await
            .unwrap();
        assert_eq!(
            (first.status.as_str(), first.total_minor, first.replayed),
            ("paid", 2_800, false)
        );
        let retry = record_order(db, "key-1", &order("O-1", "alice"), &TierGrowth, after(10))
            .await
            .unwrap();
        assert_eq!(
            retry,
            OrderOutcome {
                replayed: true,
                ..first
            }
        );
        assert_eq!(count(db, "orders").await, 1);
        assert_eq!(count(db, "order_lines").await, 2);
        let purchased: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM shopper_events WHERE kind = 'purchased'")
                .fetch_one(db.reader())
                .await
                .unwrap();
        assert_eq!(purchased, 2);
    }
}

#[tokio::test]
async fn a_reused_key_or_order_number_is_refused_and_changes_nothing() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        record_order(db, "key-1", &order("O-1", "alice"), &TierGrowth, after(9))
            .await
            .unwrap();

        let StoreError::Rejected(error) =
            record_order(db, "key-1", &order("O-2", "alice"), &TierGrowth, after(9))
                .await
                .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.code, ErrorCode::Conflict);
        let StoreError::Rejected(error) =
            record_order(db, "key-2", &order("O-1", "alice"), &TierGrowth, after(9))
                .await
                .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.code, ErrorCode::Conflict);
        assert!(error.message.contains("O-1"));
        assert_eq!(
            (
                count(db, "orders").await,
                count(db, "order_lines").await,
                count(db, "shopper_events").await
            ),
            (1, 2, 2)
        );
    }
}

#[tokio::test]
async fn an_order_naming_an_unknown_shopper_or_product_writes_nothing() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let StoreError::Rejected(error) =
            record_order(db, "k", &order("O-1", "carol"), &TierGrowth, after(9))
                .await
                .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.field.as_deref(), Some("shopper_id"));
        let mut unknown_product = order("O-1", "alice");
        unknown_product.lines[1].sku = "ZZZ".into();
        let StoreError::Rejected(error) =
            record_order(db, "k", &unknown_product, &TierGrowth, after(9))
                .await
                .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.field.as_deref(), Some("lines[1].sku"));
        let mut zero = order("O-1", "alice");
        zero.lines[0].quantity = 0;
        let StoreError::Rejected(error) = record_order(db, "k", &zero, &TierGrowth, after(9))
            .await
            .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.field.as_deref(), Some("lines[0].quantity"));
        let mut bad_time = order("O-1", "alice");
        bad_time.placed_at = Some("last tuesday".into());
        let StoreError::Rejected(error) = record_order(db, "k", &bad_time, &TierGrowth, after(9))
            .await
            .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.field.as_deref(), Some("placed_at"));
        // Dated more than a few minutes ahead of now: the store reports what has happened.
        let mut ahead = order("O-1", "alice");
        ahead.placed_at = Some(crate::kernel::time::to_rfc3339(
            after(9) + Millis::minutes(6),
        ));
        let StoreError::Rejected(error) = record_order(db, "k", &ahead, &TierGrowth, after(9))
            .await
            .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(
            (error.field.as_deref(), error.message.as_str()),
            (Some("placed_at"), "is in the future")
        );
        assert_eq!(
            (count(db, "orders").await, count(db, "shopper_events").await),
            (0, 0)
        );
    }
}

#[tokio::test]
async fn refunds_add_up_to_a_refunded_order_and_never_exceed_it() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        record_order(db, "key-1", &order("O-1", "alice"), &TierGrowth, after(9))
            .await
            .unwrap();
        let part = RefundInput {
            amount_minor: 800,
            refunded_at: None,
        };
        let after_part = record_refund(db, "r-1", "O-1", &part, &TierGrowth, after(20))
            .await
            .unwrap();
        assert_eq!(
            (after_part.status.as_str(), after_part.refunded_minor),
            ("paid", 800)
        );
        assert!(
            record_refund(db, "r-1", "O-1", &part, &TierGrowth, after(21))
                .await
                .unwrap()
                .replayed
        );

        let too_much = RefundInput {
            amount_minor: 2_001,
            refunded_at: None,
        };
        let StoreError::Rejected(error) =
            record_refund(db, "r-2", "O-1", &too_much, &TierGrowth, after(22))
                .await
                .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.field.as_deref(), Some("amount_minor"));
        assert!(error.message.contains("2000"));

        let rest = RefundInput {
            amount_minor: 2_000,
            refunded_at: Some("2026-11-05T00:00:00Z".into()),
        };
        let refunded = record_refund(db, "r-3", "O-1", &rest, &TierGrowth, after(23))
            .await
            .unwrap();
        assert_eq!(
            (refunded.status.as_str(), refunded.refunded_minor),
            ("refunded", 2_800)
        );
        assert_eq!(count(db, "refunds").await, 2);

        let StoreError::Rejected(error) = cancel_order(db, "O-1", &TierGrowth, after(20))
            .await
            .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.code, ErrorCode::Conflict);
        let StoreError::Rejected(error) =
            record_refund(db, "r-4", "O-404", &part, &TierGrowth, after(24))
                .await
                .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.code, ErrorCode::NotFound);
    }
}

#[tokio::test]
async fn a_cancelled_order_cannot_be_refunded() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        record_order(db, "key-1", &order("O-1", "bob"), &TierGrowth, after(9))
            .await
            .unwrap();
        assert_eq!(
            cancel_order(db, "O-1", &TierGrowth, after(20))
                .await
                .unwrap()
                .status,
            "cancelled"
        );
        assert!(
            cancel_order(db, "O-1", &TierGrowth, after(20))
                .await
                .unwrap()
                .replayed
        );
        let refund = RefundInput {
            amount_minor: 100,
            refunded_at: None,
        };
        let StoreError::Rejected(error) =
            record_refund(db, "r-1", "O-1", &refund, &TierGrowth, after(20))
                .await
                .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.code, ErrorCode::Conflict);
        assert_eq!(count(db, "refunds").await, 0);
    }
}

fn one_teapot(order_id: &str, shopper: &str, placed_at: &str) -> OrderInput {
    OrderInput {
        order_id: order_id.into(),
        shopper_id: shopper.into(),
        currency: "CNY".into(),
        lines: vec![OrderLineInput {
            sku: "A".into(),
            quantity: 3,
            unit_price_minor: 1_000,
        }],
        shipping_minor: 0,
        tax_minor: 0,
        placed_at: Some(placed_at.into()),
    }
}

#[tokio::test]
async fn a_shopper_sees_only_their_own_orders() {
    for store in all().await {
        let db = &store.db;
        add_kitchen(db).await;
        add_products(db, &[product_input("A", 1_000, 5)]).await;
        add_shopper(db, "alice").await;
        add_shopper(db, "bob").await;
        record_order(
            db,
            "k1",
            &one_teapot("A-1", "alice", "2026-10-01T00:00:00Z"),
            &TierGrowth,
            after(0),
        )
        .await
        .unwrap();
        record_order(
            db,
            "k2",
            &one_teapot("A-2", "alice", "2026-11-01T00:00:00Z"),
            &TierGrowth,
            after(0),
        )
        .await
        .unwrap();
        record_order(
            db,
            "k3",
            &one_teapot("B-1", "bob", "2026-11-02T00:00:00Z"),
            &TierGrowth,
            after(0),
        )
        .await
        .unwrap();

        let alice = recent_orders(db, "alice", 10).await.unwrap();
        let ids: Vec<_> = alice.iter().map(|o| o.order_id.as_str()).collect();
        assert_eq!(ids, ["A-2", "A-1"]);
        assert_eq!((alice[0].items, alice[0].total.amount_minor), (3, 3_000));
        assert_eq!(recent_orders(db, "bob", 10).await.unwrap().len(), 1);
        assert!(recent_orders(db, "carol", 10).await.unwrap().is_empty());

        let shoppers = busiest_buyers(db, 10).await.unwrap();
        assert_eq!(
            (shoppers[0].shopper_id.as_str(), shoppers[0].orders),
            ("alice", 2)
        );
        assert_eq!(
            shoppers
                .iter()
                .map(|buyer| (
                    buyer.shopper_id.as_str(),
                    buyer.display_name.is_empty(),
                    buyer.orders
                ))
                .collect::<Vec<_>>(),
            [("alice", false, 2), ("bob", false, 1)]
        );
    }
}

#[tokio::test]
async fn moving_review_steps_to_their_own_table_keeps_what_each_order_still_had_to_ask() {
    for store in crate::store::testing::all_until(26).await {
        let db = &store.db;
        add_kitchen(db).await;
        add_products(db, &["A", "B"].map(|sku| product_input(sku, 1_000, 9))).await;
        add_shopper(db, "alice").await;
        let marks = [
            ("o-undelivered", None, None, None),
            ("o-waiting", Some(100), None, None),
            ("o-asked", Some(100), Some(200), None),
            ("o-done", Some(100), Some(200), Some(300)),
        ];
        for (order_id, delivered, requested, reminded) in marks {
            let input = order(order_id, "alice");
            record_order(
                db,
                &format!("key-{order_id}"),
                &input,
                &TierGrowth,
                after(50),
            )
            .await
            .unwrap();
            // The columns the migration replaces, as the code before it marked them.
            let mut tx = db.write().await.unwrap();
            sqlx::query(
                "UPDATE orders SET delivered_at = $1, review_requested_at = $2, review_reminded_at = $3 \
                 WHERE external_id = $4",
            )
            .bind(delivered)
            .bind(requested)
            .bind(reminded)
            .bind(order_id)
            .execute(&mut *tx)
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        db.migrate().await.unwrap();
        let steps: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT o.external_id, f.step, f.since FROM review_follow_ups f JOIN orders o ON o.id = f.order_id \
             ORDER BY o.external_id",
        )
        .fetch_all(db.reader())
        .await
        .unwrap();
        assert_eq!(
            steps,
            [
                ("o-asked".to_owned(), "reminder".to_owned(), 200),
                ("o-waiting".to_owned(), "request".to_owned(), 100),
            ]
        );
    }
}

/// The values `order_values_since` read, by store order number, with the mark to read from next.
async fn values_since(
    db: &Db,
    mark: Option<OrderMark>,
) -> (Vec<(String, i64, bool, bool)>, OrderMark) {
    let (values, next) = order_values_since(db, mark, "CNY").await.unwrap();
    let mut read = Vec::new();
    for value in values {
        let number: String = sqlx::query_scalar("SELECT external_id FROM orders WHERE id = $1")
            .bind(value.order)
            .fetch_one(db.reader())
            .await
            .unwrap();
        read.push((number, value.value_minor, value.paid, value.in_currency));
    }
    read.sort();
    (read, next)
}

/// What last changed the order's value (`changed_in`).
async fn changed_in(db: &Db, number: &str) -> i64 {
    sqlx::query_scalar("SELECT changed_in FROM orders WHERE external_id = $1")
        .bind(number)
        .fetch_one(db.reader())
        .await
        .unwrap()
}

/// Nothing read since `mark` where nothing changed: asserted on SQLite only, since on PostgreSQL a transaction of
/// any database of the server still running at the last read (another test's) makes the orders come again.
async fn nothing_since(db: &Db, mark: OrderMark) -> OrderMark {
    let (read, next) = values_since(db, Some(mark)).await;
    if db.backend() == crate::store::Backend::Sqlite {
        assert!(read.is_empty(), "nothing changed: {read:?}");
    }
    next
}

#[tokio::test]
async fn a_reader_of_order_values_reads_each_change_of_value_and_nothing_else() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let (read, mark) = values_since(db, None).await;
        assert!(read.is_empty());
        record_order(db, "key-1", &order("O-1", "alice"), &TierGrowth, after(1))
            .await
            .unwrap();
        let mut dollars = order("O-2", "bob");
        dollars.currency = "USD".into();
        record_order(db, "key-2", &dollars, &TierGrowth, after(2))
            .await
            .unwrap();
        let (read, mark) = values_since(db, Some(mark)).await;
        assert_eq!(
            read,
            [
                ("O-1".into(), 2_800, true, true),
                ("O-2".into(), 2_800, true, false)
            ]
        );
        let mark = nothing_since(db, mark).await;

        let before = changed_in(db, "O-1").await;
        let delivered = FulfilmentInput {
            status: Fulfilment::Delivered,
            at: None,
        };
        record_fulfilment(db, "O-1", &delivered, after(3))
            .await
            .unwrap();
        assert_eq!(
            changed_in(db, "O-1").await,
            before,
            "a delivery is no change"
        );
        let mark = nothing_since(db, mark).await;

        let part = RefundInput {
            amount_minor: 800,
            refunded_at: None,
        };
        record_refund(db, "r-1", "O-1", &part, &TierGrowth, after(4))
            .await
            .unwrap();
        let (read, mark) = values_since(db, Some(mark)).await;
        assert!(
            read.contains(&("O-1".into(), 2_000, true, true)),
            "{read:?}"
        );
        assert!(changed_in(db, "O-1").await > before);

        cancel_order(db, "O-2", &TierGrowth, after(5))
            .await
            .unwrap();
        let (read, _) = values_since(db, Some(mark)).await;
        assert!(
            read.contains(&("O-2".into(), 2_800, false, false)),
            "{read:?}"
        );
        let (read, _) = values_since(db, None).await;
        assert_eq!(
            read,
            [
                ("O-1".into(), 2_000, true, true),
                ("O-2".into(), 2_800, false, false)
            ]
        );
    }
}

#[tokio::test]
async fn an_order_committed_after_a_read_is_read_next_time_though_its_transaction_began_first() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let (_, mark) = values_since(db, None).await;
        // The slow order's transaction writes first and commits last.
        let mut slow = db.write().await.unwrap();
        let alice = crate::identity::ssr::shopper_key(&mut *slow, "alice")
            .await
            .unwrap()
            .unwrap();
        sqlx::query(
            "INSERT INTO orders (external_id, shopper_id, status, currency, subtotal_minor, placed_at, \
             idempotency_key, request_hash) VALUES ('O-slow', $1, 'paid', 'CNY', 1000, $2, 'key-slow', '')",
        )
        .bind(alice.0)
        .bind(after(1))
        .execute(&mut *slow)
        .await
        .unwrap();
        // PostgreSQL takes a second writer meanwhile, numbered after the slow one; SQLite writes one at a time.
        let fast = db.backend() == crate::store::Backend::Postgres;
        if fast {
            record_order(db, "key-1", &order("O-1", "bob"), &TierGrowth, after(2))
                .await
                .unwrap();
        }
        let (read, mark) = values_since(db, Some(mark)).await;
        let expected: Vec<(String, i64, bool, bool)> = if fast {
            vec![("O-1".into(), 2_800, true, true)]
        } else {
            Vec::new()
        };
        assert_eq!(read, expected);
        slow.commit().await.unwrap();
        let (read, _) = values_since(db, Some(mark)).await;
        assert!(
            read.contains(&("O-slow".into(), 1_000, true, true)),
            "the slow order was missed: {read:?}"
        );
    }
}

#[tokio::test]
async fn an_order_deleted_by_hand_does_not_hide_the_next_change() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        record_order(db, "key-1", &order("O-1", "alice"), &TierGrowth, after(1))
            .await
            .unwrap();
        let (_, mark) = values_since(db, None).await;
        let mut tx = db.write().await.unwrap();
        sqlx::query("DELETE FROM orders WHERE external_id = 'O-1'")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        record_order(db, "key-2", &order("O-2", "bob"), &TierGrowth, after(2))
            .await
            .unwrap();
        let (read, _) = values_since(db, Some(mark)).await;
        assert!(
            read.contains(&("O-2".into(), 2_800, true, true)),
            "the order after the deletion was missed: {read:?}"
        );
    }
}
