use super::*;
use crate::flows::testing::{add_kitchen, add_products, add_shopper, product_input};
use crate::flows::tier_growth::TierGrowth;
use crate::identity::ShopperInput;
use crate::identity::ssr::upsert_shoppers;
use crate::orders::ssr::record_order;
use crate::orders::{OrderInput, OrderLineInput};
use crate::store::testing::{all, count};

const NOW: Millis = Millis(1_800_000_000_000);

fn review(rating: i64) -> ReviewInput {
    ReviewInput {
        rating,
        title: "Pours well".into(),
        body: "Keeps the tea hot for an hour.".into(),
        criteria: BTreeMap::from([("quality".to_owned(), 5), ("value".to_owned(), 4)]),
        photos: None,
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
    record_order(db, "k-1", &order, &TierGrowth, NOW - DAY_MS)
        .await
        .unwrap();
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
            time_zone: None,
        })
        .collect();
    upsert_shoppers(db, &inputs, Millis(0)).await.unwrap();
    ids
}

#[tokio::test]
async fn one_review_per_shopper_per_product_and_writing_again_edits_it() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = ReviewPolicy::default();
        let first = write_review(db, "alice", "A", &review(4), &policy, &TierGrowth, NOW)
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
        let edited = write_review(
            db,
            "alice",
            "A",
            &again,
            &policy,
            &TierGrowth,
            NOW + Millis(1),
        )
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
            write_review(db, "bob", "A", &review(5), &policy, &TierGrowth, NOW)
                .await
                .unwrap()
                .status,
            ReviewStatus::Pending
        );
        assert_eq!(
            write_review(db, "alice", "A", &review(2), &policy, &TierGrowth, NOW)
                .await
                .unwrap()
                .status,
            ReviewStatus::Pending
        );
        assert!(
            list(
                db,
                "A",
                ReviewSort::Newest,
                ReviewFilter::default(),
                0,
                10,
                &crate::flows::tier_badges::TierBadges
            )
            .await
            .unwrap()
            .is_empty()
        );
        assert_eq!(summary(db, "A").await.unwrap().count, 0);
    }
}

#[tokio::test]
async fn star_badges_read_many_products_at_once_and_leave_unknown_ones_out() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = ReviewPolicy::default();
        write_review(db, "alice", "A", &review(5), &policy, &TierGrowth, NOW)
            .await
            .unwrap();
        let skus = ["B", "NO-SUCH-SKU", "A"].map(str::to_owned);
        let ratings = star_ratings(db, &skus).await.unwrap();
        assert_eq!(
            ratings,
            vec![
                StarRating {
                    sku: "A".into(),
                    count: 1,
                    average: Some(5.0)
                },
                StarRating {
                    sku: "B".into(),
                    count: 0,
                    average: None
                },
            ]
        );
        assert!(star_ratings(db, &[]).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn an_unknown_product_has_no_summary_rather_than_no_reviews() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        match summary(db, "NO-SUCH-SKU").await {
            Err(StoreError::Rejected(error)) => {
                assert_eq!(error.status(), 404);
                assert_eq!(error.field.as_deref(), Some("sku"));
                assert_eq!(error.message, "There is no such product.");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
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
            let StoreError::Rejected(error) =
                write_review(db, "alice", sku, &input, &policy, &TierGrowth, NOW)
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
        write_review(db, "alice", "A", &review(4), &strict, &TierGrowth, NOW)
            .await
            .unwrap();
        let StoreError::Rejected(error) =
            write_review(db, "alice", "B", &review(4), &strict, &TierGrowth, NOW)
                .await
                .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.code, ErrorCode::RateLimited);
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
        let published = write_review(db, "alice", "A", &review(4), &policy, &TierGrowth, NOW)
            .await
            .unwrap();
        let pending = write_review(db, "bob", "A", &review(5), &policy, &TierGrowth, NOW)
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
        assert_eq!(error.code, ErrorCode::Forbidden);
        let StoreError::Rejected(error) = vote(db, "alice", pending.id, Some(true), &policy, NOW)
            .await
            .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.code, ErrorCode::NotFound);
        let StoreError::Rejected(error) = vote(db, "alice", 999_999, Some(true), &policy, NOW)
            .await
            .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.code, ErrorCode::NotFound);
        assert_eq!(count(db, "helpful_votes").await, 0);

        let hasty = ReviewPolicy {
            votes_per_minute: 1,
            ..policy
        };
        vote(db, "bob", published.id, Some(true), &hasty, NOW)
            .await
            .unwrap();
        let StoreError::Rejected(error) = vote(
            db,
            "bob",
            published.id,
            Some(false),
            &hasty,
            NOW + Millis(1),
        )
        .await
        .unwrap_err() else {
            panic!()
        };
        assert_eq!(error.code, ErrorCode::RateLimited);
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
        let published = write_review(db, "alice", "A", &review(4), &policy, &TierGrowth, NOW)
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
            &crate::flows::tier_badges::TierBadges,
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
        let published = write_review(db, "alice", "A", &review(4), &policy, &TierGrowth, NOW)
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
            &crate::flows::tier_badges::TierBadges,
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
        let few = write_review(db, &voters[0], "A", &review(5), &policy, &TierGrowth, NOW)
            .await
            .unwrap();
        let many = write_review(
            db,
            &voters[1],
            "A",
            &review(3),
            &policy,
            &TierGrowth,
            NOW - Millis(1),
        )
        .await
        .unwrap();
        let newest = write_review(
            db,
            &voters[2],
            "A",
            &review(1),
            &policy,
            &TierGrowth,
            NOW + Millis(1),
        )
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
            &crate::flows::tier_badges::TierBadges,
        )
        .await
        .unwrap();
        assert_eq!((helpful[0].helpful, helpful[0].not_helpful), (93, 5));
        assert_eq!(order(helpful), vec![many.id, few.id, newest.id]);
        assert_eq!(
            order(
                list(
                    db,
                    "A",
                    ReviewSort::Newest,
                    ReviewFilter::default(),
                    0,
                    10,
                    &crate::flows::tier_badges::TierBadges
                )
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
                    10,
                    &crate::flows::tier_badges::TierBadges
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
                    1,
                    &crate::flows::tier_badges::TierBadges
                )
                .await
                .unwrap()
            ),
            vec![many.id]
        );
        let five_stars = ReviewFilter {
            stars: Some(5),
            ..Default::default()
        };
        assert_eq!(
            order(
                list(
                    db,
                    "A",
                    ReviewSort::Newest,
                    five_stars,
                    0,
                    10,
                    &crate::flows::tier_badges::TierBadges
                )
                .await
                .unwrap()
            ),
            vec![few.id]
        );
        let verified = ReviewFilter {
            verified_only: true,
            ..Default::default()
        };
        assert!(
            list(
                db,
                "A",
                ReviewSort::Newest,
                verified,
                0,
                10,
                &crate::flows::tier_badges::TierBadges
            )
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
        let published = write_review(db, "alice", "A", &review(4), &policy, &TierGrowth, NOW)
            .await
            .unwrap();
        let StoreError::Rejected(error) =
            report(db, "bob", published.id, " ", &policy, &TierGrowth, NOW)
                .await
                .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.field.as_deref(), Some("reason"));
        report(
            db,
            "bob",
            published.id,
            "Spam link",
            &policy,
            &TierGrowth,
            NOW,
        )
        .await
        .unwrap();
        let StoreError::Rejected(error) =
            report(db, "bob", published.id, "Again", &policy, &TierGrowth, NOW)
                .await
                .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.code, ErrorCode::Conflict);
        assert!(
            list(
                db,
                "A",
                ReviewSort::Newest,
                ReviewFilter::default(),
                0,
                10,
                &crate::flows::tier_badges::TierBadges
            )
            .await
            .unwrap()
            .is_empty()
        );

        // Editing a reported review does not put it back in the list behind the merchant's back.
        let edited = write_review(
            db,
            "alice",
            "A",
            &review(5),
            &policy,
            &TierGrowth,
            NOW + Millis(1),
        )
        .await
        .unwrap();
        assert_eq!(edited.status, ReviewStatus::Pending);
        let reported = moderation_queue(db, ModerationQueue::Reported, 0, 10)
            .await
            .unwrap();
        assert_eq!(reported.len(), 1);
        assert_eq!(reported[0].open_reports[0].reason, "Spam link");
        assert_eq!(
            (reported[0].sku.as_str(), reported[0].product_title.as_str()),
            ("A", "Teapot A")
        );
        assert!(
            moderation_queue(db, ModerationQueue::Pending, 0, 10)
                .await
                .unwrap()
                .is_empty(),
            "a reported review is in the reported queue only"
        );

        let reject = |reason: &str| ModerationDecision::Reject {
            reason: reason.into(),
        };
        let StoreError::Rejected(error) = decide(
            db,
            published.id,
            &reject("  "),
            "merchant:ops",
            &policy,
            &TierGrowth,
            NOW,
        )
        .await
        .unwrap_err() else {
            panic!()
        };
        assert_eq!(error.field.as_deref(), Some("reason"));
        let StoreError::Rejected(error) = decide(
            db,
            published.id,
            &ModerationDecision::Restore,
            "merchant:ops",
            &policy,
            &TierGrowth,
            NOW,
        )
        .await
        .unwrap_err() else {
            panic!()
        };
        assert_eq!(
            error.code,
            ErrorCode::Conflict,
            "only a rejected review can be restored"
        );
        // Edited since it was reported, it waits for a merchant again.
        assert_eq!(
            error.message_in("en"),
            "This review is waiting for moderation now; reload to see its current status."
        );
        assert_eq!(
            error.message_in("zh-CN"),
            "这条评价目前正在等待审核；请刷新页面查看当前状态。"
        );
        let rejected = decide(
            db,
            published.id,
            &reject("Contains a link"),
            "merchant:ops",
            &policy,
            &TierGrowth,
            NOW + Millis(2),
        )
        .await
        .unwrap();
        assert_eq!(
            (rejected.status, rejected.rejection_reason.as_deref()),
            (ReviewStatus::Rejected, Some("Contains a link"))
        );
        assert!(
            moderation_queue(db, ModerationQueue::Reported, 0, 10)
                .await
                .unwrap()
                .is_empty(),
            "a decision closes the reports"
        );
        let restored = decide(
            db,
            published.id,
            &ModerationDecision::Restore,
            "merchant:ops",
            &policy,
            &TierGrowth,
            NOW + Millis(3),
        )
        .await
        .unwrap();
        assert_eq!(
            (restored.status, restored.rejection_reason),
            (ReviewStatus::Published, None)
        );
        let StoreError::Rejected(error) = decide(
            db,
            published.id,
            &ModerationDecision::Approve,
            "merchant:ops",
            &policy,
            &TierGrowth,
            NOW + Millis(4),
        )
        .await
        .unwrap_err() else {
            panic!()
        };
        assert_eq!(
            error.code,
            ErrorCode::Conflict,
            "approving twice is refused"
        );
        assert_eq!(
            list(
                db,
                "A",
                ReviewSort::Newest,
                ReviewFilter::default(),
                0,
                10,
                &crate::flows::tier_badges::TierBadges
            )
            .await
            .unwrap()
            .len(),
            1
        );
        let history: Vec<String> = moderation_history(db, published.id)
            .await
            .unwrap()
            .iter()
            .map(|entry| format!("{} {} {}", entry.actor, entry.action, entry.to_status))
            .collect();
        assert_eq!(
            history,
            [
                "shopper:alice written published",
                "shopper:bob reported pending",
                "shopper:alice edited pending",
                "merchant:ops rejected rejected",
                "merchant:ops restored published"
            ]
        );
        let StoreError::Rejected(error) = moderation_history(db, 999_999).await.unwrap_err() else {
            panic!()
        };
        assert_eq!(error.code, ErrorCode::NotFound);
    }
}

#[tokio::test]
async fn published_verified_reviews_earn_points_up_to_the_monthly_cap() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let skus: Vec<String> = (0..4).map(|i| format!("P{i}")).collect();
        let products: Vec<_> = skus.iter().map(|sku| product_input(sku, 500, 5)).collect();
        add_products(db, &products).await;
        let order = OrderInput {
            order_id: "O-2".into(),
            shopper_id: "alice".into(),
            currency: "CNY".into(),
            lines: skus
                .iter()
                .map(|sku| OrderLineInput {
                    sku: sku.clone(),
                    quantity: 1,
                    unit_price_minor: 500,
                })
                .collect(),
            shipping_minor: 0,
            tax_minor: 0,
            placed_at: None,
        };
        record_order(db, "k-2", &order, &TierGrowth, NOW - DAY_MS)
            .await
            .unwrap();
        let policy = ReviewPolicy {
            points: ReviewPoints {
                per_review: 10,
                monthly_cap: 25,
            },
            ..Default::default()
        };
        // bob's review of A is not a verified purchase: it is held for moderation and earns nothing.
        let unverified = write_review(db, "bob", "A", &review(5), &policy, &TierGrowth, NOW)
            .await
            .unwrap();
        decide(
            db,
            unverified.id,
            &ModerationDecision::Approve,
            "merchant:ops",
            &policy,
            &TierGrowth,
            NOW,
        )
        .await
        .unwrap();
        assert!(points_of(db, "bob").await.unwrap().is_empty());

        let mut written = Vec::new();
        for (minute, sku) in skus.iter().take(3).enumerate() {
            written.push(
                write_review(
                    db,
                    "alice",
                    sku,
                    &review(5),
                    &policy,
                    &TierGrowth,
                    NOW + Millis(minute as i64),
                )
                .await
                .unwrap(),
            );
        }
        let awards = points_of(db, "alice").await.unwrap();
        let points: Vec<(i64, bool)> = awards.iter().map(|a| (a.points, a.capped)).collect();
        assert_eq!(
            points,
            [(5, true), (10, false), (10, false)],
            "newest first"
        );

        // Rejecting a review takes its points back; that frees room under the cap for the next one.
        decide(
            db,
            written[0].id,
            &ModerationDecision::Reject {
                reason: "Off topic".into(),
            },
            "merchant:ops",
            &policy,
            &TierGrowth,
            NOW + Millis(10),
        )
        .await
        .unwrap();
        write_review(
            db,
            "alice",
            &skus[3],
            &review(5),
            &policy,
            &TierGrowth,
            NOW + Millis(11),
        )
        .await
        .unwrap();
        let awards = points_of(db, "alice").await.unwrap();
        let counted: i64 = awards.iter().filter(|a| !a.revoked).map(|a| a.points).sum();
        assert_eq!(counted, 25);
        assert_eq!(awards.iter().filter(|a| a.revoked).count(), 1);
        // Editing a published review keeps its one award.
        write_review(
            db,
            "alice",
            &skus[1],
            &review(4),
            &policy,
            &TierGrowth,
            NOW + Millis(12),
        )
        .await
        .unwrap();
        assert_eq!(count(db, "review_points").await, 4);
        assert!(awards.iter().all(|a| a.month == "2027-01"), "{awards:?}");
    }
}

#[tokio::test]
async fn a_review_rates_only_the_criteria_of_its_category() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let tea = crate::catalog::CategoryInput {
            slug: "tea".into(),
            name: "Tea".into(),
            translations: BTreeMap::new(),
            position: 1,
            review_criteria: Some(vec!["taste".into(), "freshness".into()]),
            repeatable: true,
        };
        crate::catalog::ssr::upsert_categories(db, &[tea])
            .await
            .unwrap();
        let mut oolong = product_input("OOLONG", 3_000, 5);
        oolong.category = "tea".into();
        add_products(db, &[oolong]).await;
        let policy = ReviewPolicy::default();

        let StoreError::Rejected(error) =
            write_review(db, "alice", "OOLONG", &review(5), &policy, &TierGrowth, NOW)
                .await
                .unwrap_err()
        else {
            panic!()
        };
        assert_eq!(error.field.as_deref(), Some("criteria.quality"));
        assert!(
            error.message.contains("taste, freshness"),
            "{}",
            error.message
        );
        let StoreError::Rejected(error) = write_review(
            db,
            "alice",
            "OOLONG",
            &ReviewInput {
                criteria: BTreeMap::from([("smell".to_owned(), 4)]),
                ..review(5)
            },
            &policy,
            &TierGrowth,
            NOW,
        )
        .await
        .unwrap_err() else {
            panic!()
        };
        assert_eq!(error.field.as_deref(), Some("criteria.smell"));
        assert_eq!(
            count(db, "reviews").await,
            0,
            "a refused review changes nothing"
        );

        let tasted = ReviewInput {
            criteria: BTreeMap::from([("taste".to_owned(), 5), ("freshness".to_owned(), 3)]),
            ..review(4)
        };
        let pending = write_review(db, "bob", "OOLONG", &tasted, &policy, &TierGrowth, NOW)
            .await
            .unwrap();
        decide(
            db,
            pending.id,
            &ModerationDecision::Approve,
            "merchant:ops",
            &policy,
            &TierGrowth,
            NOW,
        )
        .await
        .unwrap();
        let summary = summary(db, "OOLONG").await.unwrap();
        assert_eq!(summary.criteria_asked, ["taste", "freshness"]);
        assert_eq!(summary.criteria.get("freshness"), Some(&3.0));
        assert_eq!(
            super::summary(db, "A").await.unwrap().criteria_asked,
            ["quality", "value", "delivery"]
        );
    }
}

/// The summary of A counted again from every published review, with the queries that read it before it was kept
/// per product.
async fn recounted(db: &Db) -> ReviewSummary {
    let mut histogram = [0i64; 5];
    let by_stars: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT r.rating, COUNT(*) FROM reviews r JOIN products p ON p.id = r.product_id \
         WHERE p.sku = 'A' AND r.status = 'published' GROUP BY r.rating",
    )
    .fetch_all(db.reader())
    .await
    .unwrap();
    for (stars, reviews) in by_stars {
        histogram[(5 - stars) as usize] = reviews;
    }
    let count: i64 = histogram.iter().sum();
    let stars: i64 = histogram
        .iter()
        .zip([5, 4, 3, 2, 1])
        .map(|(n, s)| n * s)
        .sum();
    let tenth = |value: f64| (value * 10.0).round() / 10.0;
    let criteria: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT q.criterion, CAST(SUM(q.rating) AS BIGINT), COUNT(*) FROM review_ratings q \
         JOIN reviews r ON r.id = q.review_id JOIN products p ON p.id = r.product_id \
         WHERE p.sku = 'A' AND r.status = 'published' GROUP BY q.criterion",
    )
    .fetch_all(db.reader())
    .await
    .unwrap();
    ReviewSummary {
        count,
        average: (count > 0).then(|| tenth(stars as f64 / count as f64)),
        histogram,
        criteria: criteria
            .into_iter()
            .map(|(criterion, total, ratings)| (criterion, tenth(total as f64 / ratings as f64)))
            .collect(),
        criteria_asked: summary(db, "A").await.unwrap().criteria_asked,
    }
}

/// The reviews and votes of the days around `NOW` as the merchant's figures read them (the daily counts, and the
/// rows at a period's ragged ends), against a count of the rows themselves: over a period of whole days and over
/// one that starts and ends mid-day.
async fn daily_counts_match_the_rows(db: &Db, step: &str) {
    let midnight = Millis::days(NOW.div_euclid(DAY_MS));
    // Whole days; from an hour before `NOW` (its day's rows read from the rows, the next day's from the counts);
    // and `NOW`'s day and the next one alone, so that a count kept on the wrong day shows.
    for (from, to) in [
        (midnight - Millis::days(2), midnight + Millis::days(3)),
        (NOW - Millis::hours(1), NOW + Millis::days(2)),
        (midnight, midnight + DAY_MS),
        (midnight + DAY_MS, midnight + Millis::days(2)),
    ] {
        let mut kept: Vec<(i64, i64, i64, String, i64)> = reviews_written(db, from, to)
            .await
            .unwrap()
            .into_iter()
            .map(|day| {
                (
                    day.day,
                    i64::from(day.rating),
                    i64::from(day.verified),
                    day.status.as_str().to_owned(),
                    day.reviews,
                )
            })
            .collect();
        kept.sort();
        let rows: Vec<(i64, i64, i64, String, i64)> = sqlx::query_as(
            "SELECT created_at / 86400000, rating, verified, status, COUNT(*) FROM reviews \
             WHERE created_at >= $1 AND created_at < $2 GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
        )
        .bind(from)
        .bind(to)
        .fetch_all(db.reader())
        .await
        .unwrap();
        assert_eq!(kept, rows, "reviews, {step}");
        let (helpful, votes): (Option<i64>, i64) = sqlx::query_as(
            "SELECT CAST(SUM(helpful) AS BIGINT), COUNT(*) FROM helpful_votes WHERE voted_at >= $1 AND voted_at < $2",
        )
        .bind(from)
        .bind(to)
        .fetch_one(db.reader())
        .await
        .unwrap();
        let helpful = helpful.unwrap_or(0);
        assert_eq!(
            votes_cast(db, from, to).await.unwrap(),
            VotesCast {
                helpful,
                not_helpful: votes - helpful
            },
            "votes, {step}"
        );
    }
}

#[tokio::test]
async fn the_kept_summary_equals_a_recount_after_every_kind_of_change() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = ReviewPolicy::default();
        let status_of = |review: &Review| review.status;
        let check = async |step: &str| {
            assert_eq!(
                summary(db, "A").await.unwrap(),
                recounted(db).await,
                "{step}"
            );
            daily_counts_match_the_rows(db, step).await;
        };
        check("no review").await;

        let alices = write_review(db, "alice", "A", &review(4), &policy, &TierGrowth, NOW)
            .await
            .unwrap();
        assert_eq!(status_of(&alices), ReviewStatus::Published);
        check("a review published as written").await;

        let two_stars = ReviewInput {
            criteria: BTreeMap::from([("quality".to_owned(), 2)]),
            ..review(2)
        };
        let bobs = write_review(db, "bob", "A", &two_stars, &policy, &TierGrowth, NOW)
            .await
            .unwrap();
        assert_eq!(status_of(&bobs), ReviewStatus::Pending);
        check("a review waiting for moderation").await;

        let decide_on = async |id: i64, decision: ModerationDecision| {
            decide(db, id, &decision, "merchant:ops", &policy, &TierGrowth, NOW)
                .await
                .unwrap()
        };
        decide_on(bobs.id, ModerationDecision::Approve).await;
        check("approved").await;
        assert_eq!(summary(db, "A").await.unwrap().histogram, [0, 1, 0, 1, 0]);

        let better = ReviewInput {
            criteria: BTreeMap::from([("value".to_owned(), 1), ("delivery".to_owned(), 5)]),
            ..review(5)
        };
        let edited = write_review(db, "alice", "A", &better, &policy, &TierGrowth, NOW)
            .await
            .unwrap();
        assert_eq!(status_of(&edited), ReviewStatus::Published);
        check("stars and criteria edited while published").await;

        // Votes: cast, changed a day later, withdrawn; the rest go with the review when it is deleted.
        let voters = shoppers(db, 3).await;
        for (voter, helpful) in voters.iter().zip([true, false, true]) {
            vote(db, voter, alices.id, Some(helpful), &policy, NOW)
                .await
                .unwrap();
        }
        check("votes cast").await;
        crate::flows::testing::daily_counts_backfill_the_same(db).await;
        vote(db, &voters[1], alices.id, Some(true), &policy, NOW + DAY_MS)
            .await
            .unwrap();
        check("a vote changed the day after").await;
        vote(db, &voters[2], alices.id, None, &policy, NOW + DAY_MS)
            .await
            .unwrap();
        check("a vote withdrawn").await;

        report(db, "bob", alices.id, "Rude", &policy, &TierGrowth, NOW)
            .await
            .unwrap();
        check("reported, so out of the published ones").await;
        decide_on(
            alices.id,
            ModerationDecision::Reject {
                reason: "Rude".into(),
            },
        )
        .await;
        check("rejected").await;
        decide_on(alices.id, ModerationDecision::Restore).await;
        check("restored").await;

        write_review(db, "bob", "A", &review(3), &policy, &TierGrowth, NOW)
            .await
            .unwrap();
        check("a published review edited back into moderation").await;
        let kept = summary(db, "A").await.unwrap();
        assert_eq!((kept.count, kept.histogram), (1, [1, 0, 0, 0, 0]));

        write_review(db, "bob", "B", &review(4), &policy, &TierGrowth, NOW)
            .await
            .unwrap();
        delete_own_review(db, "alice", "A", &TierGrowth, NOW)
            .await
            .unwrap();
        check("a published review deleted by its author").await;
        delete_own_review(db, "bob", "A", &TierGrowth, NOW)
            .await
            .unwrap();
        check("a review in moderation deleted by its author").await;
        let kept = summary(db, "A").await.unwrap();
        assert_eq!((kept.count, kept.histogram), (0, [0; 5]));

        // The migration's backfill, run again on what is there now, makes the same rows.
        let migration = match db.backend() {
            crate::store::Backend::Sqlite => {
                include_str!("../../../migrations/sqlite/0012_product_ratings.sql")
            }
            crate::store::Backend::Postgres => {
                include_str!("../../../migrations/postgres/0012_product_ratings.sql")
            }
        };
        let backfill = &migration[migration.find("INSERT INTO product_ratings").unwrap()..];
        sqlx::query("DELETE FROM product_ratings")
            .execute(db.reader())
            .await
            .unwrap();
        sqlx::query(backfill).execute(db.reader()).await.unwrap();
        assert_eq!(summary(db, "A").await.unwrap(), kept, "backfilled");

        // So does the daily counts' backfill.
        crate::flows::testing::daily_counts_backfill_the_same(db).await;
    }
}

/// The domain error a store function refused with.
fn refused(error: StoreError) -> AppError {
    match error {
        StoreError::Rejected(error) => error,
        other => panic!("not a refusal: {other:?}"),
    }
}

#[tokio::test]
async fn the_shop_replies_in_public_edits_its_reply_and_keeps_every_version() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = ReviewPolicy::default();
        let written = write_review(db, "alice", "A", &review(4), &policy, &TierGrowth, NOW)
            .await
            .unwrap();
        assert_eq!(written.reply, None);

        let replied = reply(
            db,
            written.id,
            Some("  Thank you, Alice!  "),
            "merchant:Tao",
            NOW,
        )
        .await
        .unwrap();
        let first = replied.reply.clone().unwrap();
        assert_eq!(
            first,
            ShopReply {
                body: "Thank you, Alice!".into(),
                replied_at: NOW,
                edited: false
            }
        );
        let listed = list(
            db,
            "A",
            ReviewSort::Newest,
            ReviewFilter::default(),
            0,
            10,
            &crate::flows::tier_badges::TierBadges,
        )
        .await
        .unwrap();
        assert_eq!(listed[0].reply, Some(first));

        let later = NOW + Millis::minutes(5);
        let edited = reply(
            db,
            written.id,
            Some("Thank you! A refill is on its way."),
            "api-key:ab12cd34",
            later,
        )
        .await
        .unwrap()
        .reply
        .unwrap();
        assert_eq!((edited.replied_at, edited.edited), (NOW, true));
        // The same text again (a form sent twice) adds no version.
        reply(
            db,
            written.id,
            Some("Thank you! A refill is on its way."),
            "merchant:Tao",
            later,
        )
        .await
        .unwrap();
        let taken_down = reply(
            db,
            written.id,
            None,
            "merchant:Tao",
            later + Millis::minutes(1),
        )
        .await
        .unwrap();
        assert_eq!(taken_down.reply, None);

        let queue = moderation_queue(db, ModerationQueue::Published, 0, 10)
            .await
            .unwrap();
        let versions: Vec<(Option<&str>, &str)> = queue[0]
            .reply_history
            .iter()
            .map(|version| (version.body.as_deref(), version.actor.as_str()))
            .collect();
        assert_eq!(
            versions,
            [
                (Some("Thank you, Alice!"), "merchant:Tao"),
                (
                    Some("Thank you! A refill is on its way."),
                    "api-key:ab12cd34"
                ),
                (None, "merchant:Tao"),
            ]
        );

        // Bad replies are refused and change nothing.
        for (body, field) in [("   ", "body"), (&*"x".repeat(2001), "body")] {
            let error = reply(db, written.id, Some(body), "merchant:Tao", later)
                .await
                .unwrap_err();
            let error = refused(error);
            assert_eq!((error.status(), error.field.as_deref()), (422, Some(field)));
        }
        let unknown = reply(db, written.id + 1000, Some("Hello"), "merchant:Tao", later)
            .await
            .unwrap_err();
        assert_eq!(refused(unknown).status(), 404);
        assert_eq!(count(db, "review_reply_history").await, 3);
        assert_eq!(count(db, "review_replies").await, 0);
    }
}

#[tokio::test]
async fn authors_see_where_their_reviews_stand_and_take_them_back() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = ReviewPolicy::default();
        assert_eq!(own_review(db, "alice", "A").await.unwrap(), None);
        let written = write_review(db, "alice", "A", &review(4), &policy, &TierGrowth, NOW)
            .await
            .unwrap();
        write_review(
            db,
            "alice",
            "B",
            &review(5),
            &policy,
            &TierGrowth,
            NOW + Millis(1),
        )
        .await
        .unwrap();
        let reason = "Please leave out the phone number.";
        decide(
            db,
            written.id,
            &ModerationDecision::Reject {
                reason: reason.into(),
            },
            "merchant:Tao",
            &policy,
            &TierGrowth,
            NOW + Millis(2),
        )
        .await
        .unwrap();

        let mine = own_review(db, "alice", "A").await.unwrap().unwrap();
        assert_eq!(
            (mine.status, mine.rejection_reason.as_deref()),
            (ReviewStatus::Rejected, Some(reason))
        );
        assert_eq!(mine.criteria.get("quality"), Some(&5));
        assert_eq!(
            own_review(db, "bob", "A").await.unwrap(),
            None,
            "only the author's own"
        );
        let all_mine: Vec<(String, ReviewStatus)> = own_reviews(db, "alice")
            .await
            .unwrap()
            .into_iter()
            .map(|own| (own.sku, own.review.status))
            .collect();
        assert_eq!(
            all_mine,
            [
                ("B".to_owned(), ReviewStatus::Pending),
                ("A".to_owned(), ReviewStatus::Rejected)
            ]
        );

        // Edited and sent again, it is judged afresh, and the old reason goes.
        let resubmitted = write_review(
            db,
            "alice",
            "A",
            &review(4),
            &policy,
            &TierGrowth,
            NOW + Millis(3),
        )
        .await
        .unwrap();
        assert_eq!(
            (resubmitted.status, resubmitted.rejection_reason),
            (ReviewStatus::Published, None)
        );
        vote(
            db,
            "bob",
            resubmitted.id,
            Some(true),
            &policy,
            NOW + Millis(4),
        )
        .await
        .unwrap();
        reply(
            db,
            resubmitted.id,
            Some("Thanks!"),
            "merchant:Tao",
            NOW + Millis(5),
        )
        .await
        .unwrap();
        assert_eq!(count(db, "review_points").await, 1);

        delete_own_review(db, "alice", "A", &TierGrowth, NOW + Millis(6))
            .await
            .unwrap();
        assert_eq!(own_review(db, "alice", "A").await.unwrap(), None);
        for table in [
            "helpful_votes",
            "review_replies",
            "review_points",
            "review_ratings",
        ] {
            let left: i64 = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM {table} WHERE review_id = $1"
            ))
            .bind(resubmitted.id)
            .fetch_one(db.reader())
            .await
            .unwrap();
            assert_eq!(left, 0, "{table}");
        }
        // Taking back a review that is not there, or another shopper's, is a 404 that changes nothing.
        for (shopper, sku) in [("alice", "A"), ("bob", "B")] {
            let error = delete_own_review(db, shopper, sku, &TierGrowth, NOW + Millis(7))
                .await
                .unwrap_err();
            let error = refused(error);
            assert_eq!(error.status(), 404, "{shopper} {sku}");
        }
        assert_eq!(own_reviews(db, "alice").await.unwrap().len(), 1);

        // Written again, the review earns no points afresh.
        let again = write_review(
            db,
            "alice",
            "A",
            &review(5),
            &policy,
            &TierGrowth,
            NOW + Millis(8),
        )
        .await
        .unwrap();
        assert_eq!(again.status, ReviewStatus::Published);
        assert_eq!(count(db, "review_points").await, 0);
    }
}

#[tokio::test]
async fn deleting_and_writing_again_counts_against_the_daily_limit() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = ReviewPolicy {
            reviews_per_day: 3,
            ..ReviewPolicy::default()
        };
        // Each deletion stays in the count after its review is gone: three write-and-delete rounds fill the day.
        for round in 0..3 {
            let at = NOW + Millis(2 * round);
            write_review(db, "bob", "A", &review(4), &policy, &TierGrowth, at)
                .await
                .unwrap();
            delete_own_review(db, "bob", "A", &TierGrowth, at + Millis(1))
                .await
                .unwrap();
        }
        let error = write_review(
            db,
            "bob",
            "A",
            &review(4),
            &policy,
            &TierGrowth,
            NOW + Millis(6),
        )
        .await
        .unwrap_err();
        assert_eq!(refused(error).status(), 429);
        // A day after the first, a slot is free again.
        write_review(
            db,
            "bob",
            "A",
            &review(4),
            &policy,
            &TierGrowth,
            NOW + DAY_MS + Millis(1),
        )
        .await
        .unwrap();
    }
}

/// A photo as if uploaded: names of the kind `Files::put` gives, numbered.
fn new_photo(n: u64) -> NewPhoto {
    NewPhoto {
        display_key: format!("{n:064x}.jpg"),
        thumb_key: format!("{:064x}.jpg", 1_000 + n),
        width: 1600,
        height: 1200,
    }
}

fn photo_ids(review: &Review) -> Vec<i64> {
    review.photos.iter().map(|photo| photo.id).collect()
}

#[tokio::test]
async fn photos_go_with_their_review_and_a_merchant_can_take_one_off() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = ReviewPolicy::default();
        let mut ids = Vec::new();
        for n in 0..6 {
            ids.push(
                add_upload(db, "alice", &new_photo(n), &policy, NOW)
                    .await
                    .unwrap()
                    .id,
            );
        }
        let write = |shopper: &'static str, photos: Vec<i64>| {
            let input = ReviewInput {
                photos: Some(photos),
                ..review(5)
            };
            async move { write_review(db, shopper, "A", &input, &policy, &TierGrowth, NOW).await }
        };
        let six = refused(write("alice", ids.clone()).await.unwrap_err());
        assert_eq!((six.status(), six.field.as_deref()), (422, Some("photos")));
        let twice = refused(write("alice", vec![ids[0], ids[0]]).await.unwrap_err());
        assert_eq!(twice.status(), 422);
        let not_hers = refused(write("bob", vec![ids[0]]).await.unwrap_err());
        assert_eq!(
            (not_hers.status(), not_hers.field.as_deref()),
            (422, Some("photos"))
        );
        assert_eq!(
            count(db, "reviews").await,
            0,
            "a refused review changes nothing"
        );

        let written = write("alice", vec![ids[1], ids[0]]).await.unwrap();
        assert_eq!(written.status, ReviewStatus::Published);
        assert_eq!(
            photo_ids(&written),
            vec![ids[1], ids[0]],
            "in the author's order"
        );
        assert_eq!(written.photos[0].url, format!("/photos/{:064x}.jpg", 1));
        assert_eq!(
            written.photos[0].thumb_url,
            format!("/photos/{:064x}.jpg", 1_001)
        );
        let with_photos = ReviewFilter {
            with_photos: true,
            ..Default::default()
        };
        let badges = crate::flows::tier_badges::TierBadges;
        let listed = list(db, "A", ReviewSort::Newest, with_photos, 0, 10, &badges)
            .await
            .unwrap();
        assert_eq!(
            listed.iter().map(photo_ids).collect::<Vec<_>>(),
            vec![vec![ids[1], ids[0]]]
        );

        // Bob's review has no photo: the filter leaves it out.
        let bob = write_review(db, "bob", "A", &review(4), &policy, &TierGrowth, NOW)
            .await
            .unwrap();
        decide(
            db,
            bob.id,
            &ModerationDecision::Approve,
            "merchant:ann",
            &policy,
            &TierGrowth,
            NOW,
        )
        .await
        .unwrap();
        let all_of_a = list(
            db,
            "A",
            ReviewSort::Newest,
            ReviewFilter::default(),
            0,
            10,
            &badges,
        )
        .await
        .unwrap();
        assert_eq!(all_of_a.len(), 2);
        let listed = list(db, "A", ReviewSort::Newest, with_photos, 0, 10, &badges)
            .await
            .unwrap();
        assert_eq!(
            listed.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![written.id]
        );

        // Editing keeps one photo and adds another: the one left out is an unsent upload again, for the day.
        let edited = write("alice", vec![ids[0], ids[2]]).await.unwrap();
        assert_eq!(photo_ids(&edited), vec![ids[0], ids[2]]);
        assert!(sweep(db, NOW).await.unwrap().is_empty());
        let without = ReviewInput {
            photos: None,
            ..review(4)
        };
        let kept = write_review(db, "alice", "A", &without, &policy, &TierGrowth, NOW)
            .await
            .unwrap();
        assert_eq!(
            photo_ids(&kept),
            vec![ids[0], ids[2]],
            "a client that sends no list keeps the photos"
        );

        let (after, keys) = remove_photo(db, written.id, ids[0], "merchant:ann", NOW)
            .await
            .unwrap();
        assert_eq!(photo_ids(&after), vec![ids[2]]);
        assert_eq!(
            (after.title.as_str(), after.status),
            ("Pours well", ReviewStatus::Published)
        );
        assert_eq!(keys, vec![new_photo(0).display_key, new_photo(0).thumb_key]);
        let history = moderation_history(db, written.id).await.unwrap();
        let last = history.last().unwrap();
        assert_eq!(
            (last.action.as_str(), last.actor.as_str()),
            ("photo_removed", "merchant:ann")
        );
        for (review_id, photo_id) in [
            (written.id, ids[0]),
            (bob.id, ids[2]),
            (written.id, 999_999),
        ] {
            let missing = refused(
                remove_photo(db, review_id, photo_id, "merchant:ann", NOW)
                    .await
                    .unwrap_err(),
            );
            assert_eq!(
                (missing.status(), missing.field.as_deref()),
                (404, Some("photo_id"))
            );
        }
        let no_review = refused(
            remove_photo(db, 999_999, ids[2], "merchant:ann", NOW)
                .await
                .unwrap_err(),
        );
        assert_eq!(no_review.status(), 404);

        // Deleting the review takes its photo at once; uploads never sent (or taken off) go a day after they came.
        delete_own_review(db, "alice", "A", &TierGrowth, NOW)
            .await
            .unwrap();
        let mut swept = sweep(db, NOW).await.unwrap();
        swept.sort();
        assert_eq!(
            swept,
            vec![new_photo(2).display_key, new_photo(2).thumb_key]
        );
        assert!(
            sweep(db, NOW).await.unwrap().is_empty(),
            "the unsent uploads have a day"
        );
        assert_eq!(sweep(db, NOW + DAY_MS).await.unwrap().len(), 4 * 2);
        assert_eq!(count(db, "review_photos").await, 0);
    }
}

#[tokio::test]
async fn uploads_are_limited_per_day_and_refused_before_the_photo_is_read() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = ReviewPolicy {
            photos_per_day: 2,
            ..Default::default()
        };
        for n in 0..2 {
            photo_allowance(db, "alice", &policy, NOW).await.unwrap();
            add_upload(db, "alice", &new_photo(n), &policy, NOW + Millis(n as i64))
                .await
                .unwrap();
        }
        let early = refused(
            photo_allowance(db, "alice", &policy, NOW)
                .await
                .unwrap_err(),
        );
        assert_eq!(early.status(), 429);
        let third = refused(
            add_upload(db, "alice", &new_photo(2), &policy, NOW)
                .await
                .unwrap_err(),
        );
        assert_eq!(third.status(), 429);
        assert_eq!(count(db, "review_photos").await, 2);
        photo_allowance(db, "bob", &policy, NOW).await.unwrap();
        photo_allowance(db, "alice", &policy, NOW + DAY_MS)
            .await
            .unwrap();
        let stranger = refused(
            photo_allowance(db, "nobody", &policy, NOW)
                .await
                .unwrap_err(),
        );
        assert_eq!(stranger.status(), 404);
    }
}

#[tokio::test]
async fn a_file_is_forgotten_only_when_no_photo_names_it() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = ReviewPolicy::default();
        let dir = tempfile::tempdir().unwrap();
        let files = crate::store::files::Files::on_disk(dir.path());
        let key = files.put(b"the same picture", "jpg").await.unwrap();
        let same = NewPhoto {
            display_key: key.clone(),
            thumb_key: key.clone(),
            width: 1,
            height: 1,
        };
        // Alice and Bob upload the same picture: one file, two photos.
        add_upload(db, "alice", &same, &policy, NOW).await.unwrap();
        add_upload(db, "bob", &same, &policy, NOW + DAY_MS)
            .await
            .unwrap();
        let swept = sweep(db, NOW + DAY_MS).await.unwrap();
        assert_eq!(swept.len(), 2, "alice's upload went unsent");
        forget_unnamed(db, &files, &swept).await.unwrap();
        assert!(
            files.read(&key).await.unwrap().is_some(),
            "bob's photo still names it"
        );
        let swept = sweep(db, NOW + 2 * DAY_MS).await.unwrap();
        forget_unnamed(db, &files, &swept).await.unwrap();
        assert!(files.read(&key).await.unwrap().is_none());
    }
}
