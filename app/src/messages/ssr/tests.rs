use super::*;
use crate::flows::testing::add_shopper;
use crate::identity::ShopperInput;
use crate::identity::ssr::{shopper_key, upsert_shoppers};
use crate::messages::{
    Answerer, EmailPreference, MessageFact, MessageKind, Purpose, QuestionAnswered,
    UnpaidOrderReminder,
};
use crate::store::testing::{all, count};

const NOW: Millis = Millis(1_800_000_000_000);
const LEASE: Millis = Millis::minutes(2);

fn answered(answer: &str) -> MessageBody {
    MessageBody::QuestionAnswered(QuestionAnswered {
        sku: "A".into(),
        product_title: "Kettle".into(),
        product_url: None,
        question: "Does it whistle?".into(),
        answer: answer.into(),
        answered_by: Answerer::Shop,
    })
}

async fn key(db: &Db, shopper: &str) -> ShopperKey {
    shopper_key(db.reader(), shopper).await.unwrap().unwrap()
}

async fn queue_one(db: &Db, shopper: ShopperKey, dedupe: &str, body: &MessageBody) -> bool {
    let mut tx = db.write().await.unwrap();
    let queued = queue(
        &mut tx,
        shopper,
        dedupe,
        body,
        &MarketingRules::default(),
        NOW,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    queued
}

#[tokio::test]
async fn a_message_is_queued_once_and_only_for_a_shopper_with_an_address() {
    for store in all().await {
        let db = &store.db;
        add_shopper(db, "alice").await;
        upsert_shoppers(
            db,
            &[ShopperInput {
                shopper_id: "nomail".into(),
                email: None,
                display_name: "No Mail".into(),
                locale: "zh-CN".into(),
                time_zone: None,
            }],
            NOW,
        )
        .await
        .unwrap();
        let alice = key(db, "alice").await;
        assert!(queue_one(db, alice, "answer:1", &answered("Yes.")).await);
        assert!(!queue_one(db, alice, "answer:1", &answered("Yes, loudly.")).await);
        assert!(!queue_one(db, key(db, "nomail").await, "answer:2", &answered("No.")).await);
        assert_eq!(count(db, "messages").await, 1);

        let claimed = claim_due(db, 10, "w1", LEASE, NOW).await.unwrap();
        assert_eq!(claimed.len(), 1);
        assert_eq!(
            (
                claimed[0].email.as_str(),
                claimed[0].locale.as_str(),
                claimed[0].attempts
            ),
            ("alice@example.com", "en", 1)
        );
        assert_eq!(claimed[0].body, answered("Yes."));
    }
}

#[tokio::test]
async fn a_claimed_message_is_one_workers_until_its_lease_runs_out() {
    for store in all().await {
        let db = &store.db;
        add_shopper(db, "alice").await;
        let alice = key(db, "alice").await;
        queue_one(db, alice, "answer:1", &answered("Yes.")).await;
        let first = claim_due(db, 10, "w1", LEASE, NOW).await.unwrap();
        assert!(
            claim_due(db, 10, "w2", LEASE, NOW + Millis(1))
                .await
                .unwrap()
                .is_empty()
        );
        // w1 died: after its lease, w2 takes the message, and w1 can no longer send it.
        let taken = claim_due(db, 10, "w2", LEASE, NOW + LEASE + Millis(1))
            .await
            .unwrap();
        assert_eq!((taken.len(), taken[0].attempts), (1, 2));
        assert!(
            !renew(db, first[0].id, "w1", LEASE, NOW + LEASE + Millis(2))
                .await
                .unwrap()
        );
        assert!(
            renew(db, first[0].id, "w2", LEASE, NOW + LEASE + Millis(2))
                .await
                .unwrap()
        );
        delivered(db, first[0].id, true, NOW + LEASE + Millis(3))
            .await
            .unwrap();
        assert!(
            claim_due(db, 10, "w3", LEASE, NOW + DAY)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

const DAY: Millis = Millis::hours(24);

#[tokio::test]
async fn a_failed_attempt_is_retried_when_the_worker_says_or_given_up() {
    for store in all().await {
        let db = &store.db;
        add_shopper(db, "alice").await;
        let alice = key(db, "alice").await;
        queue_one(db, alice, "answer:1", &answered("Yes.")).await;
        let due = outbox_state(db, NOW + Millis(1_000)).await.unwrap();
        assert_eq!((due.due, due.oldest_due), (1, Some(Millis(1_000))));
        let claimed = claim_due(db, 10, "w1", LEASE, NOW).await.unwrap();
        assert_eq!(outbox_state(db, NOW).await.unwrap().in_flight, 1);
        delivery_failed(
            db,
            claimed[0].id,
            "421 try later",
            Some(NOW + Millis::minutes(5)),
        )
        .await
        .unwrap();
        assert_eq!(outbox_state(db, NOW).await.unwrap().waiting, 1);
        assert!(
            claim_due(db, 10, "w1", LEASE, NOW + Millis::minutes(4))
                .await
                .unwrap()
                .is_empty()
        );
        let again = claim_due(db, 10, "w1", LEASE, NOW + Millis::minutes(5))
            .await
            .unwrap();
        assert_eq!(again[0].attempts, 2);
        delivery_failed(db, again[0].id, "550 no such user", None)
            .await
            .unwrap();
        assert!(
            claim_due(db, 10, "w1", LEASE, NOW + DAY)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            outbox_state(db, NOW + DAY).await.unwrap(),
            MessageOutbox {
                failed: 1,
                ..MessageOutbox::default()
            }
        );
        let (status, error): (String, String) =
            sqlx::query_as("SELECT status, last_error FROM messages WHERE id = $1")
                .bind(again[0].id)
                .fetch_one(db.reader())
                .await
                .unwrap();
        assert_eq!(
            (status.as_str(), error.as_str()),
            ("failed", "550 no such user")
        );
    }
}

#[tokio::test]
async fn an_address_refused_for_good_is_suppressed_once_listed_latest_first_and_lifted_by_the_merchant()
 {
    use crate::kernel::error::ErrorCode;
    for store in all().await {
        let db = &store.db;
        suppress(db, "Gone@Example.com", "550 5.1.1 no such user", NOW)
            .await
            .unwrap();
        suppress(db, "gone@example.com", "553 later", NOW + LEASE)
            .await
            .unwrap();
        suppress(db, "full@example.com", "551 moved", NOW + LEASE)
            .await
            .unwrap();
        assert_eq!(
            suppressed_since(db, "GONE@example.com").await.unwrap(),
            Some(NOW)
        );
        assert_eq!(
            suppressed_since(db, "alice@example.com").await.unwrap(),
            None
        );

        let page = suppressions(db, 10, 0).await.unwrap();
        assert_eq!(page.total, 2);
        let listed: Vec<(&str, &str)> = page
            .suppressions
            .iter()
            .map(|s| (s.email.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(
            listed,
            [
                ("full@example.com", "551 moved"),
                ("gone@example.com", "550 5.1.1 no such user")
            ],
            "the latest first; the first refusal's reason is kept"
        );
        let second = suppressions(db, 1, 1).await.unwrap();
        assert_eq!(second.suppressions[0].email, "gone@example.com");
        assert_eq!(second.total, 2);

        lift_suppression(db, "GONE@example.com").await.unwrap();
        assert_eq!(
            suppressed_since(db, "gone@example.com").await.unwrap(),
            None
        );
        match lift_suppression(db, "gone@example.com").await {
            Err(StoreError::Rejected(error)) => assert_eq!(error.code, ErrorCode::NotFound),
            other => panic!("expected a 404, got {other:?}"),
        }
        assert_eq!(count(db, "email_suppressions").await, 1);
    }
}

fn unpaid(order: &str) -> MessageBody {
    MessageBody::UnpaidOrder(UnpaidOrderReminder {
        order_id: order.into(),
        total: crate::kernel::money::Money::new(1_000, "CNY"),
        payment_url: "https://shop.example/pay".into(),
        products: Vec::new(),
    })
}

async fn queue_with(db: &Db, consent: MarketingConsent, messages: &[NewMessage]) -> u64 {
    let rules = MarketingRules {
        consent,
        weekly_cap: None,
        ..MarketingRules::default()
    };
    let mut tx = db.write().await.unwrap();
    let queued = queue_many(&mut tx, messages, &rules, NOW).await.unwrap();
    tx.commit().await.unwrap();
    queued
}

#[tokio::test]
async fn a_shopper_who_turned_a_kind_off_gets_none_of_it_and_what_waited_is_taken_back() {
    for store in all().await {
        let db = &store.db;
        for shopper in ["alice", "bob"] {
            add_shopper(db, shopper).await;
        }
        let (alice, bob) = (key(db, "alice").await, key(db, "bob").await);
        let message = |shopper, dedupe: &str, body: MessageBody| NewMessage {
            shopper,
            dedupe_key: dedupe.into(),
            body,
        };
        // Both have a reminder and an answer waiting; Alice then turns reminders off.
        let waiting = [
            message(alice, "unpaid:1", unpaid("U-1")),
            message(bob, "unpaid:2", unpaid("U-2")),
            message(alice, "answer:1", answered("Yes.")),
        ];
        assert_eq!(queue_with(db, MarketingConsent::OptOut, &waiting).await, 3);
        choose(db, alice, &[(MessageKind::UnpaidOrder, false)], NOW)
            .await
            .unwrap();
        let left: Vec<String> = sqlx::query_scalar("SELECT dedupe_key FROM messages ORDER BY id")
            .fetch_all(db.reader())
            .await
            .unwrap();
        assert_eq!(left, ["unpaid:2", "answer:1"]);

        // Her next reminder is not queued; Bob's is, and her answers still are.
        let next = [
            message(alice, "unpaid:3", unpaid("U-3")),
            message(bob, "unpaid:4", unpaid("U-4")),
            message(alice, "answer:2", answered("No.")),
        ];
        assert_eq!(queue_with(db, MarketingConsent::OptOut, &next).await, 2);

        // Under opt-in, marketing goes only to who turned it on: Bob, once he does.
        let later = [
            message(alice, "unpaid:5", unpaid("U-5")),
            message(bob, "unpaid:6", unpaid("U-6")),
        ];
        assert_eq!(queue_with(db, MarketingConsent::OptIn, &later).await, 0);
        choose(db, bob, &[(MessageKind::UnpaidOrder, true)], NOW)
            .await
            .unwrap();
        assert_eq!(queue_with(db, MarketingConsent::OptIn, &later).await, 1);

        // Turning answers off, then on again, is remembered as the last choice.
        choose(db, alice, &[(MessageKind::QuestionAnswered, false)], NOW)
            .await
            .unwrap();
        choose(db, alice, &[(MessageKind::QuestionAnswered, true)], NOW)
            .await
            .unwrap();
        let shown = preferences(
            db,
            alice,
            MarketingConsent::OptOut,
            Some(MessageKind::UnpaidOrder),
        )
        .await
        .unwrap();
        assert_eq!(shown.about, Some(MessageKind::UnpaidOrder));
        assert_eq!(
            shown.preferences,
            [
                EmailPreference {
                    kind: MessageKind::QuestionAnswered,
                    purpose: Purpose::Transactional,
                    allowed: true
                },
                EmailPreference {
                    kind: MessageKind::ReviewRequest,
                    purpose: Purpose::Transactional,
                    allowed: true
                },
                EmailPreference {
                    kind: MessageKind::UnpaidOrder,
                    purpose: Purpose::Marketing,
                    allowed: false
                },
                // The store's rule (opt-out) for the marketing kind she has not chosen.
                EmailPreference {
                    kind: MessageKind::CartPriceDrop,
                    purpose: Purpose::Marketing,
                    allowed: true
                },
            ]
        );
        let bobs = preferences(db, bob, MarketingConsent::OptIn, None)
            .await
            .unwrap();
        assert_eq!(
            bobs.preferences
                .iter()
                .map(|preference| (preference.kind, preference.allowed))
                .collect::<Vec<_>>(),
            [
                (MessageKind::QuestionAnswered, true),
                (MessageKind::ReviewRequest, true),
                (MessageKind::UnpaidOrder, true),
                (MessageKind::CartPriceDrop, false),
            ],
            "opt-in: the marketing kind Bob has not turned on stays off"
        );
    }
}

#[tokio::test]
async fn opens_and_clicks_are_counted_once_per_message_and_read_with_the_periods_messages() {
    for store in all().await {
        let db = &store.db;
        add_shopper(db, "alice").await;
        let alice = key(db, "alice").await;
        assert!(queue_one(db, alice, "answer:1", &answered("Yes.")).await);
        assert!(queue_one(db, alice, "answer:2", &answered("No.")).await);
        let claimed = claim_due(db, 1, "w1", LEASE, NOW).await.unwrap();
        delivered(db, claimed[0].id, true, NOW + Millis(5))
            .await
            .unwrap();

        clicked(db, claimed[0].id, NOW + Millis(10)).await.unwrap();
        opened(db, claimed[0].id, NOW + Millis(20)).await.unwrap();
        clicked(db, claimed[0].id, NOW + Millis(30)).await.unwrap();
        let (opened_at, clicked_at): (Option<Millis>, Option<Millis>) =
            sqlx::query_as("SELECT opened_at, clicked_at FROM messages WHERE id = $1")
                .bind(claimed[0].id)
                .fetch_one(db.reader())
                .await
                .unwrap();
        assert_eq!(
            (opened_at, clicked_at),
            (Some(NOW + Millis(10)), Some(NOW + Millis(10))),
            "a click is the first open, and only the first of each counts"
        );

        let mut facts = message_activity(db, NOW, NOW + Millis(1)).await.unwrap();
        facts.sort_by_key(|fact| fact.sent_at.is_none());
        assert_eq!(
            facts,
            [
                MessageFact {
                    kind: MessageKind::QuestionAnswered,
                    shopper: alice.0,
                    sent_at: Some(NOW + Millis(5)),
                    failed: false,
                    opened: true,
                    clicked: true,
                    webhook: false,
                },
                MessageFact {
                    kind: MessageKind::QuestionAnswered,
                    shopper: alice.0,
                    sent_at: None,
                    failed: false,
                    opened: false,
                    clicked: false,
                    webhook: false,
                },
            ]
        );
        assert!(
            message_activity(db, NOW + Millis(1), NOW + Millis(9))
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[test]
fn marketing_email_waits_out_the_shoppers_night_in_their_own_time_zone() {
    use crate::kernel::time::parse_rfc3339;
    let rules = MarketingRules {
        time_zone: "Europe/Berlin".into(),
        ..MarketingRules::default()
    };
    let at = |text: &str| parse_rfc3339(text).unwrap();
    let shanghai = Some("Asia/Shanghai");
    // 23:30 in Shanghai (UTC+8): held until 08:00 there the next morning.
    assert_eq!(
        rules.send_at(shanghai, at("2026-12-06T15:30:00Z")),
        at("2026-12-07T00:00:00Z")
    );
    // 03:00 in Shanghai: until 08:00 the same day. Noon: at once.
    assert_eq!(
        rules.send_at(shanghai, at("2026-12-06T19:00:00Z")),
        at("2026-12-07T00:00:00Z")
    );
    assert_eq!(
        rules.send_at(shanghai, at("2026-12-06T04:00:00Z")),
        at("2026-12-06T04:00:00Z")
    );
    // No zone of their own: the store's. 23:00 in Berlin on the night summer time ends (UTC+2, then UTC+1).
    assert_eq!(
        rules.send_at(None, at("2026-10-24T21:00:00Z")),
        at("2026-10-25T07:00:00Z")
    );
    let any_hour = MarketingRules {
        quiet_hours: None,
        ..rules
    };
    assert_eq!(
        any_hour.send_at(shanghai, at("2026-12-06T15:30:00Z")),
        at("2026-12-06T15:30:00Z")
    );
}

#[tokio::test]
async fn a_shopper_gets_at_most_the_weekly_cap_of_marketing_email_and_answers_still_go() {
    for store in all().await {
        let db = &store.db;
        add_shopper(db, "alice").await;
        let alice = key(db, "alice").await;
        let rules = MarketingRules {
            weekly_cap: Some(2),
            quiet_hours: None,
            ..MarketingRules::default()
        };
        let message = |dedupe: &str, body: MessageBody| NewMessage {
            shopper: alice,
            dedupe_key: dedupe.into(),
            body,
        };
        let queue_at = |messages: Vec<NewMessage>, at: Millis| {
            let rules = rules.clone();
            async move {
                let mut tx = db.write().await.unwrap();
                let queued = queue_many(&mut tx, &messages, &rules, at).await.unwrap();
                tx.commit().await.unwrap();
                queued
            }
        };
        // Eight days ago one reminder; it no longer counts. Today three in one batch, and an answer: two go.
        assert_eq!(
            queue_at(
                vec![message("unpaid:0", unpaid("U-0"))],
                NOW - Millis::days(8)
            )
            .await,
            1
        );
        let today = vec![
            message("unpaid:1", unpaid("U-1")),
            message("unpaid:2", unpaid("U-2")),
            message("unpaid:3", unpaid("U-3")),
            message("answer:1", answered("Yes.")),
        ];
        assert_eq!(queue_at(today, NOW).await, 3);
        // One of today's failed for good: it does not count, so one more may go this week, and no further. A
        // message queued already, asked again first in the same batch, takes none of that room.
        let mut tx = db.write().await.unwrap();
        sqlx::query("UPDATE messages SET status = 'failed' WHERE dedupe_key = 'unpaid:1'")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            queue_at(
                vec![
                    message("unpaid:2", unpaid("U-2")),
                    message("unpaid:4", unpaid("U-4")),
                    message("unpaid:4", unpaid("U-4")),
                ],
                NOW + Millis(1)
            )
            .await,
            1
        );
        assert_eq!(
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM messages WHERE dedupe_key IN ('unpaid:2', 'unpaid:4')"
            )
            .fetch_one(db.reader())
            .await
            .unwrap(),
            2
        );
        assert_eq!(
            queue_at(vec![message("unpaid:5", unpaid("U-5"))], NOW + Millis(2)).await,
            0
        );
    }
}

#[tokio::test]
async fn a_reminder_queued_in_the_shoppers_night_waits_in_the_outbox_until_their_morning() {
    for store in all().await {
        let db = &store.db;
        // NOW is 08:00 UTC: midnight in Los Angeles (UTC-8 in January), afternoon in Shanghai.
        upsert_shoppers(
            db,
            &[
                ShopperInput {
                    shopper_id: "lou".into(),
                    email: Some("lou@example.com".into()),
                    display_name: "Lou".into(),
                    locale: "en".into(),
                    time_zone: Some("America/Los_Angeles".into()),
                },
                ShopperInput {
                    shopper_id: "mei".into(),
                    email: Some("mei@example.com".into()),
                    display_name: "Mei".into(),
                    locale: "zh-CN".into(),
                    time_zone: Some("Asia/Shanghai".into()),
                },
            ],
            NOW,
        )
        .await
        .unwrap();
        let messages = [
            NewMessage {
                shopper: key(db, "lou").await,
                dedupe_key: "unpaid:1".into(),
                body: unpaid("U-1"),
            },
            NewMessage {
                shopper: key(db, "mei").await,
                dedupe_key: "unpaid:2".into(),
                body: unpaid("U-2"),
            },
            NewMessage {
                shopper: key(db, "lou").await,
                dedupe_key: "answer:1".into(),
                body: answered("Yes."),
            },
        ];
        let mut tx = db.write().await.unwrap();
        assert_eq!(
            queue_many(&mut tx, &messages, &MarketingRules::default(), NOW)
                .await
                .unwrap(),
            3
        );
        tx.commit().await.unwrap();
        let mut now = Vec::new();
        for message in claim_due(db, 10, "w1", LEASE, NOW).await.unwrap() {
            delivered(db, message.id, true, NOW).await.unwrap();
            now.push(message.email);
        }
        assert_eq!(
            now.len(),
            2,
            "Mei's reminder and Lou's answer go at once: {now:?}"
        );
        assert!(now.contains(&"mei@example.com".to_owned()));
        let morning = NOW + Millis::hours(8);
        assert!(
            claim_due(db, 10, "w2", LEASE, morning - Millis(1))
                .await
                .unwrap()
                .is_empty()
        );
        let later = claim_due(db, 10, "w2", LEASE, morning).await.unwrap();
        assert_eq!(
            later
                .iter()
                .map(|message| message.email.as_str())
                .collect::<Vec<_>>(),
            ["lou@example.com"]
        );
    }
}

#[tokio::test]
async fn a_time_zone_the_database_does_not_know_is_refused() {
    for store in all().await {
        let db = &store.db;
        let error = upsert_shoppers(
            db,
            &[ShopperInput {
                shopper_id: "zed".into(),
                email: None,
                display_name: "Zed".into(),
                locale: "en".into(),
                time_zone: Some("Mars/Olympus".into()),
            }],
            NOW,
        )
        .await
        .unwrap_err();
        let StoreError::Rejected(error) = error else {
            panic!("{error:?}")
        };
        assert_eq!(error.field.as_deref(), Some("shoppers[0].time_zone"));
        assert_eq!(count(db, "shoppers").await, 0);
    }
}

#[tokio::test]
async fn a_shopper_who_left_the_last_marketing_emails_unopened_gets_marketing_through_the_webhook_or_not_at_all()
 {
    for store in all().await {
        let db = &store.db;
        for shopper in ["ann", "ben", "cat", "dan"] {
            add_shopper(db, shopper).await;
        }
        let dan = key(db, "dan").await;
        let (ann, ben, cat) = (
            key(db, "ann").await,
            key(db, "ben").await,
            key(db, "cat").await,
        );
        let rules = MarketingRules {
            quiet_hours: None,
            weekly_cap: None,
            unopened_limit: Some(2),
            webhook: true,
            ..MarketingRules::default()
        };
        let message = |shopper, dedupe: &str, body: MessageBody| NewMessage {
            shopper,
            dedupe_key: dedupe.into(),
            body,
        };
        // Earlier reminders, all emailed: Ann opened none of her two, Ben one of his two, Cat had only one.
        let earlier = [
            message(ann, "unpaid:a1", unpaid("A1")),
            message(ann, "unpaid:a2", unpaid("A2")),
            message(ben, "unpaid:b1", unpaid("B1")),
            message(ben, "unpaid:b2", unpaid("B2")),
            message(cat, "unpaid:c1", unpaid("C1")),
            message(dan, "unpaid:d1", unpaid("D1")),
            message(dan, "unpaid:d2", unpaid("D2")),
        ];
        let mut tx = db.write().await.unwrap();
        queue_many(&mut tx, &earlier, &rules, NOW - Millis::days(10))
            .await
            .unwrap();
        sqlx::query("UPDATE messages SET status = 'sent', sent_at = created_at, tracked = 1")
            .execute(&mut *tx)
            .await
            .unwrap();
        sqlx::query("UPDATE messages SET opened_at = sent_at WHERE dedupe_key = 'unpaid:b1'")
            .execute(&mut *tx)
            .await
            .unwrap();
        // Dan's went while the store did not track opens: they say nothing either way.
        sqlx::query("UPDATE messages SET tracked = 0 WHERE dedupe_key LIKE 'unpaid:d%'")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let next = [
            message(ann, "unpaid:a3", unpaid("A3")),
            message(ben, "unpaid:b3", unpaid("B3")),
            message(cat, "unpaid:c2", unpaid("C2")),
            message(dan, "unpaid:d3", unpaid("D3")),
            message(ann, "answer:1", answered("Yes.")),
        ];
        let mut tx = db.write().await.unwrap();
        assert_eq!(queue_many(&mut tx, &next, &rules, NOW).await.unwrap(), 5);
        tx.commit().await.unwrap();
        let channels: Vec<(String, String)> = sqlx::query_as(
            "SELECT dedupe_key, channel FROM messages WHERE status = 'queued' ORDER BY dedupe_key",
        )
        .fetch_all(db.reader())
        .await
        .unwrap();
        let channel = |key: &str| {
            channels
                .iter()
                .find(|(dedupe, _)| dedupe == key)
                .map(|(_, channel)| channel.as_str())
        };
        assert_eq!(channel("unpaid:a3"), Some("webhook"));
        assert_eq!(channel("unpaid:b3"), Some("email"));
        assert_eq!(channel("unpaid:c2"), Some("email"));
        assert_eq!(channel("unpaid:d3"), Some("email"));
        assert_eq!(
            channel("answer:1"),
            Some("email"),
            "answers are no marketing"
        );

        // A store without a webhook sends Ann no marketing at all.
        let without = MarketingRules {
            webhook: false,
            ..rules.clone()
        };
        let mut tx = db.write().await.unwrap();
        assert_eq!(
            queue_many(
                &mut tx,
                &[message(ann, "unpaid:a4", unpaid("A4"))],
                &without,
                NOW
            )
            .await
            .unwrap(),
            0
        );
        tx.commit().await.unwrap();
    }
}
