use super::*;
use crate::flows::testing::{add_kitchen, add_products, add_shopper, product_input};
use crate::flows::tier_growth::TierGrowth;
use crate::kernel::time::parse_rfc3339;
use crate::orders::ssr::{cancel_order, record_order, record_refund};
use crate::orders::{OrderInput, OrderLineInput, RefundInput};
use crate::store::testing::{all, count};

fn at(text: &str) -> Millis {
    parse_rfc3339(text).unwrap()
}

/// The default rules without a return window, so that spend counts at once.
fn rules() -> TierRules {
    TierRules {
        return_window_days: 0,
        ..TierRules::default()
    }
}

async fn shop(db: &Db) {
    add_kitchen(db).await;
    add_products(db, &[product_input("A", 100_000, 1_000)]).await;
    for shopper in ["alice", "bob", "carol"] {
        add_shopper(db, shopper).await;
    }
    save_rules(db, &rules(), "test", Millis(1)).await.unwrap();
}

async fn buy(db: &Db, order_id: &str, shopper: &str, units: i64, placed_at: &str) {
    let order = OrderInput {
        order_id: order_id.into(),
        shopper_id: shopper.into(),
        currency: "CNY".into(),
        lines: vec![OrderLineInput {
            sku: "A".into(),
            quantity: units,
            unit_price_minor: 100_000,
        }],
        shipping_minor: 1_000,
        tax_minor: 0,
        placed_at: Some(placed_at.into()),
    };
    record_order(
        db,
        &format!("key-{order_id}"),
        &order,
        &TierGrowth,
        at(placed_at),
    )
    .await
    .unwrap();
}

/// A five-star review of the teapot by `shopper`, published under the store's default rules (a verified purchase).
async fn review_teapot(db: &Db, shopper: &str, now: Millis) -> crate::reviews::Review {
    let input = crate::reviews::ReviewInput {
        rating: 5,
        title: "Lovely".into(),
        body: "Pours well and keeps the tea warm.".into(),
        ..Default::default()
    };
    crate::reviews::ssr::write_review(
        db,
        shopper,
        "A",
        &input,
        &Default::default(),
        &TierGrowth,
        now,
    )
    .await
    .unwrap()
}

async fn tier_of(db: &Db, shopper: &str, now: Millis) -> (String, i64) {
    let standing = standing_of(db, shopper, now).await.unwrap();
    (
        standing.rules.tier(standing.rank).code.clone(),
        standing.growth.amount_minor,
    )
}

#[tokio::test]
async fn an_order_past_a_threshold_upgrades_at_once_and_is_recorded() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let now = at("2026-11-22T10:00:00Z");
        assert_eq!(tier_of(db, "alice", now).await, ("bronze".into(), 0));
        buy(db, "O-1", "alice", 4, "2026-11-22T09:00:00Z").await;
        assert_eq!(tier_of(db, "alice", now).await, ("silver".into(), 400_000));
        buy(db, "O-2", "alice", 1, "2026-11-22T09:30:00Z").await;
        assert_eq!(tier_of(db, "alice", now).await, ("gold".into(), 500_000));
        let changes: Vec<(Option<String>, String, String)> =
            sqlx::query_as("SELECT from_tier, to_tier, reason FROM tier_changes ORDER BY id")
                .fetch_all(db.reader())
                .await
                .unwrap();
        assert_eq!(
            changes,
            vec![
                (None, "silver".into(), "growth".into()),
                (Some("silver".into()), "gold".into(), "growth".into()),
            ]
        );
    }
}

#[tokio::test]
async fn a_refund_takes_back_growth_but_the_tier_falls_only_at_a_review_and_one_step() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        buy(db, "O-1", "alice", 21, "2026-11-02T09:00:00Z").await;
        let now = at("2026-11-22T10:00:00Z");
        assert_eq!(
            tier_of(db, "alice", now).await,
            ("diamond".into(), 2_100_000)
        );
        let refund = RefundInput {
            amount_minor: 2_000_000,
            refunded_at: None,
        };
        record_refund(db, "refund-1", "O-1", &refund, &TierGrowth, now)
            .await
            .unwrap();
        let standing = standing_of(db, "alice", now).await.unwrap();
        assert_eq!((standing.rank, standing.qualified_rank), (3, 1));
        assert_eq!(standing.growth.amount_minor, 100_000);
        let keep = standing.keep.unwrap();
        assert_eq!(keep.needed.amount_minor, 1_900_000);

        // Reviews before the review date change nothing; the one on 1 January (Beijing) lowers by one tier.
        let summary = review(db, now).await.unwrap();
        assert_eq!(summary.moved_down, 0);
        assert_eq!(tier_of(db, "alice", now).await.0, "diamond");
        assert_eq!(review_state(db, now).await.unwrap().awaiting, 0);
        let january = at("2027-01-02T00:00:00Z");
        assert_eq!(
            review_state(db, january).await.unwrap(),
            ReviewState {
                last_review_at: at("2026-12-31T16:00:00Z"),
                awaiting: 1
            },
            "alice waits for the review of 1 January, Beijing time"
        );
        let summary = review(db, january).await.unwrap();
        assert_eq!(review_state(db, january).await.unwrap().awaiting, 0);
        assert_eq!((summary.moved_down, summary.moved_up), (1, 0));
        assert_eq!(tier_of(db, "alice", january).await.0, "gold");
        // Running it again on the same date does nothing more.
        assert_eq!(review(db, january).await.unwrap().reviewed, 0);
        assert_eq!(tier_of(db, "alice", january).await.0, "gold");
        let april = at("2027-04-01T00:00:00Z");
        review(db, april).await.unwrap();
        assert_eq!(tier_of(db, "alice", april).await.0, "silver");
    }
}

#[tokio::test]
async fn a_new_members_first_orders_arriving_at_once_are_both_counted() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        add_products(db, &[product_input("B", 100_000, 1_000)]).await;
        // Two servers recording carol's first two orders, of different products, at the same moment: neither may
        // fail or lose the other.
        let order = |order_id: &str, sku: &str| OrderInput {
            order_id: order_id.into(),
            shopper_id: "carol".into(),
            currency: "CNY".into(),
            lines: vec![OrderLineInput {
                sku: sku.into(),
                quantity: 6,
                unit_price_minor: 100_000,
            }],
            shipping_minor: 0,
            tax_minor: 0,
            placed_at: Some("2026-11-20T09:00:00Z".into()),
        };
        let (first, second) = (order("O-1", "A"), order("O-2", "B"));
        let placed = at("2026-11-20T09:00:00Z");
        let (one, two) = futures::join!(
            record_order(db, "key-1", &first, &TierGrowth, placed),
            record_order(db, "key-2", &second, &TierGrowth, placed),
        );
        one.unwrap();
        two.unwrap();
        assert_eq!(count(db, "orders").await, 2);
        let now = at("2026-11-22T10:00:00Z");
        assert_eq!(
            tier_of(db, "carol", now).await.1,
            1_200_000,
            "both orders' spend"
        );
        assert_eq!(count(db, "member_tiers").await, 1);
    }
}

#[tokio::test]
async fn a_cancelled_order_counts_nothing() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        buy(db, "O-1", "bob", 2, "2026-11-20T09:00:00Z").await;
        let now = at("2026-11-22T10:00:00Z");
        cancel_order(db, "O-1", &TierGrowth, now).await.unwrap();
        assert_eq!(tier_of(db, "bob", now).await.1, 0);
    }
}

#[tokio::test]
async fn published_reviews_of_bought_products_add_growth_and_rejection_takes_it_back() {
    use crate::reviews::ModerationDecision;
    use crate::reviews::ssr::{ReviewPolicy, decide};
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        buy(db, "O-1", "carol", 1, "2026-11-20T09:00:00Z").await;
        let now = at("2026-11-22T10:00:00Z");
        let policy = ReviewPolicy::default();
        let review = review_teapot(db, "carol", now).await;
        // The order's goods (shipping does not count) and 10 points at ¥1 each.
        assert_eq!(tier_of(db, "carol", now).await.1, 101_000);
        // Readers see the author's badge beside the review.
        let listed = crate::reviews::ssr::list(
            db,
            "A",
            Default::default(),
            Default::default(),
            0,
            10,
            &crate::flows::tier_badges::TierBadges,
        )
        .await
        .unwrap();
        let badge = listed[0]
            .author_tier
            .as_ref()
            .map(|tier| tier.code.as_str());
        assert_eq!(badge, Some("silver"));
        let rejection = ModerationDecision::Reject {
            reason: "Not about the product".into(),
        };
        decide(
            db,
            review.id,
            &rejection,
            "merchant:test",
            &policy,
            &TierGrowth,
            now,
        )
        .await
        .unwrap();
        assert_eq!(tier_of(db, "carol", now).await.1, 100_000);
    }
}

#[tokio::test]
async fn bad_rules_are_refused_and_change_nothing_good_ones_are_versioned_and_used() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let mut bad = rules();
        bad.tiers[2].threshold_minor = 50_000;
        let StoreError::Rejected(error) =
            save_rules(db, &bad, "test", Millis(2)).await.unwrap_err()
        else {
            panic!("expected a rejection");
        };
        assert_eq!(error.field.as_deref(), Some("tiers[2].threshold_minor"));
        assert_eq!(count(db, "tier_rules").await, 1);

        let mut cheaper = rules();
        cheaper.tiers[1].threshold_minor = 50_000;
        assert_eq!(
            save_rules(db, &cheaper, "test", Millis(3)).await.unwrap(),
            2
        );
        assert_eq!(rules_in_force(db).await.unwrap(), (2, cheaper));
        buy(db, "O-1", "alice", 1, "2026-11-22T09:00:00Z").await;
        let standing = standing_of(db, "alice", at("2026-11-22T10:00:00Z"))
            .await
            .unwrap();
        assert_eq!((standing.rules_version, standing.rank), (2, 1));
    }
}

#[tokio::test]
async fn an_unknown_shopper_is_not_found() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let StoreError::Rejected(error) = standing_of(db, "nobody", Millis(0)).await.unwrap_err()
        else {
            panic!("expected a rejection");
        };
        assert_eq!(
            (error.code.as_str(), error.field.as_deref()),
            ("not_found", Some("shopper_id"))
        );
    }
}

#[tokio::test]
async fn the_overview_counts_every_shopper_and_the_preview_changes_nothing() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        buy(db, "O-1", "alice", 5, "2026-11-20T09:00:00Z").await;
        buy(db, "O-2", "bob", 4, "2026-11-20T09:00:00Z").await;
        let overview = overview(db).await.unwrap();
        let members: Vec<i64> = overview.distribution.iter().map(|c| c.members).collect();
        assert_eq!(members, vec![1, 1, 1, 0]);
        assert_eq!(overview.close.len(), 1);
        assert_eq!(overview.close[0].shopper_id, "bob");
        assert_eq!(overview.close[0].to_next.amount_minor, 100_000);

        // Gold at ¥6,000 and Silver at ¥300: Alice (¥5,000) would fall to Silver at the review, Bob stays
        // Silver, and Carol, with nothing spent, stays Bronze.
        let mut proposed = rules();
        proposed.tiers[2].threshold_minor = 600_000;
        proposed.tiers[1].threshold_minor = 30_000;
        let before = count(db, "member_tiers").await;
        let preview = preview(db, &proposed, at("2026-11-22T10:00:00Z"))
            .await
            .unwrap();
        assert_eq!(preview.members, 3);
        let now: Vec<i64> = preview.before.iter().map(|c| c.members).collect();
        let after: Vec<i64> = preview.after.iter().map(|c| c.members).collect();
        assert_eq!(now, vec![1, 1, 1, 0]);
        assert_eq!(after, vec![1, 2, 0, 0]);
        assert_eq!((preview.moving_up, preview.moving_down), (0, 1));
        assert_eq!(count(db, "member_tiers").await, before);
        assert_eq!(rules_in_force(db).await.unwrap().1, rules());
    }
}

#[tokio::test]
async fn a_review_places_shoppers_whose_orders_came_before_tiers() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        buy(db, "O-1", "alice", 6, "2026-11-20T09:00:00Z").await;
        sqlx::query("DELETE FROM member_tiers")
            .execute(db.reader())
            .await
            .unwrap();
        let summary = review(db, at("2026-11-22T10:00:00Z")).await.unwrap();
        assert_eq!(summary.reviewed, 1);
        let stored: String = sqlx::query_scalar("SELECT tier FROM member_tiers")
            .fetch_one(db.reader())
            .await
            .unwrap();
        assert_eq!(stored, "gold");
    }
}

#[tokio::test]
async fn pending_spend_moves_a_member_up_once_its_return_window_ends() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let mut with_returns = rules();
        with_returns.return_window_days = 7;
        save_rules(db, &with_returns, "test", Millis(2))
            .await
            .unwrap();
        buy(db, "O-1", "alice", 2, "2026-11-20T09:00:00Z").await;
        let stored = || async {
            sqlx::query_scalar::<_, String>("SELECT tier FROM member_tiers")
                .fetch_one(db.reader())
                .await
                .unwrap()
        };
        assert_eq!(stored().await, "bronze", "¥2,000 is pending for 7 days");
        assert_eq!(settle(db, at("2026-11-27T08:59:59Z")).await.unwrap(), 0);
        assert_eq!(settle(db, at("2026-11-27T09:00:00Z")).await.unwrap(), 1);
        assert_eq!(stored().await, "silver");
        assert_eq!(
            settle(db, at("2026-11-28T00:00:00Z")).await.unwrap(),
            0,
            "done once"
        );
    }
}

/// What `recompute` stored, which the database added up.
async fn stored_growth(db: &Db, shopper: &str) -> (i64, i64) {
    sqlx::query_as(
        "SELECT m.growth_minor, m.pending_minor FROM member_tiers m JOIN shoppers s ON s.id = m.shopper_id \
         WHERE s.external_id = $1",
    )
    .bind(shopper)
    .fetch_one(db.reader())
    .await
    .unwrap()
}

#[tokio::test]
async fn the_database_adds_up_growth_as_the_rules_do() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let mut counting_shipping = rules();
        counting_shipping.count_shipping = true;
        counting_shipping.return_window_days = 7;
        save_rules(db, &counting_shipping, "test", Millis(2))
            .await
            .unwrap();
        let now = at("2026-11-22T10:00:00Z");
        buy(db, "O-1", "alice", 1, "2026-10-01T09:00:00Z").await;
        buy(db, "O-2", "alice", 2, "2026-10-02T09:00:00Z").await;
        buy(db, "O-3", "alice", 1, "2026-10-03T09:00:00Z").await;
        buy(db, "O-4", "alice", 1, "2026-11-20T09:00:00Z").await;
        let usd = OrderInput {
            order_id: "O-5".into(),
            shopper_id: "alice".into(),
            currency: "USD".into(),
            lines: vec![OrderLineInput {
                sku: "A".into(),
                quantity: 1,
                unit_price_minor: 5_000,
            }],
            shipping_minor: 0,
            tax_minor: 0,
            placed_at: Some("2026-10-04T09:00:00Z".into()),
        };
        record_order(db, "key-O-5", &usd, &TierGrowth, now)
            .await
            .unwrap();
        let partial = RefundInput {
            amount_minor: 30_000,
            refunded_at: None,
        };
        record_refund(db, "refund-1", "O-2", &partial, &TierGrowth, now)
            .await
            .unwrap();
        let whole = RefundInput {
            amount_minor: 101_000,
            refunded_at: None,
        };
        record_refund(db, "refund-2", "O-1", &whole, &TierGrowth, now)
            .await
            .unwrap();
        cancel_order(db, "O-3", &TierGrowth, now).await.unwrap();
        review_teapot(db, "alice", now).await;
        let standing = standing_of(db, "alice", now).await.unwrap();
        // O-2 with shipping, less its refund, and 10 review points; O-4 is pending; the rest count nothing.
        assert_eq!(standing.growth.amount_minor, 201_000 - 30_000 + 1_000);
        assert_eq!(standing.pending.amount_minor, 101_000);
        assert_eq!(
            stored_growth(db, "alice").await,
            (standing.growth.amount_minor, standing.pending.amount_minor)
        );
    }
}

#[tokio::test]
async fn growth_carried_forward_from_order_to_order_matches_a_full_count() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let mut with_returns = rules();
        with_returns.return_window_days = 7;
        save_rules(db, &with_returns, "test", Millis(2))
            .await
            .unwrap();
        let order = |id: &str, units: i64, placed_at: &str| OrderInput {
            order_id: id.into(),
            shopper_id: "alice".into(),
            currency: "CNY".into(),
            lines: vec![OrderLineInput {
                sku: "A".into(),
                quantity: units,
                unit_price_minor: 100_000,
            }],
            shipping_minor: 0,
            tax_minor: 0,
            placed_at: Some(placed_at.into()),
        };
        // Each step: an order (some reported late, one from before the window's edge), recorded at `now`.
        let steps = [
            ("O-1", 1, "2025-11-25T00:00:00Z", "2026-11-20T00:00:00Z"),
            ("O-2", 2, "2026-11-21T00:00:00Z", "2026-11-21T00:00:00Z"),
            ("O-3", 4, "2026-11-26T00:00:00Z", "2026-11-26T00:00:00Z"), // O-1 has left the window
            ("O-4", 8, "2026-11-10T00:00:00Z", "2026-11-29T00:00:00Z"), // late; O-2 has settled
            ("O-5", 16, "2026-12-24T00:00:00Z", "2026-12-24T00:00:00Z"), // 25 days on; O-3 has settled
        ];
        for (id, units, placed_at, now) in steps {
            record_order(
                db,
                &format!("key-{id}"),
                &order(id, units, placed_at),
                &TierGrowth,
                at(now),
            )
            .await
            .unwrap();
            let counted = standing_of(db, "alice", at(now)).await.unwrap();
            assert_eq!(
                stored_growth(db, "alice").await,
                (counted.growth.amount_minor, counted.pending.amount_minor),
                "after {id}"
            );
        }
        // Time alone: O-5 settles.
        assert_eq!(settle(db, at("2026-12-31T00:00:00Z")).await.unwrap(), 1);
        assert_eq!(stored_growth(db, "alice").await, (3_000_000, 0));
    }
}

#[tokio::test]
async fn a_draft_is_kept_for_its_merchant_for_a_week() {
    for store in all().await {
        let db = &store.db;
        let mut draft = RulesDraft::from(&rules());
        draft.tiers[1].names.insert("zh-CN".into(), "银卡".into());
        let id = keep_draft(db, "Mei", &draft, true, at("2026-11-01T09:00:00Z"))
            .await
            .unwrap();
        assert_eq!(
            draft_of(db, "Mei", &id).await.unwrap(),
            (draft.clone(), true)
        );
        let other = draft_of(db, "Lan", &id).await.unwrap_err();
        assert_eq!(
            AppError::from(other).status(),
            404,
            "another merchant's draft"
        );

        // A draft made eight days later clears the first away.
        let later = keep_draft(db, "Mei", &draft, false, at("2026-11-09T09:00:00Z"))
            .await
            .unwrap();
        assert!(draft_of(db, "Mei", &id).await.is_err());
        assert!(
            !draft_of(db, "Mei", &later).await.unwrap().1,
            "asked for no preview"
        );
        assert_eq!(count(db, "tier_rule_drafts").await, 1);
    }
}

/// The moves since `from` as the merchant's figures read them (the daily counts, and the moves of `from`'s day
/// after it when `from` is not a midnight), against a count of the moves themselves.
async fn daily_moves_match_the_moves(db: &Db, from: Millis) {
    let mut kept: Vec<(i64, Option<String>, String, bool, i64)> = tier_moves_since(db, from)
        .await
        .unwrap()
        .into_iter()
        .map(|day| (day.day, day.from, day.to, day.at_review, day.members))
        .collect();
    kept.sort();
    let moves: Vec<(i64, Option<String>, String, String, i64)> = sqlx::query_as(
        "SELECT changed_at / 86400000, from_tier, to_tier, reason, COUNT(*) FROM tier_changes \
         WHERE changed_at >= $1 GROUP BY 1, 2, 3, 4",
    )
    .bind(from)
    .fetch_all(db.reader())
    .await
    .unwrap();
    let mut moves: Vec<(i64, Option<String>, String, bool, i64)> = moves
        .into_iter()
        .map(|(day, from, to, reason, members)| (day, from, to, reason == "review", members))
        .collect();
    moves.sort();
    assert_eq!(kept, moves, "since {from:?}");
}

#[tokio::test]
async fn the_daily_moves_count_each_move_once_from_any_start() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        // First tiers on one day, a move up the next, a review's move down in January.
        buy(db, "O-1", "alice", 21, "2026-11-02T09:00:00Z").await;
        buy(db, "O-2", "bob", 4, "2026-11-02T18:00:00Z").await;
        buy(db, "O-3", "bob", 1, "2026-11-03T10:00:00Z").await;
        let refund = RefundInput {
            amount_minor: 2_000_000,
            refunded_at: None,
        };
        record_refund(
            db,
            "refund-1",
            "O-1",
            &refund,
            &TierGrowth,
            at("2026-11-22T10:00:00Z"),
        )
        .await
        .unwrap();
        review(db, at("2027-01-02T00:00:00Z")).await.unwrap();
        assert!(count(db, "tier_changes").await >= 4);
        for from in [
            "2026-11-01T00:00:00Z",
            "2026-11-02T00:00:00Z",
            "2026-11-02T12:00:00Z",
            "2026-11-03T00:00:00Z",
            "2026-12-31T16:00:00Z",
            "2027-02-01T00:00:00Z",
        ] {
            daily_moves_match_the_moves(db, at(from)).await;
        }
        crate::flows::testing::daily_counts_backfill_the_same(db).await;
    }
}
