//! Offline evaluation of the feed: hold out each test shopper's last purchase, recommend 10 products from what
//! they did before it, and count how often the held-out product is among them (hit rate@10) and how high
//! (NDCG@10), for the feed (similarity and transitions blended), for each of its two sources alone, and for two
//! baselines on the same split: global popularity and chance.
//!
//! ```
//! use app::events::EventKind;
//! use app::feed::evaluation::evaluate;
//! use app::feed::similarity::{Interaction, SimilarityRules};
//! use app::feed::transitions::TransitionRules;
//! use app::kernel::time::Millis;
//!
//! let bought = |shopper, product, at| Interaction { shopper, product, kind: EventKind::Purchased, at: Millis(at) };
//! let history: Vec<_> = (0..20).flat_map(|s| [bought(s, 1, 0), bought(s, 2 + s % 2, 1)]).collect();
//! let report = evaluate(&history, 20, 10, &SimilarityRules::default(), &TransitionRules::default(), 7);
//! assert_eq!(report.cases, 20);
//! ```

use super::similarity::{
    Interaction, Recommendation, SimilarityRules, anchors, recommend, similar_products,
};
use super::transitions::{
    TransitionRules, blend, count_transitions, recent_steps, successors, what_comes_next,
};
use crate::events::EventKind;
use crate::kernel::time::Millis;
use std::collections::{HashMap, HashSet};

#[cfg(test)]
mod tests;

/// How many of a shopper's strongest interests pick the feed's candidates.
pub const ANCHORS: usize = 20;

/// A held-out purchase: the shopper, the product, and when it was bought.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Case {
    pub shopper: i64,
    pub product: i64,
    pub at: Millis,
}

/// What the recommenders learn from, and what they are asked to find.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// Every interaction but the held-out purchases and what their shoppers did after them.
    pub train: Vec<Interaction>,
    pub cases: Vec<Case>,
}

/// Holds out the last purchase of up to `shoppers` shoppers, chosen by `seed`, who did something else before it
/// and had not bought the product before (a repeat purchase is not a discovery).
pub fn leave_last_out(interactions: &[Interaction], shoppers: usize, seed: u64) -> Split {
    let mut last: HashMap<i64, (Millis, usize)> = HashMap::new();
    for (n, event) in interactions.iter().enumerate() {
        if event.kind == EventKind::Purchased {
            let entry = last.entry(event.shopper).or_insert((event.at, n));
            if (event.at, n) >= *entry {
                *entry = (event.at, n);
            }
        }
    }
    let mut earlier: HashMap<i64, HashSet<i64>> = HashMap::new();
    for (n, event) in interactions.iter().enumerate() {
        if let Some(&(at, held)) = last.get(&event.shopper)
            && n != held
            && event.at <= at
        {
            earlier
                .entry(event.shopper)
                .or_default()
                .insert(event.product);
        }
    }
    let mut eligible: Vec<i64> = last
        .iter()
        .filter(|(shopper, (_, held))| {
            earlier.get(shopper).is_some_and(|seen| {
                !seen.is_empty() && !seen.contains(&interactions[*held].product)
            })
        })
        .map(|(shopper, _)| *shopper)
        .collect();
    eligible.sort_unstable_by_key(|&shopper| (mix(seed ^ shopper as u64), shopper));
    eligible.truncate(shoppers);
    let chosen: HashMap<i64, (Millis, usize)> = eligible.iter().map(|s| (*s, last[s])).collect();
    let train = interactions
        .iter()
        .enumerate()
        .filter(|(n, event)| {
            chosen
                .get(&event.shopper)
                .is_none_or(|&(at, held)| *n != held && event.at <= at)
        })
        .map(|(_, event)| *event)
        .collect();
    let mut cases: Vec<Case> = chosen
        .iter()
        .map(|(&shopper, &(at, held))| Case {
            shopper,
            product: interactions[held].product,
            at,
        })
        .collect();
    cases.sort_unstable_by_key(|case| case.shopper);
    Split { train, cases }
}

/// Hit rate and NDCG at k of one recommender over the cases.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    pub hit_rate: f64,
    pub ndcg: f64,
}

/// Scores ranked lists against the held-out products: a hit at rank r (from 0) gains 1 / log2(r + 2).
pub fn score(cases: &[Case], ranked: impl Fn(&Case) -> Vec<i64>, k: usize) -> Scores {
    if cases.is_empty() {
        return Scores {
            hit_rate: 0.0,
            ndcg: 0.0,
        };
    }
    let (mut hits, mut gain) = (0usize, 0f64);
    for case in cases {
        if let Some(rank) = ranked(case).iter().take(k).position(|&p| p == case.product) {
            hits += 1;
            gain += 1.0 / ((rank + 2) as f64).log2();
        }
    }
    Scores {
        hit_rate: hits as f64 / cases.len() as f64,
        ndcg: gain / cases.len() as f64,
    }
}

/// The feed, its sources and its baselines, measured on one split.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub cases: usize,
    /// Similarity and transitions blended, as the home feed recommends.
    pub feed: Scores,
    /// Item-to-item similarity alone (the feed before transitions).
    pub similarity: Scores,
    /// "What came next" alone.
    pub transitions: Scores,
    pub popularity: Scores,
    pub random: Scores,
}

/// Splits `interactions`, builds the similarity lists and the transition counts from the training part, and scores
/// the feed, each of its sources, popularity (most shoppers first) and chance at `k`, each never recommending what
/// the shopper already had.
pub fn evaluate(
    interactions: &[Interaction],
    shoppers: usize,
    k: usize,
    rules: &SimilarityRules,
    next_rules: &TransitionRules,
    seed: u64,
) -> Report {
    let split = leave_last_out(interactions, shoppers, seed);
    let neighbours = similar_products(&split.train, rules);
    let next = successors(&count_transitions(&split.train, next_rules), next_rules);
    let mut histories: HashMap<i64, Vec<Interaction>> = HashMap::new();
    let mut fans: HashMap<i64, HashSet<i64>> = HashMap::new();
    for event in &split.train {
        fans.entry(event.product).or_default().insert(event.shopper);
        histories.entry(event.shopper).or_default().push(*event);
    }
    let mut popular: Vec<(usize, i64)> = fans.iter().map(|(p, s)| (s.len(), *p)).collect();
    popular.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let catalogue: Vec<i64> = {
        let mut all: Vec<i64> = fans.keys().copied().collect();
        all.sort_unstable();
        all
    };
    let seen = |case: &Case| -> HashSet<i64> {
        histories
            .get(&case.shopper)
            .map(|h| h.iter().map(|e| e.product).collect())
            .unwrap_or_default()
    };
    // Each case's candidates from each source, made once for the three scores that read them.
    let candidates: HashMap<i64, (Vec<Recommendation>, Vec<Recommendation>)> = split
        .cases
        .iter()
        .map(|case| {
            let history = histories
                .get(&case.shopper)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let anchors = anchors(history, rules.half_life, case.at, ANCHORS);
            let seen = seen(case);
            let similar = recommend(&anchors, &neighbours, &seen, 4 * k);
            let recent = recent_steps(history, next_rules.anchors);
            let following = what_comes_next(&recent, &next, next_rules, &seen, 4 * k);
            (case.shopper, (similar, following))
        })
        .collect();
    let products =
        |list: &[Recommendation]| -> Vec<i64> { list.iter().take(k).map(|r| r.product).collect() };
    let similarity = score(
        &split.cases,
        |case| products(&candidates[&case.shopper].0),
        k,
    );
    let transitions = score(
        &split.cases,
        |case| products(&candidates[&case.shopper].1),
        k,
    );
    let feed = score(
        &split.cases,
        |case| {
            let (similar, next) = &candidates[&case.shopper];
            products(&blend(similar, next, next_rules.share, k))
        },
        k,
    );
    let popularity = score(
        &split.cases,
        |case| {
            let seen = seen(case);
            popular
                .iter()
                .map(|&(_, p)| p)
                .filter(|p| !seen.contains(p))
                .take(k)
                .collect()
        },
        k,
    );
    let random = score(
        &split.cases,
        |case| {
            let seen = seen(case);
            let mut state = seed ^ case.shopper as u64;
            let mut picks = Vec::with_capacity(k);
            let unseen = catalogue.len().saturating_sub(seen.len());
            while picks.len() < k.min(unseen) {
                state = mix(state);
                let product = catalogue[(state % catalogue.len() as u64) as usize];
                if !seen.contains(&product) && !picks.contains(&product) {
                    picks.push(product);
                }
            }
            picks
        },
        k,
    );
    Report {
        cases: split.cases.len(),
        feed,
        similarity,
        transitions,
        popularity,
        random,
    }
}

/// SplitMix64's mixing step: a well-spread, repeatable stand-in for randomness.
fn mix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
