//! "What came next": which products shoppers go on to after each product, counted from the order of their events,
//! as plain functions.
//!
//! Similarity ([`super::similarity`]) treats a history as a set; the order says more about what a shopper wants
//! next. Each step of a shopper's history leads to the next few distinct products they touched, the nearer step
//! weighing more and a purchase more than a view. A product's successors are those counts divided by all that
//! left it: the chance that a shopper who was there went on to each. Counts add up, so a refresh takes away what
//! the shoppers who did something new counted before and adds what they count now, without rereading anyone
//! else's events ([`TransitionCounts::subtract`], [`TransitionCounts::add`]).
//!
//! ```
//! use app::events::EventKind;
//! use app::feed::similarity::Interaction;
//! use app::feed::transitions::{TransitionRules, count_transitions, recent_steps, successors, what_comes_next};
//! use app::kernel::time::Millis;
//!
//! let viewed = |shopper, product, at| Interaction::new(shopper, product, EventKind::Viewed, Millis(at));
//! // Three shoppers view a phone, then its case.
//! let history: Vec<_> = (0..3).flat_map(|s| [viewed(s, 1, 0), viewed(s, 2, 1)]).collect();
//! let rules = TransitionRules::default();
//! let next = successors(&count_transitions(&history, &rules), &rules);
//! assert_eq!(next[&1][0].product, 2);
//!
//! let mine = [viewed(9, 1, 5)];
//! let picks = what_comes_next(&recent_steps(&mine, rules.anchors), &next, &rules, &Default::default(), 3);
//! assert_eq!((picks[0].product, picks[0].because), (2, 1));
//! ```

use super::similarity::{Interaction, Recommendation, event_weight, rank};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;

#[cfg(test)]
mod tests;

/// A move fewer shoppers than this made is never on a list a product page shows anyone: it would tell what one
/// shopper did.
pub const SHOWN_TO_ANYONE: i64 = 2;

/// The knobs of the transition counts and of the candidates drawn from them.
#[derive(Debug, Clone, PartialEq)]
pub struct TransitionRules {
    /// How many following distinct products a step leads to.
    pub window: usize,
    /// The weight of the step `d` places on is `step_decay` to the power `d - 1`.
    pub step_decay: f32,
    /// Successors kept per product.
    pub successors: usize,
    /// How many of the shopper's latest distinct products pick the candidates.
    pub anchors: usize,
    /// The weight of the anchor `n` products back is `anchor_decay` to the power `n`.
    pub anchor_decay: f32,
    /// A successor's chance is counted over `left + smoothing`, so that a product few shoppers left does not
    /// promise its one follower with certainty.
    pub smoothing: f32,
    /// The transitions' share of a blended candidate's score, the rest being similarity's ([`blend`]).
    pub share: f32,
}

/// Tuned on MovieLens-1M's leave-last-out split (BENCHMARKS.md, "Feed quality"): a window of 5 steps and the 8
/// latest products each did better than 3 and 3, a slow step decay better than a fast one, and similarity adds a
/// little at a share of 0.15.
impl Default for TransitionRules {
    fn default() -> Self {
        TransitionRules {
            window: 5,
            step_decay: 0.8,
            successors: 50,
            anchors: 8,
            anchor_decay: 0.6,
            smoothing: 2.0,
            share: 0.85,
        }
    }
}

impl TransitionRules {
    /// What the stored counts depend on, as the database keeps it beside them: counts made under other rules are
    /// rebuilt, never added to.
    pub fn counting_key(&self) -> String {
        format!(
            "weights=millionths window={} step_decay={} successors={} smoothing={}",
            self.window, self.step_decay, self.successors, self.smoothing
        )
    }
}

/// One move in a shopper's history: a product and the weight of the strongest thing done with it there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    pub product: i64,
    pub weight: f32,
}

/// A shopper's history as steps, oldest first: events in time order (ties: as given), those that say nothing of
/// interest (a removal, a dismissal) left out, and the events of one product in a row (a view, then the cart,
/// then the purchase) one step, weighing as the strongest of them.
pub fn steps(history: &[Interaction]) -> Vec<Step> {
    let mut ordered: Vec<&Interaction> = history.iter().collect();
    // Stable: events of one moment keep the order given.
    ordered.sort_by_key(|event| event.at);
    let mut steps: Vec<Step> = Vec::new();
    for event in ordered {
        let weight = event_weight(event.kind);
        if weight <= 0.0 {
            continue;
        }
        match steps.last_mut() {
            Some(last) if last.product == event.product => last.weight = last.weight.max(weight),
            _ => steps.push(Step {
                product: event.product,
                weight,
            }),
        }
    }
    steps
}

/// The moves from one product to another: their weight, and how many shoppers made them (a list a product page
/// shows anyone names only moves two shoppers or more made, so that it never tells one shopper's path).
///
/// The weight is in millionths of a purchase's, a whole number: adding a shopper's moves and taking them away
/// again leaves exactly nothing, so counts kept by a thousand refreshes equal a count from scratch, and the stored
/// moves are short integers, quick to read and write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Move {
    pub weight: i64,
    pub shoppers: i64,
}

/// One product's moves, by the product moved to, in its id order.
pub type Moves = Vec<(i64, Move)>;

/// A weight in millionths of a purchase's.
fn millionths(weight: f32) -> i64 {
    (f64::from(weight) * 1e6).round() as i64
}

/// How often shoppers went from one product to another, per `(from, to)`. Counts of parts of the events add up to
/// the counts of the whole, which is what keeps them fresh without rereading.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransitionCounts {
    pub pairs: HashMap<(i64, i64), Move>,
}

impl TransitionCounts {
    /// Adds `more` to these.
    pub fn add(&mut self, more: &TransitionCounts) {
        self.add_times(more, 1);
    }

    /// Takes `less` (counts these hold) away from these: what a shopper's earlier history counted, before their
    /// new events are counted with it.
    pub fn subtract(&mut self, less: &TransitionCounts) {
        self.add_times(less, -1);
    }

    fn add_times(&mut self, other: &TransitionCounts, times: i64) {
        for (&pair, other) in &other.pairs {
            let moved = self.pairs.entry(pair).or_default();
            moved.weight += times * other.weight;
            moved.shoppers += times * other.shoppers;
        }
        self.pairs.retain(|_, moved| *moved != Move::default());
    }

    /// Per product, the moves that left it.
    pub fn by_product(&self) -> BTreeMap<i64, Moves> {
        let mut products: BTreeMap<i64, Moves> = BTreeMap::new();
        for (&(from, to), &moved) in &self.pairs {
            products.entry(from).or_default().push((to, moved));
        }
        for moves in products.values_mut() {
            moves.sort_unstable_by_key(|(to, _)| *to);
        }
        products
    }
}

/// `stored` (one product's moves) changed by `change` (moves to add, or to take away where negative), both by
/// product id: the moves that are left, by product id. Merging the two ordered lists costs no hashing, which
/// matters for a best seller's forty thousand moves.
pub fn merge_moves(stored: Moves, change: &[(i64, Move)]) -> Moves {
    let mut merged = Vec::with_capacity(stored.len() + change.len());
    let mut changes = change.iter().peekable();
    for (to, moved) in stored {
        while let Some(&&(other, more)) = changes.peek() {
            if other >= to {
                break;
            }
            merged.push((other, more));
            changes.next();
        }
        match changes.peek() {
            Some(&&(other, more)) if other == to => {
                changes.next();
                merged.push((
                    to,
                    Move {
                        weight: moved.weight + more.weight,
                        shoppers: moved.shoppers + more.shoppers,
                    },
                ));
            }
            _ => merged.push((to, moved)),
        }
    }
    merged.extend(changes.copied());
    merged.retain(|(_, moved)| *moved != Move::default());
    merged
}

/// The moves of one shopper's steps, per `(from, to)`: each step leads to the `window` steps after it, the step
/// `d` places on weighing `step_decay ^ (d - 1)` times the weight of what was done there (a purchase 1, a view
/// 1/4). A product met again is not a move to itself.
pub fn count_steps(steps: &[Step], rules: &TransitionRules) -> HashMap<(i64, i64), i64> {
    let mut moves: HashMap<(i64, i64), i64> = HashMap::new();
    for (to, target) in steps.iter().enumerate() {
        for distance in 1..=rules.window.min(to) {
            let source = steps[to - distance];
            if source.product == target.product {
                continue;
            }
            let weight =
                millionths(rules.step_decay.powi(distance as i32 - 1) * target.weight / 4.0);
            *moves.entry((source.product, target.product)).or_insert(0) += weight;
        }
    }
    moves
}

/// Every shopper's moves in `interactions` (a shopper's events of one moment keep the order given).
pub fn count_transitions(
    interactions: &[Interaction],
    rules: &TransitionRules,
) -> TransitionCounts {
    let mut by_shopper: HashMap<i64, Vec<Interaction>> = HashMap::new();
    for event in interactions {
        by_shopper.entry(event.shopper).or_default().push(*event);
    }
    let mut counts = TransitionCounts::default();
    for history in by_shopper.values() {
        for (pair, weight) in count_steps(&steps(history), rules) {
            let moved = counts.pairs.entry(pair).or_default();
            moved.weight += weight;
            moved.shoppers += 1;
        }
    }
    counts
}

/// A product one went on to, the chance of it, and how many shoppers did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Successor {
    pub product: i64,
    pub chance: f32,
    pub shoppers: i64,
}

/// One product's likeliest successors from the moves that left it: each move's share of all of them (counted
/// over `smoothing` more), likeliest first (ties: lower product id first), `rules.successors` at most.
pub fn likeliest(moves: &[(i64, Move)], rules: &TransitionRules) -> Vec<Successor> {
    let left = moves.iter().map(|(_, m)| m.weight).sum::<i64>() as f64
        + millionths(rules.smoothing) as f64;
    let mut list: Vec<Successor> = moves
        .iter()
        .filter(|(_, moved)| moved.weight > 0 && moved.shoppers > 0)
        .map(|&(product, moved)| Successor {
            product,
            chance: (moved.weight as f64 / left) as f32,
            shoppers: moved.shoppers,
        })
        .collect();
    list.sort_unstable_by(|a, b| {
        b.chance
            .total_cmp(&a.chance)
            .then(a.product.cmp(&b.product))
    });
    list.truncate(rules.successors);
    list
}

/// Every product's likeliest successors ([`likeliest`]).
pub fn successors(
    counts: &TransitionCounts,
    rules: &TransitionRules,
) -> BTreeMap<i64, Vec<Successor>> {
    counts
        .by_product()
        .into_iter()
        .map(|(product, moves)| (product, likeliest(&moves, rules)))
        .collect()
}

/// A product's moves (by id) as they are stored: `"id:weight:shoppers …"`, written into one string.
pub fn encode_moves(moves: &[(i64, Move)]) -> String {
    use std::fmt::Write;
    let mut text = String::with_capacity(moves.len() * 16);
    for (product, moved) in moves {
        if !text.is_empty() {
            text.push(' ');
        }
        let _ = write!(text, "{product}:{}:{}", moved.weight, moved.shoppers);
    }
    text
}

/// Stored moves, by id as they were written; malformed entries are skipped (the next full build rewrites the row).
pub fn decode_moves(text: &str) -> Moves {
    entries(text)
        .map(|(product, weight, shoppers)| (product, Move { weight, shoppers }))
        .collect()
}

/// A successor list as it is stored: `"id:chance:shoppers …"`, likeliest first.
pub fn encode_successors(list: &[Successor]) -> String {
    list.iter()
        .map(|s| format!("{}:{}:{}", s.product, s.chance, s.shoppers))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A stored successor list; malformed entries are skipped.
pub fn decode_successors(text: &str) -> Vec<Successor> {
    entries(text)
        .map(|(product, chance, shoppers)| Successor {
            product,
            chance,
            shoppers,
        })
        .collect()
}

/// The well-formed `"a:b:c"` entries of a stored text.
fn entries<A: FromStr, B: FromStr, C: FromStr>(text: &str) -> impl Iterator<Item = (A, B, C)> + '_ {
    text.split_ascii_whitespace().filter_map(|entry| {
        let mut parts = entry.split(':');
        let a = parts.next()?.parse().ok()?;
        let b = parts.next()?.parse().ok()?;
        let c = parts.next()?.parse().ok()?;
        parts.next().is_none().then_some((a, b, c))
    })
}

/// The shopper's latest `limit` distinct products, latest first.
pub fn recent_steps(history: &[Interaction], limit: usize) -> Vec<Step> {
    let mut recent: Vec<Step> = Vec::new();
    for step in steps(history).into_iter().rev() {
        if recent.len() == limit {
            break;
        }
        if !recent.iter().any(|seen| seen.product == step.product) {
            recent.push(step);
        }
    }
    recent
}

/// Up to `limit` products the shopper is likely to go on to from `recent` (latest first): each candidate scores
/// the sum over anchors of the anchor's weight (fading with how far back it is) times the chance of going on to
/// it, best first (ties: lower product id first), with the anchor that contributed most. Anchors and `excluded`
/// products are never recommended.
pub fn what_comes_next(
    recent: &[Step],
    successors: &BTreeMap<i64, Vec<Successor>>,
    rules: &TransitionRules,
    excluded: &HashSet<i64>,
    limit: usize,
) -> Vec<Recommendation> {
    let anchored: HashSet<i64> = recent.iter().map(|step| step.product).collect();
    rank(
        recent
            .iter()
            .take(rules.anchors)
            .enumerate()
            .flat_map(|(back, anchor)| {
                let weight = rules.anchor_decay.powi(back as i32);
                successors
                    .get(&anchor.product)
                    .into_iter()
                    .flatten()
                    .map(move |next| (next.product, weight * next.chance, anchor.product))
            }),
        |product| anchored.contains(&product) || excluded.contains(&product),
        limit,
    )
}

/// Mixes the candidates of similarity and of transitions, each list's scores taken relative to its best: a
/// candidate scores `share` of its transition score plus the rest of its similarity score, and is there because
/// of the anchor of the source that gave it more. Up to `limit`, best first (ties: lower product id first).
pub fn blend(
    similar: &[Recommendation],
    next: &[Recommendation],
    share: f32,
    limit: usize,
) -> Vec<Recommendation> {
    let part_of = |list: &[Recommendation], part: f32| -> Vec<(i64, f32, i64)> {
        let best = list.iter().map(|r| r.score).fold(0.0, f32::max);
        // A source with no share brings no candidates either.
        if best <= 0.0 || part <= 0.0 {
            return Vec::new();
        }
        list.iter()
            .map(|r| (r.product, part * r.score / best, r.because))
            .collect()
    };
    rank(
        part_of(similar, 1.0 - share)
            .into_iter()
            .chain(part_of(next, share)),
        |_| false,
        limit,
    )
}
