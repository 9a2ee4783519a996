use super::*;

/// One shopper's history, newest first: (product, kind, time).
fn history(events: &[(i64, EventKind, Millis)]) -> Vec<Interaction> {
    events
        .iter()
        .map(|&(product, kind, at)| Interaction::new(1, product, kind, at))
        .collect()
}

/// Products 1..=n in category `category`, available, not repeatable.
fn shelf(facts: &mut HashMap<i64, ProductFacts>, products: &[i64], category: i64) {
    for &product in products {
        facts.insert(
            product,
            ProductFacts {
                category,
                repeatable: false,
                available: true,
            },
        );
    }
}

fn ids(planned: &Planned) -> Vec<i64> {
    planned.cards.iter().map(|(id, _)| *id).collect()
}

fn picks(products: &[i64]) -> Vec<Recommendation> {
    products
        .iter()
        .enumerate()
        .map(|(rank, &product)| Recommendation {
            product,
            score: 100.0 - rank as f32,
            because: 100,
        })
        .collect()
}

#[test]
fn page_sizes_are_clamped_to_one_and_the_maximum() {
    assert_eq!(page_size(-5), 1);
    assert_eq!(page_size(0), 1);
    assert_eq!(page_size(8), 8);
    assert_eq!(page_size(i64::MAX), MAX_PER_SECTION);
    assert_eq!(
        section_size(1),
        MIN_PER_SECTION,
        "a section needs three cards to show"
    );
    assert_eq!(section_size(-9), MIN_PER_SECTION);
    assert_eq!(section_size(1_000_000), MAX_PER_SECTION);
}

#[test]
fn out_of_stock_dismissed_and_bought_products_are_excluded_unless_the_category_is_repeatable() {
    let exclusions = Exclusions {
        bought: [1, 2].into(),
        dismissed: [3].into(),
        ..Exclusions::default()
    };
    let plain = ProductFacts {
        category: 1,
        repeatable: false,
        available: true,
    };
    let coffee = ProductFacts {
        repeatable: true,
        ..plain
    };
    let sold_out = ProductFacts {
        available: false,
        ..plain
    };
    assert!(!exclusions.allows(1, &plain), "bought");
    assert!(exclusions.allows(2, &coffee), "bought, but repeatable");
    assert!(
        !exclusions.allows(3, &coffee),
        "dismissed, even if repeatable"
    );
    assert!(!exclusions.allows(4, &sold_out), "out of stock or inactive");
    assert!(exclusions.allows(4, &plain));
}

#[test]
fn diversify_caps_each_category_and_keeps_rank_order() {
    let ranked = [(1, 7), (2, 7), (3, 7), (4, 7), (5, 8), (6, 9)];
    let picked = diversify(ranked, |&(_, c)| Some(c), 4, 2);
    assert_eq!(picked, [(1, 7), (2, 7), (5, 8), (6, 9)]);
    // Unknown categories (products that are gone) are skipped, and the limit holds.
    let picked = diversify([(1, None), (2, Some(7)), (3, Some(8))], |&(_, c)| c, 1, 2);
    assert_eq!(picked, [(2, Some(7))]);
    assert_eq!(per_category(8), 4);
    assert_eq!(per_category(1), 1);
}

#[test]
fn the_latest_actions_pick_the_because_sections_newest_first_once_each() {
    let events = history(&[
        (5, EventKind::Viewed, Millis(50)),
        (4, EventKind::Dismissed, Millis(40)),
        (5, EventKind::Purchased, Millis(30)),
        (3, EventKind::Wishlisted, Millis(20)),
        (2, EventKind::Viewed, Millis(10)),
    ]);
    assert_eq!(
        recent_actions(&events, 3),
        [
            (5, Activity::Viewed),
            (3, Activity::Saved),
            (2, Activity::Viewed)
        ]
    );
    // For reasons of recommendations, what weighs most: the purchase of 5, not its later view.
    let strongest = strongest_actions(&events);
    assert_eq!(strongest[&5], Activity::Bought);
    assert!(!strongest.contains_key(&4));
}

#[test]
fn recently_viewed_is_capped_distinct_and_starts_after_clearing() {
    let events = history(&[
        (3, EventKind::Viewed, Millis(60)),
        (2, EventKind::Carted, Millis(55)),
        (2, EventKind::Viewed, Millis(50)),
        (3, EventKind::Viewed, Millis(40)),
        (1, EventKind::Viewed, Millis(30)),
        (9, EventKind::Viewed, Millis(10)),
    ]);
    assert_eq!(recently_viewed(&events, None, 3), [3, 2, 1]);
    assert_eq!(recently_viewed(&events, Some(Millis(45)), 12), [3, 2]);
}

#[test]
fn recently_viewed_shows_bought_products_but_not_unavailable_or_dismissed_ones() {
    let mut facts = HashMap::new();
    shelf(&mut facts, &[1, 2, 3, 4, 5], 1);
    facts.get_mut(&2).unwrap().available = false;
    let exclusions = Exclusions {
        bought: [1].into(),
        dismissed: [3].into(),
        ..Exclusions::default()
    };
    // 6 is gone from the catalogue: no facts.
    assert_eq!(
        viewed_to_show(&[1, 2, 3, 6, 4, 5], &facts, &exclusions, 12),
        [1, 4, 5]
    );
    assert_eq!(
        viewed_to_show(&[1, 2, 3, 6, 4, 5], &facts, &exclusions, 2),
        [1, 4]
    );
}

#[test]
fn the_favourite_category_is_where_the_anchors_weigh_most() {
    let mut facts = HashMap::new();
    shelf(&mut facts, &[1, 2], 7);
    shelf(&mut facts, &[3], 8);
    let anchor = |product, weight| Anchor { product, weight };
    assert_eq!(
        favourite_category(&[anchor(1, 1.0), anchor(2, 1.0), anchor(3, 1.5)], &facts),
        Some(7)
    );
    assert_eq!(favourite_category(&[anchor(3, 0.5)], &facts), Some(8));
    assert_eq!(favourite_category(&[], &facts), None);
}

#[test]
fn trending_favours_a_rise_over_a_steady_seller_and_damps_tiny_counts() {
    assert!(trending_score(40.0, 40.0) > trending_score(40.0, 160.0));
    assert!(trending_score(1.0, 0.0) < trending_score(40.0, 40.0));
}

#[test]
fn a_new_shopper_gets_best_sellers_and_trending_without_repeats() {
    let mut facts = HashMap::new();
    shelf(&mut facts, &[1, 2, 3, 4], 7);
    shelf(&mut facts, &[5, 6, 7, 8], 8);
    let inputs = FeedInputs {
        best_sellers: vec![1, 2, 3, 4, 5, 6],
        trending: vec![1, 5, 7, 8, 2, 3, 4],
        ..FeedInputs::default()
    };
    let sections = plan(&inputs, &facts, &Exclusions::default(), 4);
    assert_eq!(sections.len(), 2);
    assert_eq!(sections[0].section, PlannedSection::BestSellers);
    assert_eq!(ids(&sections[0]), [1, 2, 5, 6], "two per category of four");
    assert_eq!(sections[1].section, PlannedSection::TrendingNow);
    assert_eq!(ids(&sections[1]), [7, 8, 3, 4]);
}

#[test]
fn a_known_shopper_gets_personal_sections_with_reasons_and_no_cold_start() {
    let mut facts = HashMap::new();
    shelf(&mut facts, &[1, 2, 3, 4, 5, 6], 7);
    shelf(&mut facts, &[10, 11, 12, 13], 8);
    shelf(&mut facts, &[100, 101], 9);
    let inputs = FeedInputs {
        recommendations: picks(&[101, 1, 2, 3, 10, 4]),
        actions: [(100, Activity::Saved)].into(),
        because: vec![
            (101, Activity::Viewed, vec![101, 2, 5, 6, 11, 12]),
            (100, Activity::Saved, vec![13]),
        ],
        favourite: Some((7, vec![1, 5, 6, 4])),
        best_sellers: vec![1, 2, 3],
        ..FeedInputs::default()
    };
    let exclusions = Exclusions {
        bought: [3].into(),
        dismissed: [12].into(),
        ..Exclusions::default()
    };
    let sections = plan(&inputs, &facts, &exclusions, 4);
    let kinds: Vec<_> = sections.iter().map(|s| s.section.clone()).collect();
    assert_eq!(
        kinds,
        [
            PlannedSection::Because {
                anchor: 101,
                action: Activity::Viewed
            },
            PlannedSection::RecommendedForYou,
        ],
        "the second anchor has too few candidates, popular-in is used up, cold start is not needed"
    );
    assert_eq!(
        ids(&sections[0]),
        [2, 5, 11],
        "not the anchor, two of category 7 at most, not the dismissed 12"
    );
    assert_eq!(
        ids(&sections[1]),
        [1, 10, 4],
        "101 was just viewed, 2 is shown above, 3 was bought"
    );
    assert_eq!(
        sections[1].cards[0].1,
        PlannedReason::Because {
            anchor: 100,
            action: Activity::Saved
        }
    );
}

#[test]
fn price_drops_come_first_and_recently_viewed_shows_the_shoppers_own_history() {
    let mut facts = HashMap::new();
    shelf(&mut facts, &[1, 2, 3, 4], 7);
    facts.insert(
        5,
        ProductFacts {
            category: 7,
            repeatable: false,
            available: false,
        },
    );
    let was = Money::new(1000, "CNY");
    let inputs = FeedInputs {
        price_drops: vec![(1, was.clone()), (2, was.clone()), (3, was.clone())],
        recently_viewed: vec![5, 1, 2, 4],
        ..FeedInputs::default()
    };
    let sections = plan(&inputs, &facts, &Exclusions::default(), 8);
    assert_eq!(sections[0].section, PlannedSection::PriceDrops);
    assert_eq!(
        sections[0].cards[0].1,
        PlannedReason::PriceDrop { was: was.clone() }
    );
    assert_eq!(sections[1].section, PlannedSection::RecentlyViewed);
    assert_eq!(ids(&sections[1]), [1, 2, 4], "the sold-out 5 is left out");
}

#[test]
fn a_suggestion_passed_over_is_not_suggested_but_its_price_drop_still_shows() {
    let mut facts = HashMap::new();
    shelf(&mut facts, &[1, 2, 3, 4, 5], 7);
    shelf(&mut facts, &[6, 7, 8, 9], 8);
    let was = Money::new(1000, "CNY");
    let inputs = FeedInputs {
        price_drops: vec![(1, was.clone()), (2, was.clone()), (3, was)],
        best_sellers: vec![1, 4, 5, 6, 7, 8],
        trending: vec![4, 6, 9],
        ..FeedInputs::default()
    };
    let exclusions = Exclusions {
        passed_over: [1, 4, 6].into(),
        ..Exclusions::default()
    };
    let sections = plan(&inputs, &facts, &exclusions, 4);
    let kinds: Vec<_> = sections.iter().map(|s| s.section.clone()).collect();
    assert_eq!(
        kinds,
        [PlannedSection::PriceDrops, PlannedSection::BestSellers],
        "trending has only 9 left: too few for a shelf"
    );
    assert_eq!(
        ids(&sections[0]),
        [1, 2, 3],
        "the shopper asked to hear about 1"
    );
    assert_eq!(
        ids(&sections[1]),
        [5, 7, 8],
        "1 is above; 4 and 6 were passed over"
    );
}
