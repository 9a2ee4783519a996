use super::refresh::REFRESH_LOCK;
use super::*;
use crate::catalog::{CategoryInput, ProductInput};
use crate::events::EventInput;
use crate::events::ssr::{record_batch, record_for_viewer};
use crate::feed::Activity;
use crate::flows::testing::{add_kitchen, add_products, add_shopper, product_input};
use crate::kernel::error::ErrorCode;
use crate::kernel::time::to_rfc3339;
use crate::store::testing::all;

pub(super) const NOW: Millis = Millis::days(400);

pub(super) fn policy() -> FeedPolicy {
    FeedPolicy {
        partial_share: 1.0,
        ..FeedPolicy::default()
    }
}

fn tea(sku: &str) -> ProductInput {
    ProductInput {
        category: "tea".into(),
        title: format!("Tea {sku}"),
        ..product_input(sku, 500, 5)
    }
}

fn did(shopper: &str, sku: &str, kind: EventKind, days_ago: i64) -> EventInput {
    EventInput {
        shopper_id: Some(shopper.into()),
        guest_id: None,
        sku: sku.into(),
        kind,
        occurred_at: Some(to_rfc3339(NOW - days_ago * DAY_MS)),
    }
}

/// Eight kitchen products (K8 sold out) and four teas (a repeatable category), and five shoppers whose
/// purchases tie K1 to K2, K3 and K4, and whose views tie it to K2 and K5.
pub(super) async fn shop(db: &Db) {
    add_kitchen(db).await;
    crate::catalog::ssr::upsert_categories(
        db,
        &[CategoryInput {
            slug: "tea".into(),
            name: "Tea".into(),
            translations: Default::default(),
            position: 1,
            review_criteria: None,
            repeatable: true,
        }],
    )
    .await
    .unwrap();
    let mut products: Vec<ProductInput> = (1..=8)
        .map(|n| product_input(&format!("K{n}"), 1000, 5))
        .collect();
    products[7].stock = 0;
    products.extend((1..=4).map(|n| tea(&format!("T{n}"))));
    add_products(db, &products).await;
    let bought = EventKind::Purchased;
    let viewed = EventKind::Viewed;
    let mut events = Vec::new();
    for (shopper, history) in [
        (
            "s1",
            vec![
                ("K1", bought),
                ("K2", bought),
                ("K3", bought),
                ("T1", bought),
            ],
        ),
        (
            "s2",
            vec![
                ("K1", bought),
                ("K2", bought),
                ("K4", bought),
                ("K5", viewed),
            ],
        ),
        (
            "s3",
            vec![
                ("K1", bought),
                ("K3", bought),
                ("K4", bought),
                ("K8", bought),
                ("T2", bought),
            ],
        ),
        (
            "s4",
            vec![
                ("K1", viewed),
                ("K2", viewed),
                ("K5", viewed),
                ("K6", viewed),
                ("T1", viewed),
            ],
        ),
        (
            "s5",
            vec![
                ("K2", bought),
                ("K3", bought),
                ("K6", bought),
                ("T1", bought),
                ("T2", bought),
                ("K1", viewed),
                ("K2", viewed),
                ("K5", viewed),
            ],
        ),
    ] {
        add_shopper(db, shopper).await;
        for (days_ago, (sku, kind)) in history.into_iter().enumerate() {
            events.push(did(shopper, sku, kind, 12 - days_ago as i64));
        }
    }
    record_batch(db, &events, NOW).await.unwrap();
}

async fn stored(db: &Db) -> BTreeMap<(String, i64), String> {
    sqlx::query_as::<_, (String, i64, String)>(
        "SELECT list, product_id, neighbours FROM product_neighbours",
    )
    .fetch_all(db.reader())
    .await
    .unwrap()
    .into_iter()
    .map(|(list, product, neighbours)| ((list, product), neighbours))
    .collect()
}

async fn product_id(db: &Db, sku: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM products WHERE sku = $1")
        .bind(sku)
        .fetch_one(db.reader())
        .await
        .unwrap()
}

fn skus(cards: &[ProductCard]) -> Vec<&str> {
    cards.iter().map(|card| card.sku.as_str()).collect()
}

/// Every card of a feed but the shopper's own "Recently viewed", by SKU.
fn recommended(feed: &Feed) -> Vec<&str> {
    feed.sections
        .iter()
        .filter(|section| section.kind != SectionKind::RecentlyViewed)
        .flat_map(|section| section.cards.iter().map(|card| card.product.sku.as_str()))
        .collect()
}

#[tokio::test]
async fn a_refresh_rebuilds_everything_first_then_lists_only_new_products_until_the_next_full_build()
 {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let before = feed_state(db).await.unwrap();
        assert_eq!(
            (
                before.events_behind,
                before.full_build_at,
                &before.lists[..]
            ),
            (26, None, &[][..]),
            "never built: every event is still to read"
        );
        let first = refresh(db, &policy(), NOW, false).await.unwrap();
        assert!(
            matches!(first.lists, Refreshed::Full { events: 26, .. }),
            "{first:?}"
        );
        assert!(first.popularity);
        let again = refresh(db, &policy(), NOW + Millis(1), false)
            .await
            .unwrap();
        assert_eq!(again.lists, Refreshed::UpToDate);
        assert!(!again.popularity, "popularity is not due yet");
        let built = feed_state(db).await.unwrap();
        assert_eq!(
            (
                built.events_behind,
                built.full_build_at,
                built.popularity_at
            ),
            (0, Some(NOW), Some(NOW))
        );
        assert_eq!(
            built
                .lists
                .iter()
                .map(|(list, _)| list.as_str())
                .collect::<Vec<_>>(),
            ["bought", "interest", "viewed"]
        );
        assert!(built.lists.iter().all(|(_, products)| *products > 0));

        add_shopper(db, "s6").await;
        record_batch(
            db,
            &[
                did("s6", "K5", EventKind::Purchased, 0),
                did("s6", "K7", EventKind::Purchased, 0),
                did("s6", "K1", EventKind::Wishlisted, 0),
            ],
            NOW,
        )
        .await
        .unwrap();
        assert_eq!(feed_state(db).await.unwrap().events_behind, 3);
        let before_partial = stored(db).await;
        let partial = refresh(db, &policy(), NOW + Millis(2), false)
            .await
            .unwrap();
        assert_eq!(
            partial.lists,
            Refreshed::Partial {
                events: 3,
                shoppers: 1,
                products: 2
            },
            "K7 had no list, K5 (only viewed before) no list of purchases"
        );
        assert_eq!(feed_state(db).await.unwrap().events_behind, 0);
        let after_partial = stored(db).await;
        let (k1, k5, k7) = (
            product_id(db, "K1").await,
            product_id(db, "K5").await,
            product_id(db, "K7").await,
        );
        let interest = |product| ("interest".to_owned(), product);
        assert!(!before_partial.contains_key(&interest(k7)));
        let k7_list: Vec<i64> = decode_neighbours(&after_partial[&interest(k7)])
            .iter()
            .map(|similar| similar.product)
            .collect();
        assert_eq!(
            k7_list.iter().copied().collect::<HashSet<_>>(),
            HashSet::from([k1, k5]),
            "K7's first list: what s6 wanted with it"
        );
        assert_eq!(
            before_partial[&interest(k1)],
            after_partial[&interest(k1)],
            "an existing list waits for the full build"
        );
        refresh(db, &policy(), NOW + Millis(3), true).await.unwrap();
        let after_full = stored(db).await;
        assert_ne!(
            after_partial[&interest(k1)],
            after_full[&interest(k1)],
            "the full build brings s6 into K1's list"
        );
        assert!(
            decode_neighbours(&after_full[&interest(k1)])
                .iter()
                .any(|similar| similar.product == k7)
        );
    }
}

#[tokio::test]
async fn only_one_instance_refreshes_at_a_time_on_postgres() {
    let Some(store) = crate::store::testing::postgres().await else {
        return;
    };
    let db = &store.db;
    shop(db).await;
    let mut other = db.reader().acquire().await.unwrap();
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(REFRESH_LOCK)
        .execute(&mut *other)
        .await
        .unwrap();
    let busy = refresh(db, &policy(), NOW, false).await.unwrap();
    assert_eq!(busy.lists, Refreshed::Busy);
    assert!(stored(db).await.is_empty(), "nothing was written");
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(REFRESH_LOCK)
        .execute(&mut *other)
        .await
        .unwrap();
    let done = refresh(db, &policy(), NOW, false).await.unwrap();
    assert!(matches!(done.lists, Refreshed::Full { .. }));
    // The lock went back with the connection released: the next refresh gets it again.
    let next = refresh(db, &policy(), NOW + Millis(1), false)
        .await
        .unwrap();
    assert_eq!(next.lists, Refreshed::UpToDate);
}

#[tokio::test]
async fn the_feed_follows_what_the_shopper_did_a_moment_ago_and_leaves_out_what_they_cannot_want() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        refresh(db, &policy(), NOW, false).await.unwrap();
        add_shopper(db, "alice").await;
        let alice = Viewer::Shopper("alice".into());
        let rules = FeedPolicy::default();
        let before = feed(db, Some(&alice), "en", 4, &rules, NOW).await.unwrap();
        assert_eq!(before.sections[0].kind, SectionKind::BestSellers);
        assert!(
            before
                .sections
                .iter()
                .all(|s| matches!(s.kind, SectionKind::BestSellers | SectionKind::TrendingNow)),
            "a shopper with no history gets cold start"
        );

        // No refresh in between: the events of the last moment pick the anchors.
        record_batch(db, &[did("alice", "K2", EventKind::Purchased, 1)], NOW)
            .await
            .unwrap();
        for (sku, kind) in [
            ("T1", EventKind::Purchased),
            ("K3", EventKind::Dismissed),
            ("K1", EventKind::Viewed),
        ] {
            record_for_viewer(db, &alice, sku, kind, NOW).await.unwrap();
        }
        let after = feed(db, Some(&alice), "en", 4, &rules, NOW).await.unwrap();
        let shown = recommended(&after);
        assert!(shown.contains(&"K4"), "K4 goes with K1: {shown:?}");
        for excluded in ["K1", "K2", "K3", "K8"] {
            assert!(
                !shown.contains(&excluded),
                "{excluded} is the anchor, bought, dismissed or sold out: {shown:?}"
            );
        }
        let because_k1 = Reason::Because {
            action: Activity::Viewed,
            title: "Teapot K1".into(),
        };
        assert!(
            after
                .sections
                .iter()
                .flat_map(|s| &s.cards)
                .any(|card| card.reason == because_k1 && card.category == "kitchen"),
            "a kitchen product because of the view a moment ago"
        );
        let mut unique = shown.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), shown.len(), "each product once: {shown:?}");
        for section in &after.sections {
            let kitchen = section
                .cards
                .iter()
                .filter(|c| c.category == "kitchen")
                .count();
            let mixed = !matches!(
                section.kind,
                SectionKind::PopularIn { .. }
                    | SectionKind::RecentlyViewed
                    | SectionKind::PriceDrops
            );
            assert!(kitchen <= 2 || !mixed, "{:?} is diversified", section.kind);
        }
    }
}

#[tokio::test]
async fn recently_viewed_is_newest_first_capped_and_empty_after_clearing() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let guest = Viewer::Guest("g-1".into());
        for (at, sku) in ["K5", "K6", "K7", "K5"].into_iter().enumerate() {
            record_for_viewer(db, &guest, sku, EventKind::Viewed, NOW + Millis(at as i64))
                .await
                .unwrap();
        }
        let rules = FeedPolicy::default();
        let feed_now = feed(db, Some(&guest), "en", 8, &rules, NOW + Millis(10))
            .await
            .unwrap();
        let viewed = feed_now
            .sections
            .iter()
            .find(|s| s.kind == SectionKind::RecentlyViewed)
            .expect("a recently viewed section");
        let viewed: Vec<_> = viewed
            .cards
            .iter()
            .map(|c| c.product.sku.as_str())
            .collect();
        assert_eq!(viewed, ["K5", "K7", "K6"]);
        // The same history on its own, as `<rapport-recently-viewed>` shows it, capped; nothing for nobody.
        let alone = recently_viewed(db, Some(&guest), "en", 12).await.unwrap();
        assert_eq!(skus(&alone), ["K5", "K7", "K6"]);
        let capped = recently_viewed(db, Some(&guest), "en", 2).await.unwrap();
        assert_eq!(skus(&capped), ["K5", "K7"]);
        assert!(
            recently_viewed(db, None, "en", 12)
                .await
                .unwrap()
                .is_empty()
        );
        let stranger = Viewer::Guest("g-never-seen".into());
        assert!(
            recently_viewed(db, Some(&stranger), "en", 12)
                .await
                .unwrap()
                .is_empty()
        );

        clear_recently_viewed(db, &guest, NOW + Millis(10))
            .await
            .unwrap();
        let cleared = feed(db, Some(&guest), "en", 8, &rules, NOW + Millis(11))
            .await
            .unwrap();
        assert!(
            cleared
                .sections
                .iter()
                .all(|s| s.kind != SectionKind::RecentlyViewed)
        );
        assert!(
            recently_viewed(db, Some(&guest), "en", 12)
                .await
                .unwrap()
                .is_empty()
        );
        let nobody = Viewer::Shopper("nobody".into());
        assert!(clear_recently_viewed(db, &nobody, NOW).await.is_err());
    }
}

#[tokio::test]
async fn nobody_and_shoppers_the_store_does_not_know_get_best_sellers_and_trending() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        refresh(db, &policy(), NOW, false).await.unwrap();
        let rules = FeedPolicy::default();
        let anonymous = feed(db, None, "en", 4, &rules, NOW).await.unwrap();
        let unknown = Viewer::Shopper("nobody".into());
        let stranger = feed(db, Some(&unknown), "en", 4, &rules, NOW)
            .await
            .unwrap();
        assert_eq!(anonymous, stranger);
        assert_eq!(anonymous.sections[0].kind, SectionKind::BestSellers);
        let best: Vec<_> = anonymous.sections[0]
            .cards
            .iter()
            .map(|c| c.product.sku.as_str())
            .collect();
        assert_eq!(
            best,
            ["K1", "K2", "T1", "T2"],
            "most sold first, two per category"
        );
        assert_eq!(anonymous.sections[0].cards[0].reason, Reason::BestSeller);
    }
}

#[tokio::test]
async fn a_product_page_shows_what_its_buyers_also_bought_and_an_unknown_product_is_an_error() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        refresh(db, &policy(), NOW, false).await.unwrap();
        let bought = related(db, "K1", RelatedBy::Bought, "en", 24)
            .await
            .unwrap();
        let bought = skus(&bought);
        for sku in ["K2", "K3", "K4"] {
            assert!(bought.contains(&sku), "{bought:?}");
        }
        assert!(!bought.contains(&"K8"), "sold out");
        assert!(!bought.contains(&"K5"), "only viewed with K1, never bought");
        let viewed = related(db, "K1", RelatedBy::Viewed, "en", 24)
            .await
            .unwrap();
        let viewed = skus(&viewed);
        assert!(
            viewed.contains(&"K2") && viewed.contains(&"K5"),
            "s4 and s5 viewed them with K1: {viewed:?}"
        );
        assert!(
            !viewed.contains(&"K6"),
            "only s4 viewed it with K1, which a public list never tells"
        );
        assert!(
            !viewed.contains(&"K3"),
            "bought with K1, never viewed: {viewed:?}"
        );
        assert_eq!(
            related(db, "K1", RelatedBy::Bought, "en", 1)
                .await
                .unwrap()
                .len(),
            1
        );

        let StoreError::Rejected(error) = related(db, "NOPE", RelatedBy::Bought, "en", 8)
            .await
            .unwrap_err()
        else {
            panic!("an unknown product is the caller's mistake")
        };
        assert_eq!(error.code, ErrorCode::NotFound);
        assert_eq!(error.field.as_deref(), Some("sku"));
    }
}

#[tokio::test]
async fn a_guests_browsing_follows_them_when_they_sign_in() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        add_shopper(db, "alice").await;
        let guest = Viewer::Guest("g-2".into());
        for (at, sku) in ["K5", "K6", "K7"].into_iter().enumerate() {
            record_for_viewer(db, &guest, sku, EventKind::Viewed, NOW + Millis(at as i64))
                .await
                .unwrap();
        }
        record_for_viewer(db, &guest, "K4", EventKind::Dismissed, NOW + Millis(5))
            .await
            .unwrap();
        let adopted = crate::flows::guest_adoption::adopt(db, "g-2", "alice", NOW + Millis(6))
            .await
            .unwrap();
        assert_eq!(adopted, 0, "the guest saved nothing, only browsed");
        let rules = FeedPolicy::default();
        let alice = Viewer::Shopper("alice".into());
        let theirs = feed(db, Some(&alice), "en", 8, &rules, NOW + Millis(10))
            .await
            .unwrap();
        let viewed = theirs
            .sections
            .iter()
            .find(|s| s.kind == SectionKind::RecentlyViewed)
            .expect("the guest's views are alice's now");
        let viewed: Vec<_> = viewed
            .cards
            .iter()
            .map(|c| c.product.sku.as_str())
            .collect();
        assert_eq!(viewed, ["K7", "K6", "K5"]);
        assert!(
            !recommended(&theirs).contains(&"K4"),
            "the guest's dismissal holds"
        );
        let left = feed(db, Some(&guest), "en", 8, &rules, NOW + Millis(10))
            .await
            .unwrap();
        assert!(
            left.sections
                .iter()
                .all(|s| s.kind != SectionKind::RecentlyViewed)
        );
    }
}

/// The stored moves against a count of every stored event from scratch.
async fn assert_transitions_as_counted(db: &Db) {
    let rules = FeedPolicy::default().transitions;
    let counted =
        crate::feed::transitions::count_transitions(&all_interactions(db).await.unwrap(), &rules);
    assert!(!counted.pairs.is_empty());
    assert_eq!(stored_transitions(db).await.unwrap(), counted);
}

#[tokio::test]
async fn transitions_kept_by_partial_refreshes_equal_a_count_from_scratch() {
    // However much the new events touch, the refresh stays partial.
    let policy = || FeedPolicy {
        partial_share: f64::MAX,
        ..FeedPolicy::default()
    };
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        // A guest browses before the first refresh: guests shape no transitions, until they sign in.
        let guest = |sku: &str, days_ago| EventInput {
            shopper_id: None,
            guest_id: Some("g-1".into()),
            ..did("s2", sku, EventKind::Viewed, days_ago)
        };
        record_batch(db, &[guest("K6", 2), guest("K7", 1)], NOW)
            .await
            .unwrap();
        refresh(db, &policy(), NOW, false).await.unwrap();
        assert_transitions_as_counted(db).await;
        let k1 = product_id(db, "K1").await;
        let k2 = product_id(db, "K2").await;
        let mut connection = db.reader().acquire().await.unwrap();
        let next = super::transitions::successor_lists(&mut connection, &[k1])
            .await
            .unwrap();
        drop(connection);
        assert_eq!(
            next[&k1][0].product, k2,
            "four shoppers went from K1 to K2: {next:?}"
        );
        assert_eq!(next[&k1][0].shoppers, 4);

        // s1 goes on, s3 reports a purchase from before everything else they did, s6 arrives, and the guest signs
        // in as s2.
        add_shopper(db, "s6").await;
        record_batch(
            db,
            &[
                did("s1", "T1", EventKind::Purchased, 0),
                did("s1", "K5", EventKind::Viewed, 0),
                did("s3", "K6", EventKind::Purchased, 13),
                did("s6", "K5", EventKind::Viewed, 0),
                did("s6", "K7", EventKind::Purchased, 0),
            ],
            NOW,
        )
        .await
        .unwrap();
        crate::flows::guest_adoption::adopt(db, "g-1", "s2", NOW)
            .await
            .unwrap();
        let through = |db: &Db| {
            let db = db.clone();
            async move {
                sqlx::query_scalar::<_, i64>("SELECT through_event_id FROM feed_refresh")
                    .fetch_one(db.reader())
                    .await
                    .unwrap()
            }
        };
        let read_before = through(db).await;
        let partial = refresh(db, &policy(), NOW + Millis(1), false)
            .await
            .unwrap();
        assert!(
            matches!(partial.lists, Refreshed::Partial { shoppers: 4, .. }),
            "{partial:?}"
        );
        assert_eq!(feed_state(db).await.unwrap().events_behind, 0);
        assert_transitions_as_counted(db).await;

        // A second refresh that read from the same mark (another process, on SQLite) adds nothing.
        let rules = FeedPolicy::default().transitions;
        let again = crate::feed::transitions::count_transitions(
            &all_interactions(db).await.unwrap(),
            &rules,
        );
        let added = super::transitions::add_moves(db, &rules, &again, read_before, read_before + 1)
            .await
            .unwrap();
        assert!(!added);
        assert_transitions_as_counted(db).await;

        refresh(db, &policy(), NOW + Millis(2), true).await.unwrap();
        assert_transitions_as_counted(db).await;
    }
}
