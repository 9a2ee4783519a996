use super::*;
use crate::alerts::rules::AlertPolicy;
use crate::alerts::ssr::{AlertRequest, notice_credits, subscribe};
use crate::alerts::{AlertKind, NoticeCredit, NoticeKind, PriceRule};
use crate::catalog::PriceChange;
use crate::catalog::ssr::change_prices;
use crate::flows::ORDER_FLOWS;
use crate::flows::catalog_alerts::CatalogAlerts;
use crate::flows::testing::{add_kitchen, add_products, add_shopper, product_input};
use crate::flows::tier_growth::TierGrowth;
use crate::identity::Viewer;
use crate::kernel::time::{DAY_MS, Millis};
use crate::orders::RefundInput;
use crate::orders::ssr::{cancel_order, record_refund};
use crate::store::testing::all;
use crate::store::{Backend, Db};

const DAY0: Millis = Millis(1_800_000_000_000);

fn day(n: i64) -> Millis {
    DAY0 + DAY_MS * n
}

/// An order of `who`'s in CNY, placed at `when`, recorded at the store's time day(30).
async fn buy(
    db: &Db,
    id: &str,
    who: &str,
    lines: &[(&str, i64, i64)],
    when: Millis,
    then: &dyn Then<OrderChange>,
) {
    crate::flows::testing::buy(db, id, who, lines, when, day(30), then).await;
}

async fn drop_price(db: &Db, sku: &str, price_minor: i64, when: Millis) {
    drop_price_told(db, sku, price_minor, &AlertPolicy::default(), when).await;
}

async fn drop_price_told(db: &Db, sku: &str, price_minor: i64, policy: &AlertPolicy, when: Millis) {
    change_prices(
        db,
        &[PriceChange {
            sku: sku.into(),
            price_minor,
            currency: "CNY".into(),
        }],
        &CatalogAlerts(policy),
        when,
    )
    .await
    .expect("change price");
}

/// What followed the price-drop notices given from day `from` until day `to`: (purchases, value).
async fn after_drops(db: &Db, from: i64, to: i64) -> (i64, i64) {
    let credits = notice_credits(db, day(from), day(to), "CNY").await.unwrap();
    let NoticeCredit {
        purchases,
        value_minor,
        ..
    } = credits
        .into_iter()
        .find(|credit| credit.kind == NoticeKind::PriceDrop)
        .unwrap();
    (purchases, value_minor)
}

#[tokio::test]
async fn an_order_in_the_week_after_a_notice_follows_it_until_it_stops_counting() {
    for store in all().await {
        let db = &store.db;
        add_kitchen(db).await;
        add_products(
            db,
            &[product_input("A", 10_000, 5), product_input("B", 5_000, 5)],
        )
        .await;
        for id in ["alice", "bob"] {
            add_shopper(db, id).await;
            let request = AlertRequest {
                kind: AlertKind::PriceDrop,
                rule: PriceRule::AnyDrop,
                email: None,
            };
            subscribe(
                db,
                &Viewer::Shopper(id.into()),
                "A",
                &request,
                "en",
                &AlertPolicy::default(),
                DAY0,
            )
            .await
            .expect("subscribe");
        }
        // Before any notice: nothing to follow.
        buy(
            db,
            "early",
            "alice",
            &[("A", 1, 10_000)],
            day(1),
            &ORDER_FLOWS,
        )
        .await;
        drop_price(db, "A", 8_000, day(2)).await;
        // Two lines of A and one of B, whose price nobody was told of: the two lines of A follow the notice.
        buy(
            db,
            "two-lines",
            "alice",
            &[("A", 1, 8_000), ("B", 1, 5_000), ("A", 2, 8_000)],
            day(4),
            &ORDER_FLOWS,
        )
        .await;
        assert_eq!(after_drops(db, 0, 30).await, (2, 24_000), "{}", store.url);

        // A second drop: the orders after it follow it, not the first.
        drop_price(db, "A", 7_000, day(5)).await;
        buy(
            db,
            "after-second",
            "alice",
            &[("A", 1, 7_000)],
            day(6),
            &ORDER_FLOWS,
        )
        .await;
        buy(
            db,
            "cancelled",
            "bob",
            &[("A", 3, 7_000)],
            day(6),
            &ORDER_FLOWS,
        )
        .await;
        // A millisecond past the week after bob's second notice.
        buy(
            db,
            "late",
            "bob",
            &[("A", 1, 8_000)],
            day(12) + Millis(1),
            &ORDER_FLOWS,
        )
        .await;
        assert_eq!(after_drops(db, 0, 3).await, (2, 24_000));
        assert_eq!(after_drops(db, 3, 30).await, (2, 28_000));

        // A cancelled order and one refunded in full stop counting; a partial refund leaves the line's value.
        cancel_order(db, "cancelled", &ORDER_FLOWS, day(7))
            .await
            .unwrap();
        assert_eq!(after_drops(db, 3, 30).await, (1, 7_000));
        let refund = |amount_minor| RefundInput {
            amount_minor,
            refunded_at: None,
        };
        record_refund(
            db,
            "r1",
            "after-second",
            &refund(2_000),
            &ORDER_FLOWS,
            day(8),
        )
        .await
        .unwrap();
        assert_eq!(after_drops(db, 3, 30).await, (1, 7_000));
        record_refund(
            db,
            "r2",
            "after-second",
            &refund(5_000),
            &ORDER_FLOWS,
            day(8),
        )
        .await
        .unwrap();
        assert_eq!(after_drops(db, 3, 30).await, (0, 0));

        // An order written without the flow (a tool's bulk load) is followed by `follow_orders` as the flow
        // would have; following every order again changes nothing.
        buy(db, "bulk", "bob", &[("A", 1, 7_000)], day(10), &TierGrowth).await;
        assert_eq!(after_drops(db, 3, 30).await, (0, 0));
        let orders: Vec<i64> = sqlx::query_scalar("SELECT id FROM orders")
            .fetch_all(db.reader())
            .await
            .unwrap();
        for _ in 0..2 {
            let mut tx = db.write().await.unwrap();
            follow_orders(&mut tx, &orders).await.unwrap();
            tx.commit().await.unwrap();
        }
        assert_eq!(after_drops(db, 3, 30).await, (1, 7_000));
        assert_eq!(after_drops(db, 0, 3).await, (2, 24_000));

        // The migration's backfill of the orders recorded before it finds what the flow found.
        let recorded = followed_rows(db).await;
        assert_eq!(recorded.len(), 2);
        sqlx::query("DELETE FROM notice_purchases")
            .execute(db.reader())
            .await
            .unwrap();
        let migration = match db.backend() {
            Backend::Sqlite => include_str!("../../../migrations/sqlite/0028_notice_purchases.sql"),
            Backend::Postgres => {
                include_str!("../../../migrations/postgres/0028_notice_purchases.sql")
            }
        };
        let backfill = &migration[migration.find("INSERT INTO notice_purchases").unwrap()..];
        sqlx::query(backfill).execute(db.reader()).await.unwrap();
        assert_eq!(followed_rows(db).await, recorded);
    }
}

#[tokio::test]
async fn an_order_after_a_withdrawn_email_follows_the_notice_sent_before_it() {
    let emailing = AlertPolicy {
        email: true,
        ..AlertPolicy::default()
    };
    for store in all().await {
        let db = &store.db;
        add_kitchen(db).await;
        add_products(db, &[product_input("A", 10_000, 5)]).await;
        add_shopper(db, "alice").await;
        let alice = Viewer::Shopper("alice".into());
        let request = AlertRequest {
            kind: AlertKind::PriceDrop,
            rule: PriceRule::AnyDrop,
            email: None,
        };
        let alert = subscribe(db, &alice, "A", &request, "en", &emailing, DAY0)
            .await
            .expect("subscribe");
        // The first drop's email goes out.
        drop_price_told(db, "A", 8_000, &emailing, day(1)).await;
        let due = crate::alerts::ssr::claim_due(
            db,
            "email",
            10,
            "test",
            Millis::minutes(5),
            day(1) + Millis::hours(1),
        )
        .await
        .unwrap();
        assert_eq!(due.len(), 1);
        crate::alerts::ssr::delivered(db, due[0].id, day(1) + Millis::hours(1))
            .await
            .unwrap();
        // The second drop's email waits, then alice cancels the alert: it never goes.
        drop_price_told(db, "A", 7_000, &emailing, day(3)).await;
        crate::alerts::ssr::cancel(db, &alice, alert.id, day(3) + Millis::hours(1))
            .await
            .unwrap();
        buy(
            db,
            "after",
            "alice",
            &[("A", 1, 7_000)],
            day(4),
            &ORDER_FLOWS,
        )
        .await;
        assert_eq!(after_drops(db, 0, 2).await, (1, 7_000), "{}", store.url);
        assert_eq!(after_drops(db, 2, 30).await, (0, 0));
    }
}

/// Every row of what followed the notices, in key order.
async fn followed_rows(db: &Db) -> Vec<(i64, i64, i64, String, i64, i64, i64, String)> {
    sqlx::query_as(
        "SELECT order_id, product_id, notice_id, kind, noticed_at, purchases, value_minor, currency \
         FROM notice_purchases ORDER BY order_id, product_id",
    )
    .fetch_all(db.reader())
    .await
    .unwrap()
}

#[tokio::test]
async fn an_order_after_an_email_still_queued_counts_once_it_goes_and_never_if_it_fails() {
    let emailing = AlertPolicy {
        email: true,
        ..AlertPolicy::default()
    };
    for store in all().await {
        let db = &store.db;
        add_kitchen(db).await;
        add_products(
            db,
            &[product_input("A", 10_000, 5), product_input("B", 10_000, 5)],
        )
        .await;
        add_shopper(db, "alice").await;
        let alice = Viewer::Shopper("alice".into());
        let request = AlertRequest {
            kind: AlertKind::PriceDrop,
            rule: PriceRule::AnyDrop,
            email: None,
        };
        for sku in ["A", "B"] {
            subscribe(db, &alice, sku, &request, "en", &emailing, DAY0)
                .await
                .expect("subscribe");
            drop_price_told(db, sku, 8_000, &emailing, day(1)).await;
        }
        // Both emails wait in the outbox when alice buys both products.
        buy(
            db,
            "both",
            "alice",
            &[("A", 1, 8_000), ("B", 1, 6_000)],
            day(2),
            &ORDER_FLOWS,
        )
        .await;
        assert_eq!(followed_rows(db).await.len(), 2, "{}", store.url);
        assert_eq!(after_drops(db, 0, 2).await, (0, 0), "nothing sent yet");
        let due = crate::alerts::ssr::claim_due(
            db,
            "email",
            10,
            "test",
            Millis::minutes(5),
            day(2) + Millis::hours(1),
        )
        .await
        .unwrap();
        assert_eq!(due.len(), 2);
        let sku_of = async |notice: i64| -> String {
            sqlx::query_scalar(
                "SELECT p.sku FROM notices n JOIN alert_changes c ON c.id = n.change_id \
                 JOIN products p ON p.id = c.product_id WHERE n.id = $1",
            )
            .bind(notice)
            .fetch_one(db.reader())
            .await
            .unwrap()
        };
        let (a, b) = if sku_of(due[0].id).await == "A" {
            (due[0].id, due[1].id)
        } else {
            (due[1].id, due[0].id)
        };
        crate::alerts::ssr::delivered(db, a, day(2) + Millis::hours(1))
            .await
            .unwrap();
        crate::alerts::ssr::delivery_refused(db, b, "550 no such mailbox")
            .await
            .unwrap();
        assert_eq!(after_drops(db, 0, 2).await, (1, 8_000), "A's email went");
        // The merchant queues B's email again, and it goes.
        crate::alerts::ssr::resend_failed(db, &[b], day(3))
            .await
            .unwrap();
        assert_eq!(after_drops(db, 0, 2).await, (1, 8_000), "queued again");
        crate::alerts::ssr::claim_due(db, "email", 10, "test", Millis::minutes(5), day(3))
            .await
            .unwrap();
        crate::alerts::ssr::delivered(db, b, day(3)).await.unwrap();
        assert_eq!(after_drops(db, 0, 2).await, (2, 14_000), "both went");
        crate::flows::testing::daily_counts_backfill_the_same(db).await;
    }
}
