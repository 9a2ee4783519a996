use super::*;
use crate::catalog::PriceChange;
use crate::catalog::ssr::change_prices;
use crate::flows::ORDER_FLOWS;
use crate::flows::testing::{add_kitchen, add_products, add_shopper, product_input};
use crate::flows::tier_growth::TierGrowth;
use crate::identity::Viewer;
use crate::kernel::time::{DAY_MS, Millis};
use crate::orders::RefundInput;
use crate::orders::ssr::{cancel_order, record_refund};
use crate::store::testing::all;
use crate::store::{Backend, Db};
use crate::wishlist::ProductSaves;
use crate::wishlist::rules::WishlistPolicy;
use crate::wishlist::ssr::{create_list, move_item, remove, save, save_activity};

const DAY0: Millis = Millis(1_800_000_000_000);

fn day(n: i64) -> Millis {
    DAY0 + DAY_MS * n
}

fn shopper(id: &str) -> Viewer {
    Viewer::Shopper(id.into())
}

/// An order of `who`'s in CNY, placed at `when`, recorded at the store's time day(60).
async fn buy(
    db: &Db,
    id: &str,
    who: &str,
    lines: &[(&str, i64, i64)],
    when: Millis,
    then: &dyn Then<OrderChange>,
) {
    crate::flows::testing::buy(db, id, who, lines, when, day(60), then).await;
}

async fn reprice(db: &Db, sku: &str, price_minor: i64, when: Millis) {
    change_prices(
        db,
        &[PriceChange {
            sku: sku.into(),
            price_minor,
            currency: "CNY".into(),
        }],
        &SaveFalls,
        when,
    )
    .await
    .expect("change price");
}

/// What the merchant reads of product `sku`'s saves made from day `from` until day `to`.
async fn saves_of(db: &Db, sku: &str, from: i64, to: i64) -> ProductSaves {
    let id: i64 = sqlx::query_scalar("SELECT id FROM products WHERE sku = $1")
        .bind(sku)
        .fetch_one(db.reader())
        .await
        .unwrap();
    let activity = save_activity(db, day(from), day(to), "CNY").await.unwrap();
    activity
        .by_product
        .into_iter()
        .find(|counted| counted.product == id)
        .unwrap_or_default()
}

/// (saves, fell, bought, bought value, bought after a fall, its value).
fn figures(counted: ProductSaves) -> (i64, i64, i64, i64, i64, i64) {
    (
        counted.saves,
        counted.fell,
        counted.bought,
        counted.bought_value_minor,
        counted.bought_after_fall,
        counted.after_fall_value_minor,
    )
}

#[tokio::test]
async fn a_save_and_its_price_fall_are_followed_by_the_savers_orders_until_they_stop_counting() {
    let policy = WishlistPolicy::default();
    for store in all().await {
        let db = &store.db;
        add_kitchen(db).await;
        add_products(
            db,
            &[product_input("A", 10_000, 5), product_input("B", 5_000, 5)],
        )
        .await;
        for id in ["alice", "bob", "carol"] {
            add_shopper(db, id).await;
        }
        // Before her save: an order that nothing led to.
        buy(
            db,
            "early",
            "alice",
            &[("A", 1, 10_000)],
            day(0),
            &ORDER_FLOWS,
        )
        .await;
        for who in [
            shopper("alice"),
            shopper("bob"),
            Viewer::Guest("g-1".into()),
        ] {
            save(db, &who, "A", None, &policy, day(1)).await.unwrap();
        }
        // Carol saves when the price is already lower: the next fall is not below her price.
        reprice(db, "A", 9_000, day(2)).await;
        save(db, &shopper("carol"), "A", None, &policy, day(3))
            .await
            .unwrap();
        reprice(db, "A", 9_500, day(4)).await;
        // Every save of day 1 saw the fall of day 2 (the guest's too, but guests order nothing).
        assert_eq!(
            figures(saves_of(db, "A", 1, 2).await),
            (3, 2, 0, 0, 0, 0),
            "{}",
            store.url
        );
        assert_eq!(figures(saves_of(db, "A", 3, 4).await), (1, 0, 0, 0, 0, 0));

        // Alice orders two lines of A and one of B (never saved) four days after the fall: after her save and
        // after its fall. Bob orders A eight days after the fall: after his save only.
        buy(
            db,
            "alice-1",
            "alice",
            &[("A", 1, 9_000), ("B", 1, 5_000), ("A", 1, 9_000)],
            day(6),
            &ORDER_FLOWS,
        )
        .await;
        buy(
            db,
            "bob-1",
            "bob",
            &[("A", 1, 9_500)],
            day(10),
            &ORDER_FLOWS,
        )
        .await;
        // Carol's order on day 40 comes 37 days after her save: too late.
        buy(
            db,
            "carol-1",
            "carol",
            &[("A", 1, 9_500)],
            day(40),
            &ORDER_FLOWS,
        )
        .await;
        assert_eq!(
            figures(saves_of(db, "A", 1, 2).await),
            (3, 2, 2, 27_500, 1, 18_000)
        );
        // A second order follows the same save and fall: still one save bought each way, both orders' value.
        buy(
            db,
            "alice-2",
            "alice",
            &[("A", 1, 9_500)],
            day(7),
            &ORDER_FLOWS,
        )
        .await;
        assert_eq!(
            figures(saves_of(db, "A", 1, 2).await),
            (3, 2, 2, 37_000, 1, 27_500)
        );

        // A partial refund leaves the order counting; a full refund and a cancellation do not.
        let refund = |amount_minor| RefundInput {
            amount_minor,
            refunded_at: None,
        };
        record_refund(db, "r1", "alice-2", &refund(500), &ORDER_FLOWS, day(8))
            .await
            .unwrap();
        assert_eq!(
            figures(saves_of(db, "A", 1, 2).await),
            (3, 2, 2, 37_000, 1, 27_500)
        );
        record_refund(db, "r2", "alice-2", &refund(9_000), &ORDER_FLOWS, day(8))
            .await
            .unwrap();
        cancel_order(db, "bob-1", &ORDER_FLOWS, day(11))
            .await
            .unwrap();
        assert_eq!(
            figures(saves_of(db, "A", 1, 2).await),
            (3, 2, 1, 18_000, 1, 18_000)
        );

        // Moved to another list, the save keeps what followed it.
        let gifts = create_list(db, &shopper("alice"), "Gifts", &policy, day(12))
            .await
            .unwrap();
        let first = crate::wishlist::ssr::lists(db, &shopper("alice"))
            .await
            .unwrap()
            .into_iter()
            .find(|list| list.is_default)
            .unwrap();
        move_item(db, &shopper("alice"), "A", first.id, gifts.id, &policy)
            .await
            .unwrap();
        assert_eq!(
            figures(saves_of(db, "A", 1, 2).await),
            (3, 2, 1, 18_000, 1, 18_000)
        );

        // An order written without the flow (a tool's bulk load) is followed by `follow_all` as the flow would
        // have; following everything again changes nothing.
        buy(db, "bulk", "bob", &[("A", 2, 9_500)], day(12), &TierGrowth).await;
        for _ in 0..2 {
            follow_all(db).await.unwrap();
        }
        assert_eq!(
            figures(saves_of(db, "A", 1, 2).await),
            (3, 2, 2, 37_000, 1, 18_000)
        );

        // The migration's backfill of the saves and orders recorded before it finds what the flows found.
        let (falls, rows) = (fell_at(db).await, followed_rows(db).await);
        assert_eq!(rows.len(), 3);
        sqlx::query("DELETE FROM save_purchases")
            .execute(db.reader())
            .await
            .unwrap();
        sqlx::query("UPDATE wishlist_items SET fell_at = NULL")
            .execute(db.reader())
            .await
            .unwrap();
        let migration = match db.backend() {
            Backend::Sqlite => include_str!("../../../migrations/sqlite/0029_save_purchases.sql"),
            Backend::Postgres => {
                include_str!("../../../migrations/postgres/0029_save_purchases.sql")
            }
        };
        let backfill = &migration[migration.find("UPDATE wishlist_items").unwrap()..];
        for statement in backfill.split(';').filter(|s| !s.trim().is_empty()) {
            sqlx::query(statement).execute(db.reader()).await.unwrap();
        }
        assert_eq!(fell_at(db).await, falls);
        assert_eq!(followed_rows(db).await, rows);

        // Taken off her list, alice's save is no longer one, and what followed it goes.
        remove(db, &shopper("alice"), "A", Some(gifts.id), day(13))
            .await
            .unwrap();
        assert_eq!(
            figures(saves_of(db, "A", 1, 2).await),
            (2, 1, 1, 19_000, 0, 0)
        );
    }
}

/// Each save's fall, in key order.
async fn fell_at(db: &Db) -> Vec<(i64, i64, Option<i64>)> {
    sqlx::query_as("SELECT wishlist_id, product_id, fell_at FROM wishlist_items ORDER BY 1, 2")
        .fetch_all(db.reader())
        .await
        .unwrap()
}

/// Every row of what followed the saves, in key order.
async fn followed_rows(db: &Db) -> Vec<(i64, i64, String, i64, i64, i64, String)> {
    sqlx::query_as(
        "SELECT order_id, product_id, follows, wishlist_id, saved_at, value_minor, currency \
         FROM save_purchases ORDER BY order_id, product_id, follows",
    )
    .fetch_all(db.reader())
    .await
    .unwrap()
}
