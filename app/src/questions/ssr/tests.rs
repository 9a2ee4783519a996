use super::*;
use crate::flows::answer_notices::AnswerNotices;
use crate::flows::testing::{add_kitchen, add_products, add_shopper, product_input};
use crate::flows::tier_growth::TierGrowth;
use crate::flows::verified_buyers::OrderedProducts;
use crate::orders::ssr::record_order;
use crate::orders::{OrderInput, OrderLineInput};
use crate::store::testing::{all, count};

const NOW: Millis = Millis(1_800_000_000_000);

/// A kitchen with products A and B; alice and carol bought A, bob bought nothing.
async fn shop(db: &Db) {
    add_kitchen(db).await;
    add_products(
        db,
        &[product_input("A", 1_000, 5), product_input("B", 1_000, 5)],
    )
    .await;
    for (n, buyer) in ["alice", "bob", "carol"].into_iter().enumerate() {
        add_shopper(db, buyer).await;
        if buyer == "bob" {
            continue;
        }
        let order = OrderInput {
            order_id: format!("O-{n}"),
            shopper_id: buyer.into(),
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
        record_order(db, &format!("k-{n}"), &order, &TierGrowth, NOW - DAY_MS)
            .await
            .unwrap();
    }
}

/// The questions' server context with the store's `policy` and the flows the server wires in.
fn context(policy: QuestionPolicy) -> Questions {
    Questions {
        policy,
        purchases: std::sync::Arc::new(OrderedProducts),
        then: std::sync::Arc::new(AnswerNotices),
    }
}

fn code(error: StoreError) -> (ErrorCode, Option<String>) {
    let error = AppError::from(error);
    (error.code, error.field)
}

async fn published(db: &Db, shopper: &str, body: &str, at: Millis) -> i64 {
    let policy = QuestionPolicy::default();
    let question = ask(db, shopper, "A", body, &policy, at).await.unwrap();
    decide(db, question.id, &QuestionDecision::Publish, at)
        .await
        .unwrap();
    question.id
}

#[tokio::test]
async fn a_question_waits_for_the_shop_and_its_answer_publishes_it() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = QuestionPolicy::default();
        let asked = ask(db, "bob", "A", "  Is the lid oven-safe?  ", &policy, NOW)
            .await
            .unwrap();
        assert_eq!(
            (asked.status, asked.body.as_str()),
            (QuestionStatus::Pending, "Is the lid oven-safe?")
        );
        assert_eq!(list(db, "A", 0, 10).await.unwrap(), (vec![], 0));
        let waiting = desk(db, DeskQueue::Waiting, 0, 10).await.unwrap();
        assert_eq!(waiting.len(), 1);
        assert_eq!(
            (waiting[0].sku.as_str(), waiting[0].question.asker.as_str()),
            ("A", "Shopper bob")
        );
        let mine = shopper_questions(db, "bob", "A", &OrderedProducts)
            .await
            .unwrap();
        assert_eq!(mine.unpublished, vec![asked.clone()]);
        assert!(!mine.can_answer);

        let answer = answer_as_shop(
            db,
            asked.id,
            "Yes, up to 220 °C.",
            &AnswerNotices,
            NOW + Millis(1),
        )
        .await
        .unwrap();
        assert!(answer.by_shop && !answer.edited);
        let (questions, total) = list(db, "A", 0, 10).await.unwrap();
        assert_eq!(total, 1);
        assert_eq!(questions[0].answers, vec![answer.clone()]);
        assert!(
            desk(db, DeskQueue::Waiting, 0, 10)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(desk(db, DeskQueue::Answered, 0, 10).await.unwrap().len(), 1);
        let mine = shopper_questions(db, "bob", "A", &OrderedProducts)
            .await
            .unwrap();
        assert!(mine.unpublished.is_empty());

        // The shop's answer is one: answering again changes it, the same text changes nothing.
        let same = answer_as_shop(
            db,
            asked.id,
            "Yes, up to 220 °C.",
            &AnswerNotices,
            NOW + Millis(2),
        )
        .await
        .unwrap();
        assert_eq!((same.id, same.edited), (answer.id, false));
        let changed = answer_as_shop(
            db,
            asked.id,
            "Yes, up to 250 °C.",
            &AnswerNotices,
            NOW + Millis(3),
        )
        .await
        .unwrap();
        assert_eq!((changed.id, changed.edited), (answer.id, true));
        assert_eq!(count(db, "answers").await, 1);
        // The asker heard of the answer once, as it first read.
        let emails = crate::messages::ssr::claim_due(db, 10, "w", Millis::minutes(1), NOW + DAY_MS)
            .await
            .unwrap();
        assert_eq!(emails.len(), 1);
        assert_eq!(emails[0].email, "bob@example.com");
        assert_eq!(
            emails[0].body,
            crate::messages::MessageBody::QuestionAnswered(crate::messages::QuestionAnswered {
                sku: "A".into(),
                product_title: "Teapot A".into(),
                product_url: None,
                question: "Is the lid oven-safe?".into(),
                answer: "Yes, up to 220 °C.".into(),
                answered_by: crate::messages::Answerer::Shop,
            })
        );
    }
}

#[tokio::test]
async fn the_asker_hears_of_each_answer_but_their_own_and_not_of_one_taken_down_first() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        // Alice reads Chinese: her email names the product as the catalogue does in Chinese.
        crate::identity::ssr::upsert_shoppers(
            db,
            &[crate::identity::ShopperInput {
                shopper_id: "alice".into(),
                email: Some("alice@example.com".into()),
                display_name: "Shopper alice".into(),
                locale: "zh-CN".into(),
                time_zone: None,
            }],
            NOW,
        )
        .await
        .unwrap();
        let mut translated = product_input("A", 1_000, 5);
        translated.translations = std::collections::BTreeMap::from([(
            "zh-CN".to_owned(),
            crate::catalog::ProductText {
                title: "茶壶 A".into(),
                description: String::new(),
            },
        )]);
        add_products(db, &[translated]).await;
        let policy = QuestionPolicy::default();
        let id = published(db, "alice", "Is the handle heat-proof?", NOW).await;
        answer_as_shopper(db, "alice", id, "Mine is.", &context(policy), NOW)
            .await
            .unwrap();
        assert_eq!(count(db, "messages").await, 0);
        let carols = answer_as_shopper(db, "carol", id, "Mine too.", &context(policy), NOW)
            .await
            .unwrap();
        answer_as_shop(db, id, "It is, up to 120 °C.", &AnswerNotices, NOW)
            .await
            .unwrap();
        assert_eq!(count(db, "messages").await, 2);
        // Carol's answer is taken down before its email went out: that email is not sent.
        remove_answer(db, carols.id, &AnswerNotices, NOW)
            .await
            .unwrap();
        let emails = crate::messages::ssr::claim_due(db, 10, "w", Millis::minutes(1), NOW)
            .await
            .unwrap();
        let (by, titles): (Vec<crate::messages::Answerer>, Vec<String>) = emails
            .into_iter()
            .map(|email| match email.body {
                crate::messages::MessageBody::QuestionAnswered(answered) => {
                    (answered.answered_by, answered.product_title)
                }
                other => panic!("not an answer: {other:?}"),
            })
            .unzip();
        assert_eq!(by, [crate::messages::Answerer::Shop]);
        assert_eq!(titles, ["茶壶 A"]);
    }
}

#[tokio::test]
async fn changes_of_one_questions_answers_at_once_keep_its_counts_equal_to_its_answers() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let voters: Vec<String> = (0..8).map(|n| format!("voter-{n}")).collect();
        for voter in &voters {
            add_shopper(db, voter).await;
        }
        let policy = QuestionPolicy::default();
        let id = published(db, "bob", "Is it quiet?", NOW).await;
        let alices = answer_as_shopper(db, "alice", id, "Very.", &context(policy), NOW)
            .await
            .unwrap();
        let carols = answer_as_shopper(db, "carol", id, "Quite.", &context(policy), NOW)
            .await
            .unwrap();
        let shops = answer_as_shop(db, id, "About 40 dB.", &AnswerNotices, NOW)
            .await
            .unwrap();
        // Marks on two answers, the shop's answer changed, and a third answer taken down, all at once.
        let marks = voters.iter().enumerate().map(|(n, voter)| {
            let answer = if n % 2 == 0 { alices.id } else { shops.id };
            async move {
                vote(db, voter, answer, true, &policy, NOW)
                    .await
                    .map(|_| ())
            }
        });
        let (marked, changed, removed) = futures::join!(
            futures::future::join_all(marks),
            answer_as_shop(db, id, "About 38 dB.", &AnswerNotices, NOW),
            remove_answer(db, carols.id, &AnswerNotices, NOW),
        );
        for mark in marked {
            mark.unwrap();
        }
        changed.unwrap();
        removed.unwrap();
        let (answer_count, top_helpful): (i64, i64) =
            sqlx::query_as("SELECT answer_count, top_helpful FROM questions WHERE id = $1")
                .bind(id)
                .fetch_one(db.reader())
                .await
                .unwrap();
        assert_eq!((answer_count, top_helpful), (2, 4));
        let (questions, _) = list(db, "A", 0, 10).await.unwrap();
        let helpful: Vec<i64> = questions[0].answers.iter().map(|a| a.helpful).collect();
        assert_eq!(helpful, [4, 4]);
    }
}

#[tokio::test]
async fn only_buyers_answer_published_questions_and_only_once() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = QuestionPolicy::default();
        let waiting = ask(db, "bob", "A", "Does it whistle?", &policy, NOW)
            .await
            .unwrap();
        let (alice, bob) = ("alice", "bob");
        let refused = answer_as_shopper(db, alice, waiting.id, "Yes.", &context(policy), NOW)
            .await
            .unwrap_err();
        assert_eq!(code(refused).0, ErrorCode::NotFound);
        let id = published(db, "bob", "How heavy is it?", NOW).await;
        let refused = answer_as_shopper(db, bob, id, "Light.", &context(policy), NOW)
            .await
            .unwrap_err();
        assert_eq!(code(refused).0, ErrorCode::Forbidden);
        assert!(
            shopper_questions(db, "alice", "A", &OrderedProducts)
                .await
                .unwrap()
                .can_answer
        );
        let answer = answer_as_shopper(db, alice, id, "About 1.2 kg.", &context(policy), NOW)
            .await
            .unwrap();
        assert_eq!(
            (answer.by_shop, answer.author.as_str()),
            (false, "Shopper alice")
        );
        let again = answer_as_shopper(db, alice, id, "1.2 kg.", &context(policy), NOW)
            .await
            .unwrap_err();
        assert_eq!(code(again).0, ErrorCode::Conflict);
        assert_eq!(
            shopper_questions(db, "alice", "A", &OrderedProducts)
                .await
                .unwrap()
                .answered,
            vec![id]
        );
        let blank = answer_as_shopper(db, "carol", id, " \n", &context(policy), NOW)
            .await
            .unwrap_err();
        assert_eq!(code(blank), (ErrorCode::Invalid, Some("body".into())));
        let unknown = answer_as_shopper(db, "carol", 999_999, "Yes.", &context(policy), NOW)
            .await
            .unwrap_err();
        assert_eq!(code(unknown).0, ErrorCode::NotFound);
        assert_eq!(count(db, "answers").await, 1);
    }
}

#[tokio::test]
async fn a_turned_down_question_shows_its_reason_to_the_asker_and_takes_no_answer() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = QuestionPolicy::default();
        let asked = ask(db, "bob", "A", "Call me on 555-0100", &policy, NOW)
            .await
            .unwrap();
        let blank = decide(
            db,
            asked.id,
            &QuestionDecision::Reject { reason: " ".into() },
            NOW,
        )
        .await
        .unwrap_err();
        assert_eq!(code(blank), (ErrorCode::Invalid, Some("reason".into())));
        let reason = "Please leave no phone numbers.";
        decide(
            db,
            asked.id,
            &QuestionDecision::Reject {
                reason: reason.into(),
            },
            NOW,
        )
        .await
        .unwrap();
        let mine = shopper_questions(db, "bob", "A", &OrderedProducts)
            .await
            .unwrap();
        assert_eq!(mine.unpublished[0].status, QuestionStatus::Rejected);
        assert_eq!(
            mine.unpublished[0].rejection_reason.as_deref(),
            Some(reason)
        );
        for refused in [
            decide(db, asked.id, &QuestionDecision::Publish, NOW)
                .await
                .map(|_| ()),
            answer_as_shop(db, asked.id, "Sure.", &AnswerNotices, NOW)
                .await
                .map(|_| ()),
        ] {
            assert_eq!(code(refused.unwrap_err()).0, ErrorCode::Conflict);
        }
        let again = AppError::from(
            decide(db, asked.id, &QuestionDecision::Publish, NOW)
                .await
                .unwrap_err(),
        );
        assert_eq!(
            again.message_in("en"),
            "This question is rejected already; reload to see where it stands."
        );
        assert_eq!(
            again.message_in("zh-CN"),
            "这个问题已被拒绝；请刷新页面查看。"
        );
        assert_eq!(desk(db, DeskQueue::Rejected, 0, 10).await.unwrap().len(), 1);
        assert_eq!(count(db, "answers").await, 0);
        let unknown = decide(db, 999_999, &QuestionDecision::Publish, NOW)
            .await
            .unwrap_err();
        assert_eq!(code(unknown).0, ErrorCode::NotFound);
    }
}

#[tokio::test]
async fn helpful_marks_are_one_per_shopper_and_order_the_answers_and_the_questions() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = QuestionPolicy::default();
        let older = published(db, "bob", "Is it dishwasher-safe?", NOW).await;
        let newer = published(db, "bob", "Does it come with a lid?", NOW + Millis(10)).await;
        let unanswered = published(db, "bob", "Which colours?", NOW + Millis(20)).await;
        let shop_answer = answer_as_shop(db, older, "Yes.", &AnswerNotices, NOW)
            .await
            .unwrap();
        let by_alice = answer_as_shopper(
            db,
            "alice",
            older,
            "Mine is fine after a year.",
            &context(policy),
            NOW,
        )
        .await
        .unwrap();
        answer_as_shopper(db, "carol", newer, "It does.", &context(policy), NOW)
            .await
            .unwrap();
        // Unanswered last; then the newer of the two answered with no helpful marks yet.
        let order = |questions: Vec<Question>| questions.iter().map(|q| q.id).collect::<Vec<_>>();
        assert_eq!(
            order(list(db, "A", 0, 10).await.unwrap().0),
            [newer, older, unanswered]
        );

        // Five clicks at once by one shopper leave one mark.
        let clicks = (0..5).map(|_| vote(db, "bob", by_alice.id, true, &policy, NOW));
        for tally in futures::future::join_all(clicks).await {
            assert_eq!(tally.unwrap().helpful, 1);
        }
        vote(db, "carol", by_alice.id, true, &policy, NOW)
            .await
            .unwrap();
        let (questions, _) = list(db, "A", 0, 10).await.unwrap();
        assert_eq!(order(questions.clone()), [older, newer, unanswered]);
        let answers: Vec<(i64, i64)> = questions[0]
            .answers
            .iter()
            .map(|a| (a.id, a.helpful))
            .collect();
        assert_eq!(answers, [(by_alice.id, 2), (shop_answer.id, 0)]);
        assert_eq!(
            shopper_questions(db, "bob", "A", &OrderedProducts)
                .await
                .unwrap()
                .helpful_votes,
            vec![by_alice.id]
        );

        let withdrawn = vote(db, "carol", by_alice.id, false, &policy, NOW)
            .await
            .unwrap();
        assert_eq!(
            withdrawn,
            AnswerTally {
                helpful: 1,
                voted: false
            }
        );
        let own = vote(db, "alice", by_alice.id, true, &policy, NOW)
            .await
            .unwrap_err();
        assert_eq!(code(own).0, ErrorCode::Forbidden);

        // Taken down, the answer leaves the page and its marks stop ordering its question.
        remove_answer(db, by_alice.id, &AnswerNotices, NOW)
            .await
            .unwrap();
        let (questions, _) = list(db, "A", 0, 10).await.unwrap();
        assert_eq!(order(questions.clone()), [newer, older, unanswered]);
        assert_eq!(questions[1].answers, vec![shop_answer]);
        let gone = vote(db, "carol", by_alice.id, true, &policy, NOW)
            .await
            .unwrap_err();
        assert_eq!(code(gone).0, ErrorCode::NotFound);
        let twice = remove_answer(db, by_alice.id, &AnswerNotices, NOW)
            .await
            .unwrap_err();
        assert_eq!(code(twice).0, ErrorCode::NotFound);
        assert_eq!(
            desk(db, DeskQueue::Unanswered, 0, 10).await.unwrap().len(),
            1
        );
    }
}

#[tokio::test]
async fn limits_refuse_with_a_retry_time_and_change_nothing() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = QuestionPolicy {
            questions_per_day: 2,
            answers_per_day: 1,
            votes_per_minute: 1,
        };
        for n in 0..2 {
            ask(
                db,
                "bob",
                "A",
                &format!("Question {n}?"),
                &policy,
                NOW + Millis(n),
            )
            .await
            .unwrap();
        }
        let refused = AppError::from(
            ask(db, "bob", "B", "One more?", &policy, NOW + Millis::hours(1))
                .await
                .unwrap_err(),
        );
        assert_eq!(refused.code, ErrorCode::RateLimited);
        assert_eq!(refused.retry_after_seconds, Some(23 * 3600));
        assert_eq!(count(db, "questions").await, 2);
        // A day after the first, a slot is free again.
        ask(
            db,
            "bob",
            "B",
            "One more?",
            &policy,
            NOW + DAY_MS + Millis(1),
        )
        .await
        .unwrap();

        let first = published(db, "carol", "First?", NOW).await;
        let second = published(db, "carol", "Second?", NOW).await;
        let answer = answer_as_shopper(db, "alice", first, "Yes.", &context(policy), NOW)
            .await
            .unwrap();
        let refused = answer_as_shopper(db, "alice", second, "Yes.", &context(policy), NOW)
            .await
            .unwrap_err();
        assert_eq!(code(refused).0, ErrorCode::RateLimited);
        // One mark a minute: taking it back and marking the same answer again are not new marks; another answer's is.
        for helpful in [true, false, true] {
            vote(db, "bob", answer.id, helpful, &policy, NOW)
                .await
                .unwrap();
        }
        let shops = answer_as_shop(db, second, "Yes.", &AnswerNotices, NOW)
            .await
            .unwrap();
        let refused = vote(db, "bob", shops.id, true, &policy, NOW + Millis(10))
            .await
            .unwrap_err();
        let refused = AppError::from(refused);
        assert_eq!(
            (refused.code, refused.retry_after_seconds),
            (ErrorCode::RateLimited, Some(60))
        );
        assert_eq!(
            (count(db, "answers").await, count(db, "answer_votes").await),
            (2, 1)
        );
        vote(
            db,
            "bob",
            shops.id,
            true,
            &policy,
            NOW + Millis::minutes(1) + Millis(1),
        )
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn asking_refuses_bad_text_unknown_products_and_unknown_shoppers() {
    for store in all().await {
        let db = &store.db;
        shop(db).await;
        let policy = QuestionPolicy::default();
        for (shopper, sku, body, expected) in [
            (
                "bob",
                "A",
                "",
                (ErrorCode::Invalid, Some("body".to_owned())),
            ),
            (
                "bob",
                "A",
                "Is it \u{1b}[31msafe?",
                (ErrorCode::Invalid, Some("body".to_owned())),
            ),
            (
                "bob",
                "NOPE",
                "Is it safe?",
                (ErrorCode::NotFound, Some("sku".to_owned())),
            ),
            (
                "bob",
                "bad sku!",
                "Is it safe?",
                (ErrorCode::Invalid, Some("sku".to_owned())),
            ),
            ("nobody", "A", "Is it safe?", (ErrorCode::NotFound, None)),
        ] {
            let refused = ask(db, shopper, sku, body, &policy, NOW).await.unwrap_err();
            assert_eq!(code(refused), expected, "{shopper} {sku} {body:?}");
        }
        assert_eq!(count(db, "questions").await, 0);
        assert_eq!(
            shopper_questions(db, "nobody", "A", &OrderedProducts)
                .await
                .unwrap(),
            ShopperQuestions::default()
        );
    }
}
