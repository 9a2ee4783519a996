use super::super::tests::{NOW, policy, shop};
use super::super::{FeedPolicy, feed, refresh};
use super::*;
use crate::feed::{Feed, SectionKind};
use crate::flows::testing::add_shopper;
use crate::kernel::error::ErrorCode;
use crate::store::testing::all;

const HOUR: Millis = Millis::minutes(60);

fn skus(list: &[&str]) -> Vec<String> {
    list.iter().map(|sku| sku.to_string()).collect()
}

fn best_sellers(feed: &Feed) -> Vec<String> {
    feed.sections
        .iter()
        .filter(|section| section.kind == SectionKind::BestSellers)
        .flat_map(|section| section.cards.iter().map(|card| card.product.sku.clone()))
        .collect()
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(db.reader())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_best_seller_passed_over_five_times_leaves_the_shoppers_feed_until_they_click_it() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        refresh(db, &policy(), NOW, false).await.unwrap();
        add_shopper(db, "alice").await;
        let alice = Viewer::Shopper("alice".into());
        let rules = FeedPolicy::default();
        let fatigue = &rules.fatigue;
        let shown = skus(&["K1", "K2", "T1", "T2"]);
        assert_eq!(
            best_sellers(&feed(db, Some(&alice), "en", 4, &rules, NOW).await.unwrap()),
            shown
        );
        // Ten page loads in four hours: showings within the hour count once, so four count.
        for load in 0..10 {
            let at = NOW + Millis::minutes(25 * load);
            record_cards(
                db,
                &alice,
                Shelf::BestSellers,
                CardsSeen::Shown(&shown),
                fatigue,
                at,
            )
            .await
            .unwrap();
        }
        let later = NOW + 5 * HOUR;
        let still = feed(db, Some(&alice), "en", 4, &rules, later)
            .await
            .unwrap();
        assert_eq!(best_sellers(&still), shown, "four showings are not enough");

        record_cards(
            db,
            &alice,
            Shelf::BestSellers,
            CardsSeen::Clicked("T1"),
            fatigue,
            later,
        )
        .await
        .unwrap();
        let fifth = later + HOUR;
        record_cards(
            db,
            &alice,
            Shelf::BestSellers,
            CardsSeen::Shown(&shown),
            fatigue,
            fifth,
        )
        .await
        .unwrap();
        let spared = feed(db, Some(&alice), "en", 4, &rules, fifth)
            .await
            .unwrap();
        let left: Vec<String> = best_sellers(&spared);
        for passed in ["K1", "K2", "T2"] {
            assert!(
                !left.iter().any(|sku| sku == passed),
                "{passed} in {left:?}"
            );
        }
        assert!(
            left.iter().any(|sku| sku == "T1"),
            "T1 was clicked: {left:?}"
        );

        // Anyone else still sees them; and after a month's rest they come back to alice.
        let bob_feed = feed(db, None, "en", 4, &rules, fifth).await.unwrap();
        assert_eq!(best_sellers(&bob_feed), shown);
        let rested = feed(db, Some(&alice), "en", 4, &rules, fifth + Millis::days(30))
            .await
            .unwrap();
        assert_eq!(best_sellers(&rested), shown);
    }
}

#[tokio::test]
async fn showings_on_the_shoppers_own_shelves_do_not_tire_them() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let guest = Viewer::Guest("g-7".into());
        let fatigue = Fatigue::default();
        for load in 0..6 {
            let at = NOW + load * HOUR;
            for shelf in [Shelf::RecentlyViewed, Shelf::PriceDrops] {
                record_cards(
                    db,
                    &guest,
                    shelf,
                    CardsSeen::Shown(&skus(&["K1"])),
                    &fatigue,
                    at,
                )
                .await
                .unwrap();
            }
            record_cards(
                db,
                &guest,
                Shelf::AlsoBought,
                CardsSeen::Shown(&skus(&["K2"])),
                &fatigue,
                at,
            )
            .await
            .unwrap();
        }
        let mut connection = db.reader().acquire().await.unwrap();
        let owner = Owner::Guest("g-7".into());
        let passed = passed_over(&mut connection, &owner, &fatigue, NOW + 6 * HOUR)
            .await
            .unwrap();
        let k2: i64 = sqlx::query_scalar("SELECT id FROM products WHERE sku = 'K2'")
            .fetch_one(db.reader())
            .await
            .unwrap();
        assert_eq!(passed, HashSet::from([k2]));
        assert_eq!(count(db, "SELECT COUNT(*) FROM feed_card_events").await, 18);
    }
}

#[tokio::test]
async fn a_bad_batch_is_refused_whole_and_names_what_is_wrong() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        add_shopper(db, "alice").await;
        let alice = Viewer::Shopper("alice".into());
        let fatigue = Fatigue::default();
        let refused = |outcome: Result<(), StoreError>| match outcome {
            Err(StoreError::Rejected(error)) => (error.code, error.field.unwrap_or_default()),
            other => panic!("expected a refusal, got {other:?}"),
        };
        let shown = |list: &[&str]| skus(list);
        let cases: Vec<(Vec<String>, ErrorCode, &str)> = vec![
            (shown(&["K1", "NOPE"]), ErrorCode::NotFound, "skus[1]"),
            (shown(&["K1", "K1"]), ErrorCode::Invalid, "skus[1]"),
            (shown(&["K1", "bad sku"]), ErrorCode::Invalid, "skus[1]"),
            (Vec::new(), ErrorCode::Invalid, "skus"),
            (
                (0..25).map(|n| format!("K{n}")).collect(),
                ErrorCode::Invalid,
                "skus",
            ),
        ];
        for (batch, code, field) in cases {
            let outcome = record_cards(
                db,
                &alice,
                Shelf::Trending,
                CardsSeen::Shown(&batch),
                &fatigue,
                NOW,
            )
            .await;
            assert_eq!(refused(outcome), (code, field.to_owned()), "{batch:?}");
        }
        let clicked_nothing = record_cards(
            db,
            &alice,
            Shelf::Trending,
            CardsSeen::Clicked("NOPE"),
            &fatigue,
            NOW,
        )
        .await;
        assert_eq!(
            refused(clicked_nothing),
            (ErrorCode::NotFound, "sku".to_owned())
        );
        let stranger = Viewer::Shopper("nobody".into());
        let unknown = record_cards(
            db,
            &stranger,
            Shelf::Trending,
            CardsSeen::Clicked("K1"),
            &fatigue,
            NOW,
        )
        .await;
        assert!(matches!(unknown, Err(StoreError::Rejected(_))));
        assert_eq!(count(db, "SELECT COUNT(*) FROM feed_card_events").await, 0);
        assert_eq!(count(db, "SELECT COUNT(*) FROM feed_card_fatigue").await, 0);
    }
}

#[tokio::test]
async fn the_merchant_sees_each_shelfs_impressions_clicks_and_click_through_for_the_period() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        add_shopper(db, "alice").await;
        let alice = Viewer::Shopper("alice".into());
        let guest = Viewer::Guest("g-1".into());
        let fatigue = Fatigue::default();
        let four = skus(&["K1", "K2", "K3", "K4"]);
        for (viewer, shelf, seen, at) in [
            (&alice, Shelf::Recommended, CardsSeen::Shown(&four), NOW),
            (
                &guest,
                Shelf::Recommended,
                CardsSeen::Shown(&four),
                NOW + HOUR,
            ),
            (
                &alice,
                Shelf::Recommended,
                CardsSeen::Clicked("K2"),
                NOW + HOUR,
            ),
            (&guest, Shelf::WentOnTo, CardsSeen::Shown(&four[..3]), NOW),
            // Before the period, and at its end (not included).
            (
                &alice,
                Shelf::Recommended,
                CardsSeen::Clicked("K1"),
                NOW - Millis(1),
            ),
            (
                &alice,
                Shelf::WentOnTo,
                CardsSeen::Clicked("K1"),
                NOW + Millis::days(1),
            ),
        ] {
            record_cards(db, viewer, shelf, seen, &fatigue, at)
                .await
                .unwrap();
        }
        let figures = shelf_figures(db, NOW, NOW + Millis::days(1)).await.unwrap();
        assert_eq!(figures.len(), Shelf::ALL.len());
        let of = |shelf: Shelf| {
            let row = figures.iter().find(|row| row.shelf == shelf).unwrap();
            (row.impressions, row.clicks, row.click_through)
        };
        assert_eq!(of(Shelf::Recommended), (8, 1, Some(12.5)));
        assert_eq!(of(Shelf::WentOnTo), (3, 0, Some(0.0)));
        assert_eq!(of(Shelf::Trending), (0, 0, None));
    }
}
