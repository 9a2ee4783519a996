use super::*;

const DAY: Millis = DAY_MS;

fn bought(shopper: i64, product: i64) -> Interaction {
    Interaction::new(shopper, product, EventKind::Purchased, Millis(0))
}

fn plain() -> SimilarityRules {
    SimilarityRules {
        shrinkage: 0.0,
        ..SimilarityRules::default()
    }
}

fn neighbours_of(table: &BTreeMap<i64, Vec<Similar>>, product: i64) -> Vec<i64> {
    table[&product].iter().map(|s| s.product).collect()
}

#[test]
fn a_purchase_says_more_than_a_save_a_save_more_than_a_cart_a_cart_more_than_a_view() {
    let order = [
        EventKind::Purchased,
        EventKind::Wishlisted,
        EventKind::Carted,
        EventKind::Viewed,
    ];
    for pair in order.windows(2) {
        assert!(event_weight(pair[0]) > event_weight(pair[1]), "{pair:?}");
    }
    assert_eq!(event_weight(EventKind::Dismissed), 0.0);
    assert_eq!(event_weight(EventKind::Unwishlisted), 0.0);
}

#[test]
fn weight_halves_every_half_life() {
    assert_eq!(recency(Millis(0), 10 * DAY), 1.0);
    assert!((recency(10 * DAY, 10 * DAY) - 0.5).abs() < 1e-6);
    assert!((recency(20 * DAY, 10 * DAY) - 0.25).abs() < 1e-6);
    assert_eq!(
        recency(-DAY, 10 * DAY),
        1.0,
        "an event stamped ahead counts fully"
    );
}

#[test]
fn a_shoppers_interest_is_their_strongest_event_not_their_most_frequent() {
    let history = [
        Interaction::new(1, 7, EventKind::Viewed, Millis(0)),
        Interaction::new(1, 7, EventKind::Viewed, Millis(0)),
        Interaction::new(1, 7, EventKind::Viewed, Millis(0)),
        Interaction::new(1, 8, EventKind::Purchased, Millis(0)),
        Interaction::new(1, 9, EventKind::Dismissed, Millis(0)),
    ];
    let interests = interests(&history, 30 * DAY);
    assert_eq!(interests[&1][&7], event_weight(EventKind::Viewed));
    assert_eq!(interests[&1][&8], event_weight(EventKind::Purchased));
    assert!(
        !interests[&1].contains_key(&9),
        "a dismissal is no interest"
    );
}

#[test]
fn products_wanted_by_the_same_shoppers_are_the_most_similar() {
    // 10 and 11 always go together; 10 and 12 once; 13 never with 10.
    let history = [
        bought(1, 10),
        bought(1, 11),
        bought(2, 10),
        bought(2, 11),
        bought(3, 10),
        bought(3, 11),
        bought(3, 12),
        bought(4, 12),
        bought(4, 13),
    ];
    let table = similar_products(&history, &plain());
    assert_eq!(neighbours_of(&table, 10), [11, 12]);
    let to_11 = table[&10][0].score;
    assert!(
        (to_11 - 1.0).abs() < 1e-6,
        "same shoppers, same weights: cosine 1, got {to_11}"
    );
    assert_eq!(table[&11][0].product, 10, "similarity is symmetric");
    assert!((table[&11][0].score - to_11).abs() < 1e-6);
    assert!(!neighbours_of(&table, 10).contains(&13));
}

#[test]
fn shrinkage_ranks_a_pair_several_shoppers_share_above_a_one_off() {
    // 20 is bought by shoppers 1-3. 21 only by shopper 1 (cosine 0.58 with 20, one shared shopper); 22 by shoppers
    // 2-7 (cosine 0.47, two shared).
    let mut history: Vec<_> = (1..=3).map(|s| bought(s, 20)).collect();
    history.push(bought(1, 21));
    history.extend((2..=7).map(|s| bought(s, 22)));
    assert_eq!(
        neighbours_of(&similar_products(&history, &plain()), 20),
        [21, 22],
        "without shrinkage the one-off wins"
    );
    let shrunk = similar_products(&history, &SimilarityRules::default());
    assert_eq!(neighbours_of(&shrunk, 20), [22, 21]);
}

#[test]
fn a_shoppers_older_interests_weigh_less_but_a_shopper_who_was_away_counts_fully() {
    let late = 400 * DAY;
    let history = [
        // Shopper 1 bought 50 and 51 long ago and has not been back; shopper 2 bought 50 and 52 lately.
        Interaction::new(1, 50, EventKind::Purchased, Millis(0)),
        Interaction::new(1, 51, EventKind::Purchased, Millis(0)),
        Interaction::new(2, 50, EventKind::Purchased, late),
        Interaction::new(2, 52, EventKind::Purchased, late),
        // Shopper 3 bought 60 long ago and 61 lately.
        Interaction::new(3, 60, EventKind::Purchased, Millis(0)),
        Interaction::new(3, 61, EventKind::Purchased, late),
    ];
    let rules = plain();
    let wanted = interests(&history, rules.half_life);
    assert_eq!(wanted[&1][&50], event_weight(EventKind::Purchased));
    assert!(wanted[&3][&60] < 0.05 * wanted[&3][&61], "{:?}", wanted[&3]);
    let table = similar_products(&history, &rules);
    assert_eq!(table[&50][0].score, table[&50][1].score, "{:?}", table[&50]);
}

#[test]
fn only_the_top_neighbours_and_a_shoppers_strongest_products_are_kept() {
    let history: Vec<_> = (0..10).map(|p| bought(1, p)).collect();
    let rules = SimilarityRules {
        neighbours: 3,
        ..plain()
    };
    let table = similar_products(&history, &rules);
    assert_eq!(
        neighbours_of(&table, 0),
        [1, 2, 3],
        "ties go to the lower id"
    );

    let mut history = vec![
        Interaction::new(1, 40, EventKind::Purchased, Millis(0)),
        Interaction::new(1, 41, EventKind::Purchased, Millis(0)),
        Interaction::new(1, 42, EventKind::Viewed, Millis(0)),
    ];
    history.push(Interaction::new(2, 42, EventKind::Purchased, Millis(0)));
    history.push(Interaction::new(2, 40, EventKind::Viewed, Millis(0)));
    let rules = SimilarityRules {
        products_per_shopper: 2,
        ..plain()
    };
    let table = similar_products(&history, &rules);
    assert_eq!(
        neighbours_of(&table, 41),
        [40],
        "shopper 1's view of 42 fell outside their two strongest"
    );
}

#[test]
fn recommendations_add_up_over_anchors_and_name_the_strongest_reason() {
    let table: BTreeMap<i64, Vec<Similar>> = [
        (
            1,
            vec![
                Similar {
                    product: 10,
                    score: 0.5,
                },
                Similar {
                    product: 11,
                    score: 0.4,
                },
            ],
        ),
        (
            2,
            vec![
                Similar {
                    product: 11,
                    score: 0.3,
                },
                Similar {
                    product: 12,
                    score: 0.9,
                },
                Similar {
                    product: 1,
                    score: 0.2,
                },
            ],
        ),
    ]
    .into_iter()
    .collect();
    let anchors = [
        Anchor {
            product: 1,
            weight: 1.0,
        },
        Anchor {
            product: 2,
            weight: 0.5,
        },
    ];
    let picks = recommend(&anchors, &table, &HashSet::new(), 10);
    let summary: Vec<(i64, i64)> = picks.iter().map(|r| (r.product, r.because)).collect();
    // 11: 0.4 + 0.15 = 0.55 (mostly from 1); 10: 0.5; 12: 0.45. Anchor 1 is never recommended back.
    assert_eq!(summary, [(11, 1), (10, 1), (12, 2)]);
    assert!((picks[0].score - 0.55).abs() < 1e-6);

    let excluded: HashSet<i64> = [11].into_iter().collect();
    let picks = recommend(&anchors, &table, &excluded, 1);
    assert_eq!(picks.iter().map(|r| r.product).collect::<Vec<_>>(), [10]);
    assert!(recommend(&[], &table, &HashSet::new(), 10).is_empty());
}

#[test]
fn anchors_are_the_strongest_recent_interests() {
    let history = [
        Interaction::new(1, 5, EventKind::Viewed, 100 * DAY),
        Interaction::new(1, 6, EventKind::Purchased, Millis(0)),
        Interaction::new(1, 7, EventKind::Wishlisted, 100 * DAY),
        Interaction::new(1, 8, EventKind::Dismissed, 100 * DAY),
    ];
    let picked: Vec<i64> = anchors(&history, 30 * DAY, 100 * DAY, 2)
        .iter()
        .map(|a| a.product)
        .collect();
    // 6 was a purchase, but 100 days ago: 4 × 0.1 = 0.4, below the fresh save (3) and the fresh view (1).
    assert_eq!(picked, [7, 5]);
}

#[test]
fn neighbour_lists_survive_storage_exactly() {
    let list = vec![
        Similar {
            product: 12,
            score: 0.123_456_79,
        },
        Similar {
            product: 7,
            score: 1.0e-7,
        },
    ];
    let text = encode_neighbours(&list);
    assert_eq!(decode_neighbours(&text), list);
    assert_eq!(decode_neighbours(""), []);
    assert_eq!(decode_neighbours("5:0.5 junk 6:x 7:0.25").len(), 2);
}

#[test]
fn a_partial_build_gives_its_targets_the_lists_of_a_full_build() {
    let mut history = vec![
        bought(1, 10),
        bought(1, 11),
        bought(2, 10),
        bought(2, 12),
        bought(3, 11),
        bought(3, 12),
        bought(3, 13),
        Interaction::new(4, 13, EventKind::Viewed, Millis(0)),
        // Shopper 5 never touches 10 or 13, but makes 11's norm longer than the partial build's events show.
        bought(5, 11),
        bought(5, 14),
    ];
    let before = neighbourhoods(&history, &plain(), None, &HashMap::new());
    // Shopper 4 does something new with 10: their products are the targets, and the partial build reads the
    // events of every shopper who touched a target, which leaves shopper 5 out.
    history.push(Interaction::new(4, 10, EventKind::Wishlisted, DAY));
    let full = neighbourhoods(&history, &plain(), None, &HashMap::new());
    let targets: HashSet<i64> = [10, 13].into();
    let read: Vec<Interaction> = history.iter().copied().filter(|e| e.shopper != 5).collect();
    let stored: HashMap<i64, f32> = before.iter().map(|(&p, n)| (p, n.norm)).collect();
    let partial = neighbourhoods(&read, &plain(), Some(&targets), &stored);
    assert_eq!(partial.keys().copied().collect::<Vec<_>>(), [10, 13]);
    for product in [10, 13] {
        assert_eq!(partial[&product], full[&product], "product {product}");
    }
    // Without the stored norms, 11 would look closer to the targets than it is.
    let unaware = neighbourhoods(&read, &plain(), Some(&targets), &HashMap::new());
    assert_ne!(unaware[&10], full[&10]);
}

#[test]
fn pairs_too_few_shoppers_share_are_no_neighbours() {
    let history = [
        bought(1, 10),
        bought(1, 11),
        bought(2, 10),
        bought(2, 12),
        bought(3, 10),
        bought(3, 12),
    ];
    let rules = SimilarityRules {
        min_shared: 2,
        ..plain()
    };
    let table = similar_products(&history, &rules);
    assert_eq!(
        neighbours_of(&table, 10),
        [12],
        "only shopper 1 bought 10 with 11"
    );
    assert!(!table.contains_key(&11));
}
