use super::*;
use crate::identity::ShopperInput;
use crate::identity::ssr::upsert_shoppers;
use crate::orders::ssr::record_order;
use crate::orders::{OrderInput, OrderLineInput};
use crate::store::testing::{add_kitchen, add_products, add_shopper, all, count, product_input};

const NOW: Millis = 1_800_000_000_000;

fn review(rating: i64) -> ReviewInput {
    ReviewInput {
        rating,
        title: "Pours well".into(),
        body: "Keeps the tea hot for an hour.".into(),
        criteria: BTreeMap::from([("quality".to_owned(), 5), ("value".to_owned(), 4)]),
    }
}

/// A kitchen with product A, shoppers alice (who bought A) and bob (who did not).
async fn shop(db: &Db) {
    add_kitchen(db).await;
    add_products(
        db,
        &[product_input("A", 1_000, 5), product_input("B", 1_000, 5)],
    )
    .await;
    add_shopper(db, "alice").await;
    add_shopper(db, "bob").await;
    let order = OrderInput {
        order_id: "O-1".into(),
        shopper_id: "alice".into(),
        currency: "CNY".into(),
        lines: vec![OrderLineInput {
            sku: "A".into(),
            quantity: 1,
            unit_price_minor: 1_000,
        }],
        shipping_minor: 0,
        tax_minor: 0,
        placed_at: None,
    };
    record_order(db, "k-1", &order, NOW - DAY_MS).await.unwrap();
}

async fn shoppers(db: &Db, n: usize) -> Vec<String> {
    let ids: Vec<String> = (0..n).map(|i| format!("voter-{i}")).collect();
    let inputs: Vec<ShopperInput> = ids
        .iter()
        .map(|id| ShopperInput {
            shopper_id: id.clone(),
            email: None,
            display_name: id.clone(),
            locale: "en".into(),
        })
        .collect();
    upsert_shoppers(db, &inputs, 0).await.unwrap();
    ids
}

#[tokio::test]
async fn one_review_per_shopper_per_product_and_writing_again_edits_it() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = ReviewPolicy::default();
        let first = write_review(db, "alice", "A", &review(4), &policy, NOW)
            .await
            .unwrap();
        assert_eq!(
            (first.status, first.verified, first.edited),
            (ReviewStatus::Published, true, false)
        );
        assert_eq!(first.criteria.get("quality"), Some(&5));
        vote(db, "bob", first.id, Some(true), &policy, NOW)
            .await
            .unwrap();

        let mut again = review(5);
        again.criteria.clear();
        let edited = write_review(db, "alice", "A", &again, &policy, NOW + 1)
            .await
            .unwrap();
        assert_eq!(
            (edited.id, edited.rating, edited.edited, edited.helpful),
            (first.id, 5, true, 1)
        );
        assert!(edited.criteria.is_empty());
        assert_eq!(count(db, "reviews").await, 1);
        assert_eq!(count(db, "review_moderation_log").await, 2);
    }
}

#[tokio::test]
async fn unverified_or_low_ratings_wait_for_moderation() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = ReviewPolicy::default();
        assert_eq!(
            write_review(db, "bob", "A", &review(5), &policy, NOW)
                .await
                .unwrap()
                .status,
            ReviewStatus::Pending
        );
        assert_eq!(
            write_review(db, "alice", "A", &review(2), &policy, NOW)
                .await
                .unwrap()
                .status,
            ReviewStatus::Pending
        );
        assert!(
            list(db, "A", ReviewSort::Newest, ReviewFilter::default(), 0, 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(summary(db, "A").await.unwrap().count, 0);
    }
}

#[tokio::test]
async fn bad_reviews_are_refused_and_change_nothing() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = ReviewPolicy::default();
        let mut empty_body = review(4);
        empty_body.body = "   ".into();
        let mut odd_criterion = review(4);
        odd_criterion.criteria.insert("smell".into(), 3);
        let mut bad_criterion = review(4);
        bad_criterion.criteria.insert("fit".into(), 9);
        let cases = [
            (review(0), "A", Some("rating")),
            (review(6), "A", Some("rating")),
            (empty_body, "A", Some("body")),
            (odd_criterion, "A", Some("criteria.smell")),
            (bad_criterion, "A", Some("criteria.fit")),
            (review(4), "NOPE", Some("sku")),
        ];
        for (input, sku, field) in cases {
            let StoreError::Rejected(error) = write_review(db, "alice", sku, &input, &policy, NOW)
                .await
                .unwrap_err()
            else {
                panic!()
            };
            assert_eq!(error.field.as_deref(), field, "{error:?}");
        }
        let strict = ReviewPolicy {
            reviews_per_day: 1,
            ..policy
        };
        write_review(db, "alice", "A", &review(4), &strict, NOW)
            .await
            .unwrap();
        let StoreError::Rejected(error) = write_review(db, "alice", "B", &review(4), &strict, NOW)
            .await
            .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.code, "rate_limited");
        assert_eq!(
            (
                count(db, "reviews").await,
                count(db, "review_ratings").await
            ),
            (1, 2)
        );
    }
}

#[tokio::test]
async fn shoppers_vote_once_change_or_withdraw_and_never_on_their_own_review() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = ReviewPolicy::default();
        let published = write_review(db, "alice", "A", &review(4), &policy, NOW)
            .await
            .unwrap();
        let pending = write_review(db, "bob", "A", &review(5), &policy, NOW)
            .await
            .unwrap();

        assert_eq!(
            vote(db, "bob", published.id, Some(true), &policy, NOW)
                .await
                .unwrap(),
            VoteTally {
                helpful: 1,
                not_helpful: 0,
                your_vote: Some(true)
            }
        );
        assert_eq!(
            vote(db, "bob", published.id, Some(false), &policy, NOW)
                .await
                .unwrap(),
            VoteTally {
                helpful: 0,
                not_helpful: 1,
                your_vote: Some(false)
            }
        );
        assert_eq!(
            vote(db, "bob", published.id, None, &policy, NOW)
                .await
                .unwrap(),
            VoteTally {
                helpful: 0,
                not_helpful: 0,
                your_vote: None
            }
        );

        let StoreError::Rejected(error) = vote(db, "alice", published.id, Some(true), &policy, NOW)
            .await
            .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.code, "forbidden");
        let StoreError::Rejected(error) = vote(db, "alice", pending.id, Some(true), &policy, NOW)
            .await
            .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.code, "not_found");
        let StoreError::Rejected(error) = vote(db, "alice", 999_999, Some(true), &policy, NOW)
            .await
            .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.code, "not_found");
        assert_eq!(count(db, "helpful_votes").await, 0);

        let hasty = ReviewPolicy {
            votes_per_minute: 1,
            ..policy
        };
        vote(db, "bob", published.id, Some(true), &hasty, NOW)
            .await
            .unwrap();
        let StoreError::Rejected(error) =
            vote(db, "bob", published.id, Some(false), &hasty, NOW + 1)
                .await
                .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.code, "rate_limited");
    }
}

#[tokio::test]
async fn concurrent_double_submits_leave_exactly_one_vote() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = ReviewPolicy {
            votes_per_minute: 1_000,
            ..ReviewPolicy::default()
        };
        let published = write_review(db, "alice", "A", &review(4), &policy, NOW)
            .await
            .unwrap();
        let clicks: Vec<_> = (0..16)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move {
                    vote(&db, "bob", published.id, Some(true), &policy, NOW).await
                })
            })
            .collect();
        for click in clicks {
            click.await.unwrap().unwrap();
        }
        assert_eq!(count(db, "helpful_votes").await, 1);
        let listed = list(
            db,
            "A",
            ReviewSort::MostHelpful,
            ReviewFilter::default(),
            0,
            10,
        )
        .await
        .unwrap();
        assert_eq!((listed[0].helpful, listed[0].not_helpful), (1, 0));
    }
}

#[tokio::test]
async fn concurrent_votes_of_many_shoppers_are_all_counted() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let voters = shoppers(db, 24).await;
        let policy = ReviewPolicy::default();
        let published = write_review(db, "alice", "A", &review(4), &policy, NOW)
            .await
            .unwrap();
        let clicks: Vec<_> = voters
            .into_iter()
            .enumerate()
            .map(|(index, voter)| {
                let db = db.clone();
                tokio::spawn(async move {
                    vote(
                        &db,
                        &voter,
                        published.id,
                        Some(index % 3 != 0),
                        &policy,
                        NOW,
                    )
                    .await
                })
            })
            .collect();
        for click in clicks {
            click.await.unwrap().unwrap();
        }
        let listed = list(
            db,
            "A",
            ReviewSort::MostHelpful,
            ReviewFilter::default(),
            0,
            10,
        )
        .await
        .unwrap();
        assert_eq!((listed[0].helpful, listed[0].not_helpful), (16, 8));
    }
}

#[tokio::test]
async fn most_helpful_ranks_by_confidence_not_by_share() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let voters = shoppers(db, 100).await;
        let policy = ReviewPolicy {
            auto_publish: AutoPublish {
                require_verified: false,
                min_rating: 1,
            },
            votes_per_minute: 1_000,
            ..ReviewPolicy::default()
        };
        let few = write_review(db, &voters[0], "A", &review(5), &policy, NOW)
            .await
            .unwrap();
        let many = write_review(db, &voters[1], "A", &review(3), &policy, NOW - 1)
            .await
            .unwrap();
        let newest = write_review(db, &voters[2], "A", &review(1), &policy, NOW + 1)
            .await
            .unwrap();
        for voter in &voters[3..6] {
            vote(db, voter, few.id, Some(true), &policy, NOW)
                .await
                .unwrap();
        }
        for (index, voter) in voters[2..].iter().enumerate() {
            vote(db, voter, many.id, Some(index >= 5), &policy, NOW)
                .await
                .unwrap();
        }
        let order = |reviews: Vec<Review>| reviews.iter().map(|r| r.id).collect::<Vec<_>>();
        let helpful = list(
            db,
            "A",
            ReviewSort::MostHelpful,
            ReviewFilter::default(),
            0,
            10,
        )
        .await
        .unwrap();
        assert_eq!((helpful[0].helpful, helpful[0].not_helpful), (93, 5));
        assert_eq!(order(helpful), vec![many.id, few.id, newest.id]);
        assert_eq!(
            order(
                list(db, "A", ReviewSort::Newest, ReviewFilter::default(), 0, 10)
                    .await
                    .unwrap()
            ),
            vec![newest.id, few.id, many.id]
        );
        assert_eq!(
            order(
                list(
                    db,
                    "A",
                    ReviewSort::LowestRating,
                    ReviewFilter::default(),
                    0,
                    10
                )
                .await
                .unwrap()
            ),
            vec![newest.id, many.id, few.id]
        );
        assert_eq!(
            order(
                list(
                    db,
                    "A",
                    ReviewSort::HighestRating,
                    ReviewFilter::default(),
                    1,
                    1
                )
                .await
                .unwrap()
            ),
            vec![many.id]
        );
        let five_stars = ReviewFilter {
            stars: Some(5),
            verified_only: false,
        };
        assert_eq!(
            order(
                list(db, "A", ReviewSort::Newest, five_stars, 0, 10)
                    .await
                    .unwrap()
            ),
            vec![few.id]
        );
        let verified = ReviewFilter {
            stars: None,
            verified_only: true,
        };
        assert!(
            list(db, "A", ReviewSort::Newest, verified, 0, 10)
                .await
                .unwrap()
                .is_empty()
        );

        let summary = summary(db, "A").await.unwrap();
        assert_eq!(
            (summary.count, summary.average, summary.histogram),
            (3, Some(3.0), [1, 0, 1, 0, 1])
        );
        assert_eq!(summary.criteria.get("value"), Some(&4.0));
    }
}

#[tokio::test]
async fn reported_reviews_leave_the_list_until_a_merchant_decides() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = ReviewPolicy::default();
        let published = write_review(db, "alice", "A", &review(4), &policy, NOW)
            .await
            .unwrap();
        let StoreError::Rejected(error) =
            report(db, "bob", published.id, " ", NOW).await.unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.field.as_deref(), Some("reason"));
        report(db, "bob", published.id, "Spam link", NOW)
            .await
            .unwrap();
        let StoreError::Rejected(error) = report(db, "bob", published.id, "Again", NOW)
            .await
            .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.code, "conflict");
        assert!(
            list(db, "A", ReviewSort::Newest, ReviewFilter::default(), 0, 10)
                .await
                .unwrap()
                .is_empty()
        );

        let StoreError::Rejected(error) = moderate(
            db,
            published.id,
            ReviewStatus::Rejected,
            "merchant:ops",
            None,
            NOW,
        )
        .await
        .unwrap_err() else {
            panic!()
        };
        assert_eq!(error.field.as_deref(), Some("reason"));
        let rejected = moderate(
            db,
            published.id,
            ReviewStatus::Rejected,
            "merchant:ops",
            Some("Contains a link"),
            NOW,
        )
        .await
        .unwrap();
        assert_eq!(
            (rejected.status, rejected.rejection_reason.as_deref()),
            (ReviewStatus::Rejected, Some("Contains a link"))
        );
        let restored = moderate(
            db,
            published.id,
            ReviewStatus::Published,
            "merchant:ops",
            None,
            NOW + 1,
        )
        .await
        .unwrap();
        assert_eq!(
            (restored.status, restored.rejection_reason),
            (ReviewStatus::Published, None)
        );
        assert_eq!(
            list(db, "A", ReviewSort::Newest, ReviewFilter::default(), 0, 10)
                .await
                .unwrap()
                .len(),
            1
        );
        let actions: Vec<(String, String)> = sqlx::query_as(
            "SELECT actor, action FROM review_moderation_log WHERE review_id = $1 ORDER BY id",
        )
        .bind(published.id)
        .fetch_all(db.reader())
        .await
        .unwrap();
        let actions: Vec<_> = actions
            .iter()
            .map(|(actor, action)| format!("{actor} {action}"))
            .collect();
        assert_eq!(
            actions,
            [
                "shopper:alice written",
                "shopper:bob reported",
                "merchant:ops moderated",
                "merchant:ops moderated"
            ]
        );
    }
}
