use super::*;
use crate::alerts::rules::AlertPolicy;
use crate::catalog::PriceChange;
use crate::catalog::ssr::{change_prices, upsert_products};
use crate::flows::catalog_alerts::CatalogAlerts;
use crate::flows::testing::{add_kitchen, add_products, add_shopper, product_input};
use crate::store::testing::{all, count};

const NOW: Millis = Millis(1_800_000_000_000);

fn alice() -> Viewer {
    Viewer::Shopper("alice".into())
}

fn bob() -> Viewer {
    Viewer::Shopper("bob".into())
}

async fn shop(db: &Db) {
    add_kitchen(db).await;
    add_products(
        db,
        &[
            product_input("A", 12_000, 5),
            product_input("B", 3_000, 0),
            product_input("C", 500, 2),
        ],
    )
    .await;
    add_shopper(db, "alice").await;
    add_shopper(db, "bob").await;
}

fn skus(list: &Wishlist) -> Vec<&str> {
    list.items.iter().map(|item| item.sku.as_str()).collect()
}

#[tokio::test]
async fn fifty_identical_first_saves_at_once_all_succeed_with_one_default_list() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = WishlistPolicy::default();
        let shopper = alice();
        let saves = (0..50).map(|_| save(db, &shopper, "A", None, &policy, NOW));
        for outcome in futures::future::join_all(saves).await {
            outcome.unwrap();
        }
        assert_eq!(count(db, "wishlists").await, 1);
        assert_eq!(count(db, "wishlist_items").await, 1);
    }
}

#[tokio::test]
async fn saving_twice_keeps_one_item_and_each_change_is_an_event() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = WishlistPolicy::default();
        save(db, &alice(), "A", None, &policy, NOW).await.unwrap();
        save(db, &alice(), "A", None, &policy, NOW + Millis(1))
            .await
            .unwrap();
        let list = wishlist(db, &alice(), None, "en", WishlistSort::Saved)
            .await
            .unwrap();
        assert_eq!(skus(&list), ["A"]);
        assert_eq!(
            list.items[0].saved_at, NOW,
            "saving again does not move the item"
        );
        remove(db, &alice(), "A", None, NOW + Millis(2))
            .await
            .unwrap();
        remove(db, &alice(), "A", None, NOW + Millis(3))
            .await
            .unwrap();
        let kinds: Vec<String> =
            sqlx::query_scalar("SELECT kind FROM shopper_events ORDER BY occurred_at")
                .fetch_all(db.reader())
                .await
                .unwrap();
        assert_eq!(kinds, ["wishlisted", "unwishlisted"]);
        crate::flows::testing::daily_counts_backfill_the_same(db).await;
    }
}

#[tokio::test]
async fn the_list_shows_what_changed_since_saving_and_sorts_by_it() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = WishlistPolicy::default();
        for (offset, sku) in ["A", "B", "C"].into_iter().enumerate() {
            save(
                db,
                &alice(),
                sku,
                None,
                &policy,
                NOW + Millis(offset as i64),
            )
            .await
            .unwrap();
        }
        change_prices(
            db,
            &[PriceChange {
                sku: "A".into(),
                price_minor: 10_000,
                currency: "CNY".into(),
            }],
            &CatalogAlerts(&AlertPolicy::default()),
            NOW + Millis(10),
        )
        .await
        .unwrap();
        let mut withdrawn = product_input("C", 500, 2);
        withdrawn.active = false;
        upsert_products(
            db,
            &[withdrawn],
            &CatalogAlerts(&AlertPolicy::default()),
            NOW + Millis(11),
        )
        .await
        .unwrap();

        let newest = wishlist(db, &alice(), None, "en", WishlistSort::Saved)
            .await
            .unwrap();
        assert_eq!(skus(&newest), ["C", "B", "A"]);
        let changes: Vec<_> = newest
            .items
            .iter()
            .map(super::super::rules::change_since_saved)
            .collect();
        assert_eq!(
            changes,
            [
                crate::wishlist::ItemChange::NoLongerAvailable,
                crate::wishlist::ItemChange::OutOfStock,
                crate::wishlist::ItemChange::Cheaper(Money::new(2_000, "CNY")),
            ]
        );
        let by_drop = wishlist(db, &alice(), None, "en", WishlistSort::PriceDrop)
            .await
            .unwrap();
        assert_eq!(skus(&by_drop)[0], "A");
        let by_price = wishlist(db, &alice(), None, "en", WishlistSort::Price)
            .await
            .unwrap();
        assert_eq!(skus(&by_price), ["C", "B", "A"]);

        let StoreError::Rejected(error) = save(db, &alice(), "C", None, &policy, NOW + Millis(12))
            .await
            .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(
            error.code,
            ErrorCode::NotFound,
            "a withdrawn product cannot be saved anew"
        );
        remove(db, &alice(), "C", None, NOW + Millis(13))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn named_lists_move_items_and_respect_the_limits() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = WishlistPolicy {
            max_lists: 2,
            max_items: 2,
            show_saved_count: true,
        };
        save(db, &alice(), "A", None, &policy, NOW).await.unwrap();
        let birthday = create_list(db, &alice(), " Birthday ", &policy, NOW)
            .await
            .unwrap();
        assert_eq!(birthday.name, "Birthday");
        let StoreError::Rejected(error) = create_list(db, &alice(), "Third", &policy, NOW)
            .await
            .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.code, ErrorCode::LimitReached);
        let StoreError::Rejected(error) = create_list(db, &alice(), "", &policy, NOW)
            .await
            .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.field.as_deref(), Some("name"));

        let default = lists(db, &alice()).await.unwrap()[0].clone();
        assert!(default.is_default);
        move_item(db, &alice(), "A", default.id, birthday.id, &policy)
            .await
            .unwrap();
        let moved = wishlist(db, &alice(), Some(birthday.id), "en", WishlistSort::Saved)
            .await
            .unwrap();
        assert_eq!(skus(&moved), ["A"]);
        assert_eq!(
            moved.items[0].saved_at, NOW,
            "a move keeps when it was saved"
        );
        assert!(
            wishlist(db, &alice(), None, "en", WishlistSort::Saved)
                .await
                .unwrap()
                .items
                .is_empty()
        );

        save(db, &alice(), "B", Some(birthday.id), &policy, NOW)
            .await
            .unwrap();
        let StoreError::Rejected(error) = save(db, &alice(), "C", Some(birthday.id), &policy, NOW)
            .await
            .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.code, ErrorCode::LimitReached);

        rename_list(db, &alice(), birthday.id, "Wedding")
            .await
            .unwrap();
        let StoreError::Rejected(error) = delete_list(db, &alice(), default.id).await.unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.code, ErrorCode::Forbidden);
        delete_list(db, &alice(), birthday.id).await.unwrap();
        assert_eq!(lists(db, &alice()).await.unwrap().len(), 1);
        assert_eq!(count(db, "wishlist_items").await, 0);
        crate::flows::testing::daily_counts_backfill_the_same(db).await;
    }
}

#[tokio::test]
async fn no_shopper_reads_or_changes_another_shoppers_list() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = WishlistPolicy::default();
        save(db, &alice(), "A", None, &policy, NOW).await.unwrap();
        let private = create_list(db, &alice(), "Secret", &policy, NOW)
            .await
            .unwrap();
        save(db, &alice(), "B", Some(private.id), &policy, NOW)
            .await
            .unwrap();
        let before = count(db, "wishlist_items").await;

        for result in [
            wishlist(db, &bob(), Some(private.id), "en", WishlistSort::Saved)
                .await
                .map(|_| ()),
            save(db, &bob(), "C", Some(private.id), &policy, NOW).await,
            remove(db, &bob(), "B", Some(private.id), NOW).await,
            rename_list(db, &bob(), private.id, "Mine").await,
            delete_list(db, &bob(), private.id).await,
            set_shared(db, &bob(), private.id, true).await.map(|_| ()),
            move_item(db, &bob(), "B", private.id, private.id, &policy).await,
        ] {
            let Err(StoreError::Rejected(error)) = result else {
                panic!("bob reached alice's list: {result:?}")
            };
            assert_eq!(error.code, ErrorCode::NotFound);
        }
        assert_eq!(count(db, "wishlist_items").await, before);
        assert!(
            wishlist(db, &bob(), None, "en", WishlistSort::Saved)
                .await
                .unwrap()
                .items
                .is_empty()
        );
        let guest = Viewer::Guest("g-1".into());
        assert!(
            wishlist(db, &guest, Some(private.id), "en", WishlistSort::Saved)
                .await
                .is_err()
        );
    }
}

#[tokio::test]
async fn a_shared_link_shows_the_list_until_it_is_made_private() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = WishlistPolicy::default();
        save(db, &alice(), "A", None, &policy, NOW).await.unwrap();
        let list_id = lists(db, &alice()).await.unwrap()[0].id;
        let token = set_shared(db, &alice(), list_id, true)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(token.len(), 32);
        let shared = shared_list(db, &token, "en").await.unwrap();
        assert_eq!(
            (shared.owner.as_str(), shared.items.len()),
            ("Shopper alice", 1)
        );

        let renewed = set_shared(db, &alice(), list_id, true)
            .await
            .unwrap()
            .unwrap();
        assert_ne!(renewed, token, "sharing again makes a new link");
        assert!(
            shared_list(db, &token, "en").await.is_err(),
            "the old link is dead"
        );
        set_shared(db, &alice(), list_id, false).await.unwrap();
        let StoreError::Rejected(error) = shared_list(db, &renewed, "en").await.unwrap_err() else {
            panic!()
        };
        assert_eq!(error.code, ErrorCode::NotFound);
        assert!(shared_list(db, "' OR 1=1 --", "en").await.is_err());
    }
}

#[tokio::test]
async fn a_guest_list_merges_into_the_shopper_default_list_on_sign_in() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = WishlistPolicy::default();
        let guest = Viewer::Guest("g-42".into());
        save(db, &guest, "A", None, &policy, NOW).await.unwrap();
        save(db, &guest, "B", None, &policy, NOW + Millis(1))
            .await
            .unwrap();
        save(db, &alice(), "A", None, &policy, NOW + Millis(2))
            .await
            .unwrap();
        let StoreError::Rejected(error) = create_list(db, &guest, "Mine", &policy, NOW)
            .await
            .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.code, ErrorCode::Unauthorized, "guests keep one list");

        let mut tx = db.write().await.unwrap();
        let moved = adopt_guest_lists(&mut tx, "g-42", "alice", NOW + Millis(3))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(moved, 1);
        let merged = wishlist(db, &alice(), None, "en", WishlistSort::Saved)
            .await
            .unwrap();
        assert_eq!(skus(&merged), ["A", "B"]);
        assert!(
            wishlist(db, &guest, None, "en", WishlistSort::Saved)
                .await
                .unwrap()
                .items
                .is_empty()
        );
        assert_eq!(count(db, "wishlists").await, 1);

        let state = saved_state(db, &alice(), "A", &policy).await.unwrap();
        assert_eq!(state.lists.len(), 1);
        assert!(state.lists[0].1);
        assert_eq!(state.saved_by, Some(1));
        save(db, &bob(), "A", None, &policy, NOW).await.unwrap();
        let wished = most_wished(db, 10).await.unwrap();
        assert_eq!((wished[0].sku.as_str(), wished[0].savers), ("A", 2));
        crate::flows::testing::daily_counts_backfill_the_same(db).await;
    }
}

#[tokio::test]
async fn a_grid_learns_every_hearts_state_in_one_call() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = WishlistPolicy {
            show_saved_count: true,
            ..WishlistPolicy::default()
        };
        save(db, &alice(), "A", None, &policy, NOW).await.unwrap();
        let second = create_list(db, &alice(), "Gifts", &policy, NOW)
            .await
            .unwrap();
        save(db, &alice(), "C", Some(second.id), &policy, NOW)
            .await
            .unwrap();
        save(db, &bob(), "A", None, &policy, NOW).await.unwrap();
        save(db, &Viewer::Guest("g-1".into()), "A", None, &policy, NOW)
            .await
            .unwrap();

        let grid: Vec<String> = ["C", "B", "A", "NOPE"].map(String::from).to_vec();
        let states = saved_states(db, &alice(), &grid, &policy).await.unwrap();
        let holding: Vec<Vec<bool>> = states
            .iter()
            .map(|s| s.lists.iter().map(|(_, holds)| *holds).collect())
            .collect();
        assert_eq!(
            holding,
            [
                vec![false, true],
                vec![false, false],
                vec![true, false],
                vec![false, false]
            ],
            "in the order asked, default list first"
        );
        let saved_by: Vec<Option<i64>> = states.iter().map(|s| s.saved_by).collect();
        assert_eq!(saved_by, [Some(1), Some(0), Some(3), Some(0)]);
        assert_eq!(
            states[2],
            saved_state(db, &alice(), "A", &policy).await.unwrap(),
            "one product alone gives the same answer"
        );

        let stranger = saved_states(db, &Viewer::Shopper("nobody".into()), &grid, &policy)
            .await
            .unwrap();
        assert!(stranger.iter().all(|s| s.lists.is_empty()));

        let too_many: Vec<String> = (0..=MAX_STATES).map(|i| format!("S{i}")).collect();
        let refused = saved_states(db, &alice(), &too_many, &policy)
            .await
            .unwrap_err();
        assert!(refused.to_string().contains("at most 100"), "{refused}");
    }
}

#[tokio::test]
async fn the_merchant_counts_each_saver_once_across_their_lists_and_guests_by_their_guest_id() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = WishlistPolicy::default();
        let guest = Viewer::Guest("g-7".into());
        save(db, &alice(), "A", None, &policy, NOW).await.unwrap();
        let birthday = create_list(db, &alice(), "Birthday", &policy, NOW)
            .await
            .unwrap();
        save(db, &alice(), "B", Some(birthday.id), &policy, NOW)
            .await
            .unwrap();
        save(db, &bob(), "A", None, &policy, NOW).await.unwrap();
        save(db, &guest, "C", None, &policy, NOW + Millis(1))
            .await
            .unwrap();
        // After the period: neither a save nor a saver of it.
        save(db, &bob(), "C", None, &policy, NOW + Millis::days(10))
            .await
            .unwrap();

        let period = save_activity(db, NOW, NOW + Millis::days(1), "CNY")
            .await
            .unwrap();
        assert_eq!((period.saves, period.savers), (4, 3), "{}", store.url);
        let per_product: Vec<(i64, i64)> = period
            .by_product
            .iter()
            .map(|counted| (counted.product, counted.saves))
            .collect();
        assert_eq!(per_product.len(), 3, "A, B and the guest's C");
        assert_eq!(per_product.iter().map(|(_, saves)| saves).sum::<i64>(), 4);
        let empty = save_activity(db, NOW - Millis::days(2), NOW - Millis::days(1), "CNY")
            .await
            .unwrap();
        assert_eq!((empty.saves, empty.savers), (0, 0));
    }
}
