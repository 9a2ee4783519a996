use super::*;
use crate::flows::testing::{add_kitchen, add_products, add_shopper, product_input};
use crate::flows::tier_growth::TierGrowth;
use crate::identity::ShopperInput;
use crate::kernel::money::Money;
use crate::kernel::time::to_rfc3339;
use crate::orders::ssr::{cancel_unpaid, record_order, record_unpaid, unpaid_order};
use crate::orders::{OrderInput, OrderLineInput, UnpaidOrderInput};
use crate::store::testing::{all, count};

const NOW: Millis = Millis(1_800_000_000_000);
const HOUR: Millis = Millis::hours(1);

fn lines(skus: &[(&str, i64)]) -> Vec<OrderLineInput> {
    skus.iter()
        .map(|(sku, quantity)| OrderLineInput {
            sku: (*sku).into(),
            quantity: *quantity,
            unit_price_minor: 1_000,
        })
        .collect()
}

async fn place(db: &Db, id: &str, shopper: &str, skus: &[(&str, i64)], at: Millis) {
    let input = UnpaidOrderInput {
        shopper_id: shopper.into(),
        currency: "CNY".into(),
        lines: lines(skus),
        shipping_minor: 500,
        tax_minor: 0,
        placed_at: Some(to_rfc3339(at)),
        payment_url: format!("https://shop.example/pay/{id}"),
    };
    record_unpaid(db, id, &input, at).await.unwrap();
}

async fn pay(db: &Db, id: &str, shopper: &str, skus: &[(&str, i64)], at: Millis) {
    let input = OrderInput {
        order_id: id.into(),
        shopper_id: shopper.into(),
        currency: "CNY".into(),
        lines: lines(skus),
        shipping_minor: 500,
        tax_minor: 0,
        placed_at: Some(to_rfc3339(at)),
    };
    let flows = (TierGrowth, UnpaidReminders);
    record_order(db, &format!("pay-{id}"), &input, &flows, at)
        .await
        .unwrap();
}

/// The queued reminders: (order, email, its products as "SKU title ×quantity", total).
async fn reminders(db: &Db) -> Vec<(String, String, Vec<String>, Money)> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT email, body FROM messages WHERE kind = 'unpaid_order' ORDER BY id")
            .fetch_all(db.reader())
            .await
            .unwrap();
    rows.into_iter()
        .map(|(email, body)| match serde_json::from_str(&body).unwrap() {
            MessageBody::UnpaidOrder(reminder) => {
                assert_eq!(
                    reminder.payment_url,
                    format!("https://shop.example/pay/{}", reminder.order_id)
                );
                (
                    reminder.order_id,
                    email,
                    reminder
                        .products
                        .into_iter()
                        .map(|p| format!("{} {} ×{}", p.sku, p.title, p.quantity))
                        .collect(),
                    reminder.total,
                )
            }
            other => panic!("not an unpaid order's reminder: {other:?}"),
        })
        .collect()
}

async fn shop(db: &Db) {
    add_kitchen(db).await;
    let mut products = ["A", "B"].map(|sku| product_input(sku, 1_000, 9));
    products[1].translations.insert(
        "zh-CN".into(),
        crate::catalog::ProductText {
            title: "茶壶 B".into(),
            description: String::new(),
        },
    );
    add_products(db, &products).await;
    for shopper in ["alice", "bob", "carol", "dan"] {
        add_shopper(db, shopper).await;
    }
    crate::identity::ssr::upsert_shoppers(
        db,
        &[
            ShopperInput {
                shopper_id: "bob".into(),
                email: Some("bob@example.com".into()),
                display_name: "Bob".into(),
                locale: "zh-CN".into(),
                time_zone: None,
            },
            ShopperInput {
                shopper_id: "erin".into(),
                email: None,
                display_name: "Erin".into(),
                locale: "en".into(),
                time_zone: None,
            },
        ],
        NOW,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn an_unpaid_order_reminds_its_buyer_once_a_day_later_unless_paid_or_cancelled_first() {
    let policy = UnpaidReminderPolicy::default();
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let placed = NOW - 30 * HOUR;
        place(db, "U-alice", "alice", &[("A", 2), ("B", 1)], placed).await;
        place(db, "U-bob", "bob", &[("B", 1)], placed).await;
        place(db, "U-carol", "carol", &[("A", 1)], placed).await;
        place(db, "U-dan", "dan", &[("A", 1)], placed).await;
        place(db, "U-erin", "erin", &[("A", 1)], placed).await;
        place(db, "U-recent", "alice", &[("B", 1)], NOW - 23 * HOUR).await;
        // Carol paid, and the store gave up on Dan's, before their reminders were due.
        pay(db, "U-carol", "carol", &[("A", 1)], NOW - 29 * HOUR).await;
        cancel_unpaid(db, "U-dan", &UnpaidReminders).await.unwrap();

        assert_eq!(queue_unpaid_reminders(db, &policy, NOW).await.unwrap(), 2);
        assert_eq!(
            reminders(db).await,
            [
                (
                    "U-alice".to_owned(),
                    "alice@example.com".to_owned(),
                    vec!["A Teapot A ×2".to_owned(), "B Teapot B ×1".to_owned()],
                    Money::new(3_500, "CNY")
                ),
                (
                    "U-bob".to_owned(),
                    "bob@example.com".to_owned(),
                    vec!["B 茶壶 B ×1".to_owned()],
                    Money::new(1_500, "CNY")
                ),
            ]
        );
        // Erin has no address: considered, nothing sent. Each order is considered once.
        assert!(
            unpaid_order(db, "U-erin")
                .await
                .unwrap()
                .reminded_at
                .is_some()
        );
        assert_eq!(queue_unpaid_reminders(db, &policy, NOW).await.unwrap(), 0);
        // An hour later the recent order's turn comes, once.
        assert_eq!(
            queue_unpaid_reminders(db, &policy, NOW + HOUR)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            queue_unpaid_reminders(db, &policy, NOW + 2 * HOUR)
                .await
                .unwrap(),
            0
        );
        assert_eq!(reminders(db).await.len(), 3);
        // Turned off, nothing is sent.
        place(db, "U-later", "alice", &[("A", 1)], NOW).await;
        let off = UnpaidReminderPolicy {
            after: None,
            ..policy.clone()
        };
        assert_eq!(
            queue_unpaid_reminders(db, &off, NOW + 100 * HOUR)
                .await
                .unwrap(),
            0
        );
    }
}

#[tokio::test]
async fn a_payment_arriving_while_the_reminder_waits_in_the_outbox_withdraws_it() {
    let policy = UnpaidReminderPolicy::default();
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let placed = NOW - 30 * HOUR;
        place(db, "U-1", "alice", &[("A", 1)], placed).await;
        place(db, "U-2", "bob", &[("A", 1)], placed).await;
        place(db, "U-3", "carol", &[("A", 1)], placed).await;
        assert_eq!(queue_unpaid_reminders(db, &policy, NOW).await.unwrap(), 3);
        // U-3's reminder already went out: paying afterwards leaves the sent record alone.
        let mut tx = db.write().await.unwrap();
        sqlx::query("UPDATE messages SET status = 'sent', sent_at = $1 WHERE email = $2")
            .bind(NOW)
            .bind("carol@example.com")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        pay(db, "U-1", "alice", &[("A", 1)], NOW + HOUR).await;
        cancel_unpaid(db, "U-2", &UnpaidReminders).await.unwrap();
        pay(db, "U-3", "carol", &[("A", 1)], NOW + HOUR).await;

        let left: Vec<(String, String)> = sqlx::query_as(
            "SELECT email, status FROM messages WHERE kind = 'unpaid_order' ORDER BY id",
        )
        .fetch_all(db.reader())
        .await
        .unwrap();
        assert_eq!(left, [("carol@example.com".to_owned(), "sent".to_owned())]);
        assert_eq!(count(db, "unpaid_orders").await, 0);
    }
}
