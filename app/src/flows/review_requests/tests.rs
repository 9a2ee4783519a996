use super::*;
use crate::flows::testing::{
    add_kitchen, add_products, add_shopper, add_shopper_without_address, product_input,
};
use crate::flows::tier_growth::TierGrowth;
use crate::identity::ShopperInput;
use crate::identity::token::verify_review_link;
use crate::kernel::error::ErrorCode;
use crate::kernel::time::to_rfc3339;
use crate::orders::ssr::{cancel_order, record_fulfilment, record_order, record_refund};
use crate::orders::{Fulfilment, FulfilmentInput, OrderInput, OrderLineInput, RefundInput};
use crate::reviews::ReviewInput;
use crate::reviews::ssr::write_review;
use crate::store::testing::all;

const NOW: Millis = Millis(1_800_000_000_000);
const DAY: Millis = Millis::days(1);

fn secret() -> StoreSecret {
    StoreSecret::new("a-store-secret-of-at-least-32-bytes-long").unwrap()
}

async fn order(db: &Db, id: &str, shopper: &str, skus: &[&str], placed: Millis) {
    let input = OrderInput {
        order_id: id.into(),
        shopper_id: shopper.into(),
        currency: "CNY".into(),
        lines: skus
            .iter()
            .map(|sku| OrderLineInput {
                sku: (*sku).into(),
                quantity: 1,
                unit_price_minor: 1_000,
            })
            .collect(),
        shipping_minor: 0,
        tax_minor: 0,
        placed_at: Some(to_rfc3339(placed)),
    };
    record_order(db, &format!("key-{id}"), &input, &TierGrowth, placed)
        .await
        .unwrap();
}

async fn delivered(db: &Db, id: &str, at: Millis) {
    let input = FulfilmentInput {
        status: Fulfilment::Delivered,
        at: Some(to_rfc3339(at)),
    };
    record_fulfilment(db, id, &input, NOW).await.unwrap();
}

/// The queued review requests: (order, shopper's email, the SKUs asked about).
async fn requests(db: &Db) -> Vec<(String, String, Vec<String>)> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT email, body FROM messages WHERE kind = 'review_request' ORDER BY id",
    )
    .fetch_all(db.reader())
    .await
    .unwrap();
    rows.into_iter()
        .map(|(email, body)| match serde_json::from_str(&body).unwrap() {
            MessageBody::ReviewRequest(request) => (
                request.order_id,
                email,
                request.products.into_iter().map(|p| p.sku).collect(),
            ),
            other => panic!("not a review request: {other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn a_delivered_order_asks_its_buyer_once_a_week_later_about_what_they_have_not_reviewed() {
    let policy = ReviewRequestPolicy::default();
    for store in all().await {
        let db = &store.db;
        add_kitchen(db).await;
        let mut products = ["A", "B", "C"].map(|sku| product_input(sku, 1_000, 9));
        products[2].translations.insert(
            "zh-CN".into(),
            crate::catalog::ProductText {
                title: "茶壶 C".into(),
                description: String::new(),
            },
        );
        add_products(db, &products).await;
        for shopper in ["alice", "bob", "carol", "dan"] {
            add_shopper(db, shopper).await;
        }
        // Bob reads Chinese: his request names C as the catalogue translates it.
        crate::identity::ssr::upsert_shoppers(
            db,
            &[ShopperInput {
                shopper_id: "bob".into(),
                email: Some("bob@example.com".into()),
                display_name: "Bob".into(),
                locale: "zh-CN".into(),
                time_zone: None,
            }],
            NOW,
        )
        .await
        .unwrap();
        add_shopper_without_address(db, "erin").await;
        let placed = NOW - 20 * DAY;
        order(db, "o-alice", "alice", &["C", "B", "A", "C"], placed).await;
        order(db, "o-bob", "bob", &["C"], placed).await;
        order(db, "o-carol", "carol", &["A"], placed).await;
        order(db, "o-dan", "dan", &["B"], placed).await;
        order(db, "o-erin", "erin", &["A"], placed).await;
        order(db, "o-late", "alice", &["C"], placed).await;
        order(db, "o-undelivered", "bob", &["A"], placed).await;
        // Alice reviewed A before her request was due; Carol's order was cancelled, Dan's refunded in full.
        let review = ReviewInput {
            rating: 5,
            title: "Good".into(),
            body: "It does the job well.".into(),
            criteria: Default::default(),
            photos: None,
        };
        write_review(
            db,
            "alice",
            "A",
            &review,
            &Default::default(),
            &TierGrowth,
            NOW - DAY,
        )
        .await
        .unwrap();
        for id in ["o-alice", "o-bob", "o-carol", "o-dan", "o-erin"] {
            delivered(db, id, NOW - 8 * DAY).await;
        }
        delivered(db, "o-late", NOW - 6 * DAY).await;
        cancel_order(db, "o-carol", &TierGrowth, NOW).await.unwrap();
        let refund = RefundInput {
            amount_minor: 1_000,
            refunded_at: None,
        };
        record_refund(db, "r-dan", "o-dan", &refund, &TierGrowth, NOW)
            .await
            .unwrap();

        assert_eq!(
            queue_review_requests(db, &secret(), &policy, NOW)
                .await
                .unwrap(),
            2
        );
        assert_eq!(
            requests(db).await,
            [
                (
                    "o-alice".to_owned(),
                    "alice@example.com".to_owned(),
                    vec!["C".to_owned(), "B".to_owned()]
                ),
                (
                    "o-bob".to_owned(),
                    "bob@example.com".to_owned(),
                    vec!["C".to_owned()]
                ),
            ],
            "in line order, C once though ordered twice, A reviewed already; o-late not yet (delivered 6 days ago); none for the \
             cancelled, the refunded, the undelivered, or a shopper without an address"
        );
        let titles: Vec<String> = sqlx::query_scalar::<_, String>(
            "SELECT body FROM messages WHERE kind = 'review_request' ORDER BY id",
        )
        .fetch_all(db.reader())
        .await
        .unwrap()
        .into_iter()
        .map(|body| match serde_json::from_str(&body).unwrap() {
            MessageBody::ReviewRequest(request) => request.products[0].title.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
        assert_eq!(titles, ["Teapot C", "茶壶 C"]);
        assert_eq!(
            queue_review_requests(db, &secret(), &policy, NOW)
                .await
                .unwrap(),
            0,
            "each order is asked once"
        );
        assert_eq!(
            queue_review_requests(db, &secret(), &policy, NOW + DAY)
                .await
                .unwrap(),
            1
        );
        assert_eq!(requests(db).await[2].2, ["C"]);

        // Each product's link names its buyer and the product (B, Alice's second), until it expires.
        let body: String = sqlx::query_scalar(
            "SELECT body FROM messages WHERE kind = 'review_request' ORDER BY id",
        )
        .fetch_one(db.reader())
        .await
        .unwrap();
        let MessageBody::ReviewRequest(request) = serde_json::from_str(&body).unwrap() else {
            panic!("{body}");
        };
        let (shopper, product) =
            verify_review_link(&secret(), &request.products[1].link, NOW.as_seconds()).unwrap();
        let alice = crate::identity::ssr::shopper_key(db.reader(), "alice")
            .await
            .unwrap()
            .unwrap();
        let b: i64 = sqlx::query_scalar("SELECT id FROM products WHERE sku = 'B'")
            .fetch_one(db.reader())
            .await
            .unwrap();
        assert_eq!((shopper, product.0), (alice, b));
        let expired = verify_review_link(
            &secret(),
            &request.products[1].link,
            (NOW + policy.links_last + DAY).as_seconds(),
        );
        assert_eq!(expired.unwrap_err().code, ErrorCode::NotFound);

        let off = ReviewRequestPolicy {
            after: None,
            ..policy
        };
        delivered(db, "o-undelivered", NOW - 9 * DAY).await;
        assert_eq!(
            queue_review_requests(db, &secret(), &off, NOW + DAY)
                .await
                .unwrap(),
            0
        );
    }
}

#[tokio::test]
async fn a_fulfilment_report_is_checked_and_a_bad_one_changes_nothing() {
    for store in all().await {
        let db = &store.db;
        add_kitchen(db).await;
        add_products(db, &[product_input("A", 1_000, 9)]).await;
        add_shopper(db, "alice").await;
        order(db, "o-1", "alice", &["A"], NOW - 3 * DAY).await;
        let report = |status, at: Option<Millis>| FulfilmentInput {
            status,
            at: at.map(to_rfc3339),
        };
        let refused = |outcome: Result<_, StoreError>| match outcome {
            Err(StoreError::Rejected(error)) => (error.code, error.field),
            Ok(state) => panic!("accepted: {state:?}"),
            Err(other) => panic!("{other:?}"),
        };
        assert_eq!(
            refused(record_fulfilment(db, "o-2", &report(Fulfilment::Shipped, None), NOW).await),
            (ErrorCode::NotFound, Some("order_id".into()))
        );
        assert_eq!(
            refused(
                record_fulfilment(
                    db,
                    "o-1",
                    &report(Fulfilment::Shipped, Some(NOW - 4 * DAY)),
                    NOW
                )
                .await
            ),
            (ErrorCode::Invalid, Some("at".into()))
        );
        assert_eq!(
            refused(
                record_fulfilment(
                    db,
                    "o-1",
                    &report(Fulfilment::Delivered, Some(NOW + DAY)),
                    NOW
                )
                .await
            ),
            (ErrorCode::Invalid, Some("at".into()))
        );
        let delivered_first = record_fulfilment(
            db,
            "o-1",
            &report(Fulfilment::Delivered, Some(NOW - DAY)),
            NOW,
        )
        .await
        .unwrap();
        assert_eq!(delivered_first.shipped_at, delivered_first.delivered_at);
        let shipped = record_fulfilment(
            db,
            "o-1",
            &report(Fulfilment::Shipped, Some(NOW - 2 * DAY)),
            NOW,
        )
        .await
        .unwrap();
        assert_eq!(shipped.shipped_at, Some(to_rfc3339(NOW - 2 * DAY)));
        assert_eq!(shipped.delivered_at, Some(to_rfc3339(NOW - DAY)));
        cancel_order(db, "o-1", &TierGrowth, NOW).await.unwrap();
        assert_eq!(
            refused(record_fulfilment(db, "o-1", &report(Fulfilment::Delivered, None), NOW).await)
                .0,
            ErrorCode::Conflict
        );
    }
}

#[tokio::test]
async fn one_reminder_a_week_after_the_request_names_what_is_still_not_reviewed() {
    let policy = ReviewRequestPolicy::default();
    let week = Millis::days(7);
    for store in all().await {
        let db = &store.db;
        add_kitchen(db).await;
        add_products(db, &["A", "B"].map(|sku| product_input(sku, 1_000, 9))).await;
        add_shopper(db, "alice").await;
        add_shopper(db, "bob").await;
        order(db, "o-alice", "alice", &["A", "B"], NOW - 20 * DAY).await;
        order(db, "o-bob", "bob", &["A"], NOW - 20 * DAY).await;
        delivered(db, "o-alice", NOW - 8 * DAY).await;
        delivered(db, "o-bob", NOW - 8 * DAY).await;
        assert_eq!(
            queue_review_requests(db, &secret(), &policy, NOW)
                .await
                .unwrap(),
            2
        );
        // Alice reviews A after the request; Bob reviews everything he was asked about.
        let review = ReviewInput {
            rating: 4,
            title: "Fine".into(),
            body: "It does what it should.".into(),
            criteria: Default::default(),
            photos: None,
        };
        for shopper in ["alice", "bob"] {
            write_review(
                db,
                shopper,
                "A",
                &review,
                &Default::default(),
                &TierGrowth,
                NOW + DAY,
            )
            .await
            .unwrap();
        }
        assert_eq!(
            queue_review_requests(db, &secret(), &policy, NOW + week - Millis(1))
                .await
                .unwrap(),
            0,
            "not before a week"
        );
        assert_eq!(
            queue_review_requests(db, &secret(), &policy, NOW + week)
                .await
                .unwrap(),
            1
        );
        let bodies: Vec<String> = sqlx::query_scalar(
            "SELECT body FROM messages WHERE kind = 'review_request' AND dedupe_key LIKE '%:reminder'",
        )
        .fetch_all(db.reader())
        .await
        .unwrap();
        assert_eq!(bodies.len(), 1);
        let MessageBody::ReviewRequest(reminder) = serde_json::from_str(&bodies[0]).unwrap() else {
            panic!("{}", bodies[0]);
        };
        assert!(reminder.reminder);
        assert_eq!(reminder.order_id, "o-alice");
        assert_eq!(
            reminder
                .products
                .iter()
                .map(|p| p.sku.as_str())
                .collect::<Vec<_>>(),
            ["B"]
        );
        assert_eq!(
            queue_review_requests(db, &secret(), &policy, NOW + 5 * week)
                .await
                .unwrap(),
            0,
            "one reminder at most"
        );
    }
}

#[tokio::test]
async fn a_delivery_reported_again_moves_a_request_not_sent_yet_and_never_asks_twice() {
    let policy = ReviewRequestPolicy::default();
    for store in all().await {
        let db = &store.db;
        add_kitchen(db).await;
        add_products(db, &[product_input("A", 1_000, 9)]).await;
        add_shopper(db, "alice").await;
        order(db, "o-1", "alice", &["A"], NOW - 20 * DAY).await;
        delivered(db, "o-1", NOW - 8 * DAY).await;
        // The store corrects the delivery before the request went: it is due a week from the corrected time.
        delivered(db, "o-1", NOW - 6 * DAY).await;
        let secret = secret();
        let queued = |at| queue_review_requests(db, &secret, &policy, at);
        assert_eq!(queued(NOW).await.unwrap(), 0, "a week from the correction");
        assert_eq!(queued(NOW + DAY).await.unwrap(), 1);
        // Reported again after the request went: the request is not asked again, and its reminder keeps its time.
        delivered(db, "o-1", NOW).await;
        assert_eq!(queued(NOW + 8 * DAY - Millis(1)).await.unwrap(), 0);
        assert_eq!(queued(NOW + 8 * DAY).await.unwrap(), 1, "the reminder");
        assert_eq!(queued(NOW + 60 * DAY).await.unwrap(), 0);
        let keys: Vec<String> = sqlx::query_scalar(
            "SELECT dedupe_key FROM messages WHERE kind = 'review_request' ORDER BY id",
        )
        .fetch_all(db.reader())
        .await
        .unwrap();
        assert_eq!(keys.len(), 2);
        assert!(keys[1].ends_with(":reminder"), "{keys:?}");
    }
}

#[tokio::test]
async fn a_batch_of_cancelled_orders_alone_does_not_end_the_run() {
    for store in all().await {
        let db = &store.db;
        add_kitchen(db).await;
        add_products(db, &[product_input("A", 1_000, 9)]).await;
        add_shopper(db, "alice").await;
        order(db, "o-cancelled", "alice", &["A"], NOW - 20 * DAY).await;
        order(db, "o-paid", "alice", &["A"], NOW - 20 * DAY).await;
        delivered(db, "o-cancelled", NOW - 9 * DAY).await;
        delivered(db, "o-paid", NOW - 8 * DAY).await;
        cancel_order(db, "o-cancelled", &TierGrowth, NOW)
            .await
            .unwrap();
        // A batch of one: the cancelled order, due first, is taken and asks nothing; the paid one comes next.
        let mut tx = db.write().await.unwrap();
        let take = crate::orders::ssr::take_due;
        let request = crate::orders::ssr::FollowUp::Request;
        let first = take(&mut tx, request, NOW - 7 * DAY, 1, NOW).await.unwrap();
        assert_eq!(first, Some(Vec::new()));
        let second = take(&mut tx, request, NOW - 7 * DAY, 1, NOW).await.unwrap();
        assert_eq!(
            second
                .unwrap()
                .iter()
                .map(|o| o.order_id.as_str())
                .collect::<Vec<_>>(),
            ["o-paid"]
        );
        assert_eq!(
            take(&mut tx, request, NOW - 7 * DAY, 1, NOW).await.unwrap(),
            None
        );
    }
}
