use super::*;
use crate::alerts::AlertKind;
use crate::alerts::rules::AlertPolicy;
use crate::alerts::ssr::AlertRequest;
use crate::carts::ssr::CartWatch;
use crate::carts::{CartInput, CartLineInput, carted, uncarted};
use crate::catalog::PriceChange;
use crate::catalog::ssr::change_prices;
use crate::flows::ORDER_FLOWS;
use crate::flows::cart_price_drops::CartsLeft;
use crate::flows::catalog_alerts::CatalogAlerts;
use crate::flows::testing::{
    add_kitchen, add_products, add_shopper, add_shopper_without_address, product_input,
};
use crate::identity::Viewer;
use crate::kernel::time::{DAY_MS, to_rfc3339};
use crate::orders::{OrderInput, OrderLineInput};
use crate::store::Db;
use crate::store::testing::all;

const NOW: Millis = Millis(1_800_000_000_000);

fn line(reference_minor: i64, seen_at: Millis, last_notified_at: Option<Millis>) -> CartWatch {
    CartWatch {
        line_id: 1,
        shopper: ShopperKey(1),
        quantity: 1,
        reference_minor,
        seen_at,
        last_notified_at,
    }
}

#[test]
fn a_cart_drop_is_told_as_an_alert_for_any_drop_would_be_while_the_cart_is_fresh() {
    let alerts = AlertPolicy::default();
    let month = Millis::days(30);
    let fresh = line(10_000, NOW - DAY_MS, None);
    assert!(drop_tells(&fresh, 9_000, &alerts, month, NOW));
    // Hover: ¥100.00 → ¥99.50 is under both the 2% and the ¥1 minimum.
    assert!(!drop_tells(&fresh, 9_950, &alerts, month, NOW));
    assert!(!drop_tells(&fresh, 10_500, &alerts, month, NOW), "a rise");
    // Told an hour ago: the cooldown holds the next drop back until a day has passed.
    let told = line(9_000, NOW - DAY_MS, Some(NOW - Millis::hours(1)));
    assert!(!drop_tells(&told, 8_000, &alerts, month, NOW));
    assert!(drop_tells(
        &told,
        8_000,
        &alerts,
        month,
        NOW + DAY_MS - Millis::hours(1)
    ));
    // Last shown in the cart 30 days ago is still watched; a moment more and the cart is abandoned.
    assert!(drop_tells(
        &line(10_000, NOW - month, None),
        9_000,
        &alerts,
        month,
        NOW
    ));
    assert!(!drop_tells(
        &line(10_000, NOW - month - Millis(1), None),
        9_000,
        &alerts,
        month,
        NOW
    ));
}

fn rules() -> CartDropPolicy {
    CartDropPolicy {
        marketing: MarketingRules {
            quiet_hours: None,
            ..MarketingRules::default()
        },
        ..CartDropPolicy::default()
    }
}

async fn reprice(db: &Db, sku: &str, price_minor: i64, policy: &CartDropPolicy, at: Millis) {
    let alerts = AlertPolicy::default();
    let flows = (
        CatalogAlerts(&alerts),
        CartPriceDrops {
            alerts: &alerts,
            policy,
        },
    );
    change_prices(
        db,
        &[PriceChange {
            sku: sku.into(),
            price_minor,
            currency: "CNY".into(),
        }],
        &flows,
        at,
    )
    .await
    .unwrap();
}

/// The queued cart messages: (email, "SKU title ×quantity: old → new (lowest)").
async fn notices(db: &Db) -> Vec<(String, String)> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT email, body FROM messages WHERE kind = 'cart_price_drop' ORDER BY id",
    )
    .fetch_all(db.reader())
    .await
    .unwrap();
    rows.into_iter()
        .map(|(email, body)| match serde_json::from_str(&body).unwrap() {
            MessageBody::CartPriceDrop(drop) => (
                email,
                format!(
                    "{} {} ×{}: {} → {} ({})",
                    drop.sku,
                    drop.title,
                    drop.quantity,
                    drop.old_price.amount_minor,
                    drop.new_price.amount_minor,
                    drop.lowest_30_days.amount_minor
                ),
            ),
            other => panic!("not a cart's price drop: {other:?}"),
        })
        .collect()
}

async fn shop(db: &Db) {
    add_kitchen(db).await;
    add_products(
        db,
        &[product_input("A", 10_000, 9), product_input("B", 5_000, 9)],
    )
    .await;
    for shopper in ["alice", "bob", "carol", "dan", "frank", "gina"] {
        add_shopper(db, shopper).await;
    }
    add_shopper_without_address(db, "erin").await;
}

fn shopper(id: &str) -> Viewer {
    Viewer::Shopper(id.into())
}

async fn buy(db: &Db, shopper: &str, sku: &str, at: Millis) {
    let order = OrderInput {
        order_id: format!("O-{shopper}"),
        shopper_id: shopper.into(),
        currency: "CNY".into(),
        lines: vec![OrderLineInput {
            sku: sku.into(),
            quantity: 1,
            unit_price_minor: 10_000,
        }],
        shipping_minor: 0,
        tax_minor: 0,
        placed_at: Some(to_rfc3339(at)),
    };
    crate::orders::ssr::record_order(db, &format!("k-{shopper}"), &order, &ORDER_FLOWS, at)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_drop_in_a_cart_tells_its_shopper_once_unless_bought_removed_abandoned_or_told_by_an_alert()
 {
    let policy = rules();
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let alerts = AlertPolicy::default();
        let hour = Millis::hours(1);
        // Alice carts A from a page, two of them; Bob's store sends his cart.
        carted(db, &shopper("alice"), "A", 2, NOW - hour)
            .await
            .unwrap();
        crate::carts::ssr::replace(
            db,
            "bob",
            &CartInput {
                lines: vec![CartLineInput {
                    sku: "A".into(),
                    quantity: 1,
                }],
            },
            &CartsLeft,
            NOW - hour,
        )
        .await
        .unwrap();
        // Carol took it out again; Dan bought it; Erin has no address; Frank's cart is abandoned; Gina's own
        // price alert tells her of the same drop; a guest's cart waits for the guest to sign in.
        for who in ["carol", "dan", "erin", "gina"] {
            carted(db, &shopper(who), "A", 1, NOW - hour).await.unwrap();
        }
        carted(db, &shopper("frank"), "A", 1, NOW - Millis::days(31))
            .await
            .unwrap();
        carted(db, &Viewer::Guest("g1".into()), "A", 1, NOW - hour)
            .await
            .unwrap();
        assert!(
            uncarted(db, &shopper("carol"), "A", &CartsLeft)
                .await
                .unwrap()
        );
        assert!(
            !uncarted(db, &shopper("carol"), "A", &CartsLeft)
                .await
                .unwrap(),
            "gone"
        );
        buy(db, "dan", "A", NOW - hour).await;
        crate::alerts::ssr::subscribe(
            db,
            &shopper("gina"),
            "A",
            &AlertRequest {
                kind: AlertKind::PriceDrop,
                rule: crate::alerts::PriceRule::AnyDrop,
                email: None,
            },
            "en",
            &alerts,
            NOW - hour,
        )
        .await
        .unwrap();

        reprice(db, "A", 9_000, &policy, NOW).await;
        let first = vec![
            (
                "alice@example.com".to_owned(),
                "A Teapot A ×2: 10000 → 9000 (10000)".to_owned(),
            ),
            (
                "bob@example.com".to_owned(),
                "A Teapot A ×1: 10000 → 9000 (10000)".to_owned(),
            ),
        ];
        assert_eq!(notices(db).await, first);
        // Hovering, and a further drop within the day, tell nobody; the held-back drop counts once the day is
        // over, measured from the price last told of.
        reprice(db, "A", 8_950, &policy, NOW + hour).await;
        reprice(db, "A", 8_000, &policy, NOW + 2 * hour).await;
        assert_eq!(notices(db).await, first);
        reprice(db, "A", 7_000, &policy, NOW + DAY_MS).await;
        let later = notices(db).await;
        assert_eq!(later.len(), 4);
        assert_eq!(
            later[2].1, "A Teapot A ×2: 8000 → 7000 (8000)",
            "the drop held back yesterday counts now; the email quotes the price before this change, which was also \
             the lowest of the 30 days before"
        );
        // A drop of another product tells nobody; turned off, carts are told nothing.
        reprice(db, "B", 4_000, &policy, NOW + 3 * DAY_MS).await;
        let off = CartDropPolicy {
            watch_for: None,
            ..rules()
        };
        reprice(db, "A", 5_000, &off, NOW + 5 * DAY_MS).await;
        assert_eq!(notices(db).await.len(), 4);
    }
}

#[tokio::test]
async fn a_shopper_who_turned_cart_emails_off_is_not_told_and_a_guests_cart_moves_at_sign_in() {
    let policy = rules();
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let alice = crate::identity::ssr::known_shopper_reading(db, "alice")
            .await
            .unwrap();
        crate::messages::ssr::choose(
            db,
            alice,
            &[(crate::messages::MessageKind::CartPriceDrop, false)],
            NOW,
        )
        .await
        .unwrap();
        carted(db, &shopper("alice"), "A", 1, NOW).await.unwrap();
        // Bob carted A as a guest, then signed in; his own cart had B.
        carted(db, &Viewer::Guest("g-bob".into()), "A", 3, NOW)
            .await
            .unwrap();
        carted(db, &shopper("bob"), "B", 1, NOW).await.unwrap();
        crate::flows::guest_adoption::adopt(db, "g-bob", "bob", NOW)
            .await
            .unwrap();
        let cart = crate::carts::ssr::cart(db, "bob").await.unwrap();
        let held: Vec<(String, i64)> = cart
            .lines
            .iter()
            .map(|line| (line.sku.clone(), line.quantity))
            .collect();
        assert_eq!(held, [("A".to_owned(), 3), ("B".to_owned(), 1)]);

        reprice(db, "A", 9_000, &policy, NOW + Millis::hours(1)).await;
        assert_eq!(
            notices(db).await,
            [(
                "bob@example.com".to_owned(),
                "A Teapot A ×3: 10000 → 9000 (10000)".to_owned()
            )]
        );
    }
}

#[tokio::test]
async fn an_email_still_waiting_is_withdrawn_when_its_product_leaves_the_cart_or_gets_dearer_again()
{
    let policy = rules();
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let hour = Millis::hours(1);
        for who in ["alice", "bob", "carol", "dan"] {
            carted(db, &shopper(who), "A", 1, NOW - hour).await.unwrap();
        }
        reprice(db, "A", 9_000, &policy, NOW).await;
        let waiting = |emails: Vec<(String, String)>| {
            emails
                .into_iter()
                .map(|(email, _)| email.trim_end_matches("@example.com").to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(waiting(notices(db).await), ["alice", "bob", "carol", "dan"]);
        // None has gone yet (no worker runs here): Alice takes A out, Bob buys it.
        uncarted(db, &shopper("alice"), "A", &CartsLeft)
            .await
            .unwrap();
        buy(db, "bob", "A", NOW + hour).await;
        assert_eq!(waiting(notices(db).await), ["carol", "dan"]);
        // A late report of Dan's order of a month ago leaves the line he carted since, and its email.
        buy(db, "dan", "A", NOW - Millis::days(30)).await;
        assert_eq!(
            crate::carts::ssr::cart(db, "dan")
                .await
                .unwrap()
                .lines
                .len(),
            1
        );
        // The price goes back up before Carol's and Dan's emails went: they would say what is no longer true.
        reprice(db, "A", 10_000, &policy, NOW + 2 * hour).await;
        assert_eq!(waiting(notices(db).await), Vec::<String>::new());
    }
}
