use super::*;
use crate::events::EventKind;
use crate::kernel::time::Millis;

fn event(shopper: i64, product: i64, kind: EventKind, at: i64) -> Interaction {
    Interaction::new(shopper, product, kind, Millis(at))
}

fn products(steps: &[Step]) -> Vec<i64> {
    steps.iter().map(|step| step.product).collect()
}

#[test]
fn a_history_becomes_steps_in_time_order_with_one_step_per_run_of_a_product() {
    let history = [
        event(1, 30, EventKind::Viewed, 5),
        event(1, 10, EventKind::Viewed, 1),
        event(1, 10, EventKind::Carted, 2),
        event(1, 10, EventKind::Purchased, 3),
        event(1, 20, EventKind::Dismissed, 4),
        // Two events of one moment keep the order they were given in.
        event(1, 40, EventKind::Viewed, 6),
        event(1, 41, EventKind::Viewed, 6),
    ];
    let steps = steps(&history);
    assert_eq!(products(&steps), [10, 30, 40, 41], "a dismissal is no step");
    assert_eq!(steps[0].weight, 4.0, "the run of 10 weighs as its purchase");
    assert_eq!(steps[1].weight, 1.0);
}

#[test]
fn each_step_leads_to_the_next_few_the_nearer_and_the_stronger_weighing_more() {
    let rules = TransitionRules {
        window: 2,
        step_decay: 0.5,
        ..TransitionRules::default()
    };
    let history = [
        event(1, 1, EventKind::Viewed, 1),
        event(1, 2, EventKind::Viewed, 2),
        event(1, 3, EventKind::Purchased, 3),
        event(1, 1, EventKind::Viewed, 4),
    ];
    let counts = count_transitions(&history, &rules);
    let weight = |from, to| counts.pairs.get(&(from, to)).map(|moved| moved.weight);
    assert_eq!(weight(1, 2), Some(250_000), "a view weighs a quarter");
    assert_eq!(weight(2, 3), Some(1_000_000), "a purchase weighs one");
    assert_eq!(weight(1, 3), Some(500_000), "two steps on: half");
    assert_eq!(weight(3, 1), Some(250_000));
    assert_eq!(weight(2, 1), Some(125_000));
    assert_eq!(weight(1, 1), None, "coming back is no move to itself");
    assert_eq!(
        counts.pairs.len(),
        5,
        "three steps on is outside the window"
    );
}

/// A store's worth of histories in which shoppers tend to go from each product to the next.
fn store_history() -> Vec<Interaction> {
    let mut history = Vec::new();
    for shopper in 0..40 {
        for n in 0..12 {
            let product = (shopper * 3 + n * (1 + shopper % 4)) % 25;
            let kind =
                [EventKind::Viewed, EventKind::Carted, EventKind::Purchased][(n % 3) as usize];
            history.push(event(shopper, product, kind, 1_000 * n + shopper));
        }
    }
    history
}

#[test]
fn counts_kept_by_taking_away_and_adding_each_shoppers_history_equal_a_rebuild() {
    let rules = TransitionRules::default();
    let before = store_history();
    let mut counts = count_transitions(&before, &rules);
    // Shopper 3 goes on (one run continues, a new product follows), shopper 7 reports an order from the past,
    // and shopper 100 arrives.
    let new = [
        event(3, (3 * 3 + 11 * 4) % 25, EventKind::Purchased, 20_000),
        event(3, 24, EventKind::Viewed, 20_001),
        event(7, 13, EventKind::Purchased, 2_500),
        event(100, 1, EventKind::Viewed, 20_000),
        event(100, 2, EventKind::Viewed, 20_001),
    ];
    let after: Vec<Interaction> = before.iter().chain(&new).copied().collect();
    for shopper in [3, 7, 100] {
        let of = |events: &[Interaction]| -> Vec<Interaction> {
            events
                .iter()
                .filter(|e| e.shopper == shopper)
                .copied()
                .collect()
        };
        counts.subtract(&count_transitions(&of(&before), &rules));
        counts.add(&count_transitions(&of(&after), &rules));
    }
    assert_eq!(
        counts,
        count_transitions(&after, &rules),
        "exactly: the weights are whole numbers"
    );
    assert_ne!(counts, count_transitions(&before, &rules));
}

#[test]
fn moves_taken_away_entirely_leave_no_pair_behind() {
    let rules = TransitionRules::default();
    let history = store_history();
    let mut counts = count_transitions(&history, &rules);
    counts.subtract(&count_transitions(&history, &rules));
    assert!(counts.pairs.is_empty(), "{:?}", counts.pairs);
}

#[test]
fn a_successors_chance_is_its_share_of_what_left_the_product_smoothed() {
    let rules = TransitionRules {
        successors: 2,
        smoothing: 2.0,
        ..TransitionRules::default()
    };
    let moved = |weight, shoppers| Move { weight, shoppers };
    let moves = [
        (5, moved(4_000_000, 3)),
        (6, moved(2_000_000, 1)),
        (7, moved(2_000_000, 2)),
        (8, moved(0, 0)),
    ];
    let list = likeliest(&moves, &rules);
    assert_eq!(
        list,
        [
            Successor {
                product: 5,
                chance: 0.4,
                shoppers: 3
            },
            Successor {
                product: 6,
                chance: 0.2,
                shoppers: 1
            }
        ],
        "out of 8 + 2; a tie goes to the lower id; two at most"
    );
    let one = likeliest(&[(5, moved(1_000_000, 1))], &rules);
    assert!(
        one[0].chance < 0.34,
        "one shopper's move promises little: {one:?}"
    );
}

#[test]
fn the_next_products_come_from_the_latest_steps_the_latest_weighing_most() {
    let rules = TransitionRules {
        anchors: 2,
        anchor_decay: 0.5,
        ..TransitionRules::default()
    };
    let successors = BTreeMap::from([
        (
            1,
            vec![
                Successor {
                    product: 10,
                    chance: 0.5,
                    shoppers: 2,
                },
                Successor {
                    product: 2,
                    chance: 0.4,
                    shoppers: 2,
                },
            ],
        ),
        (
            2,
            vec![
                Successor {
                    product: 20,
                    chance: 0.6,
                    shoppers: 2,
                },
                Successor {
                    product: 10,
                    chance: 0.2,
                    shoppers: 2,
                },
                Successor {
                    product: 99,
                    chance: 0.1,
                    shoppers: 2,
                },
            ],
        ),
        (
            3,
            vec![Successor {
                product: 30,
                chance: 1.0,
                shoppers: 2,
            }],
        ),
    ]);
    let history = [
        event(1, 3, EventKind::Viewed, 1),
        event(1, 2, EventKind::Viewed, 2),
        event(1, 1, EventKind::Viewed, 3),
    ];
    let recent = recent_steps(&history, rules.anchors);
    assert_eq!(products(&recent), [1, 2], "latest first, two of them");
    let picks = what_comes_next(&recent, &successors, &rules, &HashSet::from([99]), 10);
    let got: Vec<(i64, i64)> = picks.iter().map(|r| (r.product, r.because)).collect();
    // 10: 0.5 from 1 and 0.5 × 0.2 from 2; 20: 0.5 × 0.6 from 2. 2 is an anchor, 99 excluded, 3 too far back.
    assert_eq!(got, [(10, 1), (20, 2)]);
    assert!((picks[0].score - 0.6).abs() < 1e-6);
}

#[test]
fn a_blend_takes_each_source_relative_to_its_best_and_keeps_the_stronger_reason() {
    let pick = |product, score, because| Recommendation {
        product,
        score,
        because,
    };
    let similar = [pick(1, 0.9, 100), pick(2, 0.3, 100)];
    let next = [pick(3, 0.2, 200), pick(2, 0.1, 200)];
    let order = |share| -> Vec<(i64, i64)> {
        blend(&similar, &next, share, 10)
            .iter()
            .map(|r| (r.product, r.because))
            .collect()
    };
    assert_eq!(order(0.0), [(1, 100), (2, 100)]);
    assert_eq!(order(1.0), [(3, 200), (2, 200)]);
    // At 0.8: 3 scores 0.8, 2 scores 0.2 × 1/3 + 0.8 × 1/2 (mostly from the transitions), 1 scores 0.2.
    assert_eq!(order(0.8), [(3, 200), (2, 200), (1, 100)]);
    assert_eq!(blend(&similar, &next, 0.8, 1).len(), 1);
}

#[test]
fn stored_moves_and_successors_read_back_as_written_and_malformed_entries_are_skipped() {
    let moved = |weight, shoppers| Move { weight, shoppers };
    let moves = vec![(3, moved(250_000, 1)), (12, moved(1_500_000, 2))];
    assert_eq!(encode_moves(&moves), "3:250000:1 12:1500000:2");
    assert_eq!(decode_moves(&encode_moves(&moves)), moves);
    assert_eq!(
        decode_moves("3:250000:1 x:1:1 4 5:y:1 6:1:1:1 7:0.25:1"),
        [(3, moves[0].1)],
        "a weight must be a whole number of millionths"
    );
    assert_eq!(encode_moves(&[]), "");
    let list = [Successor {
        product: 7,
        chance: 0.125,
        shoppers: 4,
    }];
    assert_eq!(decode_successors(&encode_successors(&list)), list);
    assert_eq!(decode_successors("7:0.125:4 7 8:0.1"), list);
}

#[test]
fn merging_a_change_into_stored_moves_adds_takes_away_and_keeps_the_order() {
    let moved = |weight, shoppers| Move { weight, shoppers };
    let stored = vec![(2, moved(500, 2)), (5, moved(100, 1)), (9, moved(700, 3))];
    let change = [
        (1, moved(40, 1)),
        (5, moved(-100, -1)),
        (7, moved(30, 1)),
        (9, moved(-200, 0)),
        (12, moved(10, 1)),
    ];
    assert_eq!(
        merge_moves(stored.clone(), &change),
        [
            (1, moved(40, 1)),
            (2, moved(500, 2)),
            (7, moved(30, 1)),
            (9, moved(500, 3)),
            (12, moved(10, 1)),
        ],
        "5 is taken away entirely"
    );
    assert_eq!(merge_moves(stored.clone(), &[]), stored);
    assert_eq!(merge_moves(Vec::new(), &change[..1]), [(1, moved(40, 1))]);
}

#[test]
fn merging_each_products_change_equals_adding_the_counts() {
    let rules = TransitionRules::default();
    let history = store_history();
    let (old, new) = history.split_at(history.len() / 2);
    let mut whole = count_transitions(old, &rules);
    let change = count_transitions(new, &rules);
    let stored = whole.by_product();
    whole.add(&change);
    let changes = change.by_product();
    let mut merged: BTreeMap<i64, Moves> = stored.clone();
    for (product, moves) in &changes {
        let before = merged.remove(product).unwrap_or_default();
        let after = merge_moves(before, moves);
        if !after.is_empty() {
            merged.insert(*product, after);
        }
    }
    assert_eq!(merged, whole.by_product());
}
