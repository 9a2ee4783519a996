use super::*;
use crate::catalog::ssr::product_for_update;
use crate::flows::testing::{add_kitchen, add_products, add_shopper, product_input};
use crate::flows::tier_growth::TierGrowth;
use crate::identity::ssr::shopper_key;
use crate::kernel::error::ErrorCode;
use crate::orders::OrderLineInput;
use crate::orders::ssr::{has_bought, record_order};
use crate::store::testing::{all, count};

const NOW: Millis = Millis(1_800_000_000_000);

fn unpaid(shopper: &str, quantity: i64) -> UnpaidOrderInput {
    UnpaidOrderInput {
        shopper_id: shopper.into(),
        currency: "CNY".into(),
        lines: vec![
            OrderLineInput {
                sku: "A".into(),
                quantity,
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
        placed_at: None,
        payment_url: "https://shop.example/pay/U-1".into(),
    }
}

fn paid(order_id: &str, shopper: &str) -> OrderInput {
    let input = unpaid(shopper, 2);
    OrderInput {
        order_id: order_id.into(),
        shopper_id: input.shopper_id,
        currency: input.currency,
        lines: input.lines,
        shipping_minor: input.shipping_minor,
        tax_minor: input.tax_minor,
        placed_at: None,
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

fn rejected(result: Result<impl std::fmt::Debug, StoreError>) -> AppError {
    match result {
        Err(StoreError::Rejected(error)) => error,
        other => panic!("not refused: {other:?}"),
    }
}

#[tokio::test]
async fn an_unpaid_order_is_recorded_replaced_and_never_counted_as_a_purchase() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let (state, created) = record_unpaid(db, "U-1", &unpaid("alice", 2), NOW)
            .await
            .unwrap();
        assert!(created);
        assert_eq!(state.total, Money::new(2_800, "CNY"));
        assert_eq!(state.shopper_id, "alice");
        assert_eq!(state.reminded_at, None);
        assert_eq!(state.placed_at, to_rfc3339(NOW));

        // The store reports it again with three of A: the lines and total follow; it is still one order.
        let (state, created) = record_unpaid(db, "U-1", &unpaid("alice", 3), NOW + Millis(5))
            .await
            .unwrap();
        assert!(!created);
        assert_eq!(state.total, Money::new(3_800, "CNY"));
        assert_eq!(unpaid_order(db, "U-1").await.unwrap(), state);
        assert_eq!(
            (
                count(db, "unpaid_orders").await,
                count(db, "unpaid_order_lines").await
            ),
            (1, 2)
        );

        // Not a purchase: no order, no event, no verified buyer, no tier growth.
        let mut tx = db.write().await.unwrap();
        let alice = shopper_key(&mut *tx, "alice").await.unwrap().unwrap();
        let (a, ..) = product_for_update(&mut tx, "A", "sku").await.unwrap();
        assert!(!has_bought(&mut tx, alice, a).await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(
            (count(db, "orders").await, count(db, "shopper_events").await),
            (0, 0)
        );
    }
}

#[tokio::test]
async fn paying_or_cancelling_an_unpaid_order_closes_it() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        record_unpaid(db, "U-1", &unpaid("alice", 2), NOW)
            .await
            .unwrap();
        record_unpaid(db, "U-2", &unpaid("bob", 1), NOW)
            .await
            .unwrap();

        record_order(db, "pay-1", &paid("U-1", "alice"), &TierGrowth, NOW)
            .await
            .unwrap();
        assert_eq!(
            rejected(unpaid_order(db, "U-1").await).code,
            ErrorCode::NotFound
        );
        // Once paid, it cannot be reported unpaid again.
        let error = rejected(record_unpaid(db, "U-1", &unpaid("alice", 2), NOW).await);
        assert_eq!(error.code, ErrorCode::Conflict);
        assert!(error.message.contains("already paid"), "{}", error.message);

        cancel_unpaid(db, "U-2", &TierGrowth).await.unwrap();
        assert_eq!(
            rejected(cancel_unpaid(db, "U-2", &TierGrowth).await).code,
            ErrorCode::NotFound
        );
        assert_eq!(
            (
                count(db, "unpaid_orders").await,
                count(db, "unpaid_order_lines").await
            ),
            (0, 0)
        );
    }
}

#[tokio::test]
async fn a_bad_unpaid_order_is_refused_with_what_is_wrong_and_changes_nothing() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        record_unpaid(db, "U-1", &unpaid("alice", 2), NOW)
            .await
            .unwrap();
        let before = unpaid_order(db, "U-1").await.unwrap();

        let mut relative = unpaid("alice", 1);
        relative.payment_url = "/pay/U-1".into();
        let mut scripted = unpaid("alice", 1);
        scripted.payment_url = "javascript:alert(1)".into();
        let mut future = unpaid("alice", 1);
        future.placed_at = Some(to_rfc3339(NOW + Millis::hours(1)));
        let mut empty = unpaid("alice", 1);
        empty.lines.clear();
        let mut unknown_product = unpaid("alice", 1);
        unknown_product.lines[1].sku = "Z".into();
        let cases = [
            (relative, "payment_url", ErrorCode::Invalid),
            (scripted, "payment_url", ErrorCode::Invalid),
            (future, "placed_at", ErrorCode::Invalid),
            (empty, "lines", ErrorCode::Invalid),
            (unknown_product, "lines[1].sku", ErrorCode::NotFound),
            (unpaid("carol", 1), "shopper_id", ErrorCode::NotFound),
        ];
        for (input, field, code) in cases {
            let error = rejected(record_unpaid(db, "U-1", &input, NOW).await);
            assert_eq!((error.code, error.field.as_deref()), (code, Some(field)));
        }
        // Bob cannot take over Alice's unpaid order.
        let error = rejected(record_unpaid(db, "U-1", &unpaid("bob", 1), NOW).await);
        assert_eq!(error.code, ErrorCode::Conflict);
        assert_eq!(unpaid_order(db, "U-1").await.unwrap(), before);
        assert_eq!(count(db, "unpaid_order_lines").await, 2);
        assert_eq!(
            rejected(unpaid_order(db, "no such order!").await).code,
            ErrorCode::Invalid
        );
    }
}
