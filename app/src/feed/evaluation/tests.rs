use super::*;
use crate::feed::transitions::TransitionRules;

#[test]
fn the_last_purchase_is_held_out_with_what_came_after_it() {
    let history = [
        Interaction::new(1, 10, EventKind::Viewed, Millis(1)),
        Interaction::new(1, 11, EventKind::Purchased, Millis(2)),
        Interaction::new(1, 12, EventKind::Purchased, Millis(3)),
        Interaction::new(1, 13, EventKind::Viewed, Millis(4)),
        Interaction::new(2, 10, EventKind::Purchased, Millis(1)),
    ];
    let split = leave_last_out(&history, 10, 1);
    assert_eq!(
        split.cases,
        [Case {
            shopper: 1,
            product: 12,
            at: Millis(3)
        }],
        "shopper 2 has nothing before their purchase"
    );
    let kept: Vec<(i64, i64)> = split.train.iter().map(|e| (e.shopper, e.product)).collect();
    assert_eq!(kept, [(1, 10), (1, 11), (2, 10)]);
}

#[test]
fn a_repeat_purchase_is_no_test_case_and_the_sample_is_capped_and_repeatable() {
    let mut history = vec![
        Interaction::new(1, 10, EventKind::Purchased, Millis(1)),
        Interaction::new(1, 10, EventKind::Purchased, Millis(2)),
    ];
    for shopper in 2..50 {
        history.push(Interaction::new(shopper, 1, EventKind::Viewed, Millis(1)));
        history.push(Interaction::new(
            shopper,
            2,
            EventKind::Purchased,
            Millis(2),
        ));
    }
    let split = leave_last_out(&history, 1_000, 3);
    assert_eq!(split.cases.len(), 48);
    assert!(split.cases.iter().all(|c| c.shopper != 1));
    let few = leave_last_out(&history, 5, 3);
    assert_eq!(few.cases.len(), 5);
    assert_eq!(few, leave_last_out(&history, 5, 3));
    assert_ne!(
        few.cases,
        leave_last_out(&history, 5, 4).cases,
        "another seed, another sample"
    );
}

#[test]
fn hit_rate_and_ndcg_reward_finding_the_product_and_finding_it_early() {
    let cases = [
        Case {
            shopper: 1,
            product: 7,
            at: Millis(0),
        },
        Case {
            shopper: 2,
            product: 8,
            at: Millis(0),
        },
    ];
    let ranked = |case: &Case| {
        if case.shopper == 1 {
            vec![7, 1]
        } else {
            vec![1, 2, 8]
        }
    };
    let scores = score(&cases, ranked, 10);
    assert_eq!(scores.hit_rate, 1.0);
    assert!(
        (scores.ndcg - (1.0 + 0.5) / 2.0).abs() < 1e-9,
        "ranks 0 and 2: 1 and 1/log2(4)"
    );
    let top2 = score(&cases, ranked, 2);
    assert_eq!(top2.hit_rate, 0.5, "a hit below k does not count");
}

#[test]
fn on_histories_with_a_pattern_the_feed_beats_popularity_and_chance() {
    // Two tastes: shoppers who buy A1 then A2, and shoppers who buy B1 then B2. A popular product P is bought by
    // everyone first. Popularity recommends P-like best sellers; the feed knows A2 follows A1.
    let mut history = Vec::new();
    for shopper in 0..200 {
        let (first, second) = if shopper % 2 == 0 { (1, 2) } else { (11, 12) };
        history.push(Interaction::new(
            shopper,
            100,
            EventKind::Purchased,
            Millis(1),
        ));
        history.push(Interaction::new(
            shopper,
            first,
            EventKind::Purchased,
            Millis(2),
        ));
        history.push(Interaction::new(
            shopper,
            second,
            EventKind::Purchased,
            Millis(3),
        ));
        // Noise: everyone views a few other products.
        for n in 0..3 {
            history.push(Interaction::new(
                shopper,
                200 + (shopper * 7 + n) % 40,
                EventKind::Viewed,
                Millis(2),
            ));
        }
    }
    let report = evaluate(
        &history,
        50,
        10,
        &SimilarityRules::default(),
        &TransitionRules::default(),
        11,
    );
    assert_eq!(report.cases, 50);
    assert_eq!(report.feed.hit_rate, 1.0);
    assert!(report.feed.ndcg > 0.99, "{report:?}");
    assert!(report.popularity.ndcg < report.feed.ndcg, "{report:?}");
    assert!(report.random.hit_rate < 0.5, "{report:?}");
}
