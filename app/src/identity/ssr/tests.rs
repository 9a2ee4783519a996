use super::*;
use crate::flows::testing::{add_kitchen, add_products, add_shopper, product_input};
use crate::flows::tier_growth::TierGrowth;
use crate::orders::ssr::record_order;
use crate::orders::{OrderInput, OrderLineInput};
use crate::store::testing::{all, count};

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
            0,
        )
        .await
        .unwrap();
        record_order(
            db,
            "k2",
            &one_teapot("A-2", "alice", "2026-11-01T00:00:00Z"),
            &TierGrowth,
            0,
        )
        .await
        .unwrap();
        record_order(
            db,
            "k3",
            &one_teapot("B-1", "bob", "2026-11-02T00:00:00Z"),
            &TierGrowth,
            0,
        )
        .await
        .unwrap();

        let alice = account(db, "alice", 10).await.unwrap().unwrap();
        let ids: Vec<_> = alice
            .recent_orders
            .iter()
            .map(|o| o.order_id.as_str())
            .collect();
        assert_eq!(ids, ["A-2", "A-1"]);
        assert_eq!(
            (
                alice.recent_orders[0].items,
                alice.recent_orders[0].total.amount_minor
            ),
            (3, 3_000)
        );
        let bob = account(db, "bob", 10).await.unwrap().unwrap();
        assert_eq!(bob.recent_orders.len(), 1);
        assert!(account(db, "carol", 10).await.unwrap().is_none());

        let shoppers = demo_shoppers(db, 10).await.unwrap();
        assert_eq!(
            (shoppers[0].shopper_id.as_str(), shoppers[0].orders),
            ("alice", 2)
        );
    }
}

#[tokio::test]
async fn shoppers_are_upserted_and_bad_ones_refused_whole() {
    for store in all().await {
        let db = &store.db;
        add_shopper(db, "alice").await;
        let renamed = ShopperInput {
            shopper_id: "alice".into(),
            email: None,
            display_name: "Alice W.".into(),
            locale: "zh-CN".into(),
        };
        let bad = ShopperInput {
            shopper_id: "zed".into(),
            email: Some("not-an-email".into()),
            display_name: "Zed".into(),
            locale: "en".into(),
        };
        let StoreError::Rejected(error) = upsert_shoppers(db, &[renamed.clone(), bad], 5)
            .await
            .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.field.as_deref(), Some("shoppers[1].email"));
        assert_eq!(
            account(db, "alice", 1).await.unwrap().unwrap().display_name,
            "Shopper alice"
        );

        let summary = upsert_shoppers(db, &[renamed], 6).await.unwrap();
        assert_eq!((summary.created, summary.updated), (0, 1));
        let alice = account(db, "alice", 1).await.unwrap().unwrap();
        assert_eq!(
            (
                alice.display_name.as_str(),
                alice.locale.as_str(),
                alice.email
            ),
            ("Alice W.", "zh-CN", None)
        );
        assert_eq!(count(db, "shoppers").await, 1);
    }
}
