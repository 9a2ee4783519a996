use super::*;
use crate::catalog::ssr::{change_prices, change_stock, upsert_products};
use crate::catalog::{PriceChange, StockChange};
use crate::flows::catalog_alerts::CatalogAlerts;
use crate::flows::testing::{add_kitchen, add_products, add_shopper, product_input};
use crate::kernel::time::DAY_MS;
use crate::store::testing::{all, count};
use crate::wishlist::rules::WishlistPolicy;

const NOW: Millis = Millis(1_800_000_000_000);
const HOUR: Millis = Millis::hours(1);

fn shopper(id: &str) -> Viewer {
    Viewer::Shopper(id.into())
}

fn price_drop(rule: PriceRule) -> AlertRequest {
    AlertRequest {
        kind: AlertKind::PriceDrop,
        rule,
        email: None,
    }
}

fn back_in_stock() -> AlertRequest {
    AlertRequest {
        kind: AlertKind::BackInStock,
        rule: PriceRule::AnyDrop,
        email: None,
    }
}

async fn reprice(db: &Db, sku: &str, price_minor: i64, policy: &AlertPolicy, at: Millis) {
    change_prices(
        db,
        &[PriceChange {
            sku: sku.into(),
            price_minor,
            currency: "CNY".into(),
        }],
        &CatalogAlerts(policy),
        at,
    )
    .await
    .unwrap();
}

async fn restock(db: &Db, sku: &str, stock: i64, policy: &AlertPolicy, at: Millis) {
    change_stock(
        db,
        &[StockChange {
            sku: sku.into(),
            stock,
        }],
        &CatalogAlerts(policy),
        at,
    )
    .await
    .unwrap();
}

/// The inbox notices of a shopper as (kind, old, new, lowest of 30 days), oldest first.
async fn told(db: &Db, id: &str) -> Vec<(NoticeKind, i64, i64, i64)> {
    let mut notices: Vec<_> = inbox(db, &shopper(id), "en")
        .await
        .unwrap()
        .notices
        .into_iter()
        .map(|n| {
            (
                n.kind,
                n.old_price.amount_minor,
                n.new_price.amount_minor,
                n.lowest_30_days.amount_minor,
            )
        })
        .collect();
    notices.reverse();
    notices
}

async fn shop(db: &Db) {
    add_kitchen(db).await;
    add_products(
        db,
        &[
            product_input("A", 10_000, 5),
            product_input("OUT", 3_000, 0),
        ],
    )
    .await;
    for id in ["alice", "bob", "carol", "dan"] {
        add_shopper(db, id).await;
    }
}

#[tokio::test]
async fn a_real_drop_tells_each_subscriber_once_and_lowers_the_reference() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = AlertPolicy::default();
        subscribe(
            db,
            &shopper("alice"),
            "A",
            &price_drop(PriceRule::AnyDrop),
            "en",
            &policy,
            NOW,
        )
        .await
        .unwrap();
        subscribe(
            db,
            &shopper("bob"),
            "A",
            &price_drop(PriceRule::Below {
                target_minor: 8_000,
            }),
            "en",
            &policy,
            NOW,
        )
        .await
        .unwrap();

        // Hover: ¥100.00 → ¥99.50 is under the minimum drop.
        reprice(db, "A", 9_950, &policy, NOW + HOUR).await;
        assert!(told(db, "alice").await.is_empty());
        // A real drop: alice hears, bob's target is not reached. The lowest of 30 days is the ¥99.50 of an hour ago.
        reprice(db, "A", 9_000, &policy, NOW + 2 * HOUR).await;
        assert_eq!(
            told(db, "alice").await,
            [(NoticeKind::PriceDrop, 9_950, 9_000, 9_950)]
        );
        assert!(told(db, "bob").await.is_empty());
        // A further drop within a day: held back by the cooldown for alice, and bob's target is met.
        reprice(db, "A", 7_900, &policy, NOW + 3 * HOUR).await;
        assert_eq!(told(db, "alice").await.len(), 1);
        assert_eq!(
            told(db, "bob").await,
            [(NoticeKind::PriceDrop, 9_000, 7_900, 9_000)]
        );
        // The next day alice hears of the drop that was held back, measured from her lowered reference.
        reprice(db, "A", 7_800, &policy, NOW + 30 * HOUR).await;
        assert_eq!(told(db, "alice").await.len(), 2);
        let alerts = my_alerts(db, &shopper("alice"), "en").await.unwrap();
        assert_eq!(alerts[0].reference.amount_minor, 7_800);
        // A rise and a fall back to the notified price tell nobody anything new.
        reprice(db, "A", 9_000, &policy, NOW + 60 * HOUR).await;
        reprice(db, "A", 7_800, &policy, NOW + 90 * HOUR).await;
        assert_eq!(told(db, "alice").await.len(), 2);
        assert_eq!(told(db, "bob").await.len(), 1);
        assert_eq!(
            count(db, "notices").await,
            3,
            "inbox only: no email or webhook configured"
        );
    }
}

#[tokio::test]
async fn identical_subscriptions_at_once_make_one_alert_and_all_get_it() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = AlertPolicy {
            email: true,
            ..AlertPolicy::default()
        };
        let guest = AlertRequest {
            email: Some("guest@example.com".into()),
            ..price_drop(PriceRule::AnyDrop)
        };
        for (viewer, request) in [
            (shopper("alice"), price_drop(PriceRule::AnyDrop)),
            (Viewer::Guest("g1".into()), guest),
        ] {
            let attempts =
                (0..20).map(|_| subscribe(db, &viewer, "A", &request, "en", &policy, NOW));
            let alerts: Vec<Alert> = futures::future::join_all(attempts)
                .await
                .into_iter()
                .map(Result::unwrap)
                .collect();
            assert!(
                alerts.iter().all(|alert| alert.id == alerts[0].id),
                "{alerts:?}"
            );
        }
        assert_eq!(count(db, "alerts").await, 2);
        // The guest's confirmation email, queued once.
        assert_eq!(count(db, "notices").await, 1);
    }
}

#[tokio::test]
async fn notices_go_out_on_every_configured_channel_in_the_changes_transaction() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = AlertPolicy {
            email: true,
            webhook: true,
            ..AlertPolicy::default()
        };
        subscribe(
            db,
            &shopper("alice"),
            "A",
            &price_drop(PriceRule::AnyDrop),
            "en",
            &policy,
            NOW,
        )
        .await
        .unwrap();
        let guest = AlertRequest {
            email: Some("Guest@Example.com".into()),
            ..price_drop(PriceRule::ByPercent { percent: 5 })
        };
        let alert = subscribe(
            db,
            &Viewer::Guest("g1".into()),
            "A",
            &guest,
            "en",
            &policy,
            NOW,
        )
        .await
        .unwrap();
        assert_eq!(alert.status, AlertStatus::Unconfirmed);
        let confirmations: Vec<(String, String)> = sqlx::query_as(
            "SELECT c.kind, a.email FROM notices n JOIN alert_changes c ON c.id = n.change_id \
                 JOIN alerts a ON a.id = n.alert_id WHERE n.channel = 'email'",
        )
        .fetch_all(db.reader())
        .await
        .unwrap();
        assert_eq!(
            confirmations,
            [("confirm".into(), "Guest@example.com".into())]
        );

        // Unconfirmed: the guest's alert stays quiet.
        reprice(db, "A", 9_000, &policy, NOW + HOUR).await;
        let queued = |sql: &'static str| async move {
            sqlx::query_scalar::<_, i64>(sql)
                .fetch_one(db.reader())
                .await
                .unwrap()
        };
        assert_eq!(
            queued(
                "SELECT COUNT(*) FROM notices n JOIN alert_changes c ON c.id = n.change_id \
                 WHERE c.kind = 'price_drop'"
            )
            .await,
            2,
            "alice: email (the address the store shared), which her inbox shows too, and webhook"
        );
        let alice = told(db, "alice").await;
        assert_eq!(alice.len(), 1, "one inbox notice, not one per channel");
        let token: String =
            sqlx::query_scalar("SELECT confirm_token FROM alerts WHERE email IS NOT NULL")
                .fetch_one(db.reader())
                .await
                .unwrap();
        assert_eq!(
            confirm(db, &token, "en", NOW + HOUR).await.unwrap().status,
            AlertStatus::Active
        );
        assert!(confirm(db, "forged", "en", NOW).await.is_err());
        reprice(db, "A", 8_000, &policy, NOW + 2 * HOUR).await;
        assert_eq!(
            queued(
                "SELECT COUNT(*) FROM notices n JOIN alert_changes c ON c.id = n.change_id \
                 JOIN alerts a ON a.id = n.alert_id WHERE c.kind = 'price_drop' AND a.email = 'Guest@example.com'"
            )
            .await,
            2,
            "the confirmed guest: email and webhook, no inbox"
        );
        assert_eq!(
            queued("SELECT COUNT(*) FROM notices WHERE status = 'queued' AND channel <> 'inbox'")
                .await,
            5
        );

        // A change that fails validation rolls back with the notices it would have caused.
        let failed = change_prices(
            db,
            &[
                PriceChange {
                    sku: "A".into(),
                    price_minor: 1_000,
                    currency: "CNY".into(),
                },
                PriceChange {
                    sku: "NOPE".into(),
                    price_minor: 1,
                    currency: "CNY".into(),
                },
            ],
            &CatalogAlerts(&policy),
            NOW + 50 * HOUR,
        )
        .await;
        assert!(failed.is_err());
        assert_eq!(
            queued("SELECT COUNT(*) FROM alert_changes WHERE new_price_minor = 1000").await,
            0
        );
        crate::flows::testing::daily_counts_backfill_the_same(db).await;
    }
}

#[tokio::test]
async fn a_restock_tells_the_first_subscribers_up_to_a_multiple_of_the_units() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = AlertPolicy {
            restock_multiple: 1,
            ..AlertPolicy::default()
        };
        for id in ["carol", "alice", "bob"] {
            subscribe(
                db,
                &shopper(id),
                "OUT",
                &back_in_stock(),
                "en",
                &policy,
                NOW,
            )
            .await
            .unwrap();
        }
        let in_stock = subscribe(
            db,
            &shopper("dan"),
            "A",
            &back_in_stock(),
            "en",
            &policy,
            NOW,
        )
        .await
        .unwrap_err();
        assert!(in_stock.to_string().contains("in stock"), "{in_stock}");

        // Two units: the two oldest subscriptions hear; bob waits.
        restock(db, "OUT", 2, &policy, NOW + HOUR).await;
        assert_eq!(
            told(db, "carol").await,
            [(NoticeKind::BackInStock, 3_000, 3_000, 3_000)]
        );
        assert_eq!(told(db, "alice").await.len(), 1);
        assert!(told(db, "bob").await.is_empty());
        // Sold out and back: bob's turn; carol and alice were told once and their alerts ended.
        restock(db, "OUT", 0, &policy, NOW + 2 * HOUR).await;
        restock(db, "OUT", 5, &policy, NOW + 3 * HOUR).await;
        assert_eq!(told(db, "bob").await.len(), 1);
        assert_eq!(told(db, "carol").await.len(), 1);
        // A change between two positive levels is no restock.
        restock(db, "OUT", 9, &policy, NOW + 4 * HOUR).await;
        assert_eq!(count(db, "notices").await, 3);
        assert!(
            my_alerts(db, &shopper("carol"), "en")
                .await
                .unwrap()
                .is_empty()
        );
        crate::flows::testing::daily_counts_backfill_the_same(db).await;
    }
}

#[tokio::test]
async fn wish_list_rises_reach_only_shoppers_who_asked() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = AlertPolicy::default();
        for id in ["alice", "bob"] {
            crate::wishlist::ssr::save(
                db,
                &shopper(id),
                "A",
                None,
                &WishlistPolicy::default(),
                NOW,
            )
            .await
            .unwrap();
        }
        set_price_rise_notices(db, &shopper("alice"), true)
            .await
            .unwrap();
        assert!(price_rise_notices(db, &shopper("alice")).await.unwrap());
        assert!(!price_rise_notices(db, &shopper("bob")).await.unwrap());
        reprice(db, "A", 11_000, &policy, NOW + HOUR).await;
        assert_eq!(
            told(db, "alice").await,
            [(NoticeKind::PriceRise, 10_000, 11_000, 10_000)]
        );
        assert!(told(db, "bob").await.is_empty());
        // The frequency cap: a second rise within the cooldown is not news; after it, it is.
        reprice(db, "A", 11_500, &policy, NOW + 2 * HOUR).await;
        assert_eq!(told(db, "alice").await.len(), 1);
        reprice(db, "A", 12_000, &policy, NOW + 25 * HOUR).await;
        assert_eq!(
            told(db, "alice").await[1],
            (NoticeKind::PriceRise, 11_500, 12_000, 10_000)
        );
        set_price_rise_notices(db, &shopper("alice"), false)
            .await
            .unwrap();
        reprice(db, "A", 13_000, &policy, NOW + 60 * HOUR).await;
        assert_eq!(told(db, "alice").await.len(), 2);
    }
}

#[tokio::test]
async fn bad_requests_are_refused_and_change_nothing() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = AlertPolicy::default();
        let refused = |request: AlertRequest,
                       viewer: Viewer,
                       sku: &'static str,
                       policy: AlertPolicy| async move {
            subscribe(db, &viewer, sku, &request, "en", &policy, NOW)
                .await
                .unwrap_err()
                .to_string()
        };
        let target = refused(
            price_drop(PriceRule::Below {
                target_minor: 10_000,
            }),
            shopper("alice"),
            "A",
            policy.clone(),
        )
        .await;
        assert!(target.contains("below the current price"), "{target}");
        let percent = refused(
            price_drop(PriceRule::ByPercent { percent: 100 }),
            shopper("alice"),
            "A",
            policy.clone(),
        )
        .await;
        assert!(percent.contains("1 to 99"), "{percent}");
        let unknown = refused(
            price_drop(PriceRule::AnyDrop),
            shopper("alice"),
            "NOPE",
            policy.clone(),
        )
        .await;
        assert!(unknown.contains("not available"), "{unknown}");
        let no_email = refused(
            price_drop(PriceRule::AnyDrop),
            Viewer::Guest("g1".into()),
            "A",
            policy.clone(),
        )
        .await;
        assert!(no_email.contains("Sign in"), "{no_email}");
        let with_email = AlertPolicy {
            email: true,
            ..policy.clone()
        };
        let bad_email = AlertRequest {
            email: Some("not-an-address".into()),
            ..price_drop(PriceRule::AnyDrop)
        };
        let invalid = refused(bad_email, Viewer::Guest("g1".into()), "A", with_email).await;
        assert!(invalid.contains("valid email"), "{invalid}");
        assert_eq!(count(db, "alerts").await, 0);
        assert_eq!(count(db, "notices").await, 0);

        // Changing an alert keeps one alert; cancelling someone else's is answered like an unknown one.
        let first = subscribe(
            db,
            &shopper("alice"),
            "A",
            &price_drop(PriceRule::AnyDrop),
            "en",
            &policy,
            NOW,
        )
        .await
        .unwrap();
        let changed = subscribe(
            db,
            &shopper("alice"),
            "A",
            &price_drop(PriceRule::ByPercent { percent: 20 }),
            "en",
            &policy,
            NOW,
        )
        .await
        .unwrap();
        assert_eq!(first.id, changed.id);
        assert_eq!(changed.rule, PriceRule::ByPercent { percent: 20 });
        assert!(cancel(db, &shopper("bob"), first.id, NOW).await.is_err());
        assert_eq!(
            my_alerts(db, &shopper("alice"), "en").await.unwrap().len(),
            1
        );
        assert!(
            product_alerts(db, &shopper("bob"), "A", "en", &policy)
                .await
                .unwrap()
                .price_drop
                .is_none()
        );
        cancel(db, &shopper("alice"), first.id, NOW).await.unwrap();
        assert!(
            my_alerts(db, &shopper("alice"), "en")
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            cancel(db, &shopper("alice"), first.id, NOW).await.is_err(),
            "already cancelled"
        );
        // A withdrawn product takes no alerts.
        let mut withdrawn = product_input("A", 10_000, 5);
        withdrawn.active = false;
        upsert_products(db, &[withdrawn], &CatalogAlerts(&policy), NOW)
            .await
            .unwrap();
        let gone = refused(
            price_drop(PriceRule::AnyDrop),
            shopper("alice"),
            "A",
            policy.clone(),
        )
        .await;
        assert!(gone.contains("not available"), "{gone}");
    }
}

#[tokio::test]
async fn the_inbox_counts_unread_notices_and_is_the_shoppers_own() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = AlertPolicy::default();
        subscribe(
            db,
            &shopper("alice"),
            "A",
            &price_drop(PriceRule::AnyDrop),
            "en",
            &policy,
            NOW,
        )
        .await
        .unwrap();
        reprice(db, "A", 9_000, &policy, NOW + HOUR).await;
        assert_eq!(inbox(db, &shopper("alice"), "en").await.unwrap().unread, 1);
        assert_eq!(
            inbox(db, &shopper("bob"), "en")
                .await
                .unwrap()
                .notices
                .len(),
            0
        );
        mark_read(db, &shopper("bob"), NOW).await.unwrap();
        assert_eq!(
            inbox(db, &shopper("alice"), "en").await.unwrap().unread,
            1,
            "bob reads only his own"
        );
        mark_read(db, &shopper("alice"), NOW + 2 * HOUR)
            .await
            .unwrap();
        let read = inbox(db, &shopper("alice"), "en").await.unwrap();
        assert_eq!(read.unread, 0);
        assert!(read.notices[0].read);
        assert!(
            inbox(db, &Viewer::Guest("g".into()), "en")
                .await
                .unwrap()
                .notices
                .is_empty()
        );
        crate::flows::testing::daily_counts_backfill_the_same(db).await;
    }
}

#[tokio::test]
async fn a_guests_alerts_move_to_the_shopper_who_signs_in() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = AlertPolicy {
            email: true,
            ..AlertPolicy::default()
        };
        let guest = Viewer::Guest("g-7".into());
        let by_email = |request: AlertRequest| AlertRequest {
            email: Some("visitor@example.com".into()),
            ..request
        };
        subscribe(
            db,
            &guest,
            "A",
            &by_email(price_drop(PriceRule::AnyDrop)),
            "en",
            &policy,
            NOW,
        )
        .await
        .unwrap();
        subscribe(
            db,
            &guest,
            "OUT",
            &by_email(back_in_stock()),
            "en",
            &policy,
            NOW,
        )
        .await
        .unwrap();
        let seen = product_alerts(db, &guest, "A", "en", &policy)
            .await
            .unwrap();
        assert_eq!(seen.price_drop.unwrap().status, AlertStatus::Unconfirmed);
        assert!(
            product_alerts(db, &Viewer::Guest("g-8".into()), "A", "en", &policy)
                .await
                .unwrap()
                .price_drop
                .is_none(),
            "another visitor does not see it"
        );
        subscribe(
            db,
            &shopper("alice"),
            "A",
            &price_drop(PriceRule::AnyDrop),
            "en",
            &policy,
            NOW,
        )
        .await
        .unwrap();

        let mut tx = db.write().await.unwrap();
        let moved = adopt_guest_alerts(&mut tx, "g-7", "alice", NOW + Millis(1))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(moved, 1);
        let mine = my_alerts(db, &shopper("alice"), "en").await.unwrap();
        assert_eq!(
            mine.len(),
            2,
            "her own price alert and the guest's stock alert"
        );
        assert!(mine.iter().all(|a| a.status == AlertStatus::Active));
        assert!(
            product_alerts(db, &guest, "OUT", "en", &policy)
                .await
                .unwrap()
                .back_in_stock
                .is_none()
        );
        let queued_confirmations: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM notices n JOIN alert_changes c ON c.id = n.change_id \
             WHERE c.kind = 'confirm' AND n.status = 'queued'",
        )
        .fetch_one(db.reader())
        .await
        .unwrap();
        assert_eq!(
            queued_confirmations, 0,
            "signed in, nobody needs to confirm"
        );
        crate::flows::testing::daily_counts_backfill_the_same(db).await;
    }
}

/// The email outbox's state as (due, in flight, waiting, failed, oldest due).
async fn email_outbox(db: &Db, now: Millis) -> (i64, i64, i64, i64, Option<Millis>) {
    let states = outbox_state(db, now).await.unwrap();
    let email = states
        .into_iter()
        .find(|state| state.channel == "email")
        .unwrap_or_default();
    (
        email.due,
        email.in_flight,
        email.waiting,
        email.failed,
        email.oldest_due,
    )
}

#[tokio::test]
async fn failed_deliveries_back_off_then_give_up_and_the_merchant_sees_them() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = AlertPolicy {
            email: true,
            max_attempts: 2,
            ..AlertPolicy::default()
        };
        subscribe(
            db,
            &shopper("alice"),
            "A",
            &price_drop(PriceRule::AnyDrop),
            "en",
            &policy,
            NOW,
        )
        .await
        .unwrap();
        reprice(db, "A", 9_000, &policy, NOW + HOUR).await;

        let now = NOW + HOUR;
        let claimed = claim_due(db, "email", 10, "w1", Millis(60_000), now)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(
            email_outbox(db, now).await,
            (0, 1, 0, 0, None),
            "one in flight"
        );
        assert_eq!(claimed[0].email.as_deref(), Some("alice@example.com"));
        assert_eq!(claimed[0].shopper.as_deref(), Some("alice"));
        assert!(
            claim_due(db, "email", 10, "w2", Millis(60_000), now)
                .await
                .unwrap()
                .is_empty(),
            "leased to w1"
        );
        assert!(
            !renew(db, claimed[0].id, "w2", Millis(60_000), now)
                .await
                .unwrap()
        );
        assert!(
            renew(db, claimed[0].id, "w1", Millis(60_000), now)
                .await
                .unwrap()
        );
        delivery_failed(db, claimed[0].id, "connection refused", &policy, 0.0, now)
            .await
            .unwrap();
        assert_eq!(
            email_outbox(db, now).await,
            (0, 0, 1, 0, None),
            "waiting for its retry"
        );
        assert_eq!(
            email_outbox(db, now + Millis(45_000)).await,
            (1, 0, 0, 0, Some(Millis(15_000))),
            "due again for 15 s"
        );
        assert!(
            claim_due(db, "email", 10, "w1", Millis(60_000), now + Millis(29_000))
                .await
                .unwrap()
                .is_empty(),
            "the first retry waits 30 s"
        );
        let again = claim_due(db, "email", 10, "w1", Millis(60_000), now + Millis(30_000))
            .await
            .unwrap();
        assert_eq!(again[0].attempts, 2);
        delivery_failed(
            db,
            again[0].id,
            "mailbox unavailable",
            &policy,
            0.0,
            now + Millis(30_000),
        )
        .await
        .unwrap();
        assert!(
            claim_due(db, "email", 10, "w1", Millis(60_000), now + DAY_MS)
                .await
                .unwrap()
                .is_empty()
        );

        assert_eq!(
            email_outbox(db, now + DAY_MS).await,
            (0, 0, 0, 1, None),
            "given up"
        );
        let failed = failed_notices(db, 10).await.unwrap();
        assert_eq!(failed.len(), 1);
        assert_eq!(
            (
                failed[0].sku.as_str(),
                failed[0].attempts,
                failed[0].last_error.as_deref()
            ),
            ("A", 2, Some("mailbox unavailable"))
        );
        let report = merchant_report(db, 10).await.unwrap();
        assert_eq!(
            (
                report[0].price_alerts,
                report[0].notices_sent,
                report[0].notices_failed
            ),
            (1, 0, 1),
            "the email failed"
        );
        assert_eq!(
            told(db, "alice").await.len(),
            1,
            "the inbox shows the notice whatever became of its email"
        );

        // The merchant mends the mail server and sends the failed notice again; an unknown id changes nothing.
        let later = now + DAY_MS;
        assert_eq!(
            resend_failed(db, &[failed[0].id, 999_999], later)
                .await
                .unwrap(),
            1
        );
        assert!(failed_notices(db, 10).await.unwrap().is_empty());
        let resent = claim_due(db, "email", 10, "w1", Millis(60_000), later)
            .await
            .unwrap();
        assert_eq!((resent.len(), resent[0].attempts), (1, 1));
        assert_eq!(
            resend_failed(db, &[failed[0].id], later).await.unwrap(),
            0,
            "a queued notice is not failed"
        );
        crate::flows::testing::daily_counts_backfill_the_same(db).await;
    }
}

#[tokio::test]
async fn a_notice_marked_sent_waits_for_no_other_transaction_moving_the_same_count() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = AlertPolicy {
            email: true,
            ..AlertPolicy::default()
        };
        for who in ["alice", "bob"] {
            subscribe(
                db,
                &shopper(who),
                "A",
                &price_drop(PriceRule::AnyDrop),
                "en",
                &policy,
                NOW,
            )
            .await
            .unwrap();
        }
        reprice(db, "A", 9_000, &policy, NOW + HOUR).await;
        let queued: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM notices WHERE channel = 'email' AND status = 'queued' ORDER BY id",
        )
        .fetch_all(db.reader())
        .await
        .unwrap();
        assert_eq!(queued.len(), 2, "{}", store.url);
        // A transaction moves the day's count of queued price-drop emails and stays open, as a catalogue batch
        // does while it fans out; SQLite writes one transaction at a time, so only PostgreSQL can show it.
        if db.backend() == crate::store::Backend::Postgres {
            let mut open = db.write().await.unwrap();
            sqlx::query("UPDATE notices SET status = 'sent', sent_at = $1 WHERE id = $2")
                .bind(NOW + HOUR)
                .bind(queued[0])
                .execute(&mut *open)
                .await
                .unwrap();
            tokio::time::timeout(
                std::time::Duration::from_secs(5),
                delivered(db, queued[1], NOW + HOUR),
            )
            .await
            .expect("the delivery waited for the open transaction")
            .unwrap();
            open.commit().await.unwrap();
        } else {
            for id in &queued {
                delivered(db, *id, NOW + HOUR).await.unwrap();
            }
        }
        let (period, _, _) = crate::insights::rules::report_periods(
            Some(&crate::kernel::time::iso_date(NOW)),
            Some(&crate::kernel::time::iso_date(NOW + HOUR)),
            None,
            NOW + HOUR,
        )
        .unwrap();
        let told = notice_activity(db, period.from, period.to, "CNY")
            .await
            .unwrap();
        assert_eq!(
            (told.tallies[0].notices, told.tallies[0].emailed),
            (2, 2),
            "both sent"
        );
        crate::flows::testing::daily_counts_backfill_the_same(db).await;
    }
}
