use super::adopt;
use crate::alerts::rules::AlertPolicy;
use crate::alerts::ssr::AlertRequest;
use crate::alerts::{AlertKind, PriceRule};
use crate::events::EventKind;
use crate::flows::testing::{add_kitchen, add_products, add_shopper, product_input};
use crate::identity::Viewer;
use crate::kernel::error::ErrorCode;
use crate::kernel::time::Millis;
use crate::store::{Db, StoreError, testing::all};
use crate::wishlist::WishlistSort;
use crate::wishlist::rules::WishlistPolicy;

const NOW: Millis = Millis(1_800_000_000_000);

/// Where a guest's traces are: wish-list items, live alerts and events still held under the guest id.
async fn guest_traces(db: &Db, guest: &str) -> (i64, i64, i64) {
    let count = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .bind(guest)
            .fetch_one(db.reader())
            .await
            .unwrap()
    };
    (
        count("SELECT COUNT(*) FROM wishlist_items i JOIN wishlists w ON w.id = i.wishlist_id WHERE w.guest_id = $1").await,
        count("SELECT COUNT(*) FROM alerts WHERE guest_id = $1 AND status IN ('unconfirmed', 'active')").await,
        count("SELECT COUNT(*) FROM shopper_events WHERE guest_id = $1").await,
    )
}

/// A guest who saved a product (an event too), asked for a price drop by email and viewed two products.
async fn busy_guest(db: &Db, guest: &Viewer) {
    add_kitchen(db).await;
    add_products(
        db,
        &[product_input("A", 10_000, 5), product_input("B", 2_000, 5)],
    )
    .await;
    add_shopper(db, "alice").await;
    crate::wishlist::ssr::save(db, guest, "A", None, &WishlistPolicy::default(), NOW)
        .await
        .unwrap();
    let request = AlertRequest {
        kind: AlertKind::PriceDrop,
        rule: PriceRule::AnyDrop,
        email: Some("visitor@example.com".into()),
    };
    let emailing = AlertPolicy {
        email: true,
        ..AlertPolicy::default()
    };
    crate::alerts::ssr::subscribe(db, guest, "B", &request, "en", &emailing, NOW)
        .await
        .unwrap();
    for sku in ["A", "B"] {
        crate::events::ssr::record_for_viewer(db, guest, sku, EventKind::Viewed, NOW)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn signing_in_moves_the_guests_list_alerts_and_browsing_together() {
    for store in all().await {
        let db = &store.db;
        let guest = Viewer::Guest("g-1".into());
        busy_guest(db, &guest).await;
        assert_eq!(guest_traces(db, "g-1").await, (1, 1, 3));

        assert_eq!(adopt(db, "g-1", "alice", NOW + Millis(1)).await.unwrap(), 2);

        assert_eq!(guest_traces(db, "g-1").await, (0, 0, 0));
        let alice = Viewer::Shopper("alice".into());
        let list = crate::wishlist::ssr::wishlist(db, &alice, None, "en", WishlistSort::Saved)
            .await
            .unwrap();
        assert_eq!(list.items.len(), 1);
        let alerts = crate::alerts::ssr::my_alerts(db, &alice, "en")
            .await
            .unwrap();
        assert_eq!(alerts.len(), 1, "the guest's price-drop alert is alice's");
        let events: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM shopper_events e JOIN shoppers s ON s.id = e.shopper_id WHERE s.external_id = $1",
        )
        .bind("alice")
        .fetch_one(db.reader())
        .await
        .unwrap();
        assert_eq!(events, 3, "two views and the save");
        assert_eq!(
            adopt(db, "g-1", "alice", NOW + Millis(2)).await.unwrap(),
            0,
            "adopting again finds nothing left"
        );
    }
}

#[tokio::test]
async fn signing_in_as_an_unknown_shopper_moves_nothing() {
    for store in all().await {
        let db = &store.db;
        let guest = Viewer::Guest("g-2".into());
        busy_guest(db, &guest).await;
        let StoreError::Rejected(error) = adopt(db, "g-2", "nobody", NOW + Millis(1))
            .await
            .unwrap_err()
        else {
            panic!("an unknown shopper is refused")
        };
        assert_eq!(error.code, ErrorCode::NotFound);
        assert_eq!(guest_traces(db, "g-2").await, (1, 1, 3), "nothing moved");
    }
}

#[tokio::test]
async fn what_a_guest_passed_over_in_the_feed_stays_spared_after_signing_in() {
    use crate::feed::feedback::{Fatigue, Shelf};
    use crate::feed::ssr::{CardsSeen, record_cards, shelf_figures};
    for store in all().await {
        let db = &store.db;
        let guest = Viewer::Guest("g-1".into());
        busy_guest(db, &guest).await;
        let fatigue = Fatigue::default();
        let shown = vec!["A".to_owned(), "B".to_owned()];
        let hour = Millis::minutes(60);
        for load in 0..5 {
            record_cards(
                db,
                &guest,
                Shelf::Trending,
                CardsSeen::Shown(&shown),
                &fatigue,
                NOW + load * hour,
            )
            .await
            .unwrap();
        }
        let alice = Viewer::Shopper("alice".into());
        // Alice clicked B on another device after the guest's last showing of it: the later standing holds.
        record_cards(
            db,
            &alice,
            Shelf::Trending,
            CardsSeen::Shown(&shown[1..]),
            &fatigue,
            NOW,
        )
        .await
        .unwrap();
        record_cards(
            db,
            &alice,
            Shelf::Trending,
            CardsSeen::Clicked("B"),
            &fatigue,
            NOW + 4 * hour + Millis::minutes(1),
        )
        .await
        .unwrap();

        adopt(db, "g-1", "alice", NOW + 5 * hour).await.unwrap();

        let standings: Vec<(String, i64)> = sqlx::query_as(
            "SELECT p.sku, f.shown FROM feed_card_fatigue f JOIN products p ON p.id = f.product_id \
             ORDER BY p.sku",
        )
        .fetch_all(db.reader())
        .await
        .unwrap();
        assert_eq!(standings, [("A".to_owned(), 5), ("B".to_owned(), 0)]);
        let guests: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM feed_card_events WHERE guest_id IS NOT NULL")
                .fetch_one(db.reader())
                .await
                .unwrap();
        assert_eq!(guests, 0);
        let trending = shelf_figures(db, NOW, NOW + Millis::days(1)).await.unwrap();
        let row = trending
            .iter()
            .find(|row| row.shelf == Shelf::Trending)
            .unwrap();
        assert_eq!(
            (row.impressions, row.clicks),
            (11, 1),
            "moving them counts nothing twice"
        );
    }
}
