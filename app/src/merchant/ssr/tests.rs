use super::*;
use crate::alerts::rules::AlertPolicy;
use crate::alerts::ssr::AlertRequest;
use crate::alerts::{AlertKind, PriceRule};
use crate::catalog::ssr::{change_prices, change_stock};
use crate::catalog::{PriceChange, StockChange};
use crate::flows::ORDER_FLOWS;
use crate::flows::cart_price_drops::{CartDropPolicy, catalog_flows};
use crate::flows::testing::{add_kitchen, add_products, add_shopper, product_input};
use crate::flows::tier_growth::TierGrowth;
use crate::identity::Viewer;
use crate::insights::rules::report_periods;
use crate::orders::ssr::{cancel_order, record_order};
use crate::orders::{OrderInput, OrderLineInput};
use crate::reviews::ReviewInput;
use crate::reviews::ssr::{ReviewPolicy, vote, write_review};
use crate::store::testing::all;
use crate::wishlist::rules::WishlistPolicy;

const NOW: &str = "2026-04-10T00:00:00Z";

fn at(text: &str) -> Millis {
    crate::kernel::time::parse_rfc3339(text).unwrap()
}

fn shopper(id: &str) -> Viewer {
    Viewer::Shopper(id.into())
}

async fn buy(db: &Db, id: &str, who: &str, sku: &str, quantity: i64, price: i64, when: &str) {
    let input = OrderInput {
        order_id: id.into(),
        shopper_id: who.into(),
        currency: "CNY".into(),
        lines: vec![OrderLineInput {
            sku: sku.into(),
            quantity,
            unit_price_minor: price,
        }],
        shipping_minor: 0,
        tax_minor: 0,
        placed_at: Some(when.into()),
    };
    record_order(db, &format!("key-{id}"), &input, &ORDER_FLOWS, at(NOW))
        .await
        .expect("record order");
}

async fn subscribe(
    db: &Db,
    viewer: &Viewer,
    sku: &str,
    kind: AlertKind,
    email: Option<&str>,
    when: &str,
) {
    let request = AlertRequest {
        kind,
        rule: PriceRule::AnyDrop,
        email: email.map(str::to_owned),
    };
    crate::alerts::ssr::subscribe(db, viewer, sku, &request, "en", &emailing(), at(when))
        .await
        .expect("subscribe");
}

/// The store sends notices by email.
fn emailing() -> AlertPolicy {
    AlertPolicy {
        email: true,
        ..AlertPolicy::default()
    }
}

/// A first quarter of 2026 in a small shop, each figure of it counted by hand in the comments.
async fn quarter(db: &Db) {
    add_kitchen(db).await;
    add_products(
        db,
        &[product_input("A", 10_000, 5), product_input("B", 5_000, 0)],
    )
    .await;
    for id in ["alice", "bob", "carol", "dan"] {
        add_shopper(db, id).await;
    }
    let policy = emailing();
    // Price drop: alice (signed in, so confirmed) and a guest by email (unconfirmed); back in stock: bob.
    subscribe(
        db,
        &shopper("alice"),
        "A",
        AlertKind::PriceDrop,
        None,
        "2026-01-10T10:00:00Z",
    )
    .await;
    subscribe(
        db,
        &Viewer::Guest("guest-1".into()),
        "A",
        AlertKind::PriceDrop,
        Some("guest@example.com"),
        "2026-01-10T11:00:00Z",
    )
    .await;
    subscribe(
        db,
        &shopper("bob"),
        "B",
        AlertKind::BackInStock,
        None,
        "2026-01-10T12:00:00Z",
    )
    .await;
    // Wish lists: carol saves A at 10,000, dan saves B, alice saves B.
    let lists = WishlistPolicy::default();
    for (who, sku, when) in [
        ("carol", "A", "2026-01-15T00:00:00Z"),
        ("dan", "B", "2026-01-10T00:00:00Z"),
        ("alice", "B", "2026-03-01T00:00:00Z"),
    ] {
        crate::wishlist::ssr::save(db, &shopper(who), sku, None, &lists, at(when))
            .await
            .expect("save");
    }
    // A falls to 8,000 on 20 January: alice is told (the guest is not, unconfirmed), carol's save saw it; B comes
    // in on the 21st: bob.
    change_prices(
        db,
        &[PriceChange {
            sku: "A".into(),
            price_minor: 8_000,
            currency: "CNY".into(),
        }],
        &catalog_flows(&policy, &CartDropPolicy::default()),
        at("2026-01-20T00:00:00Z"),
    )
    .await
    .unwrap();
    change_stock(
        db,
        &[StockChange {
            sku: "B".into(),
            stock: 10,
        }],
        &catalog_flows(&policy, &CartDropPolicy::default()),
        at("2026-01-21T00:00:00Z"),
    )
    .await
    .unwrap();
    // The worker sends the emails: alice's, bob's, and the guest's confirmation, which is not a notice.
    let queued = crate::alerts::ssr::claim_due(
        db,
        "email",
        10,
        "test",
        Millis::minutes(5),
        at("2026-01-21T06:00:00Z"),
    )
    .await
    .unwrap();
    assert_eq!(queued.len(), 3);
    for email in &queued {
        crate::alerts::ssr::delivered(db, email.id, at("2026-01-21T06:01:00Z"))
            .await
            .unwrap();
    }
    // alice reads her inbox; bob follows his notice's link.
    crate::alerts::ssr::mark_read(db, &shopper("alice"), at("2026-01-20T08:00:00Z"))
        .await
        .unwrap();
    let bobs = crate::alerts::ssr::inbox(db, &shopper("bob"), "en")
        .await
        .unwrap();
    crate::alerts::ssr::clicked(db, bobs.notices[0].id, at("2026-01-21T08:00:00Z"))
        .await
        .unwrap();
    // alice buys A two days after her notice: 8,000 after a price drop.
    buy(db, "o1", "alice", "A", 1, 8_000, "2026-01-22T00:00:00Z").await;
    // bob buys two B four days after his: 10,000 after a restock; again on 5 February, too late.
    buy(db, "o2", "bob", "B", 2, 5_000, "2026-01-25T00:00:00Z").await;
    buy(db, "o3", "bob", "B", 1, 5_000, "2026-02-05T00:00:00Z").await;
    // carol buys A four days after its fall, nine after saving: a save bought, and a fall that turned it.
    buy(db, "o4", "carol", "A", 1, 8_000, "2026-01-24T00:00:00Z").await;
    // dan buys B, then cancels: no save bought.
    buy(db, "o5", "dan", "B", 1, 5_000, "2026-01-26T00:00:00Z").await;
    cancel_order(db, "o5", &ORDER_FLOWS, at("2026-01-27T00:00:00Z"))
        .await
        .unwrap();
    // Reviews: alice (a buyer: verified) gives A 5 stars in February, dan (no order) gives B 2 in March.
    let reviews = ReviewPolicy::default();
    let review = |rating| ReviewInput {
        rating,
        title: "Worth it".into(),
        body: "I have used it every day since it came.".into(),
        criteria: Default::default(),
        photos: None,
    };
    let written = write_review(
        db,
        "alice",
        "A",
        &review(5),
        &reviews,
        &TierGrowth,
        at("2026-02-02T00:00:00Z"),
    )
    .await
    .unwrap();
    write_review(
        db,
        "dan",
        "B",
        &review(2),
        &reviews,
        &TierGrowth,
        at("2026-03-03T00:00:00Z"),
    )
    .await
    .unwrap();
    vote(
        db,
        "bob",
        written.id,
        Some(true),
        &reviews,
        at("2026-02-03T00:00:00Z"),
    )
    .await
    .unwrap();
    vote(
        db,
        "carol",
        written.id,
        Some(false),
        &reviews,
        at("2026-02-03T00:00:00Z"),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn the_quarter_counts_what_each_widget_did_and_the_orders_that_followed() {
    for store in all().await {
        let db = &store.db;
        quarter(db).await;
        let (period, comparison, previous) =
            report_periods(Some("2026-01-01"), Some("2026-03-31"), None, at(NOW)).unwrap();
        let report = widget_report(db, "CNY", period, comparison, previous, at(NOW))
            .await
            .unwrap();
        let alerts = &report.figures.alerts;
        let row = |kind: &str| alerts.iter().find(|row| row.kind == kind).unwrap().clone();
        let drop = row("price_drop");
        assert_eq!(
            (
                drop.alerts_started,
                drop.alerts_confirmed,
                drop.notices,
                drop.seen,
                drop.clicked
            ),
            (2, 1, 1, 1, 0),
            "{}",
            store.url
        );
        assert_eq!((drop.purchases, drop.value_minor), (1, 8_000));
        let stock = row("back_in_stock");
        assert_eq!(
            (
                stock.alerts_started,
                stock.notices,
                stock.seen,
                stock.clicked
            ),
            (1, 1, 0, 1)
        );
        assert_eq!((stock.purchases, stock.value_minor), (1, 10_000));
        assert_eq!(row("price_rise").notices, 0);

        let lists = &report.figures.wish_lists;
        assert_eq!((lists.saves, lists.savers, lists.bought), (3, 3, 1));
        assert_eq!(lists.bought_value_minor, 8_000);
        let most: Vec<(&str, i64, i64)> = lists
            .most_wished
            .iter()
            .map(|p| (p.sku.as_str(), p.saves, p.bought))
            .collect();
        // B has two saves (dan's, alice's), A one (carol's, bought).
        assert_eq!(most, [("B", 2, 0), ("A", 1, 1)]);
        assert_eq!(lists.not_bought.len(), 1);
        assert_eq!(lists.not_bought[0].title, "Teapot B");
        assert_eq!(lists.price_drops.len(), 1);
        assert_eq!(
            (
                lists.price_drops[0].sku.as_str(),
                lists.price_drops[0].saves,
                lists.price_drops[0].bought
            ),
            ("A", 1, 1)
        );
        assert_eq!(lists.price_drops[0].value_minor, 8_000);

        let reviews = &report.figures.reviews;
        assert_eq!((reviews.written, reviews.verified), (2, 1));
        assert_eq!(reviews.ratings, [0, 1, 0, 0, 1]);
        let months: Vec<(&str, i64)> = reviews
            .months
            .iter()
            .map(|m| (m.month.as_str(), m.ratings.iter().sum()))
            .collect();
        assert_eq!(months, [("2026-01", 0), ("2026-02", 1), ("2026-03", 1)]);
        assert_eq!((reviews.helpful_votes, reviews.not_helpful_votes), (1, 1));
        assert_eq!(
            reviews.published + reviews.pending + reviews.rejected,
            reviews.written
        );
        assert_eq!(report.moderation.waiting, reviews.pending);

        // Nothing happened in the quarter before.
        assert_eq!(
            report.headlines,
            WidgetHeadlines {
                notices: 2,
                purchases_after_notices: 2,
                value_after_notices_minor: 18_000,
                saves: 3,
                reviews: 2,
                average_rating: Some(3.5),
            }
        );
        assert_eq!(
            (
                report.before.notices,
                report.before.saves,
                report.before.reviews
            ),
            (0, 0, 0)
        );
        assert_eq!(report.tiers.months.len(), 3);
        assert_eq!(report.period.first_day, "2026-01-01");
        assert_eq!(report.previous.last_day, "2025-12-31");

        // A comparison period overlapping the period (three years against a year earlier do): each counts what
        // it would alone.
        let overlapping = Period {
            from: at("2026-01-21T00:00:00Z"),
            to: at("2026-04-10T00:00:00Z"),
        };
        let together = widget_report(db, "CNY", period, comparison, overlapping, at(NOW))
            .await
            .unwrap();
        let alone = widget_report(db, "CNY", overlapping, comparison, period, at(NOW))
            .await
            .unwrap();
        assert_eq!(together.headlines, report.headlines);
        assert_eq!(together.before, alone.headlines);
        assert_eq!(
            (
                together.before.notices,
                together.before.purchases_after_notices,
                together.before.reviews
            ),
            (1, 1, 2)
        );
        crate::flows::testing::daily_counts_backfill_the_same(db).await;
    }
}
